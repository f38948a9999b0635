import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { applyMove, rollbackMove } from '../board';
import type { Move } from '../board';

export type Deal = Schemas['Deal'];
export type Pipeline = Schemas['Pipeline'];
export type Stage = Schemas['Stage'];
/** The body of a create. */
export type DealInput = Schemas['DealCreate'];
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
 * The deals of a pipeline for the board. One page of 200 is enough for now:
 * the board does not follow `next_cursor` yet.
 */
export function useBoardDeals(pipelineId: string | undefined) {
  return useQuery({
    queryKey: dealsKey(pipelineId),
    enabled: pipelineId !== undefined,
    queryFn: async () => unwrap(await api.GET('/api/deals', { params: { query: { pipeline_id: pipelineId, limit: 200 } } })),
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
