// Calls outside the typed client: exports the browser saves as a file, and
// imports whose bodies are CSV (neither is in openapi.json yet). They carry
// the same bearer token, with the same refresh-once-on-401, as the client
// (lib/auth's createAuthFetch), and fail with the same ApiError.
import { ApiError } from './api/client';
import type { FieldError } from './api/client';
import { API_BASE, createAuthFetch } from './auth';

/** The records that are exported and imported. */
export const DATA_RESOURCES = ['companies', 'contacts', 'deals'] as const;
export type DataResource = (typeof DATA_RESOURCES)[number];
export type ExportFormat = 'csv' | 'json';

/** A list's query parameters, as its list call sends them. */
export type ListFilters = Record<string, string | number | boolean | null | undefined>;

type Fetch = (input: RequestInfo | URL, init?: RequestInit) => Promise<Response>;

/** An export reads every row: the paging parameters of the list are left out, and so are empty filters. */
const PAGING = new Set(['limit', 'cursor']);

/** `/api/contacts/export.csv?q=…`: the export of a list with the list's own filters. */
export function exportPath(resource: DataResource, format: ExportFormat, filters: ListFilters = {}): string {
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(filters)) {
    if (PAGING.has(name) || value === undefined || value === null || value === '') continue;
    params.append(name, String(value));
  }
  const query = params.toString();
  return `/api/${resource}/export.${format}${query ? `?${query}` : ''}`;
}

/** The file name of a `Content-Disposition: attachment; filename="…"` header, if any. */
export function fileNameOf(disposition: string | null): string | null {
  const match = disposition ? /filename\*?=(?:UTF-8'')?"?([^";]+)"?/i.exec(disposition) : null;
  return match ? decodeURIComponent(match[1]) : null;
}

/** The error of a refused call, from its RFC 9457 problem (422: the field errors too). */
export async function problemOf(response: Response): Promise<ApiError> {
  let problem: { detail?: string; title?: string; errors?: FieldError[] } = {};
  try {
    problem = (await response.json()) as typeof problem;
  } catch {
    // not JSON: the status says it
  }
  return new ApiError(response.status, problem.detail ?? problem.title ?? `Request failed (${response.status})`, problem.errors ?? []);
}

/** A call to the API with the session's token; an answer other than 2xx throws its ApiError. */
export async function apiFetch(path: string, init: RequestInit = {}, fetchImpl: Fetch = fetch): Promise<Response> {
  const url = API_BASE ? `${API_BASE}${path}` : new URL(path, window.location.href).href;
  const response = await createAuthFetch(fetchImpl)(new Request(url, { credentials: 'include', ...init }));
  if (!response.ok) throw await problemOf(response);
  return response;
}

/** A JSON call: `json` is sent as the body, or `csv` as a text/csv body. */
export async function apiJson<T>(
  path: string,
  { method = 'GET', json, csv }: { method?: string; json?: unknown; csv?: Blob } = {},
  fetchImpl: Fetch = fetch,
): Promise<T> {
  const init: RequestInit =
    csv !== undefined
      ? { method, body: csv, headers: { 'Content-Type': 'text/csv' } }
      : json !== undefined
        ? { method, body: JSON.stringify(json), headers: { 'Content-Type': 'application/json' } }
        : { method };
  const response = await apiFetch(path, init, fetchImpl);
  const text = await response.text();
  return (text ? JSON.parse(text) : null) as T;
}

/** Saves a blob as a file, through a temporary object URL and `<a download>`. */
export function saveBlob(blob: Blob, fileName: string) {
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  link.style.display = 'none';
  document.body.appendChild(link);
  link.click();
  link.remove();
  // After the click has started the download.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** Downloads the export of a list (every row its filters reach) and saves it under the server's file name. */
export async function downloadExport(resource: DataResource, format: ExportFormat, filters: ListFilters = {}, fetchImpl: Fetch = fetch) {
  const response = await apiFetch(exportPath(resource, format, filters), {}, fetchImpl);
  const blob = await response.blob();
  saveBlob(blob, fileNameOf(response.headers.get('content-disposition')) ?? `${resource}.${format}`);
}
