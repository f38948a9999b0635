import { useQuery } from '@tanstack/react-query';

import { api, unwrap } from '../../../lib/api/client';

/**
 * The first pipeline (any member reads pipelines) and its deals, one page of
 * 200 like the board; `partial` when there are more.
 */
export function usePipelineSummary(enabled: boolean) {
  return useQuery({
    queryKey: ['deals', 'dashboard'],
    enabled,
    queryFn: async () => {
      const pipeline = unwrap(await api.GET('/api/pipelines')).items[0];
      if (!pipeline) return null;
      const page = unwrap(await api.GET('/api/deals', { params: { query: { pipeline_id: pipeline.id, limit: 200 } } }));
      return { pipeline, deals: page.items, partial: Boolean(page.next_cursor) };
    },
  });
}
