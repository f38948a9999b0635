import { Alert, Button, Group, Title } from '@mantine/core';
import type { ReactNode } from 'react';

/** A screen's title, controls of its own (`children`, e.g. a selector) and, when the user may use it, its main action. */
export function PageHeader({ title, action, children }: { title: string; action?: { label: string; onClick: () => void } | false; children?: ReactNode }) {
  return (
    <Group justify="space-between" mb="md">
      <Title order={2}>{title}</Title>
      {(children || action) && (
        <Group gap="sm">
          {children}
          {action && <Button onClick={action.onClick}>{action.label}</Button>}
        </Group>
      )}
    </Group>
  );
}

/** A dismissible error from an action (the API's problem detail). */
export function ErrorBanner({ error, onClose }: { error: string | null; onClose: () => void }) {
  if (!error) return null;
  return (
    <Alert color="red" mb="sm" role="alert" withCloseButton onClose={onClose}>
      {error}
    </Alert>
  );
}
