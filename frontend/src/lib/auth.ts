// The session in the browser. The access token lives in memory only; the
// refresh token lives only in the HttpOnly cookie the API sets, so scripts
// never see it. Refreshes are serialised across tabs with the Web Locks API:
// the API treats a refresh token presented twice as theft and revokes the
// session, so two tabs must never refresh with the same cookie at once.
// Tabs share new tokens and sign-outs over a BroadcastChannel.

export const API_BASE: string = import.meta.env.VITE_API_BASE_URL ?? '';

type Message = { type: 'token'; token: string } | { type: 'signed-out' };
type Listener = () => void;

let accessToken: string | null = null;
const listeners = new Set<Listener>();
const channel: BroadcastChannel | null =
  typeof BroadcastChannel === 'undefined' ? null : new BroadcastChannel('tenet-auth');

channel?.addEventListener('message', (event: MessageEvent<Message>) => {
  if (event.data.type === 'token') {
    accessToken = event.data.token;
  } else {
    accessToken = null;
  }
  notify();
});

function notify() {
  listeners.forEach((listener) => listener());
}

export function getAccessToken(): string | null {
  return accessToken;
}

/** Stores a token (or clears it) and tells the other tabs. */
export function setAccessToken(token: string | null, broadcast = true) {
  accessToken = token;
  notify();
  if (broadcast) {
    channel?.postMessage(token ? ({ type: 'token', token } satisfies Message) : ({ type: 'signed-out' } satisfies Message));
  }
}

export function subscribe(listener: Listener): () => void {
  listeners.add(listener);
  return () => listeners.delete(listener);
}

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

let inFlight: Promise<string | null> | null = null;

/**
 * Gets a new access token with the refresh cookie. `stale` is the token that
 * just failed: if another tab (or request) has refreshed meanwhile, its token
 * is used instead of presenting the cookie again. At most one refresh runs
 * per tab, and (with Web Locks) one across tabs.
 */
export function refreshAccessToken(stale: string | null = accessToken, fetchImpl: Fetch = fetch): Promise<string | null> {
  if (inFlight) return inFlight;
  const attempt = async (): Promise<string | null> => {
    if (accessToken && accessToken !== stale) return accessToken;
    const response = await fetchImpl(`${API_BASE}/api/auth/refresh`, {
      method: 'POST',
      credentials: 'include',
      headers: { 'X-Requested-With': 'tenet-web' },
    });
    if (!response.ok) {
      if (accessToken === stale) setAccessToken(null, false);
      return null;
    }
    const body = (await response.json()) as { access_token: string };
    setAccessToken(body.access_token);
    return body.access_token;
  };
  const locks = typeof navigator === 'undefined' ? undefined : navigator.locks;
  inFlight = (locks ? (locks.request('tenet-refresh', attempt) as unknown as Promise<string | null>) : attempt()).finally(() => {
    inFlight = null;
  });
  return inFlight;
}

/**
 * `fetch` for the API client: adds the bearer token and, on a 401, refreshes
 * once and retries once. A second 401 signs this tab out.
 */
export function createAuthFetch(fetchImpl: Fetch = fetch) {
  return async function authFetch(request: Request): Promise<Response> {
    const retry = request.clone();
    const token = accessToken;
    if (token) request.headers.set('Authorization', `Bearer ${token}`);
    const response = await fetchImpl(request);
    if (response.status !== 401 || request.url.includes('/api/auth/login') || request.url.includes('/api/auth/signup')) {
      return response;
    }
    const fresh = await refreshAccessToken(token, fetchImpl);
    if (!fresh) return response;
    retry.headers.set('Authorization', `Bearer ${fresh}`);
    const second = await fetchImpl(retry);
    if (second.status === 401) setAccessToken(null);
    return second;
  };
}
