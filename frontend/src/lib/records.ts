// Reads shared by the detail pages of companies, contacts and deals: one
// record (a 404 is final), a record's company, the companies to pick from,
// and the deals of a company or a contact.
import { useQuery } from '@tanstack/react-query';

import { api, ApiError, unwrap } from './api/client';

/** Retries a failed read twice, but not an answer that will not change (4xx: not there, not for the caller). */
export const retryUnlessFinal = (count: number, error: Error) => !(error instanceof ApiError && error.status < 500) && count < 2;

/** A company by id (a record's company); one the caller may not read fails once, without retries. */
export function useCompanyOf(companyId: string | null | undefined, enabled: boolean) {
  return useQuery({
    queryKey: ['companies', 'one', companyId],
    enabled: enabled && !!companyId,
    queryFn: async () => unwrap(await api.GET('/api/companies/{id}', { params: { path: { id: companyId ?? '' } } })),
    retry: false,
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

/** The deals of a company, or the deals a contact is on (the first 200). */
export function useRelatedDeals(filter: { company_id: string } | { contact_id: string }, enabled: boolean) {
  const [key, id] = 'company_id' in filter ? ['of-company', filter.company_id] : ['of-contact', filter.contact_id];
  return useQuery({
    queryKey: ['deals', key, id],
    enabled,
    queryFn: async () => unwrap(await api.GET('/api/deals', { params: { query: { ...filter, limit: 200 } } })),
  });
}
