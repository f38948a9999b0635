import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, ApiError, unwrap } from '../../../lib/api/client';
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
    retry: (count, error) => !(error instanceof ApiError && error.status < 500) && count < 2,
  });
}

/** The company a contact works for. */
export function useContactCompany(companyId: string | null | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['companies', 'one', companyId],
    enabled: enabled && !!companyId,
    queryFn: async () => unwrap(await api.GET('/api/companies/{id}', { params: { path: { id: companyId ?? '' } } })),
    retry: false,
  });
}

/**
 * The deals a contact is on, as far as cheaply known: the deals of their
 * company (the first 200) that list them. The API has no contact filter on
 * deals, so a deal with another company (or none) is not found here.
 */
export function useContactDeals(contactId: string, companyId: string | null | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['deals', 'of-company', companyId],
    enabled: enabled && !!companyId,
    queryFn: async () => unwrap(await api.GET('/api/deals', { params: { query: { company_id: companyId ?? undefined, limit: 200 } } })),
    select: (page) => page.items.filter((d) => d.contact_ids.includes(contactId)),
  });
}
