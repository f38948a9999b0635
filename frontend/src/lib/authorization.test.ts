import { describe, expect, it } from 'vitest';

import { can, NAV_ITEMS, visibleNav } from './authorization';

const labels = (permissions: string[]) => visibleNav(permissions).map((i) => i.label);

describe('permission-filtered navigation', () => {
  it('shows an owner everything', () => {
    const owner = ['tenant:manage', 'users:read', 'users:manage', 'roles:manage', 'audit:read', 'companies:read', 'contacts:read'];
    expect(labels(owner)).toEqual(NAV_ITEMS.map((i) => i.label));
  });

  it('hides the audit log from a viewer', () => {
    expect(labels(['users:read', 'companies:read', 'contacts:read'])).toEqual(['Dashboard', 'Companies', 'Contacts', 'Users', 'Roles', 'Account']);
  });

  it('leaves only the dashboard and account without permissions', () => {
    expect(labels([])).toEqual(['Dashboard', 'Account']);
  });

  it('hides entries whose permission is missing, even one at a time', () => {
    for (const item of NAV_ITEMS.filter((i) => i.permission)) {
      const all = NAV_ITEMS.flatMap((i) => (i.permission ? [i.permission] : []));
      const without = all.filter((p) => p !== item.permission);
      expect(labels(without)).not.toContain(item.label);
    }
  });

  it('answers can() from the permission list only', () => {
    expect(can(['companies:write'], 'companies:write')).toBe(true);
    expect(can(['companies:read'], 'companies:write')).toBe(false);
    expect(can(undefined, 'companies:read')).toBe(false);
  });
});
