import { Anchor, Button, Group, Paper, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import type { UseQueryResult } from '@tanstack/react-query';
import type { ReactNode } from 'react';
import { Link, useNavigate } from 'react-router-dom';

import { ApiError } from '../lib/api/client';
import { recordPath } from '../lib/search';
import { QueryState } from './QueryState';

type Back = { to: string; label: string };

/** Whether a record's read failed because there is no such record (or not for this caller, or not an id). */
export function isNotFound(error: Error | null): boolean {
  return error instanceof ApiError && (error.status === 404 || error.status === 400);
}

/**
 * A detail page's frame: the record's read, "not found" for a 404 (or 400),
 * loading and error states, and the record itself once it is there.
 */
export function RecordPage<T>({ query, what, back, children }: { query: UseQueryResult<T, Error>; what: string; back: Back; children: (record: T) => ReactNode }) {
  if (isNotFound(query.error)) return <RecordNotFound what={what} back={back} />;
  return (
    <QueryState isPending={query.isPending} error={query.error} retry={() => query.refetch()}>
      {query.data !== undefined && children(query.data)}
    </QueryState>
  );
}

/** What a delete mutation offers the page: its state, and the call. */
type Remove = { isPending: boolean; mutate: (id: string, options: { onSuccess: () => void }) => void };

/** Edit and Delete of a detail page's head (each when allowed); a confirmed delete goes back to the list. */
export function RecordActions({
  id,
  name,
  mayEdit,
  mayDelete,
  onEdit,
  remove,
  listPath,
}: {
  id: string;
  name: string;
  mayEdit: boolean;
  mayDelete: boolean;
  onEdit: () => void;
  remove: Remove;
  listPath: string;
}) {
  const navigate = useNavigate();
  return (
    <>
      {mayEdit && (
        <Button variant="light" onClick={onEdit}>
          Edit
        </Button>
      )}
      {mayDelete && (
        <Button
          variant="light"
          color="red"
          loading={remove.isPending}
          onClick={() => window.confirm(`Delete ${name}?`) && remove.mutate(id, { onSuccess: () => navigate(listPath) })}
        >
          Delete
        </Button>
      )}
    </>
  );
}

/** A record's company as a link, or why it cannot be named. */
export function CompanyLink({ companyId, company }: { companyId: string; company: { data?: { name: string }; isLoading: boolean } }) {
  if (company.data) {
    return (
      <Anchor component={Link} to={recordPath('company', companyId)} size="sm">
        {company.data.name}
      </Anchor>
    );
  }
  return company.isLoading ? '…' : 'A company not shared with you';
}

/** A detail page's head: the way back to its list, the record's name, and its actions. */
export function DetailHeader({ back, title, subtitle, children }: { back: Back; title: string; subtitle?: ReactNode; children?: ReactNode }) {
  return (
    <Stack gap={4} mb="md">
      <Anchor component={Link} to={back.to} size="sm" w="fit-content">
        ← {back.label}
      </Anchor>
      <Group justify="space-between" align="flex-start" wrap="wrap">
        <div style={{ minWidth: 0 }}>
          <Title order={2} style={{ wordBreak: 'break-word' }} data-testid="record-title">
            {title}
          </Title>
          {subtitle && (
            <Text c="dimmed" size="sm">
              {subtitle}
            </Text>
          )}
        </div>
        {children && <Group gap="xs">{children}</Group>}
      </Group>
    </Stack>
  );
}

/** A titled block of a detail page. */
export function Section({ title, action, children, testId }: { title: string; action?: ReactNode; children: ReactNode; testId?: string }) {
  return (
    <Paper withBorder radius="md" p="md" component="section" aria-label={title} data-testid={testId}>
      <Group justify="space-between" mb="sm" wrap="nowrap">
        <Title order={4}>{title}</Title>
        {action}
      </Group>
      {children}
    </Paper>
  );
}

/** A record's fields as label / value pairs; an empty value reads "—". */
export function FieldGrid({ fields }: { fields: { label: string; value: ReactNode }[] }) {
  return (
    <SimpleGrid cols={{ base: 1, xs: 2 }} spacing="sm" verticalSpacing="xs" component="dl" m={0} data-testid="record-fields">
      {fields.map((f) => (
        <div key={f.label}>
          <Text component="dt" size="xs" c="dimmed" tt="uppercase" fw={600}>
            {f.label}
          </Text>
          <Text component="dd" m={0} size="sm" style={{ wordBreak: 'break-word' }}>
            {f.value === null || f.value === undefined || f.value === '' ? '—' : f.value}
          </Text>
        </div>
      ))}
    </SimpleGrid>
  );
}

/** What a detail page shows for a record that is not there (deleted, another tenant's, out of scope). */
export function RecordNotFound({ what, back }: { what: string; back: Back }) {
  return (
    <Stack align="center" py="xl" data-testid="record-not-found">
      <Title order={2}>{what} not found</Title>
      <Text c="dimmed" ta="center" maw={460}>
        This {what.toLowerCase()} does not exist any more, or it is not shared with you.
      </Text>
      <Button component={Link} to={back.to}>
        {back.label}
      </Button>
    </Stack>
  );
}

export type RelatedItem = { id: string; to: string; label: string; detail?: ReactNode };

/**
 * A section listing the records of a related read (the first page): its
 * count in the title (`12+` when there are more), loading and error states.
 */
export function RelatedSection<T>({
  title,
  testId,
  query,
  empty,
  toItem,
}: {
  title: string;
  testId: string;
  query: UseQueryResult<{ items: T[]; next_cursor?: string | null }, Error>;
  empty: string;
  toItem: (record: T) => RelatedItem;
}) {
  const page = query.data;
  return (
    <Section title={page ? `${title} (${page.items.length}${page.next_cursor ? '+' : ''})` : title} testId={testId}>
      <QueryState isPending={query.isPending} error={query.error} retry={() => query.refetch()}>
        <RelatedList empty={empty} items={(page?.items ?? []).map(toItem)} />
      </QueryState>
    </Section>
  );
}

/** A list of links to related records, or a quiet line when there are none. */
export function RelatedList({ items, empty, testId }: { items: RelatedItem[]; empty: string; testId?: string }) {
  if (items.length === 0) {
    return (
      <Text size="sm" c="dimmed" data-testid={testId}>
        {empty}
      </Text>
    );
  }
  return (
    <Stack gap={6} component="ul" m={0} p={0} style={{ listStyle: 'none' }} data-testid={testId}>
      {items.map((item) => (
        <Group key={item.id} component="li" justify="space-between" wrap="nowrap" gap="xs">
          <Anchor component={Link} to={item.to} size="sm" truncate>
            {item.label}
          </Anchor>
          {item.detail && (
            <Text size="sm" c="dimmed" style={{ flexShrink: 0 }}>
              {item.detail}
            </Text>
          )}
        </Group>
      ))}
    </Stack>
  );
}
