import { Button, Grid, Stack } from '@mantine/core';
import { useState } from 'react';
import { useNavigate, useParams } from 'react-router-dom';

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
import { useCompany, useCompanyContacts, useCompanyDeals, useDeleteCompany } from '../api/companies';
import type { Company } from '../api/companies';
import { CompanyFormModal } from './CompanyFormModal';

const BACK = { to: '/companies', label: 'Companies' };

/** A company: its fields, its contacts and deals, its tasks and notes, and its timeline. */
export function CompanyDetailPage() {
  const { id = '' } = useParams();
  const company = useCompany(id);
  if (isNotFound(company.error)) return <RecordNotFound what="Company" back={{ to: '/companies', label: 'Back to the companies' }} />;
  return (
    <QueryState isPending={company.isPending} error={company.error} retry={() => company.refetch()}>
      {company.data && <CompanyDetail company={company.data} />}
    </QueryState>
  );
}

function CompanyDetail({ company }: { company: Company }) {
  const permissions = usePermissions();
  const navigate = useNavigate();
  const ownerName = useMemberName();
  const remove = useDeleteCompany();
  const [editing, setEditing] = useState(false);
  const record = { kind: 'company', id: company.id } as const;
  const contacts = useCompanyContacts(company.id, can(permissions, 'contacts:read'));
  const deals = useCompanyDeals(company.id, can(permissions, 'deals:read'));
  const names = usePipelineNames(can(permissions, 'deals:read'));

  return (
    <>
      <DetailHeader back={BACK} title={company.name} subtitle={company.domain ?? undefined}>
        {can(permissions, 'companies:write') && (
          <Button variant="light" onClick={() => setEditing(true)}>
            Edit
          </Button>
        )}
        {can(permissions, 'companies:delete') && (
          <Button
            variant="light"
            color="red"
            loading={remove.isPending}
            onClick={() => window.confirm(`Delete ${company.name}?`) && remove.mutate(company.id, { onSuccess: () => navigate('/companies') })}
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
              <Section title={`Contacts${contacts.data ? ` (${contacts.data.items.length}${contacts.data.next_cursor ? '+' : ''})` : ''}`} testId="company-contacts">
                <QueryState isPending={contacts.isPending} error={contacts.error} retry={() => contacts.refetch()}>
                  <RelatedList
                    empty="No contacts at this company yet."
                    items={(contacts.data?.items ?? []).map((c) => ({
                      id: c.id,
                      to: recordPath('contact', c.id),
                      label: [c.first_name, c.last_name].filter(Boolean).join(' '),
                      detail: c.email ?? undefined,
                    }))}
                  />
                </QueryState>
              </Section>
            )}
            {can(permissions, 'deals:read') && (
              <Section title={`Deals${deals.data ? ` (${deals.data.items.length}${deals.data.next_cursor ? '+' : ''})` : ''}`} testId="company-deals">
                <QueryState isPending={deals.isPending} error={deals.error} retry={() => deals.refetch()}>
                  <RelatedList
                    empty="No deals with this company yet."
                    items={(deals.data?.items ?? []).map((d) => ({
                      id: d.id,
                      to: recordPath('deal', d.id),
                      label: d.name,
                      detail: [names.data?.stages.get(d.stage_id), d.amount != null && d.currency ? formatMoney(d.amount, d.currency) : null].filter(Boolean).join(' · '),
                    }))}
                  />
                </QueryState>
              </Section>
            )}
            <TimelinePanel record={record} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="md">
            <TasksPanel record={record} />
            <NotesPanel record={record} />
          </Stack>
        </Grid.Col>
      </Grid>
      <CompanyFormModal editing={editing ? company : null} onClose={() => setEditing(false)} />
    </>
  );
}
