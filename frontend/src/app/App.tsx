import '@mantine/core/styles.css';

import { localStorageColorSchemeManager, MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { RouterProvider } from 'react-router-dom';

import { ApiError } from '../lib/api/client';
import { router } from './router';

const queryClient = new QueryClient({
  defaultOptions: {
    queries: {
      // Client errors are answers, not glitches: retry only network and 5xx failures.
      retry: (count, error) => count < 2 && !(error instanceof ApiError && error.status < 500),
      refetchOnWindowFocus: false,
    },
  },
});

// Light, dark or (until the user picks one in the header) the system's choice, kept across reloads.
const colorSchemeManager = localStorageColorSchemeManager({ key: 'tenet-color-scheme' });

export function App() {
  return (
    <MantineProvider colorSchemeManager={colorSchemeManager} defaultColorScheme="auto">
      <QueryClientProvider client={queryClient}>
        <RouterProvider router={router} />
      </QueryClientProvider>
    </MantineProvider>
  );
}
