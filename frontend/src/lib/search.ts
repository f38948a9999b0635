// Global search, the pure part: which resources a user may search, how the
// answers of the three list endpoints become one grouped, numbered list of
// hits, the keyboard's moves through it, and where a hit leads.

import type { Permission } from './authorization';

export type SearchKind = 'company' | 'contact' | 'deal';

export type SearchSource = { kind: SearchKind; label: string; permission: Permission; listPath: string };

/** The searched resources, in the order their groups are shown. */
export const SEARCH_SOURCES: readonly SearchSource[] = [
  { kind: 'company', label: 'Companies', permission: 'companies:read', listPath: '/companies' },
  { kind: 'contact', label: 'Contacts', permission: 'contacts:read', listPath: '/contacts' },
  { kind: 'deal', label: 'Deals', permission: 'deals:read', listPath: '/deals' },
];

/** How many hits each resource contributes. */
export const SEARCH_LIMIT = 5;

/** The resources the user may read, hence search. */
export function searchableSources(permissions: readonly Permission[]): SearchSource[] {
  return SEARCH_SOURCES.filter((s) => permissions.includes(s.permission));
}

/**
 * One hit: `title` and `detail` are shown, `find` is the text that finds the
 * record again on its list page (the API's `q` matches names, emails, domains).
 */
export type SearchHit = { kind: SearchKind; id: string; title: string; detail?: string; find: string };

type CompanyLike = { id: string; name: string; domain?: string | null };
type ContactLike = { id: string; first_name: string; last_name?: string | null; email?: string | null };
type DealLike = { id: string; name: string };

export function companyHit(c: CompanyLike): SearchHit {
  return { kind: 'company', id: c.id, title: c.name, detail: c.domain ?? undefined, find: c.name };
}

export function contactHit(c: ContactLike): SearchHit {
  const title = [c.first_name, c.last_name].filter(Boolean).join(' ');
  // The API matches first name, last name or email one at a time, never "first last".
  return { kind: 'contact', id: c.id, title, detail: c.email ?? undefined, find: c.email || c.first_name };
}

export function dealHit(d: DealLike, detail?: string): SearchHit {
  return { kind: 'deal', id: d.id, title: d.name, detail, find: d.name };
}

/** Where a record is shown: its detail page (`/companies/:id`, `/contacts/:id`, `/deals/:id`). */
export function recordPath(kind: SearchKind, id: string): string {
  const source = SEARCH_SOURCES.find((s) => s.kind === kind);
  return `${source?.listPath ?? ''}/${encodeURIComponent(id)}`;
}

export type SearchGroup = { kind: SearchKind; label: string; hits: { hit: SearchHit; index: number }[] };

/**
 * The hits grouped by resource, in the order of SEARCH_SOURCES, empty groups
 * left out; each hit carries its position in the flat list the arrow keys
 * walk through.
 */
export function groupHits(hits: readonly SearchHit[]): { groups: SearchGroup[]; flat: SearchHit[] } {
  const groups: SearchGroup[] = [];
  const flat: SearchHit[] = [];
  for (const source of SEARCH_SOURCES) {
    const own = hits.filter((h) => h.kind === source.kind);
    if (own.length === 0) continue;
    groups.push({ kind: source.kind, label: source.label, hits: own.map((hit) => ({ hit, index: flat.push(hit) - 1 })) });
  }
  return { groups, flat };
}

/** The active hit after an arrow key: down and up wrap around; nothing to pick gives -1. */
export function moveActive(active: number, key: 'ArrowDown' | 'ArrowUp', count: number): number {
  if (count <= 0) return -1;
  if (active < 0 || active >= count) return key === 'ArrowDown' ? 0 : count - 1;
  return key === 'ArrowDown' ? (active + 1) % count : (active - 1 + count) % count;
}

type KeyLike = { key: string; ctrlKey: boolean; metaKey: boolean; altKey: boolean; target: EventTarget | null };

/** Whether an element takes typed text (then "/" is a character, not a shortcut). */
export function isTyping(target: EventTarget | null): boolean {
  const el = target as (Partial<HTMLElement> & { tagName?: string }) | null;
  if (!el || typeof el.tagName !== 'string') return false;
  return ['INPUT', 'TEXTAREA', 'SELECT'].includes(el.tagName.toUpperCase()) || el.isContentEditable === true;
}

/** Whether a key press opens the search: Ctrl+K / Cmd+K anywhere, "/" when not typing. */
export function opensSearch(event: KeyLike): boolean {
  if (event.key.toLowerCase() === 'k' && (event.ctrlKey || event.metaKey) && !event.altKey) return true;
  return event.key === '/' && !event.ctrlKey && !event.metaKey && !event.altKey && !isTyping(event.target);
}
