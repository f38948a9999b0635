import { Button, Group, Modal, ScrollArea, Table, Text } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link } from 'react-router-dom';

import { EmptyState } from '../../../components/EmptyState';
import { ForbiddenPage } from '../../../components/ErrorPages';
import { ErrorBanner, PageHeader } from '../../../components/PageHeader';
import { Pager, useCursorPager } from '../../../components/Pager';
import { QueryState } from '../../../components/QueryState';
import { can } from '../../../lib/authorization';
import { DATA_RESOURCES } from '../../../lib/download';
import { usePermissions } from '../../../lib/session';
import { revertImport, useImportErrors, useImports } from '../api/imports';
import type { Import } from '../types';
import { ImportStatusBadge, RowErrorsTable } from './ImportParts';
import { RESOURCE_LABELS } from './ImportPage';

const when = (t: string | null | undefined) => (t ? new Date(t).toLocaleString() : '—');

/** The user's imports, newest first: their counters, the refused rows, and a revert for a completed one. */
export function ImportsPage() {
  const permissions = usePermissions();
  const pager = useCursorPager();
  const imports = useImports(pager.cursor);
  const queryClient = useQueryClient();
  const [reverting, setReverting] = useState<string | null>(null);
  const [errorsOf, setErrorsOf] = useState<Import | null>(null);
  const [error, setError] = useState<string | null>(null);
  const mayImport = DATA_RESOURCES.some((r) => can(permissions, `${r}:write`));
  if (!mayImport) return <ForbiddenPage />;

  const revert = async (i: Import) => {
    if (!window.confirm(`Revert the import of ${i.file_name ?? 'this file'}? The records it created are deleted and the records it updated get their previous values back.`)) return;
    setReverting(i.id);
    setError(null);
    try {
      await revertImport(i.id);
    } catch (e) {
      setError(e instanceof Error ? e.message : String(e));
    } finally {
      setReverting(null);
      await Promise.all([queryClient.invalidateQueries({ queryKey: ['imports'] }), queryClient.invalidateQueries({ queryKey: [i.resource] })]);
    }
  };

  return (
    <>
      <PageHeader title="Imports">
        <Button component={Link} to="/import">
          New import
        </Button>
      </PageHeader>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <QueryState isPending={imports.isPending} error={imports.error} retry={() => imports.refetch()}>
        {imports.data?.items.length === 0 && pager.page === 1 ? (
          <EmptyState title="No imports yet">Import companies, contacts or deals from a CSV file with the Import button of their list.</EmptyState>
        ) : (
          <ScrollArea type="auto">
            <Table striped data-testid="imports-table">
              <Table.Thead>
                <Table.Tr>
                  <Table.Th>Started</Table.Th>
                  <Table.Th>Records</Table.Th>
                  <Table.Th>File</Table.Th>
                  <Table.Th>Mode</Table.Th>
                  <Table.Th>Status</Table.Th>
                  <Table.Th ta="right">Created</Table.Th>
                  <Table.Th ta="right">Updated</Table.Th>
                  <Table.Th ta="right">Refused</Table.Th>
                  <Table.Th />
                </Table.Tr>
              </Table.Thead>
              <Table.Tbody>
                {imports.data?.items.map((i) => (
                  <Table.Tr key={i.id} data-testid="import-row">
                    <Table.Td>{when(i.created_at)}</Table.Td>
                    <Table.Td>{RESOURCE_LABELS[i.resource] ?? i.resource}</Table.Td>
                    <Table.Td>{i.file_name ?? '—'}</Table.Td>
                    <Table.Td>{i.mode}</Table.Td>
                    <Table.Td>
                      <ImportStatusBadge status={i.status} />
                      {i.failure && (
                        <Text size="xs" c="red" title={i.failure} lineClamp={2}>
                          stopped: {i.failure}
                        </Text>
                      )}
                      {i.status === 'reverted' && i.rows_not_reverted > 0 && (
                        <Text size="xs" c="dimmed">
                          {i.rows_not_reverted} kept (changed since)
                        </Text>
                      )}
                    </Table.Td>
                    <Table.Td ta="right">{i.rows_created}</Table.Td>
                    <Table.Td ta="right">{i.rows_updated}</Table.Td>
                    <Table.Td ta="right">{i.rows_failed}</Table.Td>
                    <Table.Td>
                      <Group gap="xs" justify="flex-end" wrap="nowrap">
                        {i.rows_failed > 0 && (
                          <Button size="xs" variant="light" onClick={() => setErrorsOf(i)}>
                            Refused rows
                          </Button>
                        )}
                        {i.status === 'completed' && (
                          <Button size="xs" color="red" variant="light" loading={reverting === i.id} onClick={() => revert(i)}>
                            Revert
                          </Button>
                        )}
                      </Group>
                    </Table.Td>
                  </Table.Tr>
                ))}
              </Table.Tbody>
            </Table>
          </ScrollArea>
        )}
        {(pager.page > 1 || imports.data?.next_cursor) && <Pager pager={pager} nextCursor={imports.data?.next_cursor} />}
      </QueryState>
      <Modal opened={errorsOf !== null} onClose={() => setErrorsOf(null)} title={`Refused rows of ${errorsOf?.file_name ?? 'the import'}`} size="xl">
        {errorsOf && <ImportErrors id={errorsOf.id} />}
      </Modal>
    </>
  );
}

function ImportErrors({ id }: { id: string }) {
  const errors = useImportErrors(id, true);
  return (
    <QueryState isPending={errors.isPending} error={errors.error} retry={() => errors.refetch()}>
      <RowErrorsTable errors={errors.data?.items ?? []} />
    </QueryState>
  );
}
