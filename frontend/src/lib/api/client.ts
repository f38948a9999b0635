// The typed API client: paths and bodies come from src/lib/api/schema.d.ts,
// generated from the server's OpenAPI document (openapi.json), so a contract
// change breaks `npm run typecheck` instead of production.
import createClient from 'openapi-fetch';

import { API_BASE, createAuthFetch } from '../auth';
import type { components, paths } from './schema';

export type Schemas = components['schemas'];

export const api = createClient<paths>({ baseUrl: API_BASE, credentials: 'include', fetch: createAuthFetch() });

export type FieldError = { field: string; message: string };

/** An RFC 9457 problem from the API. */
export class ApiError extends Error {
  readonly status: number;
  readonly fieldErrors: FieldError[];

  constructor(status: number, detail: string, fieldErrors: FieldError[] = []) {
    super(detail);
    this.status = status;
    this.fieldErrors = fieldErrors;
  }

  /** The errors of the given fields only (a typed form's inputs). */
  fieldsOf<K extends string>(names: readonly K[]): Partial<Record<K, string>> {
    const out: Partial<Record<K, string>> = {};
    for (const e of this.fieldErrors) {
      if (isOneOf(names, e.field)) out[e.field] = e.message;
    }
    return out;
  }
}

type Result<T> = { data?: T; error?: unknown; response: Response };

/** The data of a successful call, or an ApiError. */
export function unwrap<T>({ data, error, response }: Result<T>): T {
  if (response.ok) return data as T;
  const problem = (error ?? {}) as { detail?: string; title?: string; errors?: FieldError[] };
  throw new ApiError(response.status, problem.detail ?? problem.title ?? `Request failed (${response.status})`, problem.errors ?? []);
}

function isOneOf<K extends string>(names: readonly K[], value: string): value is K {
  return (names as readonly string[]).includes(value);
}
