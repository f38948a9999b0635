import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';

export type Contact = Schemas['Contact'];
/** The body of a create. */
export type ContactInput = Schemas['ContactCreate'];
/** The body of an edit: only the fields given change. */
export type ContactPatch = Schemas['ContactUpdate'];

export function useContacts(q: string, companyId: string | null, owner: Schemas['OwnerFilter'], cursor?: string) {
  return useQuery({
    queryKey: ['contacts', q, companyId, owner, cursor],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/contacts', {
          params: { query: { q: q || undefined, company_id: companyId ?? undefined, owner: owner === 'all' ? undefined : owner, cursor, limit: 20 } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

/** Companies to pick from (the first 200, newest first). */
export function useCompanyOptions(enabled: boolean) {
  return useQuery({
    queryKey: ['companies', 'options'],
    enabled,
    queryFn: async () => unwrap(await api.GET('/api/companies', { params: { query: { limit: 200 } } })),
    select: (page) => page.items.map((c) => ({ value: c.id, label: c.name })),
  });
}

export function useSaveContact() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (save: { id: string; body: ContactPatch } | { id?: undefined; body: ContactInput }) =>
      save.id !== undefined
        ? unwrap(await api.PATCH('/api/contacts/{id}', { params: { path: { id: save.id } }, body: save.body }))
        : unwrap(await api.POST('/api/contacts', { body: save.body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['contacts'] }),
  });
}

export function useDeleteContact() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/contacts/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['contacts'] }),
  });
}
