import { Alert, Button, Group, Title } from '@mantine/core';

/** A screen's title and, when the user may use it, its main action. */
export function PageHeader({ title, action }: { title: string; action?: { label: string; onClick: () => void } | false }) {
  return (
    <Group justify="space-between" mb="md">
      <Title order={2}>{title}</Title>
      {action && <Button onClick={action.onClick}>{action.label}</Button>}
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
