// Exports and CSV bodies go around the typed client: the export URL carries
// the list's filters (not its paging), and every call carries the session's
// token, refreshes once on a 401 and fails with the API's problem.
import { Blob as NodeBlob } from 'node:buffer';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { ApiError } from './api/client';
import { setAccessToken } from './auth';
import { apiJson, downloadExport, exportPath, fileNameOf } from './download';

type Seen = { url: string; method: string; auth: string | null; type: string | null; body: string };

/** A fake API: the refresh hands out token-1; other calls need the current token. */
function fakeApi(answer: (request: Request) => Response | Promise<Response>) {
  let valid = 'token-0';
  const seen: Seen[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://localhost'), init);
    const body = request.method === 'GET' ? '' : await request.clone().text();
    seen.push({ url: request.url, method: request.method, auth: request.headers.get('authorization'), type: request.headers.get('content-type'), body });
    if (request.url.endsWith('/api/auth/refresh')) {
      valid = 'token-1';
      return new Response(JSON.stringify({ access_token: valid }), { status: 200 });
    }
    if (request.headers.get('authorization') !== `Bearer ${valid}`) return new Response(JSON.stringify({ title: 'Unauthorized' }), { status: 401 });
    return answer(request);
  });
  return { fetchImpl, seen, expire: () => (valid = 'elsewhere') };
}

beforeEach(() => setAccessToken('token-0', false));
afterEach(() => {
  setAccessToken(null, false);
  vi.restoreAllMocks();
});

describe('export URL', () => {
  it('carries the list filters, without limit, cursor or empty filters', () => {
    expect(exportPath('contacts', 'csv', { q: 'ann', company_id: 'c1', owner: 'me', limit: 20, cursor: 'abc', sort: undefined, owner_id: null, x: '' })).toBe(
      '/api/contacts/export.csv?q=ann&company_id=c1&owner=me',
    );
  });

  it('has no query without filters, and encodes what needs it', () => {
    expect(exportPath('companies', 'json')).toBe('/api/companies/export.json');
    expect(exportPath('deals', 'csv', { q: 'a&b c', 'created_at[gte]': '2026-01-01T00:00:00Z' })).toBe(
      '/api/deals/export.csv?q=a%26b+c&created_at%5Bgte%5D=2026-01-01T00%3A00%3A00Z',
    );
  });

  it('reads the file name of Content-Disposition', () => {
    expect(fileNameOf('attachment; filename="contacts-2026-11-29.csv"')).toBe('contacts-2026-11-29.csv');
    expect(fileNameOf('attachment; filename=deals.json')).toBe('deals.json');
    expect(fileNameOf(null)).toBeNull();
    expect(fileNameOf('inline')).toBeNull();
  });
});

describe('download', () => {
  it('downloads with the bearer token (refreshed on a 401) and saves the blob under the server’s name', async () => {
    const api = fakeApi(() => new Response('id,first_name\n1,Ann\n', { status: 200, headers: { 'content-disposition': 'attachment; filename="contacts-2026-11-29.csv"' } }));
    api.expire();
    const created: Blob[] = [];
    URL.createObjectURL = vi.fn((blob: Blob) => {
      created.push(blob);
      return 'blob:fake';
    });
    URL.revokeObjectURL = vi.fn();
    const clicked: { href: string; download: string }[] = [];
    vi.spyOn(HTMLAnchorElement.prototype, 'click').mockImplementation(function (this: HTMLAnchorElement) {
      clicked.push({ href: this.getAttribute('href') ?? '', download: this.download });
    });

    await downloadExport('contacts', 'csv', { q: 'ann', limit: 20 }, api.fetchImpl);

    const calls = api.seen.filter((s) => !s.url.endsWith('/refresh'));
    expect(calls.map((c) => new URL(c.url).pathname + new URL(c.url).search)).toEqual(['/api/contacts/export.csv?q=ann', '/api/contacts/export.csv?q=ann']);
    expect(calls.at(-1)?.auth).toBe('Bearer token-1');
    expect(clicked).toEqual([{ href: 'blob:fake', download: 'contacts-2026-11-29.csv' }]);
    expect(await created[0].text()).toBe('id,first_name\n1,Ann\n');
    expect(document.querySelector('a[download]')).toBeNull();
  });

  it('fails with the API problem, and saves nothing', async () => {
    const api = fakeApi(() => new Response(JSON.stringify({ title: 'Forbidden', detail: 'missing permission contacts:read' }), { status: 403, headers: { 'content-type': 'application/problem+json' } }));
    const click = vi.spyOn(HTMLAnchorElement.prototype, 'click');
    const failed = downloadExport('contacts', 'json', {}, api.fetchImpl);
    await expect(failed).rejects.toBeInstanceOf(ApiError);
    await expect(failed).rejects.toMatchObject({ status: 403, message: 'missing permission contacts:read' });
    expect(click).not.toHaveBeenCalled();
  });
});

describe('JSON and CSV calls', () => {
  it('sends a CSV body as text/csv and reads the JSON answer', async () => {
    const api = fakeApi(() => new Response(JSON.stringify({ rows_total: 2 }), { status: 200 }));
    // (Node's Blob: jsdom's is not a body for Node's Request; a browser's File is.)
    const file = new NodeBlob(['first_name\nAnn\n']) as unknown as Blob;
    const report = await apiJson<{ rows_total: number }>('/api/imports/i1/dry-run', { method: 'POST', csv: file }, api.fetchImpl);
    expect(report.rows_total).toBe(2);
    expect(api.seen[0]).toMatchObject({ method: 'POST', type: 'text/csv', body: 'first_name\nAnn\n', auth: 'Bearer token-0' });
  });

  it('sends JSON, and turns a 422 into field errors', async () => {
    const api = fakeApi(() =>
      new Response(JSON.stringify({ title: 'Unprocessable', detail: 'invalid input', errors: [{ field: 'mapping', message: 'id must be mapped' }] }), { status: 422 }),
    );
    const made = apiJson('/api/imports', { method: 'POST', json: { resource: 'contacts', mode: 'update', mapping: {} } }, api.fetchImpl);
    await expect(made).rejects.toMatchObject({ status: 422, fieldErrors: [{ field: 'mapping', message: 'id must be mapped' }] });
    expect(api.seen[0]).toMatchObject({ type: 'application/json', body: '{"resource":"contacts","mode":"update","mapping":{}}' });
  });

  it('answers null for an empty body', async () => {
    const api = fakeApi(() => new Response(null, { status: 204 }));
    expect(await apiJson('/api/x', { method: 'DELETE' }, api.fetchImpl)).toBeNull();
  });
});
