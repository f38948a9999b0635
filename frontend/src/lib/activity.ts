// Notes, tasks and timelines of records: the API calls shared by the detail
// pages of companies, contacts and deals and by the dashboard's "My tasks".
import { useInfiniteQuery, useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from './api/client';
import type { Schemas } from './api/client';
import type { SearchKind } from './search';

export type Note = Schemas['Note'];
export type Task = Schemas['Task'];
export type TaskCreate = Schemas['TaskCreate'];
export type TaskUpdate = Schemas['TaskUpdate'];

/** The record notes and tasks hang on. */
export type RecordRef = { kind: SearchKind; id: string };

/** The query parameter (and body field) naming a record: `{deal_id: id}`. */
export function recordLink(record: RecordRef): { company_id?: string; contact_id?: string; deal_id?: string } {
  return { [`${record.kind}_id`]: record.id };
}

/** After a note or task changes: the lists and timelines showing it. */
function useRefreshActivity() {
  const queryClient = useQueryClient();
  return () =>
    Promise.all([
      queryClient.invalidateQueries({ queryKey: ['notes'] }),
      queryClient.invalidateQueries({ queryKey: ['tasks'] }),
      queryClient.invalidateQueries({ queryKey: ['timeline'] }),
    ]);
}

/** The notes on a record, newest first (the first 200). */
export function useNotes(record: RecordRef, enabled = true) {
  return useQuery({
    queryKey: ['notes', record.kind, record.id],
    enabled,
    queryFn: async () => unwrap(await api.GET('/api/notes', { params: { query: { ...recordLink(record), limit: 200 } } })),
  });
}

export function useAddNote(record: RecordRef) {
  const refresh = useRefreshActivity();
  return useMutation({
    mutationFn: async (body: string) => unwrap(await api.POST('/api/notes', { body: { body, ...recordLink(record) } })),
    onSuccess: refresh,
  });
}

/** Rewrites a note's text (its author, with notes:write). */
export function useUpdateNote() {
  const refresh = useRefreshActivity();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: string }) => unwrap(await api.PATCH('/api/notes/{id}', { params: { path: { id } }, body: { body } })),
    onSuccess: refresh,
  });
}

export function useDeleteNote() {
  const refresh = useRefreshActivity();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/notes/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
}

export type TaskFilter = { record?: RecordRef; owner?: Schemas['OwnerFilter']; done?: boolean };

/** Tasks (the first 200): of a record, or the caller's (`owner: 'me'`), open or done. */
export function useTasks(filter: TaskFilter, enabled = true) {
  return useQuery({
    queryKey: ['tasks', filter.record?.kind, filter.record?.id, filter.owner, filter.done],
    enabled,
    queryFn: async () =>
      unwrap(
        await api.GET('/api/tasks', {
          params: { query: { ...(filter.record ? recordLink(filter.record) : {}), owner: filter.owner, done: filter.done, limit: 200 } },
        }),
      ),
  });
}

export function useAddTask() {
  const refresh = useRefreshActivity();
  return useMutation({
    mutationFn: async (body: TaskCreate) => unwrap(await api.POST('/api/tasks', { body })),
    onSuccess: refresh,
  });
}

/** Changes a task (`{done: true}` completes it), showing the change at once in the cached lists. */
export function useUpdateTask() {
  const queryClient = useQueryClient();
  const refresh = useRefreshActivity();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: TaskUpdate }) => unwrap(await api.PATCH('/api/tasks/{id}', { params: { path: { id } }, body })),
    onMutate: async ({ id, body }) => {
      const apply = () =>
        queryClient.setQueriesData<Schemas['Paged_for_Task']>({ queryKey: ['tasks'] }, (page) =>
          page && { ...page, items: page.items.map((t) => (t.id === id ? { ...t, ...withoutNulls(body) } : t)) },
        );
      // At once (a checkbox shows its new state on the click), and again once a refetch in flight is cancelled.
      apply();
      await queryClient.cancelQueries({ queryKey: ['tasks'] });
      apply();
    },
    onSettled: refresh,
  });
}

export function useDeleteTask() {
  const refresh = useRefreshActivity();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/tasks/{id}', { params: { path: { id } } })),
    onSuccess: refresh,
  });
}

function withoutNulls(body: TaskUpdate): Partial<Task> {
  const out: Partial<Task> = {};
  if (body.done != null) out.done = body.done;
  if (body.title != null) out.title = body.title;
  if (body.due_date !== undefined) out.due_date = body.due_date;
  return out;
}

/** A record's timeline, newest first, page by page ("Load more" follows `next_cursor`). */
export function useTimeline(record: RecordRef) {
  return useInfiniteQuery({
    queryKey: ['timeline', record.kind, record.id],
    initialPageParam: undefined as string | undefined,
    getNextPageParam: (page: Schemas['Paged_for_TimelineItem']) => page.next_cursor ?? undefined,
    queryFn: async ({ pageParam }) => {
      const params = { params: { path: { id: record.id }, query: { cursor: pageParam, limit: 20 } } };
      switch (record.kind) {
        case 'company':
          return unwrap(await api.GET('/api/companies/{id}/timeline', params));
        case 'contact':
          return unwrap(await api.GET('/api/contacts/{id}/timeline', params));
        case 'deal':
          return unwrap(await api.GET('/api/deals/{id}/timeline', params));
      }
    },
  });
}

const ONE_PATH = { company: 'companies', contact: 'contacts', deal: 'deals' } as const;

/**
 * The names of records (tasks carry only their record's id), one read each,
 * shared with the detail pages' cache; a record the caller may not read
 * stays unnamed.
 */
export function useRecordNames(records: readonly RecordRef[], readable: (kind: SearchKind) => boolean): Map<string, string> {
  const unique = [...new Map(records.map((r) => [`${r.kind}:${r.id}`, r])).values()];
  const results = useQueries({
    queries: unique.map((r) => ({
      queryKey: [ONE_PATH[r.kind], 'one', r.id],
      enabled: readable(r.kind),
      retry: false,
      staleTime: 60_000,
      queryFn: async (): Promise<{ id: string; name?: string; first_name?: string; last_name?: string | null }> => {
        const params = { params: { path: { id: r.id } } };
        if (r.kind === 'company') return unwrap(await api.GET('/api/companies/{id}', params));
        if (r.kind === 'contact') return unwrap(await api.GET('/api/contacts/{id}', params));
        return unwrap(await api.GET('/api/deals/{id}', params));
      },
    })),
  });
  const names = new Map<string, string>();
  results.forEach((q, i) => {
    const d = q.data;
    if (d) names.set(unique[i].id, d.name ?? [d.first_name, d.last_name].filter(Boolean).join(' '));
  });
  return names;
}
