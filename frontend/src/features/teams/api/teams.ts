import { keepPreviousData, useMutation, useQuery, useQueryClient } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';

export type Team = Schemas['Team'];
export type TeamInput = Schemas['TeamCreate'];

export function useTeams(cursor?: string) {
  return useQuery({
    queryKey: ['teams', cursor],
    queryFn: async () => unwrap(await api.GET('/api/teams', { params: { query: { cursor, limit: 50 } } })),
    placeholderData: keepPreviousData,
  });
}

/** Teams decide what "My team" lists: those lists are stale after a change too. */
const TEAM_DEPENDENT = [['teams'], ['contacts'], ['companies']];

/** Creates a team, or (with an id) renames it and replaces its members. */
export function useSaveTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async ({ id, body }: { id?: string; body: TeamInput }) =>
      id
        ? unwrap(await api.PATCH('/api/teams/{id}', { params: { path: { id } }, body }))
        : unwrap(await api.POST('/api/teams', { body })),
    onSuccess: () => Promise.all(TEAM_DEPENDENT.map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}

export function useDeleteTeam() {
  const queryClient = useQueryClient();
  return useMutation({
    mutationFn: async (id: string) => unwrap(await api.DELETE('/api/teams/{id}', { params: { path: { id } } })),
    onSuccess: () => Promise.all(TEAM_DEPENDENT.map((queryKey) => queryClient.invalidateQueries({ queryKey }))),
  });
}
