// The header's global search: Ctrl+K opens it, it asks only the resources the
// user may read (5 hits each, after a pause in the typing), and the arrow
// keys and Enter open a hit.
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor } from '@testing-library/react';
import { MemoryRouter, useLocation } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Permission } from '../lib/authorization';
import { GlobalSearch } from './GlobalSearch';

const server = vi.hoisted(() => ({
  permissions: [] as Permission[],
  gets: [] as { path: string; query: Record<string, unknown> }[],
  respond(path: string) {
    const at = '2026-01-01T00:00:00Z';
    if (path === '/api/companies') return { items: [{ id: 'c1', name: 'Acme Corporation', domain: 'acme.test', created_at: at, updated_at: at }], next_cursor: null };
    if (path === '/api/deals') {
      const deal = (id: string, name: string) => ({ id, name, amount: '1500.50', currency: 'EUR', pipeline_id: 'p', stage_id: 's', contact_ids: [], created_at: at, updated_at: at, stage_entered_at: at });
      return { items: [deal('d1', 'Acme expansion'), deal('d2', 'Acme renewal')], next_cursor: null };
    }
    throw new Error(`unexpected GET ${path}`);
  },
}));

vi.mock('../lib/session', async (original) => ({
  ...(await original<typeof import('../lib/session')>()),
  usePermissions: () => server.permissions,
}));

vi.mock('../lib/api/client', async (original) => {
  const real = await original<typeof import('../lib/api/client')>();
  const GET = async (path: string, init?: { params?: { query?: Record<string, unknown> } }) => {
    const query = init?.params?.query ?? {};
    server.gets.push({ path, query });
    return { data: server.respond(path), response: new Response(null, { status: 200 }) };
  };
  return { ...real, api: { GET } };
});

function Where() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

function renderSearch() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider>
      <QueryClientProvider client={queryClient}>
        <MemoryRouter>
          <GlobalSearch />
          <Where />
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

beforeEach(() => {
  server.gets = [];
  server.permissions = ['companies:read', 'deals:read'];
});
afterEach(cleanup);

describe('global search', () => {
  it('opens on Ctrl+K, searches what the user may read, and opens the picked hit', async () => {
    renderSearch();
    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    const input = await screen.findByRole('combobox', { name: 'Search records' });
    fireEvent.change(input, { target: { value: 'acme' } });
    await screen.findByRole('option', { name: /Acme renewal/ });
    // No contacts:read: no contacts asked for; the others once each, 5 hits at most.
    expect(server.gets.map((g) => g.path).sort()).toEqual(['/api/companies', '/api/deals']);
    expect(server.gets.every((g) => g.query.q === 'acme' && g.query.limit === 5)).toBe(true);
    expect(screen.getByRole('group', { name: 'Companies' })).toBeTruthy();
    expect(screen.queryByRole('group', { name: 'Contacts' })).toBeNull();
    expect(screen.getAllByText('€1,500.50')).toHaveLength(2);

    const selected = () => screen.getAllByRole('option').findIndex((o) => o.getAttribute('aria-selected') === 'true');
    expect(selected()).toBe(0);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(selected()).toBe(2);
    fireEvent.keyDown(input, { key: 'ArrowDown' });
    expect(selected()).toBe(0);
    fireEvent.keyDown(input, { key: 'ArrowUp' });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/deals/d2'));
  });

  it('opens a company on its detail page', async () => {
    renderSearch();
    fireEvent.click(screen.getByRole('button', { name: 'Search' }));
    const input = await screen.findByRole('combobox', { name: 'Search records' });
    fireEvent.change(input, { target: { value: 'acme' } });
    await screen.findByRole('option', { name: /Acme Corporation/ });
    fireEvent.keyDown(input, { key: 'Enter' });
    await waitFor(() => expect(screen.getByTestId('location').textContent).toBe('/companies/c1'));
  });

  it('is not there for a user who may read none of the records', () => {
    server.permissions = ['users:read'];
    renderSearch();
    expect(screen.queryByRole('button', { name: 'Search' })).toBeNull();
    fireEvent.keyDown(window, { key: 'k', ctrlKey: true });
    expect(screen.queryByRole('combobox', { name: 'Search records' })).toBeNull();
  });
});
