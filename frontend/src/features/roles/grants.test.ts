import { describe, expect, it } from 'vitest';

import type { Schemas } from '../../lib/api/client';
import { describeGrant, editorState, isScope, roleAccess, roleGrants } from './grants';
import type { PermissionEntry } from './grants';

const CATALOG: PermissionEntry[] = [
  { key: 'users:read', description: 'Read members', scopable: false, hideable_fields: [] },
  { key: 'teams:manage', description: 'Manage teams', scopable: false, hideable_fields: [] },
  { key: 'companies:read', description: 'Read companies', scopable: true, hideable_fields: ['companies.domain', 'companies.industry'] },
  { key: 'contacts:read', description: 'Read contacts', scopable: true, hideable_fields: ['contacts.email', 'contacts.phone'] },
  { key: 'contacts:write', description: 'Write contacts', scopable: true, hideable_fields: [] },
];

describe('role editor → request body', () => {
  it('sends every checked permission, in catalog order', () => {
    const body = roleAccess({ picked: ['contacts:read', 'users:read'], scopes: {}, hidden: [] }, CATALOG);
    expect(body.permissions).toEqual(['users:read', 'contacts:read']);
  });

  it('sends a grant with its scope for each checked scopable permission, all by default', () => {
    const body = roleAccess(
      { picked: ['users:read', 'contacts:read', 'contacts:write', 'companies:read'], scopes: { 'contacts:read': 'own', 'contacts:write': 'team' }, hidden: [] },
      CATALOG,
    );
    expect(body.grants).toEqual([
      { key: 'companies:read', scope: 'all' },
      { key: 'contacts:read', scope: 'own' },
      { key: 'contacts:write', scope: 'team' },
    ]);
  });

  it('sends no grant for an unchecked permission, even with a scope chosen', () => {
    const body = roleAccess({ picked: ['users:read'], scopes: { 'contacts:read': 'own' }, hidden: [] }, CATALOG);
    expect(body.grants).toEqual([]);
    expect(body.permissions).toEqual(['users:read']);
  });

  it('never scopes a permission that is not scopable', () => {
    const body = roleAccess({ picked: ['teams:manage'], scopes: { 'teams:manage': 'own' }, hidden: [] }, CATALOG);
    expect(body.grants).toEqual([]);
    expect(body.permissions).toEqual(['teams:manage']);
  });

  it('sends the hidden fields of checked read permissions only', () => {
    const body = roleAccess(
      { picked: ['contacts:read'], scopes: {}, hidden: ['contacts.phone', 'companies.domain', 'nonsense.field'] },
      CATALOG,
    );
    expect(body.hidden_fields).toEqual(['contacts.phone']);
  });

  it('ignores keys the catalog does not know', () => {
    const body = roleAccess({ picked: ['contacts:read', 'tenant:manage'], scopes: {}, hidden: [] }, CATALOG);
    expect(body.permissions).toEqual(['contacts:read']);
  });
});

describe('role → editor state', () => {
  it('starts empty for a new role', () => {
    expect(editorState(null)).toEqual({ picked: [], scopes: {}, hidden: [] });
  });

  it('takes a role’s permissions, scopes and hidden fields, and gives them back unchanged', () => {
    const role: Pick<Schemas['Role'], 'permissions' | 'grants' | 'hidden_fields'> = {
      permissions: ['users:read', 'contacts:read'],
      grants: [
        { key: 'users:read', scope: 'all' },
        { key: 'contacts:read', scope: 'team' },
      ],
      hidden_fields: ['contacts.email'],
    };
    const state = editorState(role);
    expect(state).toEqual({ picked: ['users:read', 'contacts:read'], scopes: { 'users:read': 'all', 'contacts:read': 'team' }, hidden: ['contacts.email'] });
    expect(roleAccess(state, CATALOG)).toEqual({
      permissions: ['users:read', 'contacts:read'],
      grants: [{ key: 'contacts:read', scope: 'team' }],
      hidden_fields: ['contacts.email'],
    });
  });
});

describe('roles list', () => {
  it('shows a narrower scope next to the key, and scope all as the bare key', () => {
    expect(describeGrant({ key: 'contacts:read', scope: 'own' })).toBe('contacts:read (own records)');
    expect(describeGrant({ key: 'contacts:read', scope: 'team' })).toBe("contacts:read (team's records)");
    expect(describeGrant({ key: 'contacts:read', scope: 'all' })).toBe('contacts:read');
    expect(describeGrant({ key: 'users:read' })).toBe('users:read');
  });

  it('lists every permission of a role with the scope its grant names', () => {
    const grants = roleGrants({ permissions: ['users:read', 'contacts:read'], grants: [{ key: 'contacts:read', scope: 'own' }] });
    expect(grants).toEqual([
      { key: 'users:read', scope: 'all' },
      { key: 'contacts:read', scope: 'own' },
    ]);
  });

  it('accepts only the three scopes', () => {
    expect(['all', 'team', 'own', 'none', null].map(isScope)).toEqual([true, true, true, false, false]);
  });
});
