// The role editor's state and the request body built from it: which
// permissions are checked, the scope of each scopable one, and the fields
// the role hides. Pure, so the rules are unit-tested (grants.test.ts).
import type { Schemas } from '../../lib/api/client';
import type { Permission } from '../../lib/authorization';

export type Grant = Schemas['Grant'];
export type GrantScope = Schemas['GrantScope'];
export type PermissionEntry = Schemas['PermissionEntry'];

export const SCOPE_OPTIONS: { value: GrantScope; label: string }[] = [
  { value: 'all', label: 'All records' },
  { value: 'team', label: "Team's records" },
  { value: 'own', label: 'Own records' },
];

export function isScope(value: string | null): value is GrantScope {
  return SCOPE_OPTIONS.some((o) => o.value === value);
}

export type EditorState = {
  /** The checked permissions. */
  picked: Permission[];
  /** The chosen scope of scopable permissions (kept when unchecked, so re-checking restores it); `all` when absent. */
  scopes: Partial<Record<Permission, GrantScope>>;
  /** The checked "hide" boxes (`contacts.phone`, ...). */
  hidden: string[];
};

/** The editor's state for a role (empty for a new one). */
export function editorState(role: Pick<Schemas['Role'], 'permissions' | 'grants' | 'hidden_fields'> | null): EditorState {
  if (!role) return { picked: [], scopes: {}, hidden: [] };
  const scopes: EditorState['scopes'] = {};
  for (const g of role.grants) scopes[g.key] = g.scope ?? 'all';
  return { picked: [...role.permissions], scopes, hidden: [...role.hidden_fields] };
}

/**
 * The access part of a role's create/update body: every checked permission
 * (in catalog order), a grant with its scope for each checked scopable one,
 * and the hidden fields of checked read permissions only (a field of an
 * unchecked read permission hides nothing).
 */
export function roleAccess(
  state: EditorState,
  catalog: readonly PermissionEntry[],
): Required<Pick<Schemas['RoleCreate'], 'permissions'>> & { grants: Grant[]; hidden_fields: string[] } {
  const checked = catalog.filter((p) => state.picked.includes(p.key));
  const hideable = new Set(checked.flatMap((p) => p.hideable_fields));
  return {
    permissions: checked.map((p) => p.key),
    grants: checked.filter((p) => p.scopable).map((p) => ({ key: p.key, scope: state.scopes[p.key] ?? 'all' })),
    hidden_fields: state.hidden.filter((f) => hideable.has(f)),
  };
}

const SCOPE_WORDS: Record<GrantScope, string> = { all: 'all records', team: "team's records", own: 'own records' };

/** A grant as the roles list shows it: the key, with its scope when narrower than all. */
export function describeGrant(grant: Grant): string {
  const scope = grant.scope ?? 'all';
  return scope === 'all' ? grant.key : `${grant.key} (${SCOPE_WORDS[scope]})`;
}

/** A role's grants for display: `grants` when the API gives them, else its permission keys (scope all). */
export function roleGrants(role: Pick<Schemas['Role'], 'permissions' | 'grants'>): Grant[] {
  const scoped = new Map(role.grants.map((g) => [g.key, g]));
  return role.permissions.map((key) => scoped.get(key) ?? { key, scope: 'all' });
}
