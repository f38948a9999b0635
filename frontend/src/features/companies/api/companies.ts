import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { retryUnlessFinal } from '../../../lib/records';

export type Company = Schemas['Company'];
/** The body of a create. */
export type CompanyInput = Schemas['CompanyCreate'];
/** The body of an edit: only the fields given change. */
export type CompanyPatch = Schemas['CompanyUpdate'];

export function useCompanies(q: string, owner: Schemas['OwnerFilter'], cursor?: string) {
  return useQuery({
    queryKey: ['companies', q, owner, cursor],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/companies', {
          params: { query: { q: q || undefined, owner: owner === 'all' ? undefined : owner, cursor, limit: 20 } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}

export function useSaveCompany() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (save: { id: string; body: CompanyPatch } | { id?: undefined; body: CompanyInput }) =>
      save.id !== undefined
        ? unwrap(await api.PATCH('/api/companies/{id}', { params: { path: { id: save.id } }, body: save.body }))
        : unwrap(await api.POST('/api/companies', { body: save.body })),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['companies'] }), queryClient.invalidateQueries({ queryKey: ['timeline'] })]),
  });
}

export function useDeleteCompany() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/companies/{id}', { params: { path: { id } } })),
    onSuccess: () => Promise.all([queryClient.invalidateQueries({ queryKey: ['companies'] }), queryClient.invalidateQueries({ queryKey: ['timeline'] })]),
  });
}

/** One company (404 when it is not there or not for the caller). */
export function useCompany(id: string) {
  return useQuery({
    queryKey: ['companies', 'one', id],
    queryFn: async () => unwrap(await api.GET('/api/companies/{id}', { params: { path: { id } } })),
    retry: retryUnlessFinal,
  });
}

/** The contacts at a company (the first 200). */
export function useCompanyContacts(id: string, enabled: boolean) {
  return useQuery({
    queryKey: ['contacts', 'at-company', id],
    enabled,
    queryFn: async () => unwrap(await api.GET('/api/contacts', { params: { query: { company_id: id, limit: 200 } } })),
  });
}

