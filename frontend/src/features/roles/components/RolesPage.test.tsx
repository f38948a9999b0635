// The roles screen shows each grant's scope and the hidden fields, and the
// editor sends a scope per checked record permission and the hidden fields.
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Permission } from '../../../lib/authorization';
import { RolesPage } from './RolesPage';

const server = vi.hoisted(() => {
  const role = (id: string, name: string, system: boolean, grants: { key: Permission; scope: 'all' | 'team' | 'own' }[], hidden_fields: string[] = []) => ({
    id,
    name,
    system,
    description: null,
    permissions: grants.map((g) => g.key),
    grants,
    hidden_fields,
    created_at: '2026-01-01T00:00:00Z',
  });
  return {
    permissions: ['users:read', 'roles:manage', 'contacts:read', 'contacts:write', 'teams:manage'] as Permission[],
    sent: [] as { method: string; path: string; body: unknown }[],
    roles: [
      role('r1', 'viewer', true, [
        { key: 'users:read', scope: 'all' },
        { key: 'contacts:read', scope: 'all' },
      ]),
      role('r2', 'Field sales', false, [{ key: 'contacts:read', scope: 'team' }], ['contacts.email']),
    ],
    catalog: [
      { key: 'users:read', description: 'Read members', scopable: false, hideable_fields: [] },
      { key: 'teams:manage', description: 'Manage teams', scopable: false, hideable_fields: [] },
      { key: 'contacts:read', description: 'Read contacts', scopable: true, hideable_fields: ['contacts.email', 'contacts.phone'] },
      { key: 'contacts:write', description: 'Write contacts', scopable: true, hideable_fields: [] },
      { key: 'audit:read', description: 'Read the audit log', scopable: false, hideable_fields: [] },
    ],
  };
});

vi.mock('../../../lib/session', async (original) => ({
  ...(await original<typeof import('../../../lib/session')>()),
  usePermissions: () => server.permissions,
}));

vi.mock('../../../lib/api/client', async (original) => {
  const real = await original<typeof import('../../../lib/api/client')>();
  const ok = (data: unknown, status = 200) => ({ data, response: new Response(null, { status }) });
  const GET = async (path: string) => {
    if (path === '/api/roles') return ok({ items: server.roles, next_cursor: null });
    if (path === '/api/permissions') return ok({ items: server.catalog });
    throw new Error(`unexpected GET ${path}`);
  };
  const write = (method: string) => async (path: string, init: { body?: unknown }) => {
    server.sent.push({ method, path, body: init.body });
    return ok({ ...server.roles[1], ...(init.body as object) }, method === 'POST' ? 201 : 200);
  };
  return { ...real, api: { GET, POST: write('POST'), PATCH: write('PATCH'), DELETE: write('DELETE') } };
});

function renderPage() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider>
      <QueryClientProvider client={queryClient}>
        <RolesPage />
      </QueryClientProvider>
    </MantineProvider>,
  );
}

const rowOf = async (name: string) => (await screen.findByRole('cell', { name: new RegExp(`^${name}`) })).closest('tr') as HTMLElement;

beforeEach(() => {
  server.sent = [];
});
afterEach(cleanup);

describe('roles screen', () => {
  it('shows the scope of each grant and the hidden fields; system roles stay read-only', async () => {
    renderPage();
    const custom = await rowOf('Field sales');
    expect(within(custom).getByText("contacts:read (team's records)")).toBeTruthy();
    expect(within(custom).getByText('contacts.email')).toBeTruthy();
    expect(within(custom).getByRole('button', { name: 'Edit' })).toBeTruthy();
    const system = await rowOf('viewer');
    expect(within(system).getByText('users:read, contacts:read')).toBeTruthy();
    expect(within(system).getByText('—')).toBeTruthy();
    expect(within(system).queryByRole('button', { name: 'Edit' })).toBeNull();
  });

  it('creates a role with a scope and a hidden field', async () => {
    renderPage();
    await rowOf('Field sales');
    fireEvent.click(screen.getByRole('button', { name: 'New role' }));
    fireEvent.change(await screen.findByLabelText('Name'), { target: { value: 'Own contacts' } });
    const scope = screen.getByRole('textbox', { name: 'Scope of contacts:read' });
    const hidePhone = screen.getByRole('checkbox', { name: 'Hide contacts.phone' });
    // Scope and hiding wait for the permission; permissions you lack cannot be granted.
    expect((scope as HTMLInputElement).disabled).toBe(true);
    expect((hidePhone as HTMLInputElement).disabled).toBe(true);
    expect((screen.getByRole('checkbox', { name: /^audit:read/ }) as HTMLInputElement).disabled).toBe(true);
    expect(screen.queryByRole('textbox', { name: 'Scope of users:read' })).toBeNull();

    fireEvent.click(screen.getByRole('checkbox', { name: /^contacts:read/ }));
    fireEvent.click(screen.getByRole('checkbox', { name: /^users:read/ }));
    expect((scope as HTMLInputElement).disabled).toBe(false);
    fireEvent.click(scope);
    // Each scope select has its own option list: the one this input controls.
    const options = await waitFor(() => {
      const list = document.getElementById(scope.getAttribute('aria-controls') ?? '');
      if (!list) throw new Error('the scope list is not open');
      return list;
    });
    fireEvent.click(within(options).getByRole('option', { name: 'Own records', hidden: true }));
    fireEvent.click(hidePhone);
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));

    await waitFor(() => expect(server.sent).toHaveLength(1));
    expect(server.sent[0]).toEqual({
      method: 'POST',
      path: '/api/roles',
      body: {
        name: 'Own contacts',
        description: null,
        permissions: ['users:read', 'contacts:read'],
        grants: [{ key: 'contacts:read', scope: 'own' }],
        hidden_fields: ['contacts.phone'],
      },
    });
  });

  it('edits a role from its current scopes and hidden fields', async () => {
    renderPage();
    fireEvent.click(within(await rowOf('Field sales')).getByRole('button', { name: 'Edit' }));
    const scope = (await screen.findByRole('textbox', { name: 'Scope of contacts:read' })) as HTMLInputElement;
    expect(scope.value).toBe("Team's records");
    expect((screen.getByRole('checkbox', { name: 'Hide contacts.email' }) as HTMLInputElement).checked).toBe(true);
    fireEvent.click(screen.getByRole('checkbox', { name: 'Hide contacts.email' }));
    fireEvent.click(screen.getByRole('button', { name: 'Save' }));
    await waitFor(() => expect(server.sent).toHaveLength(1));
    expect(server.sent[0]).toMatchObject({
      method: 'PATCH',
      path: '/api/roles/{id}',
      body: { permissions: ['contacts:read'], grants: [{ key: 'contacts:read', scope: 'team' }], hidden_fields: [] },
    });
  });
});
