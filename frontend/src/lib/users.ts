// The tenant's members by id, for the screens that show a user id as a
// person (record owners, team members) or pick members (teams).
import { useQuery } from '@tanstack/react-query';
import { useMemo } from 'react';

import { api, unwrap } from './api/client';
import type { Schemas } from './api/client';
import { can } from './authorization';
import { useMe, usePermissions } from './session';

export type Member = Schemas['User'];

/** What an unowned record shows as its owner. */
export const UNOWNED = '—';
/** An owner we cannot name: not in the member list, or no users:read to read it. */
export const UNKNOWN_MEMBER = 'Another member';

/** Pages fetched at most (200 members each). */
const MAX_PAGES = 10;

/** Every member of the tenant (users:read), all pages. */
export function useMembers(enabled = true) {
  return useQuery({
    queryKey: ['users', 'all'],
    enabled,
    staleTime: 60_000,
    queryFn: async () => {
      const members: Member[] = [];
      let cursor: string | undefined;
      for (let page = 0; page < MAX_PAGES; page++) {
        const { items, next_cursor } = unwrap(await api.GET('/api/users', { params: { query: { cursor, limit: 200 } } }));
        members.push(...items);
        if (!next_cursor) break;
        cursor = next_cursor;
      }
      return members;
    },
  });
}

/**
 * The name to show for a user id: `—` for none, the member's name when the
 * list holds it, the caller's own name for themselves (known without
 * users:read), else a neutral placeholder.
 */
export function memberName(
  id: string | null | undefined,
  names: ReadonlyMap<string, string> | undefined,
  me?: { id: string; name: string },
): string {
  if (!id) return UNOWNED;
  return names?.get(id) ?? (me && me.id === id ? me.name : UNKNOWN_MEMBER);
}

/** `memberName` bound to the member list (when the caller may read it) and the signed-in user. */
export function useMemberName(): (id: string | null | undefined) => string {
  const permissions = usePermissions();
  const me = useMe().data?.user;
  const members = useMembers(can(permissions, 'users:read'));
  const names = useMemo(() => (members.data ? new Map(members.data.map((u) => [u.id, u.name])) : undefined), [members.data]);
  return (id) => (id && members.isLoading ? '…' : memberName(id, names, me));
}

/** Members to pick from: by name, with the email when two share a name; inactive ones say so. */
export function memberOptions(members: readonly Member[]): { value: string; label: string }[] {
  const counts = new Map<string, number>();
  for (const m of members) counts.set(m.name, (counts.get(m.name) ?? 0) + 1);
  return members.map((m) => {
    const name = (counts.get(m.name) ?? 0) > 1 ? `${m.name} (${m.email})` : m.name;
    return { value: m.id, label: m.active ? name : `${name} — inactive` };
  });
}
