// App-wide session state: whether we hold an access token (restored from the
// refresh cookie on start-up) and who the user is (`GET /api/auth/me`).
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState, useSyncExternalStore } from 'react';

import type { Permission } from './authorization';

import { api, unwrap } from './api/client';
import { getAccessToken, refreshAccessToken, setAccessToken, subscribe } from './auth';

export type SessionStatus = 'restoring' | 'signed-in' | 'signed-out';

let restored: Promise<unknown> | null = null;

export function useSessionStatus(): SessionStatus {
  const token = useSyncExternalStore(subscribe, getAccessToken);
  const [ready, setReady] = useState(false);
  useEffect(() => {
    restored ??= refreshAccessToken(null).catch(() => null);
    let live = true;
    restored.finally(() => live && setReady(true));
    return () => {
      live = false;
    };
  }, []);
  if (token) return 'signed-in';
  return ready ? 'signed-out' : 'restoring';
}

export function useMe() {
  const token = useSyncExternalStore(subscribe, getAccessToken);
  return useQuery({
    queryKey: ['me'],
    queryFn: async () => unwrap(await api.GET('/api/auth/me')),
    enabled: token !== null,
    staleTime: 30_000,
  });
}

export function usePermissions(): Permission[] {
  return useMe().data?.permissions ?? [];
}

/** Signs out here and in every other tab. */
export function useSignOut() {
  const queryClient = useQueryClient();
  return async () => {
    await api.POST('/api/auth/logout').catch(() => undefined);
    setAccessToken(null);
    queryClient.clear();
  };
}

export function acceptTokens(tokens: { access_token: string }) {
  setAccessToken(tokens.access_token);
}
