// The dashboard's pipeline summary, pure: per stage of a pipeline, its deals'
// count and exact totals per currency (lib/money: decimal strings, no floats).
import { totalsByCurrency } from '../../lib/money';

type StageLike = { id: string; name: string; kind: string };
type DealLike = { stage_id: string; amount?: string | null; currency?: string | null };

export type StageSummary<S extends StageLike = StageLike> = { stage: S; count: number; totals: { currency: string; total: string }[] };

/** A summary per stage, in the pipeline's order; deals of other stages are left out. */
export function stageSummaries<S extends StageLike>(stages: readonly S[], deals: readonly DealLike[]): StageSummary<S>[] {
  return stages.map((stage) => {
    const own = deals.filter((d) => d.stage_id === stage.id);
    return { stage, count: own.length, totals: totalsByCurrency(own) };
  });
}

/** The open deals' totals per currency (won and lost stages left out): the pipeline's value still in play. */
export function openTotals(summaries: readonly StageSummary[]): { currency: string; total: string }[] {
  const open = summaries.filter((s) => s.stage.kind !== 'won' && s.stage.kind !== 'lost');
  return totalsByCurrency(open.flatMap((s) => s.totals.map((t) => ({ amount: t.total, currency: t.currency }))));
}
