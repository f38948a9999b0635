import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';

export type Company = Schemas['Company'];
/** The body of a create, and of an edit (every field given). */
export type CompanyInput = Schemas['CompanyCreate'];

export function useCompanies(q: string, cursor?: string) {
  return useQuery({
    queryKey: ['companies', q, cursor],
    queryFn: async () => unwrap(await api.GET('/api/companies', { params: { query: { q: q || undefined, cursor, limit: 20 } } })),
    placeholderData: keepPreviousData,
  });
}

export function useSaveCompany() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id?: string; body: CompanyInput }) =>
      id
        ? unwrap(await api.PATCH('/api/companies/{id}', { params: { path: { id } }, body }))
        : unwrap(await api.POST('/api/companies', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['companies'] }),
  });
}

export function useDeleteCompany() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/companies/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['companies'] }),
  });
}
