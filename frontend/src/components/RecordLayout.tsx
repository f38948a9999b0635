import { Grid, Stack } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';

import type { RecordRef } from '../lib/activity';
import type { Schemas } from '../lib/api/client';
import type { ValueResolver } from '../lib/changes';
import { formatMoney } from '../lib/money';
import { usePipelineNames } from '../lib/pipelines';
import { recordPath } from '../lib/search';
import { NotesPanel } from './NotesPanel';
import { RelatedSection } from './RecordDetail';
import { TasksPanel } from './TasksPanel';
import { TimelinePanel } from './TimelinePanel';

/**
 * The body of a detail page: the record's own sections (`children`) over its
 * timeline on the left, its tasks and notes on the right.
 */
export function RecordLayout({ record, resolve, children }: { record: RecordRef; resolve?: ValueResolver; children: ReactNode }) {
  return (
    <Grid gutter="md">
      <Grid.Col span={{ base: 12, md: 7 }}>
        <Stack gap="md">
          {children}
          <TimelinePanel record={record} resolve={resolve} />
        </Stack>
      </Grid.Col>
      <Grid.Col span={{ base: 12, md: 5 }}>
        <Stack gap="md">
          <TasksPanel record={record} />
          <NotesPanel record={record} />
        </Stack>
      </Grid.Col>
    </Grid>
  );
}

/** A record's deals, each with its stage and amount. */
export function RelatedDealsSection({ testId, query, empty }: { testId: string; query: UseQueryResult<Schemas['Paged_for_Deal'], Error>; empty: string }) {
  const names = usePipelineNames(true);
  return (
    <RelatedSection
      title="Deals"
      testId={testId}
      query={query}
      empty={empty}
      toItem={(d) => ({
        id: d.id,
        to: recordPath('deal', d.id),
        label: d.name,
        detail: [names.data?.stages.get(d.stage_id), d.amount != null && d.currency ? formatMoney(d.amount, d.currency) : null].filter(Boolean).join(' · '),
      })}
    />
  );
}
