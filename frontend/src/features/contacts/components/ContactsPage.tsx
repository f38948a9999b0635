import { Anchor, Button, Group, Select, Table, TextInput } from '@mantine/core';
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
import { useCompanyOptions } from '../../../lib/records';
import { useContacts, useDeleteContact } from '../api/contacts';
import type { Contact } from '../api/contacts';
import { ContactFormModal } from './ContactFormModal';

export function ContactsPage() {
  const permissions = usePermissions();
  const pager = useCursorPager();
  const [search, setSearch] = useUrlSearch(pager.reset);
  const [q] = useDebouncedValue(search.trim(), 300);
  const [companyId, setCompanyId] = useState<string | null>(null);
  const [owner, setOwner] = useState<Owner>('all');
  const contacts = useContacts(q, companyId, owner, pager.cursor);
  const ownerName = useMemberName();
  const companies = useCompanyOptions(can(permissions, 'companies:read'));
  const remove = useDeleteContact();
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);
  const companyName = (id: string | null | undefined) => companies.data?.find((c) => c.value === id)?.label ?? '';
  const [exportError, setExportError] = useState<string | null>(null);

  return (
    <>
      <PageHeader title="Contacts" action={can(permissions, 'contacts:write') && { label: 'New contact', onClick: () => setEditing('new') }}>
        {can(permissions, 'contacts:write') && <ImportButton resource="contacts" />}
        <ExportButtons resource="contacts" filters={{ q, company_id: companyId, owner: owner === 'all' ? undefined : owner }} onError={setExportError} />
      </PageHeader>
      <ErrorBanner error={exportError} onClose={() => setExportError(null)} />
      <Group mb="sm" wrap="wrap">
        <TextInput
          style={{ flex: 1, minWidth: 200 }}
          placeholder="Search by name or email"
          aria-label="Search contacts"
          value={search}
          onChange={(e) => {
            setSearch(e.currentTarget.value);
            pager.reset();
          }}
        />
        {companies.data && (
          <Select
            placeholder="Any company"
            aria-label="Filter by company"
            clearable
            data={companies.data}
            value={companyId}
            onChange={(v) => {
              setCompanyId(v);
              pager.reset();
            }}
          />
        )}
        <OwnerFilter
          value={owner}
          onChange={(v) => {
            setOwner(v);
            pager.reset();
          }}
        />
      </Group>
      <QueryState isPending={contacts.isPending} error={contacts.error} retry={() => contacts.refetch()}>
        <Table striped highlightOnHover data-testid="contacts-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Phone</Table.Th>
              <Table.Th>Company</Table.Th>
              <Table.Th>Owner</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {contacts.data?.items.map((c) => (
              <Table.Tr key={c.id}>
                <Table.Td>
                  <Anchor component={Link} to={recordPath('contact', c.id)} size="sm" fw={500}>
                    {[c.first_name, c.last_name].filter(Boolean).join(' ')}
                  </Anchor>
                </Table.Td>
                <Table.Td>{c.email}</Table.Td>
                <Table.Td>{c.phone}</Table.Td>
                <Table.Td>
                  {c.company_id && companyName(c.company_id) ? (
                    <Anchor component={Link} to={recordPath('company', c.company_id)} size="sm">
                      {companyName(c.company_id)}
                    </Anchor>
                  ) : null}
                </Table.Td>
                <Table.Td>{ownerName(c.owner_id)}</Table.Td>
                <Table.Td>
                  <Group gap="xs" justify="flex-end">
                    {can(permissions, 'contacts:write') && (
                      <Button size="xs" variant="light" onClick={() => setEditing(c)}>
                        Edit
                      </Button>
                    )}
                    {can(permissions, 'contacts:delete') && (
                      <Button
                        size="xs"
                        color="red"
                        variant="light"
                        onClick={() => window.confirm(`Delete ${c.first_name}?`) && remove.mutate(c.id)}
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
        {contacts.data?.items.length === 0 &&
          !contacts.isPlaceholderData &&
          (q || owner !== 'all' || companyId ? (
            <EmptyState title={`No contacts${ownerPhrase(owner)}${companyId ? ` at ${companyName(companyId) || 'this company'}` : ''}${q ? ` matching “${q}”` : ''}`}>
              Try another search{owner !== 'all' || companyId ? ' or clear the filters' : ''}.
            </EmptyState>
          ) : (
            <EmptyState
              title="No contacts yet — add your first contact"
              action={can(permissions, 'contacts:write') && { label: 'Add your first contact', onClick: () => setEditing('new') }}
            >
              Contacts are the people you talk to: add their email and phone, and the company they work for.
            </EmptyState>
          ))}
        <Pager pager={pager} nextCursor={contacts.data?.next_cursor} />
      </QueryState>
      <ContactFormModal editing={editing} onClose={() => setEditing(null)} companies={companies.data} companyId={companyId} />
    </>
  );
}
