import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';

export type Role = Schemas['Role'];

export function useRoles() {
  return useQuery({
    queryKey: ['roles'],
    queryFn: async () => unwrap(await api.GET('/api/roles', { params: { query: { limit: 200 } } })),
  });
}

export function usePermissionCatalog() {
  return useQuery({
    queryKey: ['permissions'],
    queryFn: async () => unwrap(await api.GET('/api/permissions')),
    staleTime: Infinity,
  });
}

export function useSaveRole() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id?: string; body: Schemas['RoleCreate'] }) =>
      id
        ? unwrap(await api.PATCH('/api/roles/{id}', { params: { path: { id } }, body }))
        : unwrap(await api.POST('/api/roles', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['roles'] }),
  });
}

export function useDeleteRole() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/roles/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['roles'] }),
  });
}
