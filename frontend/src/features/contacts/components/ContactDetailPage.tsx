import { useState } from 'react';
import { useParams } from 'react-router-dom';

import { CompanyLink, DetailHeader, FieldGrid, RecordActions, RecordPage, Section } from '../../../components/RecordDetail';
import { RecordLayout, RelatedDealsSection } from '../../../components/RecordLayout';
import { can } from '../../../lib/authorization';
import { useCompanyOf, useCompanyOptions, useRelatedDeals } from '../../../lib/records';
import { usePermissions } from '../../../lib/session';
import { useMemberName } from '../../../lib/users';
import { useContact, useDeleteContact } from '../api/contacts';
import type { Contact } from '../api/contacts';
import { ContactFormModal } from './ContactFormModal';

const fullName = (c: Contact) => [c.first_name, c.last_name].filter(Boolean).join(' ');

/** A contact: their fields, their company, the deals they are on, their tasks and notes, and their timeline. */
export function ContactDetailPage() {
  const { id = '' } = useParams();
  return (
    <RecordPage query={useContact(id)} what="Contact" back={{ to: '/contacts', label: 'Back to the contacts' }}>
      {(contact) => <ContactDetail contact={contact} />}
    </RecordPage>
  );
}

function ContactDetail({ contact }: { contact: Contact }) {
  const permissions = usePermissions();
  const ownerName = useMemberName();
  const remove = useDeleteContact();
  const [editing, setEditing] = useState(false);
  const mayReadCompanies = can(permissions, 'companies:read');
  const company = useCompanyOf(contact.company_id, mayReadCompanies);
  const companies = useCompanyOptions(mayReadCompanies && editing);
  const deals = useRelatedDeals({ contact_id: contact.id }, can(permissions, 'deals:read'));

  return (
    <>
      <DetailHeader back={{ to: '/contacts', label: 'Contacts' }} title={fullName(contact)} subtitle={contact.email ?? undefined}>
        <RecordActions
          id={contact.id}
          name={fullName(contact)}
          mayEdit={can(permissions, 'contacts:write')}
          mayDelete={can(permissions, 'contacts:delete')}
          onEdit={() => setEditing(true)}
          remove={remove}
          listPath="/contacts"
        />
      </DetailHeader>
      <RecordLayout
        record={{ kind: 'contact', id: contact.id }}
        resolve={(field, value) => (field === 'company_id' && value === contact.company_id ? company.data?.name : undefined)}
      >
        <Section title="Details">
          <FieldGrid
            fields={[
              { label: 'First name', value: contact.first_name },
              { label: 'Last name', value: contact.last_name },
              { label: 'Email', value: contact.email },
              { label: 'Phone', value: contact.phone },
              { label: 'Company', value: contact.company_id ? <CompanyLink companyId={contact.company_id} company={company} /> : null },
              { label: 'Owner', value: ownerName(contact.owner_id) },
              { label: 'Created', value: new Date(contact.created_at).toLocaleString() },
              { label: 'Updated', value: new Date(contact.updated_at).toLocaleString() },
            ]}
          />
        </Section>
        {can(permissions, 'deals:read') && <RelatedDealsSection testId="contact-deals" query={deals} empty="Not on any deal yet." />}
      </RecordLayout>
      <ContactFormModal editing={editing ? contact : null} onClose={() => setEditing(false)} companies={companies.data} />
    </>
  );
}
