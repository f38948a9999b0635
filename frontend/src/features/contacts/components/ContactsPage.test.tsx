// The contacts list names each contact's owner and narrows the list to
// mine / my team / all through the API's `owner` parameter.
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Permission } from '../../../lib/authorization';
import { ContactsPage } from './ContactsPage';

const server = vi.hoisted(() => {
  const contact = (id: string, first_name: string, owner_id: string | null) => ({
    id,
    first_name,
    last_name: null,
    email: null,
    phone: null,
    company_id: null,
    owner_id,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  });
  const user = (id: string, name: string) => ({ id, name, email: `${id}@example.test`, active: true, roles: ['member'], created_at: '2026-01-01T00:00:00Z' });
  const contacts = [contact('c1', 'Ann', 'u-me'), contact('c2', 'Tess', 'u-tom'), contact('c3', 'Una', null), contact('c4', 'Oscar', 'u-gone')];
  return {
    permissions: [] as Permission[],
    none: false,
    gets: [] as { path: string; query: Record<string, unknown> }[],
    respond(path: string, query: Record<string, unknown>) {
      if (path === '/api/users') return { items: [user('u-me', 'Olivia Owner'), user('u-tom', 'Tom Teammate')], next_cursor: null };
      if (path === '/api/contacts') {
        if (query.q || server.none) return { items: [], next_cursor: null };
        const owners = { me: ['u-me'], team: ['u-me', 'u-tom'] }[String(query.owner)];
        const items = owners ? contacts.filter((c) => c.owner_id && owners.includes(c.owner_id)) : contacts;
        // A second page exists for the unfiltered first page, to test that the filter goes back to page 1.
        return { items, next_cursor: !query.owner && !query.cursor ? 'page-2' : null };
      }
      throw new Error(`unexpected GET ${path}`);
    },
  };
});

vi.mock('../../../lib/session', async (original) => ({
  ...(await original<typeof import('../../../lib/session')>()),
  usePermissions: () => server.permissions,
  useMe: () => ({ data: { user: { id: 'u-me', name: 'Olivia Owner', email: 'u-me@example.test' } } }),
}));

vi.mock('../../../lib/api/client', async (original) => {
  const real = await original<typeof import('../../../lib/api/client')>();
  const GET = async (path: string, init?: { params?: { query?: Record<string, unknown> } }) => {
    const query = init?.params?.query ?? {};
    server.gets.push({ path, query });
    return { data: server.respond(path, query), response: new Response(null, { status: 200 }) };
  };
  return { ...real, api: { GET } };
});

const exports = vi.hoisted(() => ({ calls: [] as unknown[][] }));
vi.mock('../../../lib/download', async (original) => ({
  ...(await original<typeof import('../../../lib/download')>()),
  downloadExport: async (...args: unknown[]) => {
    exports.calls.push(args);
  },
}));

const contactGets = () => server.gets.filter((g) => g.path === '/api/contacts').map((g) => g.query);

function renderPage(url = '/contacts') {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider>
      <QueryClientProvider client={queryClient}>
        <MemoryRouter initialEntries={[url]}>
          <ContactsPage />
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

const ownerOf = (firstName: string) => {
  const row = screen.getByRole('cell', { name: firstName }).closest('tr');
  if (!row) throw new Error(`no row for ${firstName}`);
  return within(row).getAllByRole('cell')[4].textContent;
};

beforeEach(() => {
  server.gets = [];
  server.permissions = ['contacts:read', 'users:read'];
  server.none = false;
  exports.calls = [];
});
afterEach(cleanup);

describe('contacts list', () => {
  it('shows each owner by name, — when unowned, a placeholder when unknown', async () => {
    renderPage();
    expect(await screen.findByRole('columnheader', { name: 'Owner' })).toBeTruthy();
    await waitFor(() => expect(ownerOf('Tess')).toBe('Tom Teammate'));
    expect(ownerOf('Ann')).toBe('Olivia Owner');
    expect(ownerOf('Una')).toBe('—');
    expect(ownerOf('Oscar')).toBe('Another member');
  });

  it('names only the caller without users:read, and does not ask for the member list', async () => {
    server.permissions = ['contacts:read'];
    renderPage();
    await screen.findByRole('cell', { name: 'Tess' });
    expect(ownerOf('Ann')).toBe('Olivia Owner');
    expect(ownerOf('Tess')).toBe('Another member');
    expect(ownerOf('Una')).toBe('—');
    expect(server.gets.some((g) => g.path === '/api/users')).toBe(false);
  });

  it('filters mine / my team / all with the owner parameter, from the first page', async () => {
    renderPage();
    await screen.findByRole('cell', { name: 'Una' });
    expect(contactGets()[0].owner).toBeUndefined();
    expect((screen.getByRole('radio', { name: 'All' }) as HTMLInputElement).checked).toBe(true);

    fireEvent.click(screen.getByRole('button', { name: 'Next' }));
    await waitFor(() => expect(contactGets().at(-1)?.cursor).toBe('page-2'));

    fireEvent.click(screen.getByRole('radio', { name: 'Mine' }));
    await waitFor(() => expect(screen.queryByRole('cell', { name: 'Tess' })).toBeNull());
    expect(contactGets().at(-1)).toMatchObject({ owner: 'me', cursor: undefined });
    expect(screen.getByRole('cell', { name: 'Ann' })).toBeTruthy();
    expect(screen.queryByRole('cell', { name: 'Una' })).toBeNull();
    expect(screen.getByText('Page 1')).toBeTruthy();

    fireEvent.click(screen.getByRole('radio', { name: 'My team' }));
    await screen.findByRole('cell', { name: 'Tess' });
    expect(contactGets().at(-1)).toMatchObject({ owner: 'team' });
    expect(screen.queryByRole('cell', { name: 'Una' })).toBeNull();

    fireEvent.click(screen.getByRole('radio', { name: 'All' }));
    await screen.findByRole('cell', { name: 'Una' });
    expect(contactGets().at(-1)?.owner).toBeUndefined();
  });
  it('opens filtered by the ?q= of its address (the global search), and tells a new user what to do', async () => {
    server.permissions = ['contacts:read', 'contacts:write'];
    server.none = true;
    renderPage('/contacts?q=nobody');
    expect(await screen.findByText('No contacts matching “nobody”')).toBeTruthy();
    expect((screen.getByRole('textbox', { name: 'Search contacts' }) as HTMLInputElement).value).toBe('nobody');
    expect(contactGets()[0].q).toBe('nobody');
    expect(screen.queryByRole('button', { name: 'Add your first contact' })).toBeNull();

    fireEvent.change(screen.getByRole('textbox', { name: 'Search contacts' }), { target: { value: '' } });
    expect(await screen.findByText('No contacts yet — add your first contact')).toBeTruthy();
    expect(contactGets().at(-1)?.q).toBeUndefined();
    fireEvent.click(screen.getByRole('button', { name: 'Add your first contact' }));
    expect(await screen.findByRole('dialog', { name: 'New contact' })).toBeTruthy();
  });

  it('exports every row of the list with its current filters, and links to the import with contacts:write', async () => {
    server.permissions = ['contacts:read', 'contacts:write', 'users:read'];
    renderPage();
    await screen.findByRole('cell', { name: 'Ann' });
    fireEvent.click(screen.getByRole('radio', { name: 'Mine' }));
    fireEvent.change(screen.getByRole('textbox', { name: 'Search contacts' }), { target: { value: ' ann ' } });
    await waitFor(() => expect(contactGets().at(-1)).toMatchObject({ owner: 'me', q: 'ann' }));
    fireEvent.click(screen.getByRole('button', { name: 'Export CSV' }));
    await waitFor(() => expect(exports.calls).toHaveLength(1));
    expect(exports.calls[0]).toEqual(['contacts', 'csv', { q: 'ann', company_id: null, owner: 'me' }]);
    fireEvent.click(screen.getByRole('button', { name: 'Export JSON' }));
    await waitFor(() => expect(exports.calls).toHaveLength(2));
    expect(exports.calls[1][1]).toBe('json');
    expect(screen.getByRole('link', { name: 'Import' }).getAttribute('href')).toBe('/import?resource=contacts');
  });

  it('offers no import without contacts:write, but the export', async () => {
    renderPage();
    await screen.findByRole('cell', { name: 'Ann' });
    expect(screen.queryByRole('link', { name: 'Import' })).toBeNull();
    expect(screen.getByRole('button', { name: 'Export CSV' })).toBeTruthy();
  });
});
