// The import API (docs/data-movement.md), not yet in openapi.json: plain
// calls through lib/download's apiJson, with the session's token; the CSV
// goes as a text/csv body.
import { keepPreviousData, useQuery } from '@tanstack/react-query';

import { apiJson } from '../../../lib/download';
import { previewSlice } from '../mapping';
import type { DryRunReport, Import, ImportCreate, ImportPreview, ImportResource, Paged, RowError } from '../types';

const path = (id: string, tail = '') => `/api/imports/${encodeURIComponent(id)}${tail}`;

/** Each column of the first part of the file, with the field suggested for it. */
export async function previewImport(resource: ImportResource, file: Blob): Promise<ImportPreview> {
  return apiJson<ImportPreview>(`/api/imports/preview?resource=${resource}`, { method: 'POST', csv: await previewSlice(file) });
}

export const createImport = (body: ImportCreate) => apiJson<Import>('/api/imports', { method: 'POST', json: body });

/** What the run would do with the whole file; nothing is kept. */
export const dryRunImport = (id: string, file: Blob) => apiJson<DryRunReport>(path(id, '/dry-run'), { method: 'POST', csv: file });

/** Imports the whole file; answers when it is done (`GET` the import meanwhile for its progress). */
export const runImport = (id: string, file: Blob) => apiJson<Import>(path(id, '/run'), { method: 'POST', csv: file });

export const getImport = (id: string) => apiJson<Import>(path(id));

export const importErrors = (id: string) => apiJson<{ items: RowError[] }>(path(id, '/errors'));

/** Deletes what the import created and restores what it updated (unless changed since). */
export const revertImport = (id: string) => apiJson<Import>(path(id, '/revert'), { method: 'POST' });

/** The caller's imports, newest first. */
export function useImports(cursor?: string) {
  return useQuery({
    queryKey: ['imports', 'list', cursor],
    queryFn: () => apiJson<Paged<Import>>(`/api/imports?limit=20${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`),
    placeholderData: keepPreviousData,
  });
}

/** An import, read again every 500 ms while `polling` (a run in progress). */
export function useImportProgress(id: string | null, polling: boolean) {
  return useQuery({
    queryKey: ['imports', 'one', id],
    queryFn: () => getImport(id ?? ''),
    enabled: id !== null && polling,
    refetchInterval: polling ? 500 : false,
  });
}

/** The rows an import refused (loaded when asked for). */
export function useImportErrors(id: string | null, enabled: boolean) {
  return useQuery({
    queryKey: ['imports', 'errors', id],
    queryFn: () => importErrors(id ?? ''),
    enabled: id !== null && enabled,
  });
}
