import { Alert, Badge, Button, Checkbox, Group, Modal, Stack, Table, TextInput } from '@mantine/core';
import { useState } from 'react';

import { ErrorBanner, PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { ApiError } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { can, isPermission } from '../../../lib/authorization';
import type { Permission } from '../../../lib/authorization';
import { usePermissions } from '../../../lib/session';
import { useDeleteRole, usePermissionCatalog, useRoles, useSaveRole } from '../api/roles';
import type { Role } from '../api/roles';

const ROLE_FIELDS = ['name', 'description', 'permissions'] as const satisfies readonly (keyof Schemas['RoleCreate'])[];

export function RolesPage() {
  const permissions = usePermissions();
  const manage = can(permissions, 'roles:manage');
  const roles = useRoles();
  const remove = useDeleteRole();
  const [editing, setEditing] = useState<Role | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);

  return (
    <>
      <PageHeader title="Roles" action={manage && { label: 'New role', onClick: () => setEditing('new') }} />
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <QueryState isPending={roles.isPending} error={roles.error} retry={() => roles.refetch()}>
        <Table striped data-testid="roles-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Permissions</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {roles.data?.items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  {r.name} {r.system && <Badge size="xs">system</Badge>}
                </Table.Td>
                <Table.Td>{r.permissions.join(', ')}</Table.Td>
                <Table.Td>
                  {manage && !r.system && (
                    <Group gap="xs" justify="flex-end">
                      <Button size="xs" variant="light" onClick={() => setEditing(r)}>
                        Edit
                      </Button>
                      <Button
                        size="xs"
                        color="red"
                        variant="light"
                        onClick={() =>
                          window.confirm(`Delete role ${r.name}?`) &&
                          remove.mutateAsync(r.id).catch((e: Error) => setError(e.message))
                        }
                      >
                        Delete
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </QueryState>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New role' : 'Edit role'}>
        {editing !== null && <RoleForm role={editing === 'new' ? null : editing} held={permissions} onDone={() => setEditing(null)} />}
      </Modal>
    </>
  );
}

function RoleForm({ role, held, onDone }: { role: Role | null; held: Permission[]; onDone: () => void }) {
  const catalog = usePermissionCatalog();
  const save = useSaveRole();
  const [name, setName] = useState(role?.name ?? '');
  const [description, setDescription] = useState(role?.description ?? '');
  const [picked, setPicked] = useState<Permission[]>(role?.permissions ?? []);
  const keys = catalog.data?.items.map((p) => p.key) ?? [];
  const [errors, setErrors] = useState<Partial<Record<(typeof ROLE_FIELDS)[number], string>>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    try {
      await save.mutateAsync({ id: role?.id, body: { name, description: description || null, permissions: picked } });
      onDone();
    } catch (e) {
      const named = e instanceof ApiError ? e.fieldsOf(ROLE_FIELDS) : {};
      if (Object.keys(named).length) setErrors(named);
      else setError(e instanceof Error ? e.message : 'Something went wrong');
    }
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        {error && <Alert color="red">{error}</Alert>}
        <TextInput label="Name" name="name" value={name} error={errors.name} onChange={(e) => setName(e.currentTarget.value)} />
        <TextInput label="Description" value={description} error={errors.description} onChange={(e) => setDescription(e.currentTarget.value)} />
        <Checkbox.Group label="Permissions" value={picked} onChange={(values) => setPicked(values.filter((v) => isPermission(v, keys)))} error={errors.permissions}>
          <Stack gap={4} mt={4}>
            {catalog.data?.items.map((p) => (
              // You can only grant what you hold; the API refuses anything else.
              <Checkbox key={p.key} value={p.key} label={`${p.key} — ${p.description}`} disabled={!held.includes(p.key)} />
            ))}
          </Stack>
        </Checkbox.Group>
        <Button type="submit" loading={save.isPending}>
          Save
        </Button>
      </Stack>
    </form>
  );
}
