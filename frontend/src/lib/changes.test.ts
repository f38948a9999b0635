import { describe, expect, it } from 'vitest';

import { actionVerb, actorLabel, auditFieldChanges, diffLines, diffLineText, fieldLabel, formatTimestamp, formatValue, isDataChange, timelineHeadline } from './changes';
import type { TimelineItem } from './changes';

const me = { id: 'u-me', name: 'Olivia Owner' };
const at = '2026-11-29T10:00:00Z';

describe('changes of records', () => {
  it('names the actor: by name, oneself, a short id, or the system', () => {
    expect(actorLabel('u-1', 'Tom Teammate')).toBe('Tom Teammate');
    expect(actorLabel('u-me', null, me)).toBe('Olivia Owner');
    expect(actorLabel('0123456789abcdef', null, me)).toBe('User 01234567');
    expect(actorLabel(null, null, me)).toBe('System');
    expect(actorLabel(undefined, undefined)).toBe('System');
  });

  it('says what an action did', () => {
    expect(actionVerb('insert')).toBe('created');
    expect(actionVerb('update')).toBe('updated');
    expect(actionVerb('delete')).toBe('deleted');
    expect(actionVerb('auth.login')).toBe('auth.login');
    expect(actionVerb(null)).toBe('changed');
    expect(isDataChange('update')).toBe(true);
    expect(isDataChange('auth.login')).toBe(false);
  });

  it('turns column names into labels', () => {
    expect(fieldLabel('name')).toBe('Name');
    expect(fieldLabel('expected_close_date')).toBe('Expected close date');
    expect(fieldLabel('stage_id')).toBe('Stage');
    expect(fieldLabel('contact_ids')).toBe('Contacts');
    expect(fieldLabel('id')).toBe('ID');
    expect(fieldLabel('ip')).toBe('IP');
  });

  it('shows JSON values as text', () => {
    expect(formatValue(null)).toBe('—');
    expect(formatValue(undefined)).toBe('—');
    expect(formatValue('')).toBe('—');
    expect(formatValue('Acme')).toBe('Acme');
    expect(formatValue(42)).toBe('42');
    expect(formatValue(true)).toBe('yes');
    expect(formatValue(false)).toBe('no');
    expect(formatValue(['a', 'b'])).toBe('a, b');
    expect(formatValue([])).toBe('—');
    expect(formatValue({ a: 1 })).toBe('{"a":1}');
    expect(formatValue('<b>not html</b>')).toBe('<b>not html</b>');
    expect(formatValue('2026-11-29')).toBe('2026-11-29');
  });

  it('shows timestamps in local time, to the minute', () => {
    const local = new Date(2026, 10, 29, 9, 5, 30);
    expect(formatValue(local.toISOString())).toBe('2026-11-29 09:05');
    expect(formatTimestamp('2026-11-29T09:09:36.575781+00:00')).toBe(formatTimestamp('2026-11-29T09:09:36Z'));
    expect(formatTimestamp('not a time')).toBe('not a time');
  });

  it('diffs an update field by field, leaving out unchanged and bookkeeping fields', () => {
    const lines = diffLines('update', [
      { field: 'amount', old: '1500.50', new: '2000.00' },
      { field: 'domain', old: null, new: 'acme.test' },
      { field: 'name', old: 'Acme', new: 'Acme' },
      { field: 'updated_at', old: at, new: '2026-11-30T00:00:00Z' },
      { field: 'contact_ids', old: ['a'], new: ['a'] },
    ]);
    expect(lines).toEqual([
      { field: 'amount', label: 'Amount', old: '1500.50', new: '2000.00' },
      { field: 'domain', label: 'Domain', old: '—', new: 'acme.test' },
    ]);
    expect(lines.map(diffLineText)).toEqual(['Amount: 1500.50 → 2000.00', 'Domain: — → acme.test']);
  });

  it('shows the values of a created record and what a deleted one held', () => {
    const changes = [
      { field: 'id', old: null, new: 'x' },
      { field: 'industry', old: null, new: null },
      { field: 'name', old: null, new: 'Globex' },
    ];
    expect(diffLines('insert', changes).map(diffLineText)).toEqual(['Name: Globex']);
    const gone = [
      { field: 'name', old: 'Globex', new: null },
      { field: 'domain', old: null, new: null },
    ];
    expect(diffLines('delete', gone).map(diffLineText)).toEqual(['Name: Globex (removed)']);
  });

  it('names raw values with a resolver, and keeps the others', () => {
    const resolve = (field: string, value: unknown) => (field === 'stage_id' ? { s1: 'Lead', s2: 'Won' }[String(value)] : undefined);
    expect(diffLines('update', [{ field: 'stage_id', old: 's1', new: 's2' }, { field: 'name', old: 'a', new: 'b' }], resolve).map(diffLineText)).toEqual([
      'Stage: Lead → Won',
      'Name: a → b',
    ]);
  });

  it('reads the changes of an audit entry, or leaves a security event raw', () => {
    expect(auditFieldChanges('update', { name: { old: 'A', new: 'B' }, domain: { old: null, new: 'a.test' } })).toEqual([
      { field: 'domain', old: null, new: 'a.test' },
      { field: 'name', old: 'A', new: 'B' },
    ]);
    expect(auditFieldChanges('insert', { name: { new: 'A' } })).toEqual([{ field: 'name', old: null, new: 'A' }]);
    expect(auditFieldChanges('update', {})).toEqual([]);
    expect(auditFieldChanges('auth.login', { ip: '127.0.0.1' })).toBeNull();
    expect(auditFieldChanges('update', { reason: 'manual' })).toBeNull();
    expect(auditFieldChanges('update', null)).toBeNull();
    expect(auditFieldChanges('update', [1, 2])).toBeNull();
  });

  it('headlines timeline items by kind', () => {
    const item = (over: Partial<TimelineItem>): TimelineItem => ({ kind: 'change', id: 'i', at, ...over });
    expect(timelineHeadline(item({ action: 'update', actor_id: 'u-1', actor_name: 'Tom Teammate' }))).toBe('Tom Teammate updated');
    expect(timelineHeadline(item({ action: 'insert', actor_id: null }))).toBe('System created');
    expect(timelineHeadline(item({ action: 'delete', actor_id: 'u-me' }), me)).toBe('Olivia Owner deleted');
    expect(timelineHeadline(item({ kind: 'note', actor_id: 'u-me', actor_name: 'Olivia Owner', body: 'Hi' }))).toBe('Olivia Owner added a note');
    expect(timelineHeadline(item({ kind: 'task', actor_id: 'u-1', actor_name: 'Tom Teammate', title: 'Call back', done: false }))).toBe('Task for Tom Teammate: Call back');
    expect(timelineHeadline(item({ kind: 'task', actor_id: null, title: 'Send offer', done: true }))).toBe('Task (unassigned): Send offer (done)');
  });
});
