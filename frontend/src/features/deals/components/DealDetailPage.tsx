import { Anchor, Badge, Button, Grid, Group, Modal, NativeSelect, Stack } from '@mantine/core';
import { useState } from 'react';
import { Link, useNavigate, useParams } from 'react-router-dom';

import { changedFields, EntityForm, optional } from '../../../components/EntityForm';
import { NotesPanel } from '../../../components/NotesPanel';
import { ErrorBanner } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { DetailHeader, FieldGrid, isNotFound, RecordNotFound, RelatedList, Section } from '../../../components/RecordDetail';
import { TasksPanel } from '../../../components/TasksPanel';
import { TimelinePanel } from '../../../components/TimelinePanel';
import { can } from '../../../lib/authorization';
import type { ValueResolver } from '../../../lib/changes';
import { formatMoney } from '../../../lib/money';
import { recordPath } from '../../../lib/search';
import { usePermissions } from '../../../lib/session';
import { useMemberName } from '../../../lib/users';
import { useCompanyOptions, useDeal, useDealCompany, useDealContacts, useDeleteDeal, usePipelines, useSaveDeal } from '../api/deals';
import type { Deal, DealPatch } from '../api/deals';

const BACK = { to: '/deals', label: 'Deals' };

const kindColor = (kind: string | undefined) => (kind === 'won' ? 'green' : kind === 'lost' ? 'red' : 'blue');

/** A deal: its stage (movable), amount, company and contacts, its tasks and notes, and its timeline. */
export function DealDetailPage() {
  const { id = '' } = useParams();
  const deal = useDeal(id);
  if (isNotFound(deal.error)) return <RecordNotFound what="Deal" back={{ to: '/deals', label: 'Back to the board' }} />;
  return (
    <QueryState isPending={deal.isPending} error={deal.error} retry={() => deal.refetch()}>
      {deal.data && <DealDetail deal={deal.data} />}
    </QueryState>
  );
}

type DealForm = { name: string; amount?: string | null; currency?: string | null; expected_close_date?: string | null; company_id?: string | null };

function DealDetail({ deal }: { deal: Deal }) {
  const permissions = usePermissions();
  const mayWrite = can(permissions, 'deals:write');
  const navigate = useNavigate();
  const ownerName = useMemberName();
  const pipelines = usePipelines();
  const save = useSaveDeal();
  const remove = useDeleteDeal();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mayReadCompanies = can(permissions, 'companies:read');
  const company = useDealCompany(deal.company_id, mayReadCompanies);
  const companies = useCompanyOptions(mayReadCompanies && editing);
  const contacts = useDealContacts(deal.contact_ids, can(permissions, 'contacts:read'));
  const record = { kind: 'deal', id: deal.id } as const;

  const pipeline = pipelines.data?.items.find((p) => p.id === deal.pipeline_id);
  const stage = pipeline?.stages.find((s) => s.id === deal.stage_id);
  const stageName = (id: unknown) => pipelines.data?.items.flatMap((p) => p.stages).find((s) => s.id === id)?.name;
  const resolve: ValueResolver = (field, value) => {
    if (field === 'stage_id') return stageName(value);
    if (field === 'pipeline_id') return pipelines.data?.items.find((p) => p.id === value)?.name;
    if (field === 'company_id' && value === deal.company_id && company.data) return company.data.name;
    return undefined;
  };

  const move = (to: string) => {
    setError(null);
    save.mutate({ id: deal.id, body: { stage_id: to } }, { onError: (e) => setError(`Could not move the deal: ${e.message}`) });
  };

  return (
    <>
      <DetailHeader
        back={BACK}
        title={deal.name}
        subtitle={
          <Group gap="xs" component="span">
            {stage && (
              <Badge color={kindColor(stage.kind)} variant="light" data-testid="deal-stage">
                {stage.name}
              </Badge>
            )}
            {deal.amount != null && deal.currency && <span data-testid="deal-amount">{formatMoney(deal.amount, deal.currency)}</span>}
          </Group>
        }
      >
        {mayWrite && (
          <Button variant="light" onClick={() => setEditing(true)}>
            Edit
          </Button>
        )}
        {can(permissions, 'deals:delete') && (
          <Button
            variant="light"
            color="red"
            loading={remove.isPending}
            onClick={() => window.confirm(`Delete ${deal.name}?`) && remove.mutate(deal.id, { onSuccess: () => navigate('/deals') })}
          >
            Delete
          </Button>
        )}
      </DetailHeader>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <Grid gutter="md">
        <Grid.Col span={{ base: 12, md: 7 }}>
          <Stack gap="md">
            <Section title="Details">
              <FieldGrid
                fields={[
                  { label: 'Name', value: deal.name },
                  {
                    label: 'Stage',
                    value:
                      mayWrite && pipeline ? (
                        <NativeSelect
                          size="xs"
                          aria-label="Stage"
                          maw={220}
                          value={deal.stage_id}
                          disabled={save.isPending}
                          data={pipeline.stages.map((s) => ({ value: s.id, label: s.name }))}
                          onChange={(e) => move(e.currentTarget.value)}
                        />
                      ) : (
                        stage?.name
                      ),
                  },
                  { label: 'Amount', value: deal.amount != null && deal.currency ? formatMoney(deal.amount, deal.currency) : null },
                  { label: 'Pipeline', value: pipeline?.name },
                  { label: 'Expected close', value: deal.expected_close_date },
                  { label: 'In this stage since', value: new Date(deal.stage_entered_at).toLocaleDateString() },
                  {
                    label: 'Company',
                    value: deal.company_id ? (
                      company.data ? (
                        <Anchor component={Link} to={recordPath('company', deal.company_id)} size="sm">
                          {company.data.name}
                        </Anchor>
                      ) : company.isLoading ? (
                        '…'
                      ) : (
                        'A company not shared with you'
                      )
                    ) : null,
                  },
                  { label: 'Owner', value: ownerName(deal.owner_id) },
                ]}
              />
            </Section>
            {can(permissions, 'contacts:read') && (
              <Section title={`Contacts (${deal.contact_ids.length})`} testId="deal-contacts">
                <RelatedList
                  empty="No contacts on this deal."
                  items={contacts.map((c, i) => ({
                    id: deal.contact_ids[i],
                    to: recordPath('contact', deal.contact_ids[i]),
                    label: c.data ? [c.data.first_name, c.data.last_name].filter(Boolean).join(' ') : c.isError ? 'A contact not shared with you' : '…',
                    detail: c.data?.email ?? undefined,
                  }))}
                />
              </Section>
            )}
            <TimelinePanel record={record} resolve={resolve} />
          </Stack>
        </Grid.Col>
        <Grid.Col span={{ base: 12, md: 5 }}>
          <Stack gap="md">
            <TasksPanel record={record} />
            <NotesPanel record={record} />
          </Stack>
        </Grid.Col>
      </Grid>
      <Modal opened={editing} onClose={() => setEditing(false)} title="Edit deal">
        {editing && (
          <EntityForm<DealForm>
            fields={[
              { name: 'name', label: 'Name', required: true },
              { name: 'amount', label: 'Amount' },
              { name: 'currency', label: 'Currency' },
              { name: 'expected_close_date', label: 'Expected close date', type: 'date' },
              ...(companies.data ? [{ name: 'company_id' as const, label: 'Company', options: companies.data }] : []),
            ]}
            initial={{
              name: deal.name,
              amount: deal.amount ?? '',
              currency: deal.currency ?? 'EUR',
              expected_close_date: deal.expected_close_date ?? '',
              company_id: deal.company_id ?? '',
            }}
            toBody={(v) => {
              const amount = optional(v.amount?.trim());
              // Amount and currency go together: no amount, no currency.
              return {
                name: v.name ?? '',
                amount,
                currency: amount === null ? null : optional(v.currency?.trim().toUpperCase()),
                expected_close_date: optional(v.expected_close_date),
                company_id: optional(v.company_id),
              };
            }}
            submitLabel="Save"
            onCancel={() => setEditing(false)}
            onSubmit={async (body) => {
              const patch: DealPatch = changedFields(deal, body);
              if (Object.keys(patch).length) await save.mutateAsync({ id: deal.id, body: patch });
              setEditing(false);
            }}
          />
        )}
      </Modal>
    </>
  );
}
