import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { retryUnlessFinal } from '../../../lib/records';

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

export function useSaveContact() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (save: { id: string; body: ContactPatch } | { id?: undefined; body: ContactInput }) =>
      save.id !== undefined
        ? unwrap(await api.PATCH('/api/contacts/{id}', { params: { path: { id: save.id } }, body: save.body }))
        : unwrap(await api.POST('/api/contacts', { body: save.body })),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['contacts'] }), queryClient.invalidateQueries({ queryKey: ['timeline'] })]),
  });
}

export function useDeleteContact() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/contacts/{id}', { params: { path: { id } } })),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['contacts'] }), queryClient.invalidateQueries({ queryKey: ['timeline'] })]),
  });
}

/** One contact (404 when it is not there or not for the caller). */
export function useContact(id: string) {
  return useQuery({
    queryKey: ['contacts', 'one', id],
    queryFn: async () => unwrap(await api.GET('/api/contacts/{id}', { params: { path: { id } } })),
    retry: retryUnlessFinal,
  });
}

