// The tenant's role names, for the screens that assign roles (members,
// invitations, API keys).
import { useQuery } from '@tanstack/react-query';

import { api, unwrap } from './api/client';

export function useRoleNames() {
  return useQuery({
    queryKey: ['roles', 'names'],
    queryFn: async () => unwrap(await api.GET('/api/roles', { params: { query: { limit: 200 } } })),
    select: (page) => page.items.map((r) => r.name),
  });
}
