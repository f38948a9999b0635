// The deals board: a column per stage of the first pipeline with its deals,
// count and exact total; moves are optimistic and rolled back when refused.
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter, Route, Routes, useLocation } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Permission } from '../../../lib/authorization';
import { DealsPage } from './DealsPage';

const server = vi.hoisted(() => {
  const stage = (id: string, name: string, position: number, kind = 'open') => ({ id, name, position, kind });
  const deal = (id: string, name: string, stage_id: string, amount: string | null, currency: string | null) => ({
    id,
    name,
    amount,
    currency,
    pipeline_id: 'p1',
    stage_id,
    company_id: null,
    owner_id: 'u-me',
    expected_close_date: null,
    stage_entered_at: '2026-01-01T00:00:00Z',
    contact_ids: [],
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
  });
  return {
    deal,
    permissions: [] as Permission[],
    sent: [] as { method: string; path: string; body: unknown; query?: unknown }[],
    /** Resolves a pending PATCH: the test decides when and how the API answers. */
    answer: null as null | ((status: number) => void),
    pipelines: [
      {
        id: 'p1',
        name: 'Sales',
        position: 0,
        stages: [stage('s-lead', 'Lead', 0), stage('s-qual', 'Qualified', 1), stage('s-won', 'Won', 4, 'won'), stage('s-lost', 'Lost', 5, 'lost')],
      },
    ],
    deals: [] as ReturnType<typeof deal>[],
    /** Deals per page of GET /api/deals (the board asks 200; a smaller one tests the paging). */
    pageSize: 200,
  };
});

vi.mock('../../../lib/session', async (original) => ({
  ...(await original<typeof import('../../../lib/session')>()),
  usePermissions: () => server.permissions,
}));

vi.mock('../../../lib/api/client', async (original) => {
  const real = await original<typeof import('../../../lib/api/client')>();
  const ok = (data: unknown, status = 200) => ({ data, response: new Response(null, { status }) });
  const GET = async (path: string, init?: { params?: { query?: unknown } }) => {
    if (path === '/api/pipelines') return ok({ items: server.pipelines });
    if (path === '/api/deals') {
      const query = (init?.params?.query ?? {}) as { pipeline_id?: string; cursor?: string };
      server.sent.push({ method: 'GET', path, body: undefined, query });
      const all = server.deals.filter((d) => !query.pipeline_id || d.pipeline_id === query.pipeline_id);
      const start = query.cursor ? Number(query.cursor) : 0;
      const end = start + server.pageSize;
      return ok({ items: all.slice(start, end).map((d) => ({ ...d })), next_cursor: end < all.length ? String(end) : null });
    }
    throw new Error(`unexpected GET ${path}`);
  };
  const POST = async (path: string, init: { body: Record<string, unknown> }) => {
    server.sent.push({ method: 'POST', path, body: init.body });
    const created = server.deal('d-new', String(init.body.name), 's-lead', (init.body.amount as string) ?? null, (init.body.currency as string) ?? null);
    server.deals.push(created);
    return ok(created, 201);
  };
  const PATCH = async (path: string, init: { params: { path: { id: string } }; body: { stage_id: string } }) => {
    server.sent.push({ method: 'PATCH', path, body: init.body });
    const status = await new Promise<number>((resolve) => {
      server.answer = resolve;
    });
    if (status !== 200) return { error: { detail: 'The stage is not in this pipeline' }, response: new Response(null, { status }) };
    const d = server.deals.find((x) => x.id === init.params.path.id)!;
    d.stage_id = init.body.stage_id;
    return ok(d);
  };
  return { ...real, api: { GET, POST, PATCH, DELETE: async () => ok(null, 204) } };
});

function renderPage(url = '/deals') {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider>
      <QueryClientProvider client={queryClient}>
        <MemoryRouter initialEntries={[url]}>
          <Routes>
            <Route path="/deals" element={<DealsPage />} />
          </Routes>
          <Location />
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

function Location() {
  const location = useLocation();
  return <output data-testid="location">{location.pathname + location.search}</output>;
}

const column = (name: string) => screen.getByRole('region', { name });

const SALES = server.pipelines[0];

beforeEach(() => {
  server.pipelines = [SALES];
  server.pageSize = 200;
  server.sent = [];
  server.answer = null;
  server.deals = [
    server.deal('d1', 'Acme renewal', 's-lead', '1500.50', 'EUR'),
    server.deal('d2', 'Globex pilot', 's-lead', '0.10', 'EUR'),
    server.deal('d3', 'Initech', 's-qual', null, null),
  ];
});
afterEach(cleanup);

describe('deals board', () => {
  it('shows a column per stage, in order, with deals, counts and exact totals', async () => {
    server.permissions = ['deals:read'];
    renderPage();
    await screen.findByText('Acme renewal');
    expect(screen.getAllByTestId('stage-column').map((c) => c.getAttribute('aria-label'))).toEqual(['Lead', 'Qualified', 'Won', 'Lost']);
    expect(server.sent[0]).toEqual({ method: 'GET', path: '/api/deals', body: undefined, query: { pipeline_id: 'p1', limit: 200 } });
    expect(within(column('Lead')).getByText('€1,500.50')).toBeTruthy();
    expect(within(column('Lead')).getByTestId('stage-count').textContent).toBe('2');
    expect(within(column('Lead')).getByTestId('stage-total').textContent).toBe('€1,500.60');
    expect(within(column('Qualified')).getByText('Initech')).toBeTruthy();
    expect(within(column('Won')).getByTestId('stage-count').textContent).toBe('0');
    // Read-only: no create, no moves.
    expect(screen.queryByRole('button', { name: 'New deal' })).toBeNull();
    expect(screen.queryAllByLabelText('Move to…')).toHaveLength(0);
  });

  it('tells a new user what to do when there are no deals', async () => {
    server.permissions = ['deals:read', 'deals:write'];
    server.deals = [];
    renderPage();
    expect((await screen.findByTestId('deals-empty')).textContent).toContain('No deals yet — create your first deal');
    expect(screen.getByRole('button', { name: 'New deal' })).toBeTruthy();
  });

  it('moves a deal at once, then keeps it there when the API agrees', async () => {
    server.permissions = ['deals:read', 'deals:write'];
    renderPage();
    await screen.findByText('Acme renewal');
    const card = within(column('Lead')).getByText('Acme renewal').closest('[data-testid="deal-card"]') as HTMLElement;
    fireEvent.change(within(card).getByLabelText('Move to…'), { target: { value: 's-won' } });
    // Optimistic: in Won before the API has answered.
    await waitFor(() => expect(within(column('Won')).getByText('Acme renewal')).toBeTruthy());
    expect(server.sent.at(-1)).toEqual({ method: 'PATCH', path: '/api/deals/{id}', body: { stage_id: 's-won' } });
    expect(within(column('Lead')).getByTestId('stage-total').textContent).toBe('€0.10');
    server.answer?.(200);
    await waitFor(() => expect(server.sent.filter((s) => s.method === 'GET')).toHaveLength(2));
    expect(within(column('Won')).getByText('Acme renewal')).toBeTruthy();
    expect(screen.queryByRole('alert')).toBeNull();
  });

  it('puts a refused move back and says so', async () => {
    server.permissions = ['deals:read', 'deals:write'];
    renderPage();
    await screen.findByText('Acme renewal');
    const card = within(column('Lead')).getByText('Acme renewal').closest('[data-testid="deal-card"]') as HTMLElement;
    fireEvent.change(within(card).getByLabelText('Move to…'), { target: { value: 's-lost' } });
    await waitFor(() => expect(within(column('Lost')).getByText('Acme renewal')).toBeTruthy());
    server.answer?.(422);
    expect((await screen.findByRole('alert')).textContent).toContain('Could not move “Acme renewal” to Lost');
    await waitFor(() => expect(within(column('Lead')).getByText('Acme renewal')).toBeTruthy());
    expect(within(column('Lost')).queryByText('Acme renewal')).toBeNull();
  });

  it('moves a deal dropped on another column', async () => {
    server.permissions = ['deals:read', 'deals:write'];
    renderPage();
    await screen.findByText('Initech');
    const card = within(column('Qualified')).getByText('Initech').closest('[data-testid="deal-card"]') as HTMLElement;
    const store = new Map<string, string>();
    const dataTransfer = { setData: (t: string, v: string) => store.set(t, v), getData: (t: string) => store.get(t) ?? '', effectAllowed: '', dropEffect: '' };
    fireEvent.dragStart(card, { dataTransfer });
    fireEvent.dragOver(column('Won'), { dataTransfer });
    fireEvent.drop(column('Won'), { dataTransfer });
    await waitFor(() => expect(within(column('Won')).getByText('Initech')).toBeTruthy());
    expect(server.sent.at(-1)).toEqual({ method: 'PATCH', path: '/api/deals/{id}', body: { stage_id: 's-won' } });
    server.answer?.(200);
  });

  it('creates a deal with an amount in EUR by default', async () => {
    server.permissions = ['deals:read', 'deals:write'];
    renderPage();
    await screen.findByText('Acme renewal');
    fireEvent.click(screen.getByRole('button', { name: 'New deal' }));
    fireEvent.change(await screen.findByLabelText(/^Name/), { target: { value: 'Umbrella' } });
    fireEvent.change(screen.getByLabelText('Amount'), { target: { value: '2500' } });
    expect((screen.getByLabelText('Currency') as HTMLInputElement).value).toBe('EUR');
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(server.sent.some((s) => s.method === 'POST')).toBe(true));
    expect(server.sent.find((s) => s.method === 'POST')?.body).toEqual({ name: 'Umbrella', amount: '2500', currency: 'EUR', pipeline_id: 'p1' });
    await waitFor(() => expect(within(column('Lead')).getByText('Umbrella')).toBeTruthy());
    expect(within(column('Lead')).getByText('€2,500.00')).toBeTruthy();
  });

  it('loads every page of the pipeline, and moves a deal of a later page', async () => {
    server.permissions = ['deals:read', 'deals:write'];
    server.pageSize = 2;
    server.deals.push(server.deal('d4', 'Hooli', 's-qual', '10', 'EUR'), server.deal('d5', 'Pied Piper', 's-won', '20', 'EUR'));
    renderPage();
    await screen.findByText('Pied Piper');
    expect(server.sent.map((s) => (s.query as { cursor?: string }).cursor)).toEqual([undefined, '2', '4']);
    expect(screen.getAllByTestId('deal-card')).toHaveLength(5);
    expect(within(column('Qualified')).getByTestId('stage-count').textContent).toBe('2');
    const card = within(column('Won')).getByText('Pied Piper').closest('[data-testid="deal-card"]') as HTMLElement;
    fireEvent.change(within(card).getByLabelText('Move to…'), { target: { value: 's-lost' } });
    await waitFor(() => expect(within(column('Lost')).getByText('Pied Piper')).toBeTruthy());
    server.answer?.(422);
    await waitFor(() => expect(within(column('Won')).getByText('Pied Piper')).toBeTruthy());
    expect(screen.getAllByTestId('deal-card')).toHaveLength(5);
  });

  it('shows no pipeline selector when there is only one pipeline', async () => {
    server.permissions = ['deals:read'];
    renderPage();
    await screen.findByText('Acme renewal');
    expect(screen.queryByTestId('pipeline-selector')).toBeNull();
  });

  it('switches pipelines from the header, keeping the choice in the URL', async () => {
    server.permissions = ['deals:read', 'deals:write'];
    server.pipelines = [SALES, { id: 'p2', name: 'Partners', position: 1, stages: [{ id: 'p2-new', name: 'New', position: 0, kind: 'open' }, { id: 'p2-won', name: 'Signed', position: 1, kind: 'won' }] }];
    server.deals.push({ ...server.deal('d9', 'Reseller deal', 'p2-new', null, null), pipeline_id: 'p2' });
    renderPage();
    await screen.findByText('Acme renewal');
    expect(screen.queryByText('Reseller deal')).toBeNull();
    fireEvent.click(screen.getByRole('radio', { name: 'Partners' }));
    await screen.findByText('Reseller deal');
    expect(screen.getAllByTestId('stage-column').map((c) => c.getAttribute('aria-label'))).toEqual(['New', 'Signed']);
    expect(screen.getByTestId('location').textContent).toBe('/deals?pipeline=p2');
    expect(screen.getByRole('heading', { name: 'Deals — Partners' })).toBeTruthy();
    // A new deal goes to the pipeline shown.
    fireEvent.click(screen.getByRole('button', { name: 'New deal' }));
    fireEvent.change(await screen.findByLabelText(/^Name/), { target: { value: 'Channel' } });
    fireEvent.click(screen.getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(server.sent.find((s) => s.method === 'POST')?.body).toMatchObject({ name: 'Channel', pipeline_id: 'p2' }));
  });

  it('opens on the pipeline of the URL, and on the first when that one is gone', async () => {
    server.permissions = ['deals:read'];
    server.pipelines = [SALES, { id: 'p2', name: 'Partners', position: 1, stages: [{ id: 'p2-new', name: 'New', position: 0, kind: 'open' }] }];
    renderPage('/deals?pipeline=p2');
    await screen.findByRole('heading', { name: 'Deals — Partners' });
    expect(server.sent.filter((s) => s.method === 'GET').every((s) => (s.query as { pipeline_id: string }).pipeline_id === 'p2')).toBe(true);
    cleanup();
    renderPage('/deals?pipeline=gone');
    await screen.findByRole('heading', { name: 'Deals — Sales' });
  });
});
