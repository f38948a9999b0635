// The import wizard against a fake import API: the file's preview pre-fills
// the mapping, update and upsert wait for the id column, the dry run's
// report lists the bad rows, the run polls its progress and ends with a
// result that can be reverted.
import { MantineProvider } from '@mantine/core';
import { QueryClient, QueryClientProvider } from '@tanstack/react-query';
import { cleanup, fireEvent, render, screen, waitFor, within } from '@testing-library/react';
import { MemoryRouter } from 'react-router-dom';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import type { Permission } from '../../../lib/authorization';
import { ImportPage } from './ImportPage';

const server = vi.hoisted(() => {
  const imp = (over: Record<string, unknown> = {}) => ({
    id: 'imp-1',
    resource: 'contacts',
    mode: 'create',
    file_name: 'people.csv',
    mapping: {},
    status: 'draft',
    rows_total: 0,
    rows_created: 0,
    rows_updated: 0,
    rows_failed: 0,
    rows_reverted: 0,
    rows_not_reverted: 0,
    created_by: 'u-me',
    created_at: '2026-11-29T12:00:00Z',
    updated_at: '2026-11-29T12:00:00Z',
    finished_at: null,
    reverted_at: null,
    ...over,
  });
  return {
    permissions: [] as Permission[],
    calls: [] as { path: string; method: string; json?: unknown; csv?: string }[],
    finishRun: null as null | (() => void),
    imp,
  };
});

vi.mock('../../../lib/session', async (original) => ({
  ...(await original<typeof import('../../../lib/session')>()),
  usePermissions: () => server.permissions,
}));

vi.mock('../../../lib/download', async (original) => {
  const real = await original<typeof import('../../../lib/download')>();
  const apiJson = async (path: string, init: { method?: string; json?: unknown; csv?: Blob } = {}) => {
    const method = init.method ?? 'GET';
    server.calls.push({ path, method, json: init.json, csv: init.csv ? await init.csv.text() : undefined });
    if (path === '/api/imports/preview?resource=contacts') {
      return {
        columns: [
          { header: 'First name', field: 'first_name' },
          { header: 'E-mail', field: 'email' },
          { header: 'Notes', field: null },
        ],
        fields: [
          { name: 'id', required: false },
          { name: 'first_name', required: true },
          { name: 'email', required: false },
        ],
        sample_rows: [
          ['Ann', 'ann@example.test', 'fair'],
          ['Bob', 'not-an-email', ''],
        ],
      };
    }
    if (path === '/api/imports' && method === 'POST') return server.imp({ mapping: (init.json as { mapping: unknown }).mapping });
    if (path === '/api/imports/imp-1/dry-run') {
      return { rows_total: 2, rows_created: 1, rows_updated: 0, rows_failed: 1, errors: [{ row: 2, field: 'email', message: 'is not a valid email' }] };
    }
    if (path === '/api/imports/imp-1/run') {
      await new Promise<void>((resolve) => (server.finishRun = resolve));
      return server.imp({ status: 'completed', rows_total: 2, rows_created: 1, rows_failed: 1 });
    }
    if (path === '/api/imports/imp-1') return server.imp({ status: 'running', rows_created: 1 });
    if (path === '/api/imports/imp-1/errors') return { items: [{ row: 2, field: 'email', message: 'is not a valid email' }] };
    if (path === '/api/imports/imp-1/revert') return server.imp({ status: 'reverted', rows_created: 1, rows_failed: 1, rows_reverted: 1 });
    throw new Error(`unexpected ${method} ${path}`);
  };
  return { ...real, apiJson };
});

function renderPage(url = '/import?resource=contacts') {
  const queryClient = new QueryClient({ defaultOptions: { queries: { retry: false } } });
  return render(
    <MantineProvider>
      <QueryClientProvider client={queryClient}>
        <MemoryRouter initialEntries={[url]}>
          <ImportPage />
        </MemoryRouter>
      </QueryClientProvider>
    </MantineProvider>,
  );
}

const csv = 'First name,E-mail,Notes\nAnn,ann@example.test,fair\nBob,not-an-email,\n';

async function pickFileAndPreview(container: HTMLElement) {
  const input = container.querySelector('input[type="file"]') as HTMLInputElement;
  fireEvent.change(input, { target: { files: [new File([csv], 'people.csv', { type: 'text/csv' })] } });
  fireEvent.click(await screen.findByRole('button', { name: 'Next: map the columns' }));
  return screen.findByTestId('mapping-table');
}

/** Picks a field for a column in its own Select's list. */
async function pick(header: string, option: string) {
  const box = screen.getByRole('textbox', { name: `Field for ${header}` });
  fireEvent.click(box);
  const list = await waitFor(() => {
    const found = document.getElementById(box.getAttribute('aria-controls') ?? '');
    if (!found) throw new Error('no list');
    return found;
  });
  fireEvent.click(within(list).getByRole('option', { name: option, hidden: true }));
}

const fieldOf = (header: string) => (screen.getByRole('textbox', { name: `Field for ${header}` }) as HTMLInputElement).value;

beforeEach(() => {
  server.calls = [];
  server.finishRun = null;
  server.permissions = ['contacts:read', 'contacts:write', 'contacts:delete'];
  window.confirm = () => true;
});
afterEach(cleanup);

describe('import wizard', () => {
  it('refuses a user who may write none of the records', () => {
    server.permissions = ['contacts:read'];
    renderPage();
    expect(screen.getByTestId('forbidden')).toBeTruthy();
  });

  it('maps the columns from the preview, and keeps update and upsert for a mapped id column', async () => {
    const { container } = renderPage();
    await pickFileAndPreview(container);
    const preview = server.calls[0];
    expect(preview).toMatchObject({ path: '/api/imports/preview?resource=contacts', method: 'POST', csv });
    expect(fieldOf('First name')).toBe('first_name (required)');
    expect(fieldOf('E-mail')).toBe('email');
    expect(fieldOf('Notes')).toBe('Ignore this column');

    const update = screen.getByRole('radio', { name: 'Update' }) as HTMLInputElement;
    expect(update.disabled).toBe(true);
    expect(screen.getAllByText(/Needs a column mapped to the id field/)).toHaveLength(2);

    await pick('Notes', 'id');
    await waitFor(() => expect((screen.getByRole('radio', { name: 'Update' }) as HTMLInputElement).disabled).toBe(false));
    fireEvent.click(screen.getByRole('radio', { name: 'Update' }));
    expect((screen.getByRole('radio', { name: 'Update' }) as HTMLInputElement).checked).toBe(true);

    // Two columns to one field: no dry run until one goes.
    await pick('E-mail', 'first_name (required)');
    expect(await screen.findByTestId('mapping-problems')).toBeTruthy();
    expect(screen.getByText(/The field first_name is mapped from 2 columns/)).toBeTruthy();
    expect((screen.getByRole('button', { name: 'Dry run' }) as HTMLButtonElement).disabled).toBe(true);
  });

  it('dry-runs, runs with progress, shows the refused rows and reverts', async () => {
    const { container } = renderPage();
    await pickFileAndPreview(container);
    fireEvent.click(screen.getByRole('button', { name: 'Dry run' }));

    const report = await screen.findByTestId('dry-run-report');
    expect(server.calls.find((c) => c.path === '/api/imports')?.json).toEqual({
      resource: 'contacts',
      mode: 'create',
      mapping: { 'First name': 'first_name', 'E-mail': 'email' },
      file_name: 'people.csv',
    });
    expect(server.calls.find((c) => c.path === '/api/imports/imp-1/dry-run')).toMatchObject({ method: 'POST', csv });
    expect(within(within(report).getByTestId('rows-failed')).getByTestId('count-value').textContent).toBe('1');
    const errors = within(report).getByTestId('dry-run-errors');
    expect(within(errors).getByRole('cell', { name: 'is not a valid email' })).toBeTruthy();

    fireEvent.click(screen.getByRole('button', { name: 'Import 1 row, skip 1' }));
    await screen.findByTestId('import-progress');
    // Polled while it runs.
    await waitFor(() => expect(server.calls.some((c) => c.path === '/api/imports/imp-1' && c.method === 'GET')).toBe(true));
    await waitFor(() => expect(screen.getByText('1 of 2 rows')).toBeTruthy());
    expect(server.calls.find((c) => c.path === '/api/imports/imp-1/run')).toMatchObject({ method: 'POST', csv });
    server.finishRun?.();

    const result = await screen.findByTestId('import-result');
    expect(within(result).getByText('completed')).toBeTruthy();
    fireEvent.click(within(result).getByRole('button', { name: 'Show the 1 refused row' }));
    expect(await within(result).findByTestId('import-errors')).toBeTruthy();

    fireEvent.click(within(result).getByRole('button', { name: 'Revert this import' }));
    await waitFor(() => expect(within(result).getByText('reverted')).toBeTruthy());
    expect(within(within(result).getByTestId('rows-reverted')).getByTestId('count-value').textContent).toBe('1');
    expect(within(result).queryByRole('button', { name: 'Revert this import' })).toBeNull();
  });

  it('shows the API’s refusal of a mapping', async () => {
    const { container } = renderPage();
    await pickFileAndPreview(container);
    const { ApiError } = await import('../../../lib/api/client');
    const download = await import('../../../lib/download');
    const spy = vi.spyOn(download, 'apiJson').mockRejectedValueOnce(new ApiError(422, 'invalid input', [{ field: 'mapping', message: 'email is hidden from you' }]));
    fireEvent.click(screen.getByRole('button', { name: 'Dry run' }));
    expect(await screen.findByText('email is hidden from you')).toBeTruthy();
    expect(screen.getByTestId('mapping-table')).toBeTruthy();
    spy.mockRestore();
  });
});
