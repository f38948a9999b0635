import { Anchor, Badge, Group, Modal, NativeSelect, Paper, ScrollArea, SegmentedControl, Stack, Text } from '@mantine/core';
import { useEffect, useRef, useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';

import { ExportButtons, ImportButton } from '../../../components/DataButtons';
import { EmptyState } from '../../../components/EmptyState';
import { EntityForm } from '../../../components/EntityForm';
import { ErrorBanner, PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { can } from '../../../lib/authorization';
import { usePermissions } from '../../../lib/session';
import { useBoardDeals, useCreateDeal, useMoveDeal, usePipelines } from '../api/deals';
import type { Deal, DealInput, Pipeline, Stage } from '../api/deals';
import { dealsByStage, pickPipeline } from '../board';
import { DEAL_FIELDS, dealBasics } from '../dealForm';
import type { Move } from '../board';
import { formatMoney, totalsByCurrency } from '../../../lib/money';
import { recordPath } from '../../../lib/search';

const DRAG_TYPE = 'application/x-tenet-deal';

const kindColor = (kind: string) => (kind === 'won' ? 'green' : kind === 'lost' ? 'red' : 'blue');

/**
 * The deals of a pipeline as a board: a column per stage, moved by drag and
 * drop or the "Move to…" select. The pipeline is the URL's `?pipeline=<id>`
 * (picked in the header when there are several), else the first.
 */
export function DealsPage() {
  const permissions = usePermissions();
  const mayWrite = can(permissions, 'deals:write');
  const pipelines = usePipelines();
  // `?deal=<id>` (the global search's link to a deal) picks out its card.
  const [params, setParams] = useSearchParams();
  const picked = params.get('deal');
  const pipeline = pickPipeline(pipelines.data?.items ?? [], params.get('pipeline'));
  const deals = useBoardDeals(pipeline?.id);
  const move = useMoveDeal(pipeline?.id);
  const create = useCreateDeal();
  const [creating, setCreating] = useState(false);
  const [moveError, setMoveError] = useState<string | null>(null);
  const [dropTarget, setDropTarget] = useState<string | null>(null);
  const choosePipeline = (id: string) => {
    setMoveError(null);
    setParams((p) => {
      const next = new URLSearchParams(p);
      next.set('pipeline', id);
      next.delete('deal');
      return next;
    });
  };

  const stages = pipeline?.stages ?? [];
  const items = deals.data?.items ?? [];
  const byStage = dealsByStage(items);
  const stageName = (id: string) => stages.find((s) => s.id === id)?.name ?? 'another stage';

  const moveDeal = (deal: Deal, to: string) => {
    if (deal.stage_id === to) return;
    const m: Move = { dealId: deal.id, from: deal.stage_id, to };
    setMoveError(null);
    move.mutate(m, {
      onError: (e) => setMoveError(`Could not move “${deal.name}” to ${stageName(to)}: ${e.message}. It is back in ${stageName(m.from)}.`),
    });
  };

  const onDrop = (stage: Stage, event: React.DragEvent) => {
    event.preventDefault();
    setDropTarget(null);
    const id = event.dataTransfer.getData(DRAG_TYPE);
    const deal = items.find((d) => d.id === id);
    if (deal) moveDeal(deal, stage.id);
  };

  return (
    <>
      <PageHeader title={pipeline ? `Deals — ${pipeline.name}` : 'Deals'} action={mayWrite && { label: 'New deal', onClick: () => setCreating(true) }}>
        {pipeline && <PipelineSelector pipelines={pipelines.data?.items ?? []} value={pipeline.id} onChange={choosePipeline} />}
        {mayWrite && <ImportButton resource="deals" />}
        {/* The board shows one pipeline: its export is that pipeline's deals. */}
        <ExportButtons resource="deals" filters={{ pipeline_id: pipeline?.id }} onError={setMoveError} />
      </PageHeader>
      <ErrorBanner error={moveError} onClose={() => setMoveError(null)} />
      <QueryState
        isPending={pipelines.isPending || (pipeline !== undefined && deals.isPending)}
        error={pipelines.error ?? deals.error}
        retry={() => (pipelines.error ? pipelines.refetch() : deals.refetch())}
      >
        {!pipeline && (
          <EmptyState title="No pipeline yet" testId="deals-no-pipeline">
            Deals move through the stages of a pipeline, and this workspace has none yet.
          </EmptyState>
        )}
        {pipeline && items.length === 0 && (
          <EmptyState
            testId="deals-empty"
            title="No deals yet — create your first deal"
            action={mayWrite && { label: 'Add your first deal', onClick: () => setCreating(true) }}
          >
            {mayWrite
              ? 'Add a deal with its amount, then drag it from stage to stage (or use “Move to…”) as it progresses.'
              : 'The deals of this pipeline show here, a column per stage.'}
          </EmptyState>
        )}
        {deals.data?.next_cursor && (
          <Text size="sm" c="dimmed" mb="xs" data-testid="deals-truncated">
            Showing the first {items.length} deals of this pipeline.
          </Text>
        )}
        <ScrollArea type="auto" offsetScrollbars>
          <Group align="flex-start" wrap="nowrap" gap="sm" data-testid="deals-board">
            {stages.map((stage) => {
              const column = byStage.get(stage.id) ?? [];
              const totals = totalsByCurrency(column);
              return (
                <Paper
                  key={stage.id}
                  component="section"
                  aria-label={stage.name}
                  data-testid="stage-column"
                  withBorder
                  p="xs"
                  miw={160}
                  style={{ flex: '1 0 160px' }}
                  bg={dropTarget === stage.id ? 'var(--mantine-color-blue-light)' : 'var(--mantine-color-gray-light)'}
                  onDragOver={(e: React.DragEvent) => {
                    if (!mayWrite) return;
                    e.preventDefault();
                    e.dataTransfer.dropEffect = 'move';
                    setDropTarget(stage.id);
                  }}
                  onDragLeave={() => setDropTarget((t) => (t === stage.id ? null : t))}
                  onDrop={(e: React.DragEvent) => onDrop(stage, e)}
                >
                  <Group justify="space-between" mb={4} wrap="nowrap">
                    <Text component="h3" fw={700} m={0} truncate>
                      {stage.name}
                    </Text>
                    <Badge color={kindColor(stage.kind)} variant="light" style={{ flexShrink: 0 }} aria-label={`${column.length} deals`} data-testid="stage-count">
                      {column.length}
                    </Badge>
                  </Group>
                  <Text size="sm" c="dimmed" mb="xs" data-testid="stage-total">
                    {totals.length ? totals.map((t) => formatMoney(t.total, t.currency)).join(' + ') : '—'}
                  </Text>
                  <Stack gap="xs" mih={60}>
                    {column.map((deal) => (
                      <DealCard key={deal.id} deal={deal} stages={stages} picked={deal.id === picked} draggable={mayWrite} onMove={mayWrite ? (to) => moveDeal(deal, to) : undefined} />
                    ))}
                  </Stack>
                </Paper>
              );
            })}
          </Group>
        </ScrollArea>
      </QueryState>
      <Modal opened={creating} onClose={() => setCreating(false)} title="New deal">
        {creating && (
          <EntityForm<DealInput>
            fields={[...DEAL_FIELDS]}
            initial={{ currency: 'EUR' }}
            toBody={(v) => ({ ...dealBasics(v), pipeline_id: pipeline?.id })}
            submitLabel="Create"
            onCancel={() => setCreating(false)}
            onSubmit={async (body) => {
              await create.mutateAsync(body);
              setCreating(false);
            }}
          />
        )}
      </Modal>
    </>
  );
}

/** Picks the board's pipeline: segments for a few, a select for many; nothing when there is only one. */
function PipelineSelector({ pipelines, value, onChange }: { pipelines: Pipeline[]; value: string; onChange: (id: string) => void }) {
  if (pipelines.length < 2) return null;
  const data = pipelines.map((p) => ({ value: p.id, label: p.name }));
  if (pipelines.length <= 4) return <SegmentedControl aria-label="Pipeline" data-testid="pipeline-selector" data={data} value={value} onChange={onChange} />;
  return <NativeSelect aria-label="Pipeline" data-testid="pipeline-selector" data={data} value={value} onChange={(e) => onChange(e.currentTarget.value)} />;
}

function DealCard({
  deal,
  stages,
  picked = false,
  draggable,
  onMove,
}: {
  deal: Deal;
  stages: Stage[];
  picked?: boolean;
  draggable: boolean;
  onMove?: (to: string) => void;
}) {
  const ref = useRef<HTMLDivElement>(null);
  useEffect(() => {
    if (picked) ref.current?.scrollIntoView?.({ block: 'nearest', inline: 'nearest' });
  }, [picked]);
  return (
    <Paper
      ref={ref}
      withBorder
      data-picked={picked || undefined}
      aria-current={picked || undefined}
      shadow="xs"
      p="xs"
      data-testid="deal-card"
      draggable={draggable}
      style={{
        ...(draggable ? { cursor: 'grab' } : {}),
        ...(picked ? { borderColor: 'var(--mantine-primary-color-filled)', boxShadow: '0 0 0 2px var(--mantine-primary-color-light)' } : {}),
      }}
      onDragStart={(e: React.DragEvent) => {
        e.dataTransfer.setData(DRAG_TYPE, deal.id);
        e.dataTransfer.effectAllowed = 'move';
      }}
    >
      <Anchor component={Link} to={recordPath('deal', deal.id)} fw={500} size="sm" draggable={false} data-testid="deal-link" style={{ wordBreak: 'break-word' }}>
        {deal.name}
      </Anchor>
      {deal.amount != null && deal.currency && (
        <Text size="sm" c="dimmed">
          {formatMoney(deal.amount, deal.currency)}
        </Text>
      )}
      {onMove && (
        <NativeSelect
          mt={4}
          size="xs"
          aria-label="Move to…"
          value={deal.stage_id}
          data={stages.map((s) => ({ value: s.id, label: s.name }))}
          onChange={(e) => onMove(e.currentTarget.value)}
        />
      )}
    </Paper>
  );
}
