import { ActionIcon, Alert, Anchor, Badge, Button, Code, Group, Paper, ScrollArea, Stack, Table, Text, Title } from '@mantine/core';
import { Fragment, useState } from 'react';
import { Link, useParams } from 'react-router-dom';

import { EmptyState } from '../../../components/EmptyState';
import { ErrorBanner } from '../../../components/PageHeader';
import { Pager, useCursorPager } from '../../../components/Pager';
import { QueryState } from '../../../components/QueryState';
import { useDeliveries, useReplayDelivery, useWebhook } from '../api/webhooks';
import type { Delivery } from '../api/webhooks';
import { EnabledSwitch } from './WebhooksPage';

const STATUS_COLOR: Record<Delivery['status'], string> = { delivered: 'green', pending: 'yellow', failed: 'red' };

const when = (t: string | null | undefined) => (t ? new Date(t).toLocaleString() : '—');

/** An endpoint and its delivery log, newest first: each delivery's body on demand, and a replay. */
export function WebhookDetailPage() {
  const { id = '' } = useParams();
  const hook = useWebhook(id);
  const pager = useCursorPager();
  const deliveries = useDeliveries(id, pager.cursor);
  const replay = useReplayDelivery(id);
  const [open, setOpen] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);

  return (
    <>
      <Anchor component={Link} to="/webhooks" size="sm">
        ← Webhooks
      </Anchor>
      <QueryState isPending={hook.isPending} error={hook.error} retry={() => hook.refetch()}>
        {hook.data && (
          <Paper withBorder p="md" my="md" data-testid="webhook-summary">
            <Group justify="space-between" align="flex-start">
              <Stack gap={4} style={{ minWidth: 0, flex: 1 }}>
                <Title order={2} style={{ wordBreak: 'break-all' }} data-testid="record-title">
                  {hook.data.url}
                </Title>
                {hook.data.description && <Text c="dimmed">{hook.data.description}</Text>}
                <Group gap={4}>
                  {hook.data.events.map((e) => (
                    <Badge key={e} variant="light" tt="none">
                      {e}
                    </Badge>
                  ))}
                </Group>
                <Text size="sm" c={hook.data.consecutive_failures > 0 ? 'red' : 'dimmed'}>
                  {hook.data.consecutive_failures} failed attempt{hook.data.consecutive_failures === 1 ? '' : 's'} in a row
                </Text>
              </Stack>
              <EnabledSwitch hook={hook.data} />
            </Group>
          </Paper>
        )}
      </QueryState>
      <Group justify="space-between" mb="xs">
        <Title order={3}>Delivery log</Title>
        <Button size="xs" variant="default" loading={deliveries.isRefetching} onClick={() => deliveries.refetch()}>
          Refresh
        </Button>
      </Group>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <QueryState isPending={deliveries.isPending} error={deliveries.error} retry={() => deliveries.refetch()}>
        {deliveries.data?.items.length === 0 && pager.page === 1 ? (
          <EmptyState title="No deliveries yet" testId="deliveries-empty">
            A delivery is logged here each time a company, contact or deal this endpoint listens to is written.
          </EmptyState>
        ) : (
          <ScrollArea type="auto">
            <Table striped data-testid="deliveries-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th w={36} />
                  <Table.Th>Created</Table.Th>
                  <Table.Th>Event</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">Attempts</Table.Th>
                  <Table.Th style={{ whiteSpace: 'nowrap' }}>Status code</Table.Th>
                  <Table.Th>Last error</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {deliveries.data?.items.map((d) => (
                  <Fragment key={d.id}>
                    <Table.Tr data-testid="delivery-row">
                      <Table.Td>
                        <ActionIcon
                          variant="subtle"
                          aria-expanded={open === d.id}
                          aria-label={open === d.id ? 'Hide the body' : 'Show the body'}
                          onClick={() => setOpen((o) => (o === d.id ? null : d.id))}
                        >
                          {open === d.id ? '▾' : '▸'}
                        </ActionIcon>
                      </Table.Td>
                      <Table.Td>{when(d.created_at)}</Table.Td>
                      <Table.Td>
                        <Code>{d.event_type}</Code>
                        {d.replay_of && (
                          <Text size="xs" c="dimmed">
                            replay
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td>
                        <Badge color={STATUS_COLOR[d.status]} variant="light">
                          {d.status}
                        </Badge>
                        {d.status === 'pending' && d.next_attempt_at && (
                          <Text size="xs" c="dimmed">
                            next {when(d.next_attempt_at)}
                          </Text>
                        )}
                      </Table.Td>
                      <Table.Td ta="right">{d.attempts}</Table.Td>
                      <Table.Td>{d.last_status_code ?? '—'}</Table.Td>
                      <Table.Td maw={280}>
                        <Text size="sm" lineClamp={2} title={d.last_error ?? undefined}>
                          {d.last_error ?? ''}
                        </Text>
                      </Table.Td>
                      <Table.Td>
                        <Button
                          size="xs"
                          variant="light"
                          loading={replay.isPending && replay.variables === d.id}
                          onClick={() => replay.mutateAsync(d.id).then(() => setError(null), (e: Error) => setError(e.message))}
                        >
                          Replay
                        </Button>
                      </Table.Td>
                    </Table.Tr>
                    {open === d.id && (
                      <Table.Tr>
                        <Table.Td colSpan={8}>
                          <Code block data-testid="delivery-payload">
                            {JSON.stringify(d.payload, null, 2)}
                          </Code>
                        </Table.Td>
                      </Table.Tr>
                    )}
                  </Fragment>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        )}
        {replay.isSuccess && (
          <Alert color="blue" mt="sm" withCloseButton onClose={() => replay.reset()}>
            The event is sent again as a new delivery, at the top of the log.
          </Alert>
        )}
        {(pager.page > 1 || deliveries.data?.next_cursor) && <Pager pager={pager} nextCursor={deliveries.data?.next_cursor} />}
      </QueryState>
    </>
  );
}
