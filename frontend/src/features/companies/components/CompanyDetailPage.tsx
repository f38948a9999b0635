import { useState } from 'react';
import { useParams } from 'react-router-dom';

import { DetailHeader, FieldGrid, RecordActions, RecordPage, RelatedSection, Section } from '../../../components/RecordDetail';
import { RecordLayout, RelatedDealsSection } from '../../../components/RecordLayout';
import { can } from '../../../lib/authorization';
import { useRelatedDeals } from '../../../lib/records';
import { recordPath } from '../../../lib/search';
import { usePermissions } from '../../../lib/session';
import { useMemberName } from '../../../lib/users';
import { useCompany, useCompanyContacts, useDeleteCompany } from '../api/companies';
import type { Company } from '../api/companies';
import { CompanyFormModal } from './CompanyFormModal';

/** A company: its fields, its contacts and deals, its tasks and notes, and its timeline. */
export function CompanyDetailPage() {
  const { id = '' } = useParams();
  return (
    <RecordPage query={useCompany(id)} what="Company" back={{ to: '/companies', label: 'Back to the companies' }}>
      {(company) => <CompanyDetail company={company} />}
    </RecordPage>
  );
}

function CompanyDetail({ company }: { company: Company }) {
  const permissions = usePermissions();
  const ownerName = useMemberName();
  const remove = useDeleteCompany();
  const [editing, setEditing] = useState(false);
  const contacts = useCompanyContacts(company.id, can(permissions, 'contacts:read'));
  const deals = useRelatedDeals({ company_id: company.id }, can(permissions, 'deals:read'));

  return (
    <>
      <DetailHeader back={{ to: '/companies', label: 'Companies' }} title={company.name} subtitle={company.domain ?? undefined}>
        <RecordActions
          id={company.id}
          name={company.name}
          mayEdit={can(permissions, 'companies:write')}
          mayDelete={can(permissions, 'companies:delete')}
          onEdit={() => setEditing(true)}
          remove={remove}
          listPath="/companies"
        />
      </DetailHeader>
      <RecordLayout record={{ kind: 'company', id: company.id }}>
        <Section title="Details">
          <FieldGrid
            fields={[
              { label: 'Name', value: company.name },
              { label: 'Domain', value: company.domain },
              { label: 'Industry', value: company.industry },
              { label: 'Owner', value: ownerName(company.owner_id) },
              { label: 'Created', value: new Date(company.created_at).toLocaleString() },
              { label: 'Updated', value: new Date(company.updated_at).toLocaleString() },
            ]}
          />
        </Section>
        {can(permissions, 'contacts:read') && (
          <RelatedSection
            title="Contacts"
            testId="company-contacts"
            query={contacts}
            empty="No contacts at this company yet."
            toItem={(c) => ({ id: c.id, to: recordPath('contact', c.id), label: [c.first_name, c.last_name].filter(Boolean).join(' '), detail: c.email ?? undefined })}
          />
        )}
        {can(permissions, 'deals:read') && <RelatedDealsSection testId="company-deals" query={deals} empty="No deals with this company yet." />}
      </RecordLayout>
      <CompanyFormModal editing={editing ? company : null} onClose={() => setEditing(false)} />
    </>
  );
}
