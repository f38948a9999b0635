import { Button, Group, Modal, Table, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';

import { EmptyState } from '../../../components/EmptyState';
import { changedFields, EntityForm, optional } from '../../../components/EntityForm';
import type { FieldSpec } from '../../../components/EntityForm';
import { OwnerFilter, ownerPhrase } from '../../../components/OwnerFilter';
import type { Owner } from '../../../components/OwnerFilter';
import { PageHeader } from '../../../components/PageHeader';
import { Pager, useCursorPager } from '../../../components/Pager';
import { QueryState } from '../../../components/QueryState';
import { can } from '../../../lib/authorization';
import { usePermissions } from '../../../lib/session';
import { useUrlSearch } from '../../../lib/urlSearch';
import { useMemberName } from '../../../lib/users';
import { useCompanies, useDeleteCompany, useSaveCompany } from '../api/companies';
import type { Company, CompanyInput } from '../api/companies';

const FIELDS: FieldSpec<CompanyInput>[] = [
  { name: 'name', label: 'Name', required: true },
  { name: 'domain', label: 'Domain' },
  { name: 'industry', label: 'Industry' },
];

export function CompaniesPage() {
  const permissions = usePermissions();
  const pager = useCursorPager();
  const [search, setSearch] = useUrlSearch(pager.reset);
  const [q] = useDebouncedValue(search.trim(), 300);
  const [owner, setOwner] = useState<Owner>('all');
  const companies = useCompanies(q, owner, pager.cursor);
  const ownerName = useMemberName();
  const save = useSaveCompany();
  const remove = useDeleteCompany();
  const [editing, setEditing] = useState<Company | 'new' | null>(null);

  return (
    <>
      <PageHeader title="Companies" action={can(permissions, 'companies:write') && { label: 'New company', onClick: () => setEditing('new') }} />
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
                <Table.Td>{c.name}</Table.Td>
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
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New company' : 'Edit company'}>
        {editing !== null && (
          <EntityForm
            fields={FIELDS}
            initial={editing === 'new' ? {} : { name: editing.name, domain: editing.domain ?? '', industry: editing.industry ?? '' }}
            toBody={(v) => ({ name: v.name ?? '', domain: optional(v.domain), industry: optional(v.industry) })}
            submitLabel={editing === 'new' ? 'Create' : 'Save'}
            onCancel={() => setEditing(null)}
            onSubmit={async (body) => {
              await save.mutateAsync(editing === 'new' ? { body } : { id: editing.id, body: changedFields(editing, body) });
              setEditing(null);
            }}
          />
        )}
      </Modal>
    </>
  );
}
