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

/** Pages a board reads at most (of 200 deals each); past that, `next_cursor` says more exist. */
export const MAX_BOARD_PAGES = 50;

type Listing<T> = { items: T[]; next_cursor?: string | null };

/**
 * Pages of one listing, in the order read, as one page: each record once
 * (the first time it was seen — a record edited while the pages are read may
 * come again), and the last page's `next_cursor` (null once all is read).
 */
export function mergePages<T extends { id: string }>(pages: readonly Listing<T>[]): { items: T[]; next_cursor: string | null } {
  const seen = new Set<string>();
  const items: T[] = [];
  for (const page of pages) {
    for (const item of page.items) {
      if (seen.has(item.id)) continue;
      seen.add(item.id);
      items.push(item);
    }
  }
  return { items, next_cursor: pages.at(-1)?.next_cursor ?? null };
}

/** Every page of a listing, following `next_cursor` (at most `maxPages`), merged. */
export async function fetchAllPages<T extends { id: string }>(
  fetchPage: (cursor: string | undefined) => Promise<Listing<T>>,
  maxPages = MAX_BOARD_PAGES,
): Promise<{ items: T[]; next_cursor: string | null }> {
  const pages: Listing<T>[] = [];
  let cursor: string | undefined;
  do {
    const page = await fetchPage(cursor);
    pages.push(page);
    cursor = page.next_cursor ?? undefined;
  } while (cursor && pages.length < maxPages);
  return mergePages(pages);
}

/** The pipeline a board shows: the one named in the URL when it exists, else the first. */
export function pickPipeline<P extends { id: string }>(pipelines: readonly P[], wanted: string | null): P | undefined {
  return pipelines.find((p) => p.id === wanted) ?? pipelines[0];
}
