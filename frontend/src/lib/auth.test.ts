import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';

import { createAuthFetch, getAccessToken, refreshAccessToken, setAccessToken } from './auth';

function json(status: number, body: unknown): Response {
  return new Response(JSON.stringify(body), { status, headers: { 'content-type': 'application/json' } });
}

/** A fake API: /api/auth/refresh hands out token-1, token-2, ...; other calls need the current token. */
function fakeApi() {
  let issued = 0;
  let valid = 'token-0';
  const calls: { url: string; auth: string | null; requestedWith: string | null }[] = [];
  const fetchImpl = vi.fn(async (input: RequestInfo | URL, init?: RequestInit) => {
    const request = input instanceof Request ? input : new Request(new URL(String(input), 'http://x'), init);
    calls.push({ url: request.url, auth: request.headers.get('authorization'), requestedWith: request.headers.get('x-requested-with') });
    if (request.url.endsWith('/api/auth/refresh')) {
      issued += 1;
      valid = `token-${issued}`;
      return json(200, { access_token: valid });
    }
    return request.headers.get('authorization') === `Bearer ${valid}` ? json(200, { ok: true }) : json(401, { title: 'Unauthorized' });
  });
  return { fetchImpl, calls, expire: () => (valid = 'rotated-elsewhere'), refreshes: () => calls.filter((c) => c.url.endsWith('/refresh')).length };
}

describe('the auth client', () => {
  beforeEach(() => setAccessToken('token-0', false));
  afterEach(() => setAccessToken(null, false));

  it('sends the access token as a bearer token', async () => {
    const api = fakeApi();
    const response = await createAuthFetch(api.fetchImpl)(new Request('http://x/api/auth/me'));
    expect(response.status).toBe(200);
    expect(api.calls[0].auth).toBe('Bearer token-0');
    expect(api.refreshes()).toBe(0);
  });

  it('refreshes once on a 401 and retries with the new token', async () => {
    const api = fakeApi();
    api.expire();
    const response = await createAuthFetch(api.fetchImpl)(new Request('http://x/api/companies'));
    expect(response.status).toBe(200);
    expect(api.refreshes()).toBe(1);
    expect(api.calls.at(-1)?.auth).toBe('Bearer token-1');
    expect(getAccessToken()).toBe('token-1');
    const refresh = api.calls.find((c) => c.url.endsWith('/refresh'));
    expect(refresh?.requestedWith).toBeTruthy();
  });

  it('shares one refresh between concurrent 401s', async () => {
    const api = fakeApi();
    api.expire();
    const authFetch = createAuthFetch(api.fetchImpl);
    const responses = await Promise.all([1, 2, 3].map((i) => authFetch(new Request(`http://x/api/contacts?${i}`))));
    expect(responses.map((r) => r.status)).toEqual([200, 200, 200]);
    expect(api.refreshes()).toBe(1);
  });

  it('signs out when the refresh is refused', async () => {
    const fetchImpl = vi.fn(async (input: RequestInfo | URL) =>
      String(input instanceof Request ? input.url : input).endsWith('/refresh') ? json(401, {}) : json(401, {}),
    );
    const response = await createAuthFetch(fetchImpl)(new Request('http://x/api/auth/me'));
    expect(response.status).toBe(401);
    expect(getAccessToken()).toBeNull();
  });

  it('does not refresh for a failed sign-in', async () => {
    const fetchImpl = vi.fn(async () => json(401, {}));
    await createAuthFetch(fetchImpl)(new Request('http://x/api/auth/login', { method: 'POST' }));
    expect(fetchImpl).toHaveBeenCalledTimes(1);
  });

  it('uses a token another tab already refreshed instead of presenting the cookie again', async () => {
    const api = fakeApi();
    setAccessToken('token-from-other-tab', false);
    const token = await refreshAccessToken('token-0', api.fetchImpl);
    expect(token).toBe('token-from-other-tab');
    expect(api.refreshes()).toBe(0);
  });

  it('serialises refreshes across tabs with the Web Locks API', async () => {
    const api = fakeApi();
    const names: string[] = [];
    const locks = { request: vi.fn(async (name: string, callback: () => Promise<unknown>) => (names.push(name), callback())) };
    vi.stubGlobal('navigator', { ...navigator, locks });
    try {
      await refreshAccessToken('token-0', api.fetchImpl);
    } finally {
      vi.unstubAllGlobals();
    }
    expect(names).toEqual(['tenet-refresh']);
    expect(api.refreshes()).toBe(1);
  });

  it('tells other tabs about new tokens and sign-outs', async () => {
    const other = new BroadcastChannel('tenet-auth');
    const received: unknown[] = [];
    other.onmessage = (e) => received.push(e.data);
    setAccessToken('shared-token');
    setAccessToken(null);
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(received).toEqual([{ type: 'token', token: 'shared-token' }, { type: 'signed-out' }]);

    setAccessToken('mine', false);
    other.postMessage({ type: 'signed-out' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    expect(getAccessToken()).toBeNull();
    other.close();
  });
});
