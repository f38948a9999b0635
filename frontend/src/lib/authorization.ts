// What the navigation shows: every entry names the permission it needs, and
// entries the user lacks are hidden (not merely disabled). The API refuses
// regardless; this only keeps the interface honest.

export type NavItem = { to: string; label: string; permission?: string };

export const NAV_ITEMS: NavItem[] = [
  { to: '/', label: 'Dashboard' },
  { to: '/companies', label: 'Companies', permission: 'companies:read' },
  { to: '/contacts', label: 'Contacts', permission: 'contacts:read' },
  { to: '/users', label: 'Users', permission: 'users:read' },
  { to: '/roles', label: 'Roles', permission: 'users:read' },
  { to: '/audit', label: 'Audit log', permission: 'audit:read' },
  { to: '/account', label: 'Account' },
];

export function visibleNav(permissions: readonly string[], items: readonly NavItem[] = NAV_ITEMS): NavItem[] {
  return items.filter((item) => !item.permission || permissions.includes(item.permission));
}

export function can(permissions: readonly string[] | undefined, permission: string): boolean {
  return permissions?.includes(permission) ?? false;
}
