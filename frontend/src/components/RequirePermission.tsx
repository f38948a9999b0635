import type { ReactNode } from 'react';

import { can, routePermission } from '../lib/authorization';
import type { AppRoute } from '../lib/authorization';
import { usePermissions } from '../lib/session';
import { ForbiddenPage } from './ErrorPages';

/** Renders a screen only for users holding the permission its route needs (lib/authorization's table). */
export function RequirePermission({ route, children }: { route: AppRoute; children: ReactNode }) {
  const permissions = usePermissions();
  const permission = routePermission(route);
  return !permission || can(permissions, permission) ? <>{children}</> : <ForbiddenPage />;
}
