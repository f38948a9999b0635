import { Button, Paper, Stack, Text } from '@mantine/core';
import type { ReactNode } from 'react';

/**
 * What an empty list tells a new user: what belongs here and, when they may
 * create it, the button that does.
 */
export function EmptyState({
  title,
  children,
  action,
  testId,
}: {
  title: string;
  children?: ReactNode;
  action?: { label: string; onClick: () => void } | false;
  testId?: string;
}) {
  return (
    <Paper withBorder radius="md" p="xl" my="sm" bg="light-dark(var(--mantine-color-gray-0), var(--mantine-color-dark-6))" data-testid={testId ?? 'empty-state'}>
      <Stack align="center" gap="xs" ta="center">
        <Text fw={600} size="lg">
          {title}
        </Text>
        {children && (
          <Text c="dimmed" size="sm" maw={520}>
            {children}
          </Text>
        )}
        {action && (
          <Button mt="xs" variant="light" onClick={action.onClick}>
            {action.label}
          </Button>
        )}
      </Stack>
    </Paper>
  );
}
