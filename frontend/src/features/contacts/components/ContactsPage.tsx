import { Button, Group, Modal, Select, Table, TextInput } from '@mantine/core';
import { useDebouncedValue } from '@mantine/hooks';
import { useState } from 'react';

import { EmptyState } from '../../../components/EmptyState';
import { changedFields, EntityForm, optional } from '../../../components/EntityForm';
import { OwnerFilter, ownerPhrase } from '../../../components/OwnerFilter';
import type { Owner } from '../../../components/OwnerFilter';
import { PageHeader } from '../../../components/PageHeader';
import { Pager, useCursorPager } from '../../../components/Pager';
import { QueryState } from '../../../components/QueryState';
import { can } from '../../../lib/authorization';
import { usePermissions } from '../../../lib/session';
import { useUrlSearch } from '../../../lib/urlSearch';
import { useMemberName } from '../../../lib/users';
import { useCompanyOptions, useContacts, useDeleteContact, useSaveContact } from '../api/contacts';
import type { Contact, ContactInput } from '../api/contacts';

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
  const save = useSaveContact();
  const remove = useDeleteContact();
  const [editing, setEditing] = useState<Contact | 'new' | null>(null);
  const companyName = (id: string | null | undefined) => companies.data?.find((c) => c.value === id)?.label ?? '';

  return (
    <>
      <PageHeader title="Contacts" action={can(permissions, 'contacts:write') && { label: 'New contact', onClick: () => setEditing('new') }} />
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
                <Table.Td>{[c.first_name, c.last_name].filter(Boolean).join(' ')}</Table.Td>
                <Table.Td>{c.email}</Table.Td>
                <Table.Td>{c.phone}</Table.Td>
                <Table.Td>{companyName(c.company_id)}</Table.Td>
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
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New contact' : 'Edit contact'}>
        {editing !== null && (
          <EntityForm<ContactInput>
            fields={[
              { name: 'first_name', label: 'First name', required: true },
              { name: 'last_name', label: 'Last name' },
              { name: 'email', label: 'Email', type: 'email' },
              { name: 'phone', label: 'Phone' },
              ...(companies.data ? [{ name: 'company_id' as const, label: 'Company', options: companies.data }] : []),
            ]}
            initial={
              editing === 'new'
                ? { company_id: companyId ?? '' }
                : {
                    first_name: editing.first_name,
                    last_name: editing.last_name ?? '',
                    email: editing.email ?? '',
                    phone: editing.phone ?? '',
                    company_id: editing.company_id ?? '',
                  }
            }
            toBody={(v) => ({
              first_name: v.first_name ?? '',
              last_name: optional(v.last_name),
              email: optional(v.email),
              phone: optional(v.phone),
              company_id: optional(v.company_id),
            })}
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
