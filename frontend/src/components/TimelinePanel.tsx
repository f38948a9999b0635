import { Badge, Button, Group, Paper, Text, Timeline } from '@mantine/core';

import { useTimeline } from '../lib/activity';
import type { RecordRef } from '../lib/activity';
import { diffLines, timelineHeadline } from '../lib/changes';
import type { TimelineItem, ValueResolver } from '../lib/changes';
import { useMe } from '../lib/session';
import { dueLabel, todayIso } from '../lib/tasks';
import { useMemberName } from '../lib/users';
import { ChangeDiff } from './ChangeDiff';
import { QueryState } from './QueryState';
import { Section } from './RecordDetail';

const COLORS = { change: 'blue', note: 'yellow', task: 'grape' } as const;
const LABELS = { change: 'Change', note: 'Note', task: 'Task' } as const;

/**
 * What happened to a record, newest first: its changes (who, and field by
 * field old → new), the notes on it and the tasks about it, a page at a time.
 * `resolve` names raw values of the record's fields (a stage id as its stage).
 */
export function TimelinePanel({ record, resolve }: { record: RecordRef; resolve?: ValueResolver }) {
  const timeline = useTimeline(record);
  const me = useMe().data?.user;
  const memberName = useMemberName();
  const today = todayIso();
  const items = timeline.data?.pages.flatMap((p) => p.items) ?? [];
  const named: ValueResolver = (field, value) =>
    resolve?.(field, value) ?? (typeof value === 'string' && (field === 'owner_id' || field === 'assignee_id') ? memberName(value) : undefined);

  return (
    <Section title="Timeline" testId="timeline">
      <QueryState isPending={timeline.isPending} error={timeline.error} retry={() => timeline.refetch()}>
        {items.length === 0 ? (
          <Text size="sm" c="dimmed">
            Nothing has happened here yet.
          </Text>
        ) : (
          <Timeline bulletSize={14} lineWidth={2} active={-1}>
            {items.map((item) => (
              <Timeline.Item
                key={`${item.kind}-${item.id}`}
                color={COLORS[item.kind]}
                bullet={<span />}
                styles={{ itemBullet: { borderColor: `var(--mantine-color-${COLORS[item.kind]}-filled)` } }}
                title={
                  <Group gap="xs" wrap="wrap">
                    <Badge size="xs" variant="light" color={COLORS[item.kind]}>
                      {LABELS[item.kind]}
                    </Badge>
                    <Text size="sm" fw={600} component="span">
                      {timelineHeadline(item, me)}
                    </Text>
                  </Group>
                }
                data-testid="timeline-item"
                data-kind={item.kind}
              >
                <Text size="xs" c="dimmed" mb={4}>
                  {new Date(item.at).toLocaleString()}
                </Text>
                <TimelineBody item={item} today={today} resolve={named} />
              </Timeline.Item>
            ))}
          </Timeline>
        )}
        {timeline.hasNextPage && (
          <Group justify="center" mt="md">
            <Button size="xs" variant="default" loading={timeline.isFetchingNextPage} onClick={() => timeline.fetchNextPage()}>
              Load more
            </Button>
          </Group>
        )}
      </QueryState>
    </Section>
  );
}

function TimelineBody({ item, today, resolve }: { item: TimelineItem; today: string; resolve: ValueResolver }) {
  if (item.kind === 'change') return <ChangeDiff lines={diffLines(item.action, item.changes ?? [], resolve)} />;
  if (item.kind === 'note') {
    return (
      <Paper withBorder p="xs" radius="sm" bg="light-dark(var(--mantine-color-yellow-0), var(--mantine-color-dark-6))">
        <Text size="sm" style={{ whiteSpace: 'pre-wrap', wordBreak: 'break-word' }}>
          {item.body}
        </Text>
      </Paper>
    );
  }
  const due = dueLabel({ due_date: item.due_date, done: item.done ?? false }, today);
  return (
    <Group gap="xs">
      <Badge size="sm" variant="light" color={item.done ? 'green' : 'gray'}>
        {item.done ? 'Done' : 'Open'}
      </Badge>
      {due && (
        <Text size="xs" c={due.startsWith('Overdue') ? 'red' : 'dimmed'}>
          {due}
        </Text>
      )}
    </Group>
  );
}
