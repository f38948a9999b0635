import type { ReactNode } from 'react';

import { can } from '../lib/authorization';
import { usePermissions } from '../lib/session';
import { ForbiddenPage } from './ErrorPages';

export function RequirePermission({ permission, children }: { permission: string; children: ReactNode }) {
  const permissions = usePermissions();
  return can(permissions, permission) ? <>{children}</> : <ForbiddenPage />;
}
