import { Alert, Button, Center, Loader, Stack } from '@mantine/core';
import type { ReactNode } from 'react';

/** Loading and error states for a query, so no screen breaks on a slow network. */
export function QueryState({
  isPending,
  error,
  retry,
  children,
}: {
  isPending: boolean;
  error: Error | null;
  retry?: () => void;
  children: ReactNode;
}) {
  if (isPending) {
    return (
      <Center py="xl" data-testid="loading">
        <Loader />
      </Center>
    );
  }
  if (error) {
    return (
      <Alert color="red" title="Something went wrong" role="alert">
        <Stack gap="xs" align="flex-start">
          {error.message}
          {retry && (
            <Button size="xs" variant="light" onClick={retry}>
              Try again
            </Button>
          )}
        </Stack>
      </Alert>
    );
  }
  return <>{children}</>;
}
