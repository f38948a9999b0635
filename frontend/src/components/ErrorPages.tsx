import { Button, Stack, Text, Title } from '@mantine/core';
import { Link } from 'react-router-dom';

export function ForbiddenPage() {
  return (
    <Stack align="center" py="xl" data-testid="forbidden">
      <Title order={2}>403 — Not allowed</Title>
      <Text c="dimmed">Your role does not include access to this page.</Text>
      <Button component={Link} to="/">
        Back to the dashboard
      </Button>
    </Stack>
  );
}

export function NotFoundPage() {
  return (
    <Stack align="center" py="xl" data-testid="not-found">
      <Title order={2}>404 — Not found</Title>
      <Text c="dimmed">There is nothing at this address.</Text>
      <Button component={Link} to="/">
        Back to the dashboard
      </Button>
    </Stack>
  );
}
