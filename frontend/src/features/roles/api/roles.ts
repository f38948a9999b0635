import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';

export type Role = Schemas['Role'];

const SYSTEM_ORDER = ['owner', 'admin', 'member', 'viewer'];

/** System roles first, most powerful first; then custom roles by name. */
function byRank(a: Role, b: Role): number {
  const rank = (r: Role) => (r.system ? SYSTEM_ORDER.indexOf(r.name) : SYSTEM_ORDER.length);
  return rank(a) - rank(b) || a.name.localeCompare(b.name);
}

export function useRoles() {
  return useQuery({
    queryKey: ['roles'],
    queryFn: async () => unwrap(await api.GET('/api/roles', { params: { query: { limit: 200 } } })),
    select: (page) => ({ ...page, items: [...page.items].sort(byRank) }),
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
