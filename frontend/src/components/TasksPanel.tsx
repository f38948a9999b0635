import { Button, Group, NativeSelect, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';

import { recordLink, useAddTask, useTasks, useUpdateTask } from '../lib/activity';
import type { RecordRef } from '../lib/activity';
import { can } from '../lib/authorization';
import { useMe, usePermissions } from '../lib/session';
import { sortTasks, todayIso } from '../lib/tasks';
import { memberOptions, useMemberName, useMembers } from '../lib/users';
import { ErrorBanner } from './PageHeader';
import { QueryState } from './QueryState';
import { Section } from './RecordDetail';
import { TaskItem } from './TaskItem';

/**
 * The tasks about a record — open ones first, by due date — with a checkbox
 * to complete or reopen each, and a small form adding one about this record,
 * assigned to the caller unless they pick another member (users:read).
 */
export function TasksPanel({ record }: { record: RecordRef }) {
  const permissions = usePermissions();
  const mayRead = can(permissions, 'tasks:read');
  const mayWrite = can(permissions, 'tasks:write');
  const tasks = useTasks({ record }, mayRead);
  const add = useAddTask();
  const update = useUpdateTask();
  const assigneeName = useMemberName();
  const [title, setTitle] = useState('');
  const [due, setDue] = useState('');
  const me = useMe().data?.user;
  const members = useMembers(mayWrite && can(permissions, 'users:read'));
  // Active members to assign to (the caller first); unset is the caller.
  const assignees = members.data ? memberOptions(members.data.filter((m) => m.active || m.id === me?.id)) : null;
  const [assignee, setAssignee] = useState<string | null>(null);
  const [error, setError] = useState<string | null>(null);
  const today = todayIso();

  if (!mayRead) return null;
  const submit = (event: React.FormEvent) => {
    event.preventDefault();
    if (!title.trim()) return;
    setError(null);
    add.mutate(
      { title: title.trim(), due_date: due || null, ...recordLink(record), ...(assignee && assignee !== me?.id ? { assignee_id: assignee } : {}) },
      {
        onSuccess: () => {
          setTitle('');
          setDue('');
        },
        onError: (e) => setError(e.message),
      },
    );
  };

  return (
    <Section title="Tasks" testId="tasks-panel">
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {mayWrite && (
        <form onSubmit={submit}>
          <Group gap="xs" mb="md" align="flex-end" wrap="wrap">
            <TextInput size="xs" style={{ flex: '1 1 160px' }} label="New task" placeholder="Call back, send the offer…" value={title} onChange={(e) => setTitle(e.currentTarget.value)} />
            <TextInput size="xs" type="date" label="Due date" value={due} onChange={(e) => setDue(e.currentTarget.value)} style={{ flex: '0 0 140px' }} />
            {assignees && me && (
              <NativeSelect
                size="xs"
                label="Assignee"
                data={assignees}
                value={assignee ?? me.id}
                onChange={(e) => setAssignee(e.currentTarget.value)}
                style={{ flex: '0 1 160px' }}
              />
            )}
            <Button type="submit" size="xs" loading={add.isPending} disabled={!title.trim()}>
              Add task
            </Button>
          </Group>
        </form>
      )}
      <QueryState isPending={tasks.isPending} error={tasks.error} retry={() => tasks.refetch()}>
        {tasks.data?.items.length === 0 && (
          <Text size="sm" c="dimmed">
            No tasks yet.
          </Text>
        )}
        <Stack gap="xs" component="ul" m={0} p={0} style={{ listStyle: 'none' }}>
          {sortTasks(tasks.data?.items ?? []).map((task) => (
            <TaskItem
              key={task.id}
              task={task}
              today={today}
              assignee={task.assignee_id ? assigneeName(task.assignee_id) : 'nobody'}
              onToggle={mayWrite ? (done) => update.mutate({ id: task.id, body: { done } }, { onError: (e) => setError(e.message) }) : undefined}
            />
          ))}
        </Stack>
      </QueryState>
    </Section>
  );
}
