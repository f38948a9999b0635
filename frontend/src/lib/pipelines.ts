// The tenant's pipelines (any member reads them), for the screens that show
// a deal's stage or pipeline by name rather than by id.
import { useQuery } from '@tanstack/react-query';

import { api, unwrap } from './api/client';

/** Stage and pipeline names by id. */
export function usePipelineNames(enabled = true) {
  return useQuery({
    queryKey: ['pipelines'],
    enabled,
    staleTime: 60_000,
    queryFn: async () => unwrap(await api.GET('/api/pipelines')),
    select: (list) => ({
      stages: new Map(list.items.flatMap((p) => p.stages.map((s) => [s.id, s.name] as const))),
      pipelines: new Map(list.items.map((p) => [p.id, p.name] as const)),
    }),
  });
}
