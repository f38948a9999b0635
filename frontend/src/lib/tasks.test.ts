import { describe, expect, it } from 'vitest';

import { dueLabel, isDueToday, isOverdue, linkedPath, linkedRecord, sortTasks, todayIso } from './tasks';

const today = '2026-11-29';

describe('tasks', () => {
  it('writes today as the API writes dates, in local time', () => {
    expect(todayIso(new Date(2026, 0, 5, 23, 59))).toBe('2026-01-05');
    expect(todayIso(new Date(2026, 10, 29, 0, 1))).toBe('2026-11-29');
  });

  it('knows an open task due before today is overdue', () => {
    expect(isOverdue({ due_date: '2026-11-28', done: false }, today)).toBe(true);
    expect(isOverdue({ due_date: '2026-11-28', done: true }, today)).toBe(false);
    expect(isOverdue({ due_date: today, done: false }, today)).toBe(false);
    expect(isOverdue({ due_date: null, done: false }, today)).toBe(false);
    expect(isDueToday({ due_date: today, done: false }, today)).toBe(true);
    expect(isDueToday({ due_date: today, done: true }, today)).toBe(false);
  });

  it('labels the due date', () => {
    expect(dueLabel({ due_date: '2026-11-01', done: false }, today)).toBe('Overdue · 2026-11-01');
    expect(dueLabel({ due_date: today, done: false }, today)).toBe('Due today');
    expect(dueLabel({ due_date: '2026-12-24', done: false }, today)).toBe('Due 2026-12-24');
    expect(dueLabel({ due_date: '2026-11-01', done: true }, today)).toBe('Due 2026-11-01');
    expect(dueLabel({ due_date: null }, today)).toBe('');
  });

  it('sorts open tasks by due date, undated last, done at the end, ties by title', () => {
    const tasks = [
      { title: 'undated', due_date: null, done: false },
      { title: 'later', due_date: '2026-12-10', done: false },
      { title: 'done early', due_date: '2026-01-01', done: true },
      { title: 'b overdue', due_date: '2026-11-01', done: false },
      { title: 'a overdue', due_date: '2026-11-01', done: false },
      { title: 'today', due_date: today, done: false },
    ];
    const input = [...tasks];
    expect(sortTasks(tasks).map((t) => t.title)).toEqual(['a overdue', 'b overdue', 'today', 'later', 'undated', 'done early']);
    expect(tasks).toEqual(input);
  });

  it('links a task to the record it is about', () => {
    expect(linkedRecord({ deal_id: 'd1' })).toEqual({ kind: 'deal', id: 'd1' });
    expect(linkedRecord({ company_id: 'c1', contact_id: null })).toEqual({ kind: 'company', id: 'c1' });
    expect(linkedRecord({})).toBeNull();
    expect(linkedPath({ contact_id: 'p1' })).toBe('/contacts/p1');
    expect(linkedPath({ company_id: null })).toBeNull();
  });
});
