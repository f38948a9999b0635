import { useQuery } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Permission } from '../../../lib/authorization';

type Page = { items: unknown[]; next_cursor?: string | null };

/** "N" for a list that fits one page of 200, "200+" otherwise. */
function count(page: Page): string {
  return page.next_cursor ? `${page.items.length}+` : String(page.items.length);
}

export function useCounts(permissions: readonly Permission[]) {
  const has = (p: Permission) => permissions.includes(p);
  return useQuery({
    queryKey: ['dashboard', permissions],
    queryFn: async () => {
      const query = { params: { query: { limit: 200 } } };
      const [companies, contacts, users] = await Promise.all([
        has('companies:read') ? api.GET('/api/companies', query).then(unwrap).then(count) : null,
        has('contacts:read') ? api.GET('/api/contacts', query).then(unwrap).then(count) : null,
        has('users:read') ? api.GET('/api/users', query).then(unwrap).then(count) : null,
      ]);
      return { companies, contacts, users };
    },
  });
}
