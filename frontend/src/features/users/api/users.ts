import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';

export type User = Schemas['User'];

export function useUsers(cursor?: string) {
  return useQuery({
    queryKey: ['users', cursor],
    queryFn: async () => unwrap(await api.GET('/api/users', { params: { query: { cursor, limit: 50 } } })),
    placeholderData: keepPreviousData,
  });
}

export function useAddUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: Schemas['UserCreate']) => unwrap(await api.POST('/api/users', { body })),
    // An email with an account is invited instead (202): it shows under pending invitations.
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['users'] }), queryClient.invalidateQueries({ queryKey: ['invitations'] })]),
  });
}

export function useUpdateUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: Schemas['UserUpdate'] }) =>
      unwrap(await api.PATCH('/api/users/{id}', { params: { path: { id } }, body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
}

export function useRemoveUser() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/users/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['users'] }),
  });
}

export type Invitation = Schemas['Invitation'];

/** Pending invitations (users:manage). */
export function useInvitations(enabled: boolean) {
  return useQuery({
    queryKey: ['invitations'],
    queryFn: async () => unwrap(await api.GET('/api/invitations', { params: { query: { limit: 200 } } })),
    enabled,
  });
}

export function useRevokeInvitation() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/invitations/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['invitations'] }),
  });
}
