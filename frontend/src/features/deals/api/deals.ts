import { useMutation, useQueries, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { retryUnlessFinal } from '../../../lib/records';
import { applyMove, fetchAllPages, rollbackMove } from '../board';
import type { Move } from '../board';

export type Deal = Schemas['Deal'];
export type Pipeline = Schemas['Pipeline'];
export type Stage = Schemas['Stage'];
/** The body of a create. */
export type DealInput = Schemas['DealCreate'];
/** The body of an edit: only the fields given change. */
export type DealPatch = Schemas['DealUpdate'];
type DealPage = Schemas['Paged_for_Deal'];

/** The tenant's pipelines, each with its stages in order (any member reads them). */
export function usePipelines() {
  return useQuery({
    queryKey: ['pipelines'],
    queryFn: async () => unwrap(await api.GET('/api/pipelines')),
  });
}

const dealsKey = (pipelineId: string | undefined) => ['deals', 'board', pipelineId] as const;

/**
 * All the deals of a pipeline for the board, page after page of 200 (up to
 * `MAX_BOARD_PAGES`), merged into one page in the cache so that a move
 * changes (and rolls back) one list.
 */
export function useBoardDeals(pipelineId: string | undefined) {
  return useQuery({
    queryKey: dealsKey(pipelineId),
    enabled: pipelineId !== undefined,
    queryFn: async (): Promise<DealPage> =>
      fetchAllPages(async (cursor) => unwrap(await api.GET('/api/deals', { params: { query: { pipeline_id: pipelineId, cursor, limit: 200 } } }))),
  });
}

export function useCreateDeal() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (body: DealInput) => unwrap(await api.POST('/api/deals', { body })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['deals'] }),
  });
}

/**
 * Moves a deal to another stage, optimistically: the cached board changes at
 * once, the PATCH follows, and a refused move is rolled back (the caller
 * tells the user, from the mutation's error).
 */
export function useMoveDeal(pipelineId: string | undefined) {
  const queryClient = useQueryClient();
  const key = dealsKey(pipelineId);
  return useMutation({
    mutationFn: async (move: Move) =>
      unwrap(await api.PATCH('/api/deals/{id}', { params: { path: { id: move.dealId } }, body: { stage_id: move.to } })),
    onMutate: async (move: Move) => {
      await queryClient.cancelQueries({ queryKey: key });
      queryClient.setQueryData<DealPage>(key, (page) => page && applyMove(page, move));
    },
    onError: (_error, move) => {
      queryClient.setQueryData<DealPage>(key, (page) => page && rollbackMove(page, move));
    },
    onSettled: () => queryClient.invalidateQueries({ queryKey: ['deals'] }),
  });
}

/** One deal (404 when it is not there or not for the caller). */
export function useDeal(id: string) {
  return useQuery({
    queryKey: ['deals', 'one', id],
    queryFn: async () => unwrap(await api.GET('/api/deals/{id}', { params: { path: { id } } })),
    retry: retryUnlessFinal,
  });
}

/** Edits a deal (a move is `{stage_id}`); the board, the deal and its timeline follow. */
export function useSaveDeal() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id: string; body: DealPatch }) => unwrap(await api.PATCH('/api/deals/{id}', { params: { path: { id } }, body })),
    onSuccess: (deal) => {
      queryClient.setQueryData(['deals', 'one', deal.id], deal);
      return Promise.all([queryClient.invalidateQueries({ queryKey: ['deals'] }), queryClient.invalidateQueries({ queryKey: ['timeline'] })]);
    },
  });
}

export function useDeleteDeal() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/deals/{id}', { params: { path: { id } } })),
    onSuccess: () => queryClient.invalidateQueries({ queryKey: ['deals'] }),
  });
}

/** The contacts of a deal, one read each (a deal has at most 100); one not shared with the caller fails alone. */
export function useDealContacts(ids: readonly string[], enabled: boolean) {
  return useQueries({
    queries: ids.map((id) => ({
      queryKey: ['contacts', 'one', id],
      enabled,
      queryFn: async () => unwrap(await api.GET('/api/contacts/{id}', { params: { path: { id } } })),
      retry: false,
    })),
  });
}

