import { Anchor, Badge, Group, Paper, SimpleGrid, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';

import { QueryState } from '../../../components/QueryState';
import { can } from '../../../lib/authorization';
import { formatMoney } from '../../../lib/money';
import { useMe } from '../../../lib/session';
import { useCounts } from '../api/counts';
import { usePipelineSummary } from '../api/pipeline';
import { openTotals, stageSummaries } from '../stages';

const kindColor = (kind: string) => (kind === 'won' ? 'green' : kind === 'lost' ? 'red' : 'blue');

/** Totals per currency as "€1,500.50 + $20.00", or a dash when there are none. */
const money = (totals: readonly { currency: string; total: string }[]) =>
  totals.length ? totals.map((t) => formatMoney(t.total, t.currency)).join(' + ') : '—';

export function DashboardPage() {
  const me = useMe();
  const permissions = me.data?.permissions ?? [];
  const counts = useCounts(permissions);
  const tiles = [
    { label: 'Companies', value: counts.data?.companies },
    { label: 'Contacts', value: counts.data?.contacts },
    { label: 'Members', value: counts.data?.users },
  ].filter((t) => t.value !== null);
  return (
    <>
      <Title order={2} mb="md">
        {me.data?.tenant.name}
      </Title>
      <Text c="dimmed" mb="md">
        Signed in as {me.data?.user.email} ({me.data?.roles.join(', ')})
      </Text>
      <QueryState isPending={counts.isPending} error={counts.error} retry={() => counts.refetch()}>
        <SimpleGrid cols={{ base: 1, sm: 3 }} data-testid="dashboard">
          {tiles.map((t) => (
            <Paper key={t.label} withBorder p="md">
              <Text c="dimmed" size="sm">
                {t.label}
              </Text>
              <Text fw={700} size="xl">
                {t.value}
              </Text>
            </Paper>
          ))}
        </SimpleGrid>
      </QueryState>
      {can(permissions, 'deals:read') && <PipelineSummary />}
    </>
  );
}

/** The deals of the first pipeline per stage: count and exact totals per currency, each linking to the board. */
function PipelineSummary() {
  const summary = usePipelineSummary(true);
  const data = summary.data;
  const stages = data ? stageSummaries(data.pipeline.stages, data.deals) : [];
  return (
    <section aria-labelledby="pipeline-summary-title">
      <Group justify="space-between" mt="xl" mb="sm" align="baseline">
        <Title order={3} id="pipeline-summary-title">
          {data ? `Pipeline — ${data.pipeline.name}` : 'Pipeline'}
        </Title>
        {data && (
          <Anchor component={Link} to="/deals" size="sm">
            Open the board →
          </Anchor>
        )}
      </Group>
      <QueryState isPending={summary.isPending} error={summary.error} retry={() => summary.refetch()}>
        {data === null && <Text c="dimmed">No pipeline yet.</Text>}
        {data && (
          <>
            <Text size="sm" c="dimmed" mb="sm" data-testid="pipeline-open-total">
              {data.deals.length === 0
                ? 'No deals yet — add your first deal on the board.'
                : `Open pipeline: ${money(openTotals(stages))}${data.partial ? ' (first 200 deals)' : ''}`}
            </Text>
            <SimpleGrid cols={{ base: 1, xs: 2, md: Math.min(Math.max(stages.length, 1), 6) }} data-testid="pipeline-summary">
              {stages.map(({ stage, count, totals }) => (
                <Paper
                  key={stage.id}
                  withBorder
                  p="sm"
                  component={Link}
                  to="/deals"
                  title={`${stage.name}: ${count} ${count === 1 ? 'deal' : 'deals'} — open the board`}
                  data-testid="stage-summary"
                  style={{ textDecoration: 'none', color: 'inherit', borderTop: `3px solid var(--mantine-color-${kindColor(stage.kind)}-filled)` }}
                >
                  <Group justify="space-between" wrap="nowrap" gap="xs">
                    <Text fw={600} size="sm" truncate>
                      {stage.name}
                    </Text>
                    <Badge color={kindColor(stage.kind)} variant="light" style={{ flexShrink: 0 }} data-testid="stage-summary-count">
                      {count}
                    </Badge>
                  </Group>
                  <Text size="sm" mt={4} fw={500} data-testid="stage-summary-total">
                    {money(totals)}
                  </Text>
                </Paper>
              ))}
            </SimpleGrid>
          </>
        )}
      </QueryState>
    </section>
  );
}
