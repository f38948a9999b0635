import { describe, expect, it } from 'vitest';

import { can, NAV_ITEMS, routePermission, visibleNav } from './authorization';
import type { NavItem, Permission } from './authorization';

const items: readonly NavItem[] = NAV_ITEMS;

const labels = (permissions: Permission[]) => visibleNav(permissions).map((i) => i.label);

describe('permission-filtered navigation', () => {
  it('shows an owner everything', () => {
    const owner: Permission[] = ['tenant:manage', 'api_keys:manage', 'webhooks:manage', 'users:read', 'users:manage', 'roles:manage', 'audit:read', 'companies:read', 'contacts:read', 'deals:read'];
    expect(labels(owner)).toEqual(NAV_ITEMS.map((i) => i.label));
  });

  it('hides the audit log from a viewer', () => {
    expect(labels(['users:read', 'companies:read', 'contacts:read', 'deals:read'])).toEqual(['Dashboard', 'Companies', 'Contacts', 'Deals', 'Users', 'Roles', 'Teams', 'Account']);
  });

  it('leaves only the dashboard, teams and account without permissions', () => {
    expect(labels([])).toEqual(['Dashboard', 'Teams', 'Account']);
  });

  it('hides entries whose permission is missing, even one at a time', () => {
    for (const item of items.filter((i) => i.permission)) {
      const all = items.flatMap((i) => (i.permission ? [i.permission] : []));
      const without = all.filter((p) => p !== item.permission);
      expect(labels(without)).not.toContain(item.label);
    }
  });

  it('guards each screen with the permission its navigation entry names', () => {
    expect(routePermission('/companies')).toBe('companies:read');
    expect(routePermission('/roles')).toBe('users:read');
    expect(routePermission('/deals')).toBe('deals:read');
    expect(routePermission('/audit')).toBe('audit:read');
    expect(routePermission('/account')).toBeUndefined();
    expect(routePermission('/teams')).toBeUndefined();
    for (const item of NAV_ITEMS) {
      const entry: NavItem = item;
      expect(routePermission(item.to)).toBe(entry.permission);
    }
  });

  it('answers can() from the permission list only', () => {
    expect(can(['companies:write'], 'companies:write')).toBe(true);
    expect(can(['companies:read'], 'companies:write')).toBe(false);
    expect(can(undefined, 'companies:read')).toBe(false);
  });
});
