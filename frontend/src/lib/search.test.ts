import { describe, expect, it } from 'vitest';

import { companyHit, contactHit, dealHit, groupHits, isTyping, moveActive, opensSearch, recordPath, searchableSources } from './search';

describe('global search', () => {
  it('searches only what the user may read', () => {
    expect(searchableSources(['contacts:read', 'deals:read']).map((s) => s.kind)).toEqual(['contact', 'deal']);
    expect(searchableSources(['companies:write', 'users:read'])).toEqual([]);
    expect(searchableSources(['deals:read', 'companies:read', 'contacts:read']).map((s) => s.kind)).toEqual(['company', 'contact', 'deal']);
  });

  it('turns records into hits that find them again', () => {
    expect(companyHit({ id: 'c1', name: 'Globex', domain: 'globex.test' })).toEqual({ kind: 'company', id: 'c1', title: 'Globex', detail: 'globex.test', find: 'Globex' });
    expect(contactHit({ id: 'p1', first_name: 'Ann', last_name: 'Lee', email: 'ann@globex.test' })).toMatchObject({ title: 'Ann Lee', find: 'ann@globex.test' });
    expect(contactHit({ id: 'p2', first_name: 'Una', last_name: null, email: null })).toMatchObject({ title: 'Una', find: 'Una', detail: undefined });
    expect(dealHit({ id: 'd1', name: 'Acme renewal' }, '€1,500.50')).toEqual({ kind: 'deal', id: 'd1', title: 'Acme renewal', detail: '€1,500.50', find: 'Acme renewal' });
  });

  it('builds the path of a record: its detail page', () => {
    expect(recordPath('company', 'c1')).toBe('/companies/c1');
    expect(recordPath('contact', 'p1')).toBe('/contacts/p1');
    expect(recordPath('deal', 'd-1')).toBe('/deals/d-1');
    expect(recordPath('deal', 'a/b?c')).toBe('/deals/a%2Fb%3Fc');
  });

  it('groups hits by resource in a fixed order, numbering them for the keyboard', () => {
    const hits = [dealHit({ id: 'd1', name: 'Deal' }), companyHit({ id: 'c1', name: 'A' }), companyHit({ id: 'c2', name: 'B' }), dealHit({ id: 'd2', name: 'Deal 2' })];
    const { groups, flat } = groupHits(hits);
    expect(groups.map((g) => [g.label, g.hits.map((h) => [h.hit.id, h.index])])).toEqual([
      ['Companies', [['c1', 0], ['c2', 1]]],
      ['Deals', [['d1', 2], ['d2', 3]]],
    ]);
    expect(flat.map((h) => h.id)).toEqual(['c1', 'c2', 'd1', 'd2']);
    expect(groupHits([])).toEqual({ groups: [], flat: [] });
  });

  it('moves the active hit with the arrow keys, wrapping around', () => {
    expect(moveActive(-1, 'ArrowDown', 3)).toBe(0);
    expect(moveActive(-1, 'ArrowUp', 3)).toBe(2);
    expect(moveActive(0, 'ArrowDown', 3)).toBe(1);
    expect(moveActive(2, 'ArrowDown', 3)).toBe(0);
    expect(moveActive(0, 'ArrowUp', 3)).toBe(2);
    expect(moveActive(5, 'ArrowDown', 3)).toBe(0);
    expect(moveActive(0, 'ArrowDown', 0)).toBe(-1);
  });

  it('opens on Ctrl+K or Cmd+K anywhere, on "/" only when not typing', () => {
    const input = document.createElement('input');
    const div = document.createElement('div');
    const key = (k: string, mods: Partial<{ ctrlKey: boolean; metaKey: boolean; altKey: boolean }> = {}, target: EventTarget | null = div) => ({
      key: k,
      ctrlKey: false,
      metaKey: false,
      altKey: false,
      target,
      ...mods,
    });
    expect(opensSearch(key('k', { ctrlKey: true }))).toBe(true);
    expect(opensSearch(key('K', { metaKey: true }, input))).toBe(true);
    expect(opensSearch(key('k'))).toBe(false);
    expect(opensSearch(key('k', { ctrlKey: true, altKey: true }))).toBe(false);
    expect(opensSearch(key('/'))).toBe(true);
    expect(opensSearch(key('/', {}, input))).toBe(false);
    expect(opensSearch(key('/', {}, document.createElement('textarea')))).toBe(false);
    expect(isTyping(null)).toBe(false);
    expect(isTyping(div)).toBe(false);
  });
});
