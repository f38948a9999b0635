// The import API's shapes (docs/data-movement.md), from the generated
// schema; the calls (CSV bodies) are plain fetches in api/imports.ts.
import type { Schemas } from '../../lib/api/client';
import type { DataResource } from '../../lib/download';

export type ImportResource = Schemas['Resource'] & DataResource;
export type ImportMode = Schemas['Mode'];

/** An import: its mapping (CSV header → field) and counters; the file itself is never stored. */
export type Import = Schemas['Import'];
export type ImportStatus = Import['status'];
export type ImportCreate = Schemas['ImportCreate'];

/** `POST /api/imports/preview`: each column with the field suggested from its header, the resource's fields and the first rows. */
export type ImportPreview = Schemas['Preview'];

/** A refused row: `row` is its record number in the file (the header is row 0). */
export type RowError = Schemas['RowError'];

/** What a dry run would do (nothing is kept): the counts and the first 1,000 refused rows. */
export type DryRunReport = Schemas['Report'];

export type Paged<T> = { items: T[]; next_cursor?: string | null };
