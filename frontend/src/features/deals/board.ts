// The board's state changes, pure: a move is applied to the cached page at
// once (optimistic) and rolled back if the API refuses it.
import type { Deal } from './api/deals';

export type Move = { dealId: string; from: string; to: string };

type Page = { items: Deal[]; next_cursor?: string | null };

/** The page with the deal in stage `to`. */
export function applyMove<P extends Page>(page: P, move: Move): P {
  return { ...page, items: page.items.map((d) => (d.id === move.dealId ? { ...d, stage_id: move.to } : d)) };
}

/**
 * The page with the move undone: the deal goes back to `from`, unless it has
 * been moved on since (then the later move stands).
 */
export function rollbackMove<P extends Page>(page: P, move: Move): P {
  return {
    ...page,
    items: page.items.map((d) => (d.id === move.dealId && d.stage_id === move.to ? { ...d, stage_id: move.from } : d)),
  };
}

/** Deals grouped by stage id, in the order of the page. */
export function dealsByStage(deals: readonly Deal[]): Map<string, Deal[]> {
  const out = new Map<string, Deal[]>();
  for (const d of deals) out.set(d.stage_id, [...(out.get(d.stage_id) ?? []), d]);
  return out;
}
