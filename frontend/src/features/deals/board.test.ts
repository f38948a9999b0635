import { describe, expect, it } from 'vitest';

import type { Deal } from './api/deals';
import { applyMove, dealsByStage, rollbackMove } from './board';

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
