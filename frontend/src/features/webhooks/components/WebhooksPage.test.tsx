// The webhooks screen: a new endpoint's secret is shown once; the form
// checks before it sends and shows the API's 422 on its field; the switch
// enables a disabled endpoint again.
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { WebhooksPage } from './WebhooksPage';

const server = vi.hoisted(() => {
  type Hook = { id: string; url: string; events: string[]; description: string | null; enabled: boolean; disabled_reason: string | null; consecutive_failures: number; created_at: string; updated_at: string };
  const hook = (over: Partial<Hook> = {}): Hook => ({
    id: 'w1',
    url: 'https://hooks.example.com/old',
    events: ['deal.created'],
    description: null,
    enabled: false,
    disabled_reason: 'disabled after 20 failed attempts in a row',
    consecutive_failures: 20,
    created_at: '2026-01-01T00:00:00Z',
    updated_at: '2026-01-01T00:00:00Z',
    ...over,
  });
  return { hooks: [] as ReturnType<typeof hook>[], sent: [] as { method: string; path: string; body: unknown }[], refuseUrl: false, hook };
});

vi.mock('../../../lib/api/client', async (original) => {
  const real = await original<typeof import('../../../lib/api/client')>();
  const ok = (data: unknown, status = 200) => ({ data, response: new Response(null, { status }) });
  const GET = async (path: string) => {
    if (path === '/api/webhooks') return ok({ items: server.hooks, next_cursor: null });
    throw new Error(`unexpected GET ${path}`);
  };
  const POST = async (path: string, init: { body?: unknown }) => {
    server.sent.push({ method: 'POST', path, body: init.body });
    if (server.refuseUrl) {
      return { error: { title: 'Unprocessable', errors: [{ field: 'url', message: 'must not point to a private address' }] }, response: new Response(null, { status: 422 }) };
    }
    const made = server.hook({ ...(init.body as Partial<typeof server.hooks[number]>), id: 'w2', enabled: true, disabled_reason: null, consecutive_failures: 0 });
    server.hooks = [made, ...server.hooks];
    return ok({ ...made, secret: 'whsec_once' }, 201);
  };
  const PATCH = async (path: string, init: { body?: unknown }) => {
    server.sent.push({ method: 'PATCH', path, body: init.body });
    server.hooks = server.hooks.map((h) => ({ ...h, ...(init.body as object), disabled_reason: null, consecutive_failures: 0 }));
    return ok(server.hooks[0]);
  };
  return { ...real, api: { GET, POST, PATCH } };
});

function renderPage() {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider>
      <QueryClientProvider client={queryClient}>
        <MemoryRouter>
          <WebhooksPage />
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

async function fillNew(url: string) {
  fireEvent.click(await screen.findByRole('button', { name: 'Add endpoint' }));
  const dialog = await screen.findByRole('dialog', { name: 'Add a webhook endpoint' });
  fireEvent.change(within(dialog).getByRole('textbox', { name: /^URL/ }), { target: { value: url } });
  fireEvent.click(within(dialog).getByRole('textbox', { name: /^Events/ }));
  fireEvent.click(await screen.findByRole('option', { name: 'contact.created', hidden: true }));
  return dialog;
}

beforeEach(() => {
  server.hooks = [];
  server.sent = [];
  server.refuseUrl = false;
});
afterEach(cleanup);

describe('webhooks screen', () => {
  it('checks the form before sending it', async () => {
    renderPage();
    fireEvent.click(await screen.findByRole('button', { name: 'Add your first endpoint' }));
    const dialog = await screen.findByRole('dialog', { name: 'Add a webhook endpoint' });
    fireEvent.change(within(dialog).getByRole('textbox', { name: /^URL/ }), { target: { value: 'ftp://files.example.com' } });
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByText('must be an http or https URL')).toBeTruthy();
    expect(within(dialog).getByText('pick at least one event')).toBeTruthy();
    expect(server.sent).toEqual([]);
  });

  it('shows the API’s refusal of a URL on the field', async () => {
    server.refuseUrl = true;
    renderPage();
    const dialog = await fillNew('http://10.0.0.1/hook');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    expect(await within(dialog).findByText('must not point to a private address')).toBeTruthy();
  });

  it('creates an endpoint and shows its secret once', async () => {
    renderPage();
    const dialog = await fillNew('https://hooks.example.com/x');
    fireEvent.click(within(dialog).getByRole('button', { name: 'Create' }));
    await waitFor(() => expect(server.sent).toHaveLength(1));
    expect(server.sent[0]).toEqual({
      method: 'POST',
      path: '/api/webhooks',
      body: { url: 'https://hooks.example.com/x', events: ['contact.created'], description: null, enabled: true },
    });
    expect((await screen.findByTestId('new-secret-value')).textContent).toBe('whsec_once');
    const row = (await screen.findAllByTestId('webhook-row'))[0];
    expect(within(row).getByText('contact.created')).toBeTruthy();
    fireEvent.click(within(screen.getByTestId('new-secret')).getByRole('button', { name: '' }));
    await waitFor(() => expect(screen.queryByText('whsec_once')).toBeNull());
  });

  it('shows why the server disabled an endpoint, and enables it again with the switch', async () => {
    server.hooks = [server.hook()];
    renderPage();
    expect((await screen.findByTestId('disabled-reason')).textContent).toBe('disabled after 20 failed attempts in a row');
    expect(screen.getByTestId('consecutive-failures').textContent).toBe('20');
    fireEvent.click(screen.getByRole('switch', { name: 'Enabled: https://hooks.example.com/old' }));
    await waitFor(() => expect(server.sent).toEqual([{ method: 'PATCH', path: '/api/webhooks/{id}', body: { enabled: true } }]));
    await waitFor(() => expect(screen.queryByTestId('disabled-reason')).toBeNull());
    expect(screen.getByTestId('consecutive-failures').textContent).toBe('0');
  });
});
