import type { ReactElement } from 'react';
import { createBrowserRouter } from 'react-router-dom';
import type { RouteObject } from 'react-router-dom';

import { AppLayout } from '../components/AppLayout';
import { ForbiddenPage, NotFoundPage } from '../components/ErrorPages';
import { RequirePermission } from '../components/RequirePermission';
import { AccountPage } from '../features/account/components/AccountPage';
import { ApiKeysPage } from '../features/api-keys/components/ApiKeysPage';
import { AuditPage } from '../features/audit/components/AuditPage';
import { AcceptInvitationPage, VerifyEmailPage } from '../features/auth/components/InvitationPages';
import { ForgotPasswordPage, ResetPasswordPage } from '../features/auth/components/PasswordResetPages';
import { SignInPage } from '../features/auth/components/SignInPage';
import { SignUpPage } from '../features/auth/components/SignUpPage';
import { CompaniesPage } from '../features/companies/components/CompaniesPage';
import { CompanyDetailPage } from '../features/companies/components/CompanyDetailPage';
import { ContactDetailPage } from '../features/contacts/components/ContactDetailPage';
import { ContactsPage } from '../features/contacts/components/ContactsPage';
import { DashboardPage } from '../features/dashboard/components/DashboardPage';
import { DealDetailPage } from '../features/deals/components/DealDetailPage';
import { DealsPage } from '../features/deals/components/DealsPage';
import { ImportPage } from '../features/import/components/ImportPage';
import { ImportsPage } from '../features/import/components/ImportsPage';
import { RolesPage } from '../features/roles/components/RolesPage';
import { TeamsPage } from '../features/teams/components/TeamsPage';
import { UsersPage } from '../features/users/components/UsersPage';
import { WebhookDetailPage } from '../features/webhooks/components/WebhookDetailPage';
import { WebhooksPage } from '../features/webhooks/components/WebhooksPage';
import { NAV_ITEMS } from '../lib/authorization';
import type { AppRoute } from '../lib/authorization';

/** The screen of each path of the route table (lib/authorization): a path without one fails typecheck. */
const SCREENS: Record<AppRoute, ReactElement> = {
  '/': <DashboardPage />,
  '/companies': <CompaniesPage />,
  '/contacts': <ContactsPage />,
  '/deals': <DealsPage />,
  '/users': <UsersPage />,
  '/roles': <RolesPage />,
  '/teams': <TeamsPage />,
  '/audit': <AuditPage />,
  '/api-keys': <ApiKeysPage />,
  '/webhooks': <WebhooksPage />,
  '/account': <AccountPage />,
};

/** A screen of the table, behind the permission the table names for it. */
const screen = (to: AppRoute): RouteObject => {
  const element = <RequirePermission route={to}>{SCREENS[to]}</RequirePermission>;
  return to === '/' ? { index: true, element } : { path: to.slice(1), element };
};

/**
 * The detail pages of records (`recordPath` of lib/search) and of webhook
 * endpoints, each behind the permission of its list: who may read the list
 * may open its records.
 */
const DETAILS: { list: AppRoute; element: ReactElement }[] = [
  { list: '/companies', element: <CompanyDetailPage /> },
  { list: '/contacts', element: <ContactDetailPage /> },
  { list: '/deals', element: <DealDetailPage /> },
  { list: '/webhooks', element: <WebhookDetailPage /> },
];

const detail = ({ list, element }: (typeof DETAILS)[number]): RouteObject => ({
  path: `${list.slice(1)}/:id`,
  element: <RequirePermission route={list}>{element}</RequirePermission>,
});

export const routes: RouteObject[] = [
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/sign-up', element: <SignUpPage /> },
  { path: '/forgot-password', element: <ForgotPasswordPage /> },
  { path: '/reset-password', element: <ResetPasswordPage /> },
  { path: '/accept-invitation', element: <AcceptInvitationPage /> },
  { path: '/verify-email', element: <VerifyEmailPage /> },
  {
    path: '/',
    element: <AppLayout />,
    children: [
      ...NAV_ITEMS.map((item) => screen(item.to)),
      ...DETAILS.map(detail),
      // Importing needs the write permission of the records imported: the
      // pages offer the resources the user may write (and refuse without any).
      { path: 'import', element: <ImportPage /> },
      { path: 'imports', element: <ImportsPage /> },
      { path: 'forbidden', element: <ForbiddenPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
];

export const router = createBrowserRouter(routes);
