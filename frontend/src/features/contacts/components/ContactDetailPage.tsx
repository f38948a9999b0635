import { Anchor, Button, Grid, Stack, Text } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';

import { NotesPanel } from '../../../components/NotesPanel';
import { QueryState } from '../../../components/QueryState';
import { DetailHeader, FieldGrid, isNotFound, RecordNotFound, RelatedList, Section } from '../../../components/RecordDetail';
import { TasksPanel } from '../../../components/TasksPanel';
import { TimelinePanel } from '../../../components/TimelinePanel';
import { can } from '../../../lib/authorization';
import { formatMoney } from '../../../lib/money';
import { usePipelineNames } from '../../../lib/pipelines';
import { recordPath } from '../../../lib/search';
import { usePermissions } from '../../../lib/session';
import { useMemberName } from '../../../lib/users';
import { useCompanyOptions, useContact, useContactCompany, useContactDeals, useDeleteContact } from '../api/contacts';
import type { Contact } from '../api/contacts';
import { ContactFormModal } from './ContactFormModal';

const BACK = { to: '/contacts', label: 'Contacts' };

const fullName = (c: Contact) => [c.first_name, c.last_name].filter(Boolean).join(' ');

/** A contact: their fields, their company and the deals there they are on, their tasks and notes, and their timeline. */
export function ContactDetailPage() {
  const { id = '' } = useParams();
  const contact = useContact(id);
  if (isNotFound(contact.error)) return <RecordNotFound what="Contact" back={{ to: '/contacts', label: 'Back to the contacts' }} />;
  return (
    <QueryState isPending={contact.isPending} error={contact.error} retry={() => contact.refetch()}>
      {contact.data && <ContactDetail contact={contact.data} />}
    </QueryState>
  );
}

function ContactDetail({ contact }: { contact: Contact }) {
  const permissions = usePermissions();
  const navigate = useNavigate();
  const ownerName = useMemberName();
  const remove = useDeleteContact();
  const [editing, setEditing] = useState(false);
  const record = { kind: 'contact', id: contact.id } as const;
  const mayReadCompanies = can(permissions, 'companies:read');
  const company = useContactCompany(contact.company_id, mayReadCompanies);
  const companies = useCompanyOptions(mayReadCompanies && editing);
  const deals = useContactDeals(contact.id, contact.company_id, can(permissions, 'deals:read'));
  const names = usePipelineNames(can(permissions, 'deals:read'));

  const companyLink = contact.company_id ? (
    mayReadCompanies && company.data ? (
      <Anchor component={Link} to={recordPath('company', contact.company_id)} size="sm">
        {company.data.name}
      </Anchor>
    ) : (
      'A company not shared with you'
    )
  ) : null;

  return (
    <>
      <DetailHeader back={BACK} title={fullName(contact)} subtitle={contact.email ?? undefined}>
        {can(permissions, 'contacts:write') && (
          <Button variant="light" onClick={() => setEditing(true)}>
            Edit
          </Button>
        )}
        {can(permissions, 'contacts:delete') && (
          <Button
            variant="light"
            color="red"
            loading={remove.isPending}
            onClick={() => window.confirm(`Delete ${fullName(contact)}?`) && remove.mutate(contact.id, { onSuccess: () => navigate('/contacts') })}
          >
            Delete
          </Button>
        )}
      </DetailHeader>
      <Grid gutter="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            <Section title="Details">
              <FieldGrid
                fields={[
                  { label: 'First name', value: contact.first_name },
                  { label: 'Last name', value: contact.last_name },
                  { label: 'Email', value: contact.email },
                  { label: 'Phone', value: contact.phone },
                  { label: 'Company', value: company.isLoading ? '…' : companyLink },
                  { label: 'Owner', value: ownerName(contact.owner_id) },
                  { label: 'Created', value: new Date(contact.created_at).toLocaleString() },
                  { label: 'Updated', value: new Date(contact.updated_at).toLocaleString() },
                ]}
              />
            </Section>
            {can(permissions, 'deals:read') && contact.company_id && (
              <Section title="Deals" testId="contact-deals">
                <Text size="xs" c="dimmed" mb="xs">
                  Deals of {company.data?.name ?? 'their company'} this contact is on.
                </Text>
                <QueryState isPending={deals.isPending} error={deals.error} retry={() => deals.refetch()}>
                  <RelatedList
                    empty="Not on any deal of their company."
                    items={(deals.data ?? []).map((d) => ({
                      id: d.id,
                      to: recordPath('deal', d.id),
                      label: d.name,
                      detail: [names.data?.stages.get(d.stage_id), d.amount != null && d.currency ? formatMoney(d.amount, d.currency) : null].filter(Boolean).join(' · '),
                    }))}
                  />
                </QueryState>
              </Section>
            )}
            <TimelinePanel record={record} resolve={(field, value) => (field === 'company_id' && value === contact.company_id ? company.data?.name : undefined)} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="md">
            <TasksPanel record={record} />
            <NotesPanel record={record} />
          </Stack>
        </Grid.Col>
      </Grid>
      <ContactFormModal editing={editing ? contact : null} onClose={() => setEditing(false)} companies={companies.data} />
    </>
  );
}
