import { Alert, Badge, Button, Group, Modal, MultiSelect, PasswordInput, Stack, Switch, Table, TextInput } from '@mantine/core';
import { useState } from 'react';

import { EmptyState } from '../../../components/EmptyState';
import { ErrorBanner, PageHeader } from '../../../components/PageHeader';
import { Pager, useCursorPager } from '../../../components/Pager';
import { QueryState } from '../../../components/QueryState';
import { ApiError } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { can } from '../../../lib/authorization';
import { usePermissions } from '../../../lib/session';
import { useRoleNames } from '../../../lib/roles';
import { useAddUser, useInvitations, useRemoveUser, useRevokeInvitation, useUpdateUser, useUsers } from '../api/users';
import type { User } from '../api/users';

const USER_FIELDS = ['email', 'name', 'password', 'roles'] as const satisfies readonly (keyof Schemas['UserCreate'])[];

export function UsersPage() {
  const permissions = usePermissions();
  const manage = can(permissions, 'users:manage');
  const pager = useCursorPager();
  const users = useUsers(pager.cursor);
  const roles = useRoleNames();
  const update = useUpdateUser();
  const remove = useRemoveUser();
  const invitations = useInvitations(manage);
  const revoke = useRevokeInvitation();
  const [adding, setAdding] = useState(false);
  const [editing, setEditing] = useState<User | null>(null);
  const [error, setError] = useState<string | null>(null);
  const act = (p: Promise<unknown>) => p.then(() => setError(null)).catch((e: Error) => setError(e.message));

  return (
    <>
      <PageHeader title="Users" action={manage && { label: 'Add member', onClick: () => setAdding(true) }} />
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <QueryState isPending={users.isPending} error={users.error} retry={() => users.refetch()}>
        <Table striped data-testid="users-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Email</Table.Th>
              <Table.Th>Roles</Table.Th>
              <Table.Th>Active</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {users.data?.items.map((u) => (
              <Table.Tr key={u.id}>
                <Table.Td>{u.name}</Table.Td>
                <Table.Td>{u.email}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {u.roles.map((r) => (
                      <Badge key={r} variant="light">
                        {r}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  <Switch
                    aria-label={`Active: ${u.email}`}
                    checked={u.active}
                    disabled={!manage}
                    onChange={(e) => act(update.mutateAsync({ id: u.id, body: { active: e.currentTarget.checked } }))}
                  />
                </Table.Td>
                <Table.Td>
                  {manage && (
                    <Group gap="xs" justify="flex-end">
                      <Button size="xs" variant="light" onClick={() => setEditing(u)}>
                        Roles
                      </Button>
                      <Button size="xs" color="red" variant="light" onClick={() => window.confirm(`Remove ${u.email}?`) && act(remove.mutateAsync(u.id))}>
                        Remove
                      </Button>
                    </Group>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
        {users.data?.items.length === 0 && (
          <EmptyState title="No members yet — add your first member" action={manage && { label: 'Add your first member', onClick: () => setAdding(true) }}>
            Members sign in to this workspace with the roles you give them.
          </EmptyState>
        )}
        <Pager pager={pager} nextCursor={users.data?.next_cursor} />
      </QueryState>
      {manage && (invitations.data?.items.length ?? 0) > 0 && (
        <Table striped mt="lg" data-testid="invitations-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Invited</Table.Th>
              <Table.Th>Roles</Table.Th>
              <Table.Th>Expires</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {invitations.data?.items.map((i) => (
              <Table.Tr key={i.id}>
                <Table.Td>{i.email}</Table.Td>
                <Table.Td>{i.roles.join(', ')}</Table.Td>
                <Table.Td>{new Date(i.expires_at).toLocaleDateString()}</Table.Td>
                <Table.Td>
                  <Group justify="flex-end">
                    <Button size="xs" color="red" variant="light" onClick={() => act(revoke.mutateAsync(i.id))}>
                      Revoke
                    </Button>
                  </Group>
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      )}
      <Modal opened={adding} onClose={() => setAdding(false)} title="Add a member">
        {adding && <AddMemberForm roles={roles.data ?? []} onDone={() => setAdding(false)} />}
      </Modal>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={`Roles of ${editing?.email ?? ''}`}>
        {editing && (
          <RolesForm
            user={editing}
            roles={roles.data ?? []}
            onSave={async (names) => {
              await update.mutateAsync({ id: editing.id, body: { roles: names } });
              setEditing(null);
            }}
          />
        )}
      </Modal>
    </>
  );
}

function AddMemberForm({ roles, onDone }: { roles: string[]; onDone: () => void }) {
  const add = useAddUser();
  const [form, setForm] = useState({ email: '', name: '', password: '' });
  const [picked, setPicked] = useState<string[]>(['member']);
  const [errors, setErrors] = useState<Partial<Record<(typeof USER_FIELDS)[number], string>>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    try {
      await add.mutateAsync({ ...form, roles: picked });
      onDone();
    } catch (e) {
      const named = e instanceof ApiError ? e.fieldsOf(USER_FIELDS) : {};
      if (Object.keys(named).length) setErrors(named);
      else setError(e instanceof Error ? e.message : 'Something went wrong');
    }
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        {error && <Alert color="red">{error}</Alert>}
        <TextInput label="Email" name="email" value={form.email} error={errors.email} onChange={(e) => setForm({ ...form, email: e.currentTarget.value })} />
        <TextInput label="Name" name="name" value={form.name} error={errors.name} onChange={(e) => setForm({ ...form, name: e.currentTarget.value })} />
        <PasswordInput
          label="Initial password"
          description="Used only if the person has no account yet"
          name="password"
          value={form.password}
          error={errors.password}
          onChange={(e) => setForm({ ...form, password: e.currentTarget.value })}
        />
        <MultiSelect label="Roles" data={roles} value={picked} error={errors.roles} onChange={setPicked} />
        <Button type="submit" loading={add.isPending}>
          Add
        </Button>
      </Stack>
    </form>
  );
}

function RolesForm({ user, roles, onSave }: { user: User; roles: string[]; onSave: (names: string[]) => Promise<void> }) {
  const [picked, setPicked] = useState<string[]>(user.roles);
  const [error, setError] = useState<string | null>(null);
  return (
    <Stack>
      {error && <Alert color="red">{error}</Alert>}
      <MultiSelect label="Roles" data={roles} value={picked} onChange={setPicked} />
      <Button onClick={() => onSave(picked).catch((e: Error) => setError(e.message))}>Save</Button>
    </Stack>
  );
}
