// The one route → permission table: the router guards each screen with the
// permission named here, and the navigation hides the entries the user
// lacks (not merely disabled). The API refuses regardless; this only keeps
// the interface honest.

import type { components } from './api/schema';

/** A permission key: the union the OpenAPI document declares. */
export type Permission = components['schemas']['Permission'];

export type NavItem = { to: string; label: string; permission?: Permission };

export const NAV_ITEMS = [
  { to: '/', label: 'Dashboard' },
  { to: '/companies', label: 'Companies', permission: 'companies:read' },
  { to: '/contacts', label: 'Contacts', permission: 'contacts:read' },
  { to: '/deals', label: 'Deals', permission: 'deals:read' },
  { to: '/users', label: 'Users', permission: 'users:read' },
  { to: '/roles', label: 'Roles', permission: 'users:read' },
  // Any member reads the teams (managing them needs teams:manage, checked on the screen).
  { to: '/teams', label: 'Teams' },
  { to: '/audit', label: 'Audit log', permission: 'audit:read' },
  { to: '/api-keys', label: 'API keys', permission: 'api_keys:manage' },
  { to: '/webhooks', label: 'Webhooks', permission: 'webhooks:manage' },
  { to: '/account', label: 'Account' },
] as const satisfies readonly NavItem[];

/** A path of the table above. */
export type AppRoute = (typeof NAV_ITEMS)[number]['to'];

/** The permission a screen needs, if any. */
export function routePermission(route: AppRoute): Permission | undefined {
  const item: NavItem | undefined = NAV_ITEMS.find((i) => i.to === route);
  return item?.permission;
}

export function visibleNav(permissions: readonly Permission[], items: readonly NavItem[] = NAV_ITEMS): NavItem[] {
  return items.filter((item) => !item.permission || permissions.includes(item.permission));
}

export function can(permissions: readonly Permission[] | undefined, permission: Permission): boolean {
  return permissions?.includes(permission) ?? false;
}
