import { Anchor, Button, Group, Table, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';
import { Link } from 'react-router-dom';

import { ExportButtons, ImportButton } from '../../../components/DataButtons';
import { EmptyState } from '../../../components/EmptyState';
import { OwnerFilter, ownerPhrase } from '../../../components/OwnerFilter';
import type { Owner } from '../../../components/OwnerFilter';
import { ErrorBanner, PageHeader } from '../../../components/PageHeader';
import { Pager, useCursorPager } from '../../../components/Pager';
import { QueryState } from '../../../components/QueryState';
import { can } from '../../../lib/authorization';
import { recordPath } from '../../../lib/search';
import { usePermissions } from '../../../lib/session';
import { useUrlSearch } from '../../../lib/urlSearch';
import { useMemberName } from '../../../lib/users';
import { useCompanies, useDeleteCompany } from '../api/companies';
import type { Company } from '../api/companies';
import { CompanyFormModal } from './CompanyFormModal';

export function CompaniesPage() {
  const permissions = usePermissions();
  const pager = useCursorPager();
  const [search, setSearch] = useUrlSearch(pager.reset);
  const [q] = useDebouncedValue(search.trim(), 300);
  const [owner, setOwner] = useState<Owner>('all');
  const companies = useCompanies(q, owner, pager.cursor);
  const ownerName = useMemberName();
  const remove = useDeleteCompany();
  const [editing, setEditing] = useState<Company | 'new' | null>(null);
  const [exportError, setExportError] = useState<string | null>(null);

  return (
    <>
      <PageHeader title="Companies" action={can(permissions, 'companies:write') && { label: 'New company', onClick: () => setEditing('new') }}>
        {can(permissions, 'companies:write') && <ImportButton resource="companies" />}
        <ExportButtons resource="companies" filters={{ q, owner: owner === 'all' ? undefined : owner }} onError={setExportError} />
      </PageHeader>
      <ErrorBanner error={exportError} onClose={() => setExportError(null)} />
      <Group mb="sm" wrap="wrap">
        <TextInput
          style={{ flex: 1, minWidth: 200 }}
          placeholder="Search by name or domain"
          aria-label="Search companies"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            pager.reset();
          }}
        />
        <OwnerFilter
          value={owner}
          onChange={(v) => {
            setOwner(v);
            pager.reset();
          }}
        />
      </Group>
      <QueryState isPending={companies.isPending} error={companies.error} retry={() => companies.refetch()}>
        <Table striped highlightOnHover data-testid="companies-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Domain</Table.Th>
              <Table.Th>Industry</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {companies.data?.items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Anchor component={Link} to={recordPath('company', c.id)} size="sm" fw={500}>
                    {c.name}
                  </Anchor>
                </Table.Td>
                <Table.Td>{c.domain}</Table.Td>
                <Table.Td>{c.industry}</Table.Td>
                <Table.Td>{ownerName(c.owner_id)}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end">
                    {can(permissions, 'companies:write') && (
                      <Button size="xs" variant="light" onClick={() => setEditing(c)}>
                        Edit
                      </Button>
                    )}
                    {can(permissions, 'companies:delete') && (
                      <Button
                        size="xs"
                        color="red"
                        variant="light"
                        loading={remove.isPending && remove.variables === c.id}
                        onClick={() => window.confirm(`Delete ${c.name}?`) && remove.mutate(c.id)}
                      >
                        Delete
                      </Button>
                    )}
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {companies.data?.items.length === 0 &&
          !companies.isPlaceholderData &&
          (q || owner !== 'all' ? (
            <EmptyState title={`No companies${ownerPhrase(owner)}${q ? ` matching “${q}”` : ''}`}>
              Try another search{owner !== 'all' ? ' or show all companies' : ''}.
            </EmptyState>
          ) : (
            <EmptyState
              title="No companies yet — add your first company"
              action={can(permissions, 'companies:write') && { label: 'Add your first company', onClick: () => setEditing('new') }}
            >
              Keep the organisations you sell to here — their domain and industry — then link contacts and deals to them.
            </EmptyState>
          ))}
        <Pager pager={pager} nextCursor={companies.data?.next_cursor} />
      </QueryState>
      <CompanyFormModal editing={editing} onClose={() => setEditing(null)} />
    </>
  );
}
