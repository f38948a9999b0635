import { createBrowserRouter } from 'react-router-dom';

import { AppLayout } from '../components/AppLayout';
import { ForbiddenPage, NotFoundPage } from '../components/ErrorPages';
import { RequirePermission } from '../components/RequirePermission';
import { AccountPage } from '../features/account/components/AccountPage';
import { AuditPage } from '../features/audit/components/AuditPage';
import { SignInPage } from '../features/auth/components/SignInPage';
import { SignUpPage } from '../features/auth/components/SignUpPage';
import { CompaniesPage } from '../features/companies/components/CompaniesPage';
import { ContactsPage } from '../features/contacts/components/ContactsPage';
import { DashboardPage } from '../features/dashboard/components/DashboardPage';
import { RolesPage } from '../features/roles/components/RolesPage';
import { UsersPage } from '../features/users/components/UsersPage';

export const router = createBrowserRouter([
  { path: '/sign-in', element: <SignInPage /> },
  { path: '/sign-up', element: <SignUpPage /> },
  {
    path: '/',
    element: <AppLayout />,
    children: [
      { index: true, element: <DashboardPage /> },
      { path: 'companies', element: <RequirePermission route="/companies"><CompaniesPage /></RequirePermission> },
      { path: 'contacts', element: <RequirePermission route="/contacts"><ContactsPage /></RequirePermission> },
      { path: 'users', element: <RequirePermission route="/users"><UsersPage /></RequirePermission> },
      { path: 'roles', element: <RequirePermission route="/roles"><RolesPage /></RequirePermission> },
      { path: 'audit', element: <RequirePermission route="/audit"><AuditPage /></RequirePermission> },
      { path: 'account', element: <AccountPage /> },
      { path: 'forbidden', element: <ForbiddenPage /> },
      { path: '*', element: <NotFoundPage /> },
    ],
  },
]);
