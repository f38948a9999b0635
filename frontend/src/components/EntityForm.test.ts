import { describe, expect, it } from 'vitest';

import { changedFields, optional } from './EntityForm';

describe('changedFields', () => {
  const shown = { first_name: 'Ann', last_name: null, email: null, phone: null, company_id: 'c1' };

  it('sends only what the form changed', () => {
    const body = { first_name: 'Anne', last_name: null, email: 'ann@example.test', phone: null, company_id: 'c1' };
    expect(changedFields(shown, body)).toEqual({ first_name: 'Anne', email: 'ann@example.test' });
  });

  it('leaves a field answered null (hidden from the caller) alone when the input stays empty', () => {
    const body = { first_name: 'Ann', last_name: optional(''), email: optional(undefined), phone: optional('  '), company_id: 'c1' };
    expect(changedFields(shown, body)).toEqual({});
  });

  it('clears a field the form emptied', () => {
    const body = { first_name: 'Ann', last_name: null, email: null, phone: null, company_id: null };
    expect(changedFields(shown, body)).toEqual({ company_id: null });
  });
});
