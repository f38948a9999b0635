// Tasks, the pure part: when one is overdue, the order "my tasks" lists them
// in, and which record a task is about.

import type { Schemas } from './api/client';
import { recordPath } from './search';
import type { SearchKind } from './search';

export type Task = Schemas['Task'];

/** Today as the API writes dates ("2026-11-29"), in the user's time zone. */
export function todayIso(now: Date = new Date()): string {
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${now.getFullYear()}-${pad(now.getMonth() + 1)}-${pad(now.getDate())}`;
}

type Dated = { due_date?: string | null; done?: boolean };

/** An open task due before today. */
export function isOverdue(task: Dated, today: string): boolean {
  return !task.done && !!task.due_date && task.due_date < today;
}

/** An open task due today. */
export function isDueToday(task: Dated, today: string): boolean {
  return !task.done && task.due_date === today;
}

/**
 * Tasks by due date, earliest (most overdue) first; those without a date
 * last; ties by title. Open before done. The input is not changed.
 */
export function sortTasks<T extends Dated & { title: string }>(tasks: readonly T[]): T[] {
  return [...tasks].sort((a, b) => {
    if (!!a.done !== !!b.done) return a.done ? 1 : -1;
    const ad = a.due_date ?? '';
    const bd = b.due_date ?? '';
    if (ad !== bd) {
      if (!ad) return 1;
      if (!bd) return -1;
      return ad < bd ? -1 : 1;
    }
    return a.title.localeCompare(b.title);
  });
}

type Linked = { company_id?: string | null; contact_id?: string | null; deal_id?: string | null };

/** The record a task (or note) is about, if any. */
export function linkedRecord(item: Linked): { kind: SearchKind; id: string } | null {
  if (item.deal_id) return { kind: 'deal', id: item.deal_id };
  if (item.contact_id) return { kind: 'contact', id: item.contact_id };
  if (item.company_id) return { kind: 'company', id: item.company_id };
  return null;
}

/** The page of the record a task is about, if any. */
export function linkedPath(item: Linked): string | null {
  const record = linkedRecord(item);
  return record && recordPath(record.kind, record.id);
}

/** How a due date reads: "Overdue · 2026-11-20", "Due today", "Due 2026-12-01", or nothing. */
export function dueLabel(task: Dated, today: string): string {
  if (!task.due_date) return '';
  if (isOverdue(task, today)) return `Overdue · ${task.due_date}`;
  if (isDueToday(task, today)) return 'Due today';
  return `Due ${task.due_date}`;
}
