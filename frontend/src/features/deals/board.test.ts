import { describe, expect, it } from 'vitest';

import type { Deal } from './api/deals';
import { applyMove, dealsByStage, fetchAllPages, mergePages, pickPipeline, rollbackMove } from './board';

const deal = (id: string, stage_id: string): Deal => ({
  id,
  name: `Deal ${id}`,
  amount: null,
  currency: null,
  pipeline_id: 'p1',
  stage_id,
  company_id: null,
  owner_id: null,
  expected_close_date: null,
  stage_entered_at: '2026-01-01T00:00:00Z',
  contact_ids: [],
  created_at: '2026-01-01T00:00:00Z',
  updated_at: '2026-01-01T00:00:00Z',
});

const page = { items: [deal('a', 'lead'), deal('b', 'lead'), deal('c', 'won')], next_cursor: null };

describe('optimistic moves', () => {
  it('applies a move to the one deal, without touching the page it came from', () => {
    const moved = applyMove(page, { dealId: 'a', from: 'lead', to: 'won' });
    expect(moved.items.map((d) => d.stage_id)).toEqual(['won', 'lead', 'won']);
    expect(page.items[0].stage_id).toBe('lead');
    expect(moved.next_cursor).toBeNull();
  });

  it('rolls a refused move back to where the deal was', () => {
    const move = { dealId: 'a', from: 'lead', to: 'won' };
    const back = rollbackMove(applyMove(page, move), move);
    expect(back.items).toEqual(page.items);
  });

  it('keeps a later move when an earlier one is rolled back', () => {
    const first = { dealId: 'a', from: 'lead', to: 'won' };
    const second = { dealId: 'a', from: 'won', to: 'lost' };
    const back = rollbackMove(applyMove(applyMove(page, first), second), first);
    expect(back.items[0].stage_id).toBe('lost');
  });

  it('groups deals by stage in page order', () => {
    const byStage = dealsByStage(page.items);
    expect(byStage.get('lead')?.map((d) => d.id)).toEqual(['a', 'b']);
    expect(byStage.get('won')?.map((d) => d.id)).toEqual(['c']);
    expect(byStage.get('lost')).toBeUndefined();
  });
});

describe('all the deals of a pipeline', () => {
  it('merges pages in order, each deal once, with the last cursor', () => {
    const merged = mergePages([
      { items: [deal('a', 'lead'), deal('b', 'lead')], next_cursor: 'c1' },
      { items: [deal('b', 'won'), deal('c', 'won')], next_cursor: 'c2' },
      { items: [deal('d', 'lost')], next_cursor: null },
    ]);
    expect(merged.items.map((d) => d.id)).toEqual(['a', 'b', 'c', 'd']);
    // The first sighting stands.
    expect(merged.items[1].stage_id).toBe('lead');
    expect(merged.next_cursor).toBeNull();
  });

  it('merges nothing into an empty, complete page', () => {
    expect(mergePages([])).toEqual({ items: [], next_cursor: null });
    expect(mergePages([{ items: [] }])).toEqual({ items: [], next_cursor: null });
  });

  it('follows next_cursor to the last page', async () => {
    const pages: Record<string, { items: Deal[]; next_cursor: string | null }> = {
      first: { items: [deal('a', 'lead')], next_cursor: 'p2' },
      p2: { items: [deal('b', 'lead')], next_cursor: 'p3' },
      p3: { items: [deal('c', 'won')], next_cursor: null },
    };
    const asked: (string | undefined)[] = [];
    const all = await fetchAllPages(async (cursor) => {
      asked.push(cursor);
      return pages[cursor ?? 'first'];
    });
    expect(asked).toEqual([undefined, 'p2', 'p3']);
    expect(all.items.map((d) => d.id)).toEqual(['a', 'b', 'c']);
    expect(all.next_cursor).toBeNull();
  });

  it('stops after the most pages it may read, keeping the cursor of what is left', async () => {
    let n = 0;
    const all = await fetchAllPages(async () => ({ items: [deal(`d${n}`, 'lead')], next_cursor: `after-${n++}` }), 3);
    expect(all.items).toHaveLength(3);
    expect(all.next_cursor).toBe('after-2');
  });

  it('keeps optimistic moves and rollbacks working on the merged page', () => {
    const merged = mergePages([{ items: [deal('a', 'lead')], next_cursor: 'x' }, { items: [deal('z', 'lead')], next_cursor: null }]);
    const move = { dealId: 'z', from: 'lead', to: 'won' };
    expect(applyMove(merged, move).items[1].stage_id).toBe('won');
    expect(rollbackMove(applyMove(merged, move), move)).toEqual(merged);
  });

  it('picks the pipeline in the URL, else the first', () => {
    const pipelines = [{ id: 'p1' }, { id: 'p2' }];
    expect(pickPipeline(pipelines, 'p2')?.id).toBe('p2');
    expect(pickPipeline(pipelines, null)?.id).toBe('p1');
    expect(pickPipeline(pipelines, 'gone')?.id).toBe('p1');
    expect(pickPipeline([], 'p2')).toBeUndefined();
  });
});
