import { Anchor, Badge, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';

import { EmptyState } from '../../../components/EmptyState';
import { QueryState } from '../../../components/QueryState';
import { TaskItem } from '../../../components/TaskItem';
import { useRecordNames, useTasks, useUpdateTask } from '../../../lib/activity';
import { can } from '../../../lib/authorization';
import { formatMoney } from '../../../lib/money';
import { useMe, usePermissions } from '../../../lib/session';
import { isOverdue, linkedRecord, linkedPath, sortTasks, todayIso } from '../../../lib/tasks';
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
      {can(permissions, 'tasks:read') && <MyTasks mayWrite={can(permissions, 'tasks:write')} />}
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

const RECORD_WORDS = { company: 'Company', contact: 'Contact', deal: 'Deal' } as const;
const READ = { company: 'companies:read', contact: 'contacts:read', deal: 'deals:read' } as const;

/** The caller's open tasks, by due date (overdue ones first, in red), completed with a checkbox, each linking to its record. */
function MyTasks({ mayWrite }: { mayWrite: boolean }) {
  const tasks = useTasks({ owner: 'me', done: false });
  const update = useUpdateTask();
  const today = todayIso();
  const items = sortTasks(tasks.data?.items ?? []);
  const overdue = items.filter((t) => isOverdue(t, today)).length;
  const permissions = usePermissions();
  const names = useRecordNames(
    items.flatMap((t) => linkedRecord(t) ?? []),
    (kind) => can(permissions, READ[kind]),
  );
  return (
    <section aria-labelledby="my-tasks-title" data-testid="my-tasks">
      <Group justify="space-between" mt="xl" mb="sm" align="baseline">
        <Title order={3} id="my-tasks-title">
          My tasks
        </Title>
        {overdue > 0 && (
          <Text size="sm" c="red" fw={600} data-testid="overdue-count">
            {overdue} overdue
          </Text>
        )}
      </Group>
      <QueryState isPending={tasks.isPending} error={tasks.error} retry={() => tasks.refetch()}>
        {items.length === 0 ? (
          <EmptyState title="No open tasks — add one from a record's page" testId="my-tasks-empty">
            Open a company, contact or deal and add a task there: it shows here until it is done.
          </EmptyState>
        ) : (
          <Paper withBorder p="md" radius="md">
            <Stack gap="sm" component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
              {items.map((task) => {
                const linked = linkedRecord(task);
                const to = linkedPath(task);
                return (
                  <TaskItem
                    key={task.id}
                    task={task}
                    today={today}
                    record={linked && to ? { to, label: `${RECORD_WORDS[linked.kind]}: ${names.get(linked.id) ?? 'open'}` } : null}
                    onToggle={mayWrite ? (done) => update.mutate({ id: task.id, body: { done } }) : undefined}
                  />
                );
              })}
            </Stack>
            {tasks.data?.next_cursor && (
              <Text size="xs" c="dimmed" mt="sm">
                The first 200 open tasks.
              </Text>
            )}
          </Paper>
        )}
      </QueryState>
    </section>
  );
}
