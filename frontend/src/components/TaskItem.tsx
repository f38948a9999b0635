import { Anchor, Badge, Checkbox, Group, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';
import { Link } from 'react-router-dom';

import type { Task } from '../lib/activity';
import { dueLabel, isDueToday, isOverdue } from '../lib/tasks';

/**
 * One task: a checkbox that completes or reopens it (when the caller may
 * write tasks), its due date — red when overdue — and, optionally, who it is
 * for and the record it is about.
 */
export function TaskItem({
  task,
  today,
  onToggle,
  assignee,
  record,
}: {
  task: Task;
  today: string;
  onToggle?: (done: boolean) => void;
  assignee?: string;
  record?: { to: string; label: ReactNode } | null;
}) {
  const overdue = isOverdue(task, today);
  const due = dueLabel(task, today);
  return (
    <Group
      component="li"
      justify="space-between"
      wrap="nowrap"
      gap="xs"
      align="flex-start"
      data-testid="task"
      data-done={task.done || undefined}
      data-overdue={overdue || undefined}
    >
      <Stack gap={2} style={{ minWidth: 0 }}>
        <Checkbox
          checked={task.done}
          disabled={!onToggle}
          onChange={(e) => onToggle?.(e.currentTarget.checked)}
          label={
            <Text size="sm" td={task.done ? 'line-through' : undefined} c={task.done ? 'dimmed' : undefined} style={{ wordBreak: 'break-word' }}>
              {task.title}
            </Text>
          }
          aria-label={task.title}
        />
        {(assignee || record) && (
          <Text size="xs" c="dimmed" pl={30}>
            {assignee && `For ${assignee}`}
            {assignee && record && ' · '}
            {record && (
              <Anchor component={Link} to={record.to} size="xs">
                {record.label}
              </Anchor>
            )}
          </Text>
        )}
      </Stack>
      {due && (
        <Badge
          variant={overdue ? 'filled' : 'light'}
          color={overdue ? 'red' : isDueToday(task, today) ? 'orange' : 'gray'}
          style={{ flexShrink: 0 }}
          data-testid="task-due"
        >
          {due}
        </Badge>
      )}
    </Group>
  );
}
