import { describe, expect, it } from 'vitest';

import { memberName, memberOptions, UNKNOWN_MEMBER, UNOWNED } from './users';
import type { Member } from './users';

const member = (id: string, name: string, email = `${id}@example.test`, active = true): Member => ({
  id,
  name,
  email,
  active,
  roles: ['member'],
  created_at: '2026-01-01T00:00:00Z',
});

describe('memberName', () => {
  const names = new Map([
    ['u1', 'Ann Lee'],
    ['u2', 'Bob Stone'],
  ]);

  it('shows — for an unowned record', () => {
    expect(memberName(null, names)).toBe(UNOWNED);
    expect(memberName(undefined, names)).toBe(UNOWNED);
    expect(UNOWNED).toBe('—');
  });

  it('names a member of the list', () => {
    expect(memberName('u2', names)).toBe('Bob Stone');
  });

  it('names the caller without the list (no users:read)', () => {
    expect(memberName('me', undefined, { id: 'me', name: 'Olivia Owner' })).toBe('Olivia Owner');
  });

  it('falls back to a placeholder for an id it cannot name', () => {
    expect(memberName('u9', names, { id: 'me', name: 'Olivia Owner' })).toBe(UNKNOWN_MEMBER);
    expect(memberName('u1', undefined)).toBe(UNKNOWN_MEMBER);
  });
});

describe('memberOptions', () => {
  it('labels members by name, with the email when two share it, and marks inactive ones', () => {
    const options = memberOptions([
      member('u1', 'Ann Lee', 'ann@a.test'),
      member('u2', 'Ann Lee', 'ann@b.test'),
      member('u3', 'Bob Stone'),
      member('u4', 'Cy Gone', 'cy@c.test', false),
    ]);
    expect(options).toEqual([
      { value: 'u1', label: 'Ann Lee (ann@a.test)' },
      { value: 'u2', label: 'Ann Lee (ann@b.test)' },
      { value: 'u3', label: 'Bob Stone' },
      { value: 'u4', label: 'Cy Gone — inactive' },
    ]);
  });
});
