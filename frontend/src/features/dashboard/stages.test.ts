import { describe, expect, it } from 'vitest';

import { openTotals, stageSummaries } from './stages';

const stages = [
  { id: 's1', name: 'Lead', kind: 'open' },
  { id: 's2', name: 'Won', kind: 'won' },
  { id: 's3', name: 'Lost', kind: 'lost' },
];
const deal = (stage_id: string, amount: string | null, currency: string | null) => ({ stage_id, amount, currency });

describe('pipeline summary', () => {
  it('counts and totals each stage exactly, per currency, in the pipeline order', () => {
    const summaries = stageSummaries(stages, [
      deal('s1', '0.10', 'EUR'),
      deal('s1', '0.20', 'EUR'),
      deal('s1', '99999999999999999.99', 'USD'),
      deal('s1', null, null),
      deal('s2', '1500.50', 'EUR'),
      deal('elsewhere', '1.00', 'EUR'),
    ]);
    expect(summaries.map((s) => [s.stage.name, s.count, s.totals])).toEqual([
      ['Lead', 4, [{ currency: 'EUR', total: '0.30' }, { currency: 'USD', total: '99999999999999999.99' }]],
      ['Won', 1, [{ currency: 'EUR', total: '1500.50' }]],
      ['Lost', 0, []],
    ]);
  });

  it('sums the open stages only', () => {
    const summaries = stageSummaries(stages, [deal('s1', '10.05', 'EUR'), deal('s2', '1500.50', 'EUR'), deal('s3', '7.00', 'USD')]);
    expect(openTotals(summaries)).toEqual([{ currency: 'EUR', total: '10.05' }]);
    expect(openTotals([])).toEqual([]);
  });
});
