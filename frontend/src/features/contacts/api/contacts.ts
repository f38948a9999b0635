import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';

export type Contact = Schemas['Contact'];
/** The body of a create, and of an edit (every field given). */
export type ContactInput = Schemas['ContactCreate'];

export function useContacts(q: string, companyId: string | null, cursor?: string) {
  return useQuery({
    queryKey: ['contacts', q, companyId, cursor],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/contacts', {
          params: { query: { q: q || undefined, company_id: companyId ?? undefined, cursor, limit: 20 } },
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
    mutationFn: async ({ id, body }: { id?: string; body: ContactInput }) =>
      id
        ? unwrap(await api.PATCH('/api/contacts/{id}', { params: { path: { id } }, body }))
        : unwrap(await api.POST('/api/contacts', { body })),
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
