// Changes of records, the pure part: how an audit entry or a timeline item
// becomes words ("Olivia Owner updated"), and its fields a list of
// "label: old → new" lines. Values come from the audit log as JSON and are
// shown as text, never as HTML.

import type { Schemas } from './api/client';

export type FieldChange = Schemas['FieldChange'];
export type TimelineItem = Schemas['TimelineItem'];

/** What an empty value reads as. */
export const EMPTY_VALUE = '—';
/** Who acted when no person did. */
export const SYSTEM_ACTOR = 'System';

/** The words for an audit action on a record. */
export function actionVerb(action: string | null | undefined): string {
  switch (action) {
    case 'insert':
      return 'created';
    case 'update':
      return 'updated';
    case 'delete':
      return 'deleted';
    default:
      return action ?? 'changed';
  }
}

/** Whether an audit action is a data change (its `changes` are `{field: {old, new}}`). */
export function isDataChange(action: string): boolean {
  return action === 'insert' || action === 'update' || action === 'delete';
}

/**
 * Who acted: their name when the API gives it, the caller's own name for
 * themselves, the short id of another member (no users:read), or the system.
 */
export function actorLabel(actorId: string | null | undefined, actorName: string | null | undefined, me?: { id: string; name: string }): string {
  if (actorName) return actorName;
  if (!actorId) return SYSTEM_ACTOR;
  if (me && me.id === actorId) return me.name;
  return `User ${actorId.slice(0, 8)}`;
}

const ACRONYMS: Record<string, string> = { id: 'ID', ip: 'IP', url: 'URL' };

/** A column name as a label: "expected_close_date" → "Expected close date", "stage_id" → "Stage". */
export function fieldLabel(field: string): string {
  const words = field.split('_').filter(Boolean);
  if (words.length > 1 && words[words.length - 1] === 'id') words.pop();
  if (words.length > 1 && words[words.length - 1] === 'ids') words[words.length - 1] = 's';
  const text = words
    .map((w) => ACRONYMS[w] ?? w)
    .join(' ')
    .replace(/ s$/, 's');
  return text.charAt(0).toUpperCase() + text.slice(1);
}

const ISO_TIMESTAMP = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/;

/** A timestamp of the database in local time, to the minute: "2026-11-29 09:09". */
export function formatTimestamp(iso: string): string {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${d.getFullYear()}-${pad(d.getMonth() + 1)}-${pad(d.getDate())} ${pad(d.getHours())}:${pad(d.getMinutes())}`;
}

/** A JSON value as text: empty for null, arrays joined, objects as JSON. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined || value === '') return EMPTY_VALUE;
  if (typeof value === 'string') return ISO_TIMESTAMP.test(value) ? formatTimestamp(value) : value;
  if (typeof value === 'number' || typeof value === 'bigint') return String(value);
  if (typeof value === 'boolean') return value ? 'yes' : 'no';
  if (Array.isArray(value)) return value.length ? value.map(formatValue).join(', ') : EMPTY_VALUE;
  return JSON.stringify(value);
}

/** Resolves a field's raw value to a name (a stage id to its stage, a user id to the member), or undefined to keep it. */
export type ValueResolver = (field: string, value: unknown) => string | undefined;

/** One line of a diff: `old` only for a deleted record, `new` only for a created one. */
export type DiffLine = { field: string; label: string; old?: string; new?: string };

/** Fields of changes no person needs to read. */
const SKIPPED = new Set(['id', 'tenant_id', 'created_at', 'updated_at']);

/**
 * The lines of a change, in the order given: a created record shows its
 * values, a deleted one what it held, an update each field old → new
 * (unchanged fields left out). Bookkeeping columns are skipped.
 */
export function diffLines(action: string | null | undefined, changes: readonly FieldChange[], resolve?: ValueResolver): DiffLine[] {
  const show = (field: string, value: unknown) => resolve?.(field, value) ?? formatValue(value);
  const lines: DiffLine[] = [];
  for (const c of changes) {
    if (SKIPPED.has(c.field)) continue;
    const base = { field: c.field, label: fieldLabel(c.field) };
    if (action === 'insert') {
      if (c.new === null || c.new === undefined || c.new === '') continue;
      lines.push({ ...base, new: show(c.field, c.new) });
    } else if (action === 'delete') {
      if (c.old === null || c.old === undefined || c.old === '') continue;
      lines.push({ ...base, old: show(c.field, c.old) });
    } else {
      if (JSON.stringify(c.old ?? null) === JSON.stringify(c.new ?? null)) continue;
      lines.push({ ...base, old: show(c.field, c.old), new: show(c.field, c.new) });
    }
  }
  return lines;
}

/** A diff line as one string: "Name: Acme → Acme Inc.", "Name: Acme" (created), "Name: Acme (removed)". */
export function diffLineText(line: DiffLine): string {
  if (line.old === undefined) return `${line.label}: ${line.new ?? EMPTY_VALUE}`;
  if (line.new === undefined) return `${line.label}: ${line.old} (removed)`;
  return `${line.label}: ${line.old} → ${line.new}`;
}

/**
 * The `changes` of an audit entry as field changes, in name order, when it
 * is a data change shaped `{field: {old, new}}`; null otherwise (a security
 * event's details, shown raw).
 */
export function auditFieldChanges(action: string, changes: unknown): FieldChange[] | null {
  if (!isDataChange(action) || changes === null || typeof changes !== 'object' || Array.isArray(changes)) return null;
  const out: FieldChange[] = [];
  for (const [field, value] of Object.entries(changes as Record<string, unknown>)) {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
    const v = value as { old?: unknown; new?: unknown };
    if (!('old' in v) && !('new' in v)) return null;
    out.push({ field, old: v.old ?? null, new: v.new ?? null });
  }
  return out.sort((a, b) => a.field.localeCompare(b.field));
}

/** The headline of a timeline item: "Olivia Owner updated", "Olivia Owner added a note", "Task for Tom: Call back". */
export function timelineHeadline(item: TimelineItem, me?: { id: string; name: string }): string {
  const who = actorLabel(item.actor_id, item.actor_name, me);
  switch (item.kind) {
    case 'change':
      return `${who} ${actionVerb(item.action)}`;
    case 'note':
      return `${who} added a note`;
    case 'task': {
      const assignee = item.actor_id ? ` for ${who}` : ' (unassigned)';
      return `Task${assignee}: ${item.title ?? ''}${item.done ? ' (done)' : ''}`;
    }
    default:
      return who;
  }
}
