import { Badge, Group, Modal, NativeSelect } from '@mantine/core';
import { useState } from 'react';
import { useParams } from 'react-router-dom';

import { changedFields, EntityForm, optional } from '../../../components/EntityForm';
import { ErrorBanner } from '../../../components/PageHeader';
import { CompanyLink, DetailHeader, FieldGrid, RecordActions, RecordPage, RelatedList, Section } from '../../../components/RecordDetail';
import { RecordLayout } from '../../../components/RecordLayout';
import { can } from '../../../lib/authorization';
import type { ValueResolver } from '../../../lib/changes';
import { formatMoney } from '../../../lib/money';
import { useCompanyOf, useCompanyOptions } from '../../../lib/records';
import { recordPath } from '../../../lib/search';
import { usePermissions } from '../../../lib/session';
import { useMemberName } from '../../../lib/users';
import { useDeal, useDealContacts, useDeleteDeal, usePipelines, useSaveDeal } from '../api/deals';
import type { Deal, DealPatch } from '../api/deals';
import { DEAL_FIELDS, dealBasics } from '../dealForm';

const kindColor = (kind: string | undefined) => (kind === 'won' ? 'green' : kind === 'lost' ? 'red' : 'blue');

/** A deal: its stage (movable), amount, company and contacts, its tasks and notes, and its timeline. */
export function DealDetailPage() {
  const { id = '' } = useParams();
  return (
    <RecordPage query={useDeal(id)} what="Deal" back={{ to: '/deals', label: 'Back to the board' }}>
      {(deal) => <DealDetail deal={deal} />}
    </RecordPage>
  );
}

type DealForm = { name: string; amount?: string | null; currency?: string | null; expected_close_date?: string | null; company_id?: string | null };

function DealDetail({ deal }: { deal: Deal }) {
  const permissions = usePermissions();
  const mayWrite = can(permissions, 'deals:write');
  const ownerName = useMemberName();
  const pipelines = usePipelines();
  const save = useSaveDeal();
  const remove = useDeleteDeal();
  const [editing, setEditing] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const mayReadCompanies = can(permissions, 'companies:read');
  const company = useCompanyOf(deal.company_id, mayReadCompanies);
  const companies = useCompanyOptions(mayReadCompanies && editing);
  const contacts = useDealContacts(deal.contact_ids, can(permissions, 'contacts:read'));

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
        back={{ to: '/deals', label: 'Deals' }}
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
        <RecordActions
          id={deal.id}
          name={deal.name}
          mayEdit={mayWrite}
          mayDelete={can(permissions, 'deals:delete')}
          onEdit={() => setEditing(true)}
          remove={remove}
          listPath="/deals"
        />
      </DetailHeader>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <RecordLayout record={{ kind: 'deal', id: deal.id }} resolve={resolve}>
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
                value: deal.company_id ? <CompanyLink companyId={deal.company_id} company={company} /> : null,
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
      </RecordLayout>
      <Modal opened={editing} onClose={() => setEditing(false)} title="Edit deal">
        {editing && (
          <EntityForm<DealForm>
            fields={[
              ...DEAL_FIELDS,
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
            toBody={(v) => ({
              ...dealBasics(v),
              expected_close_date: optional(v.expected_close_date),
              company_id: optional(v.company_id),
            })}
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
