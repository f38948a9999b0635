import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';

export type AuditFilter = { entity?: string; action?: string };

export function useAuditLog(filter: AuditFilter, cursor?: string) {
  return useQuery({
    queryKey: ['audit', filter, cursor],
    queryFn: async () =>
      unwrap(
        await api.GET('/api/audit-logs', {
          params: { query: { entity: filter.entity || undefined, action: filter.action || undefined, cursor, limit: 50 } },
        }),
      ),
    placeholderData: keepPreviousData,
  });
}
