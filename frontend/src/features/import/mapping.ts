// Which CSV column goes to which field of the records: the server's
// suggestion (from the headers) as the start, the user's changes, and what
// keeps a mapping from being used.
import type { ImportMode, ImportPreview } from './types';

/** Header → field, or null for a column that is ignored. */
export type Mapping = Record<string, string | null>;

/** The Select value of "ignore this column" (a field is never named so). */
export const IGNORE = '__ignore__';

/** The most the preview is sent: the first part of the file. */
export const PREVIEW_BYTES = 1024 * 1024;

/**
 * The fields a column can go to: the resource's fields of the preview, and
 * `id` (which names the record to update; the preview does not list it).
 */
export function mappableFields(fields: ImportPreview['fields']): ImportPreview['fields'] {
  return fields.some((f) => f.name === 'id') ? fields : [{ name: 'id', required: false }, ...fields];
}

/** The server's suggestion for each column, kept only when it names a field of the resource (or id). */
export function suggestedMapping(preview: ImportPreview): Mapping {
  const names = new Set(mappableFields(preview.fields).map((f) => f.name));
  const mapping: Mapping = {};
  for (const { header, field = null } of preview.columns) {
    // A header twice: the first column's suggestion stands (the API maps by header).
    if (header in mapping) continue;
    mapping[header] = field && names.has(field) ? field : null;
  }
  return mapping;
}

/** The body's mapping: only the mapped columns. */
export function toApiMapping(mapping: Mapping): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [header, field] of Object.entries(mapping)) if (field) out[header] = field;
  return out;
}

/** The Select options of a column: ignore, then each field (required ones marked). */
export function fieldOptions(fields: ImportPreview['fields']): { value: string; label: string }[] {
  return [{ value: IGNORE, label: 'Ignore this column' }, ...mappableFields(fields).map((f) => ({ value: f.name, label: f.required ? `${f.name} (required)` : f.name }))];
}

export const MODES: { value: ImportMode; label: string; description: string }[] = [
  { value: 'create', label: 'Create', description: 'Every row is a new record.' },
  { value: 'update', label: 'Update', description: 'Each row changes the existing record its id names.' },
  { value: 'upsert', label: 'Upsert', description: 'Rows with the id of an existing record update it; the others create one.' },
];

/** Why a mode cannot be picked with this mapping, or null. */
export function modeBlocker(mode: ImportMode, mapping: Mapping): string | null {
  if (mode === 'create') return null;
  return Object.values(mapping).includes('id') ? null : 'Needs a column mapped to the id field: the records are found by their id.';
}

/** What must change before the mapping is used (`blocking`), and what the user should know (`warnings`). */
export function mappingProblems(mapping: Mapping, fields: ImportPreview['fields'], mode: ImportMode): { blocking: string[]; warnings: string[] } {
  const blocking: string[] = [];
  const warnings: string[] = [];
  const byField = new Map<string, string[]>();
  for (const [header, field] of Object.entries(mapping)) {
    if (field) byField.set(field, [...(byField.get(field) ?? []), header]);
  }
  if (byField.size === 0) blocking.push('Map at least one column to a field.');
  for (const [field, headers] of byField) {
    if (headers.length > 1) blocking.push(`The field ${field} is mapped from ${headers.length} columns (${headers.join(', ')}): keep one.`);
  }
  const modeProblem = modeBlocker(mode, mapping);
  if (modeProblem) blocking.push(modeProblem);
  const missing = fields.filter((f) => f.required && f.name !== 'id' && !byField.has(f.name)).map((f) => f.name);
  if (missing.length) {
    const text = `No column is mapped to the required field${missing.length > 1 ? 's' : ''} ${missing.join(', ')}`;
    if (mode === 'create') blocking.push(`${text}: every new record needs ${missing.length > 1 ? 'them' : 'it'}.`);
    else if (mode === 'upsert') warnings.push(`${text}: rows without an existing id will fail.`);
  }
  return { blocking, warnings };
}

/**
 * The first part of a file for the preview: at most `limit` bytes, cut after
 * the last complete line when the file is longer (no half row, no half
 * character).
 */
export async function previewSlice(file: Blob, limit = PREVIEW_BYTES): Promise<Blob> {
  if (file.size <= limit) return file;
  const head = new Uint8Array(await file.slice(0, limit).arrayBuffer());
  const lastNewline = head.lastIndexOf(0x0a);
  return file.slice(0, lastNewline > 0 ? lastNewline + 1 : limit, 'text/csv');
}
