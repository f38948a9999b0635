import { Alert, AppShell, Burger, Button, Center, Group, Loader, NavLink, Select, Stack, Text } from '@mantine/core';
import { useDisclosure } from '@mantine/hooks';
import { useQueryClient } from '@tanstack/react-query';
import { Link, Navigate, Outlet, useLocation, useNavigate } from 'react-router-dom';

import { api, unwrap } from '../lib/api/client';
import { visibleNav } from '../lib/authorization';
import { acceptTokens, useMe, useSessionStatus, useSignOut } from '../lib/session';
import { ColorSchemeToggle } from './ColorSchemeToggle';
import { GlobalSearch } from './GlobalSearch';

/** The signed-in shell: navigation filtered by permission, tenant and user. */
export function AppLayout() {
  const status = useSessionStatus();
  const me = useMe();
  const [opened, { toggle }] = useDisclosure();
  const location = useLocation();
  const navigate = useNavigate();
  const signOut = useSignOut();
  const queryClient = useQueryClient();

  if (status === 'signed-out') return <Navigate to="/sign-in" replace state={{ from: location.pathname }} />;
  if (status === 'restoring' || me.isPending) {
    return (
      <Center h="100vh">
        <Loader />
      </Center>
    );
  }
  if (!me.data) return <Navigate to="/sign-in" replace />;

  const { user, tenant, memberships, permissions } = me.data;
  const switchTenant = async (slug: string | null) => {
    if (!slug || slug === tenant.slug) return;
    acceptTokens(unwrap(await api.POST('/api/auth/switch-tenant', { body: { tenant: slug } })));
    queryClient.clear();
    navigate('/');
  };

  return (
    <AppShell header={{ height: 56 }} navbar={{ width: 220, breakpoint: 'sm', collapsed: { mobile: !opened } }} padding="md">
      <AppShell.Header>
        <Group h="100%" px="md" justify="space-between">
          <Group>
            <Burger opened={opened} onClick={toggle} hiddenFrom="sm" size="sm" aria-label="Menu" />
            <Text fw={700}>Tenet</Text>
            {memberships.length > 1 ? (
              <Select
                aria-label="Tenant"
                data-testid="tenant-switcher"
                size="xs"
                value={tenant.slug}
                data={memberships.map((m) => ({ value: m.tenant.slug, label: m.tenant.name }))}
                onChange={switchTenant}
                allowDeselect={false}
              />
            ) : (
              <Text data-testid="tenant-name">{tenant.name}</Text>
            )}
          </Group>
          <Group gap="sm" wrap="nowrap">
            <GlobalSearch />
            <ColorSchemeToggle />
            <Text size="sm" data-testid="user-name" visibleFrom="md">
              {user.name}
            </Text>
            <Button variant="default" size="xs" onClick={async () => { await signOut(); navigate('/sign-in'); }}>
              Sign out
            </Button>
          </Group>
        </Group>
      </AppShell.Header>
      <AppShell.Navbar p="xs">
        <Stack gap={2} data-testid="nav">
          {visibleNav(permissions).map((item) => (
            <NavLink
              key={item.to}
              component={Link}
              to={item.to}
              label={item.label}
              active={item.to === '/' ? location.pathname === '/' : location.pathname.startsWith(item.to)}
            />
          ))}
        </Stack>
      </AppShell.Navbar>
      <AppShell.Main>
        {me.data && !me.data.email_verified && (
          <Alert color="yellow" mb="md" data-testid="verify-banner" title="Confirm your email">
            We sent a confirmation link to {me.data.user.email}. Until you follow it, this account works only in the
            workspace it was created in.
          </Alert>
        )}
        <Outlet />
      </AppShell.Main>
    </AppShell>
  );
}
