// The teams screen: members by name for everyone; create, edit and delete
// only with teams:manage.
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Permission } from '../../../lib/authorization';
import { TeamsPage } from './TeamsPage';

const server = vi.hoisted(() => {
  const user = (id: string, name: string) => ({ id, name, email: `${id}@example.test`, active: true, roles: ['member'], created_at: '2026-01-01T00:00:00Z' });
  return {
    permissions: [] as Permission[],
    sent: [] as { method: string; path: string; body: unknown }[],
    users: [user('u-me', 'Olivia Owner'), user('u-tom', 'Tom Teammate')],
    teams: [
      {
        id: 't1',
        name: 'Sales',
        description: 'The closers',
        members: ['u-me', 'u-tom'],
        created_at: '2026-01-01T00:00:00Z',
        updated_at: '2026-01-01T00:00:00Z',
      },
    ],
  };
});

vi.mock('../../../lib/session', async (original) => ({
  ...(await original<typeof import('../../../lib/session')>()),
  usePermissions: () => server.permissions,
  useMe: () => ({ data: { user: { id: 'u-me', name: 'Olivia Owner', email: 'u-me@example.test' } } }),
}));

vi.mock('../../../lib/api/client', async (original) => {
  const real = await original<typeof import('../../../lib/api/client')>();
  const ok = (data: unknown, status = 200) => ({ data, response: new Response(null, { status }) });
  const GET = async (path: string) => {
    if (path === '/api/teams') return ok({ items: server.teams, next_cursor: null });
    if (path === '/api/users') return ok({ items: server.users, next_cursor: null });
    throw new Error(`unexpected GET ${path}`);
  };
  const write = (method: string) => async (path: string, init: { body?: unknown }) => {
    server.sent.push({ method, path, body: init.body });
    return ok({ ...server.teams[0], ...(init.body as object), id: 't2' }, method === 'POST' ? 201 : 200);
  };
  return { ...real, api: { GET, POST: write('POST'), PATCH: write('PATCH'), DELETE: write('DELETE') } };
});

function renderPage() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider>
      <QueryClientProvider client={queryClient}>
        <TeamsPage />
      </QueryClientProvider>
    </MantineProvider>,
  );
}

beforeEach(() => {
  server.sent = [];
});
afterEach(cleanup);

describe('teams screen', () => {
  it('lists teams with their members by name, read-only without teams:manage', async () => {
    server.permissions = ['users:read'];
    renderPage();
    const row = (await screen.findByRole('cell', { name: 'Sales' })).closest('tr') as HTMLElement;
    await waitFor(() => expect(within(row).getByText('Tom Teammate')).toBeTruthy());
    expect(within(row).getByText('Olivia Owner')).toBeTruthy();
    expect(screen.queryByRole('button', { name: 'New team' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Edit' })).toBeNull();
    expect(screen.queryByRole('button', { name: 'Delete' })).toBeNull();
  });

  it('creates a team with the members picked, with teams:manage', async () => {
    server.permissions = ['users:read', 'teams:manage'];
    renderPage();
    await screen.findByRole('cell', { name: 'Sales' });
    fireEvent.click(screen.getByRole('button', { name: 'New team' }));
    fireEvent.change(await screen.findByLabelText(/^Name/), { target: { value: 'Support' } });
    fireEvent.click(screen.getByRole('textbox', { name: 'Members' }));
    fireEvent.click(await screen.findByRole('option', { name: 'Tom Teammate', hidden: true }));
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(server.sent).toHaveLength(1));
    expect(server.sent[0]).toEqual({ method: 'POST', path: '/api/teams', body: { name: 'Support', description: null, members: ['u-tom'] } });
  });

  it('renames a team and keeps its members', async () => {
    server.permissions = ['users:read', 'teams:manage'];
    renderPage();
    await screen.findByRole('cell', { name: 'Sales' });
    fireEvent.click(screen.getByRole('button', { name: 'Edit' }));
    fireEvent.change(await screen.findByLabelText(/^Name/), { target: { value: 'Sales EMEA' } });
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.sent).toHaveLength(1));
    expect(server.sent[0]).toMatchObject({ method: 'PATCH', body: { name: 'Sales EMEA', description: 'The closers', members: ['u-me', 'u-tom'] } });
  });
});
