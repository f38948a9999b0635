import { Alert, Badge, Button, Checkbox, Group, Input, Modal, Select, Stack, Table, TextInput } from '@mantine/core';
import { useState } from 'react';

import { ErrorBanner, PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { ApiError } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { can } from '../../../lib/authorization';
import type { Permission } from '../../../lib/authorization';
import { usePermissions } from '../../../lib/session';
import { useDeleteRole, usePermissionCatalog, useRoles, useSaveRole } from '../api/roles';
import type { Role } from '../api/roles';
import { describeGrant, editorState, isScope, roleAccess, roleGrants, SCOPE_OPTIONS } from '../grants';
import type { EditorState, PermissionEntry } from '../grants';

const ROLE_FIELDS = ['name', 'description', 'permissions', 'grants', 'hidden_fields'] as const satisfies readonly (keyof Schemas['RoleCreate'])[];

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
              <Table.Th>Hidden fields</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {roles.data?.items.map((r) => (
              <Table.Tr key={r.id}>
                <Table.Td>
                  {r.name} {r.system && <Badge size="xs">system</Badge>}
                </Table.Td>
                <Table.Td>{roleGrants(r).map(describeGrant).join(', ')}</Table.Td>
                <Table.Td>{r.hidden_fields.length ? r.hidden_fields.join(', ') : '—'}</Table.Td>
                <Table.Td>
                  {manage && !r.system && (
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
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
      <Modal size="lg" opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New role' : 'Edit role'}>
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
  const [access, setAccess] = useState<EditorState>(() => editorState(role));
  const [errors, setErrors] = useState<Partial<Record<(typeof ROLE_FIELDS)[number], string>>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(null);
    try {
      const body = { name, description: description || null, ...roleAccess(access, catalog.data?.items ?? []) };
      await save.mutateAsync({ id: role?.id, body });
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
        <Input.Wrapper
          label="Permissions"
          description="Record permissions reach all records, those of the member's teams, or the member's own; a read permission can hide fields."
          error={errors.permissions ?? errors.grants ?? errors.hidden_fields}
        >
          <Stack gap={6} mt={6} data-testid="role-permissions">
            {catalog.data?.items.map((p) => (
              // You can only grant what you hold; the API refuses anything else (and any wider scope than yours).
              <PermissionRow key={p.key} entry={p} access={access} onChange={setAccess} disabled={!held.includes(p.key)} />
            ))}
          </Stack>
        </Input.Wrapper>
        <Button type="submit" loading={save.isPending}>
          Save
        </Button>
      </Stack>
    </form>
  );
}

/** One permission of the editor: its checkbox, its scope (scopable ones) and its "hide" boxes (read permissions with hideable fields). */
function PermissionRow({
  entry,
  access,
  onChange,
  disabled,
}: {
  entry: PermissionEntry;
  access: EditorState;
  onChange: (access: EditorState) => void;
  disabled: boolean;
}) {
  const checked = access.picked.includes(entry.key);
  const toggle = (on: boolean) =>
    onChange({ ...access, picked: on ? [...access.picked, entry.key] : access.picked.filter((k) => k !== entry.key) });
  const hide = (field: string, on: boolean) =>
    onChange({ ...access, hidden: on ? [...access.hidden, field] : access.hidden.filter((f) => f !== field) });
  return (
    <Stack gap={4}>
      <Group justify="space-between" wrap="nowrap" gap="sm">
        <Checkbox
          label={`${entry.key} — ${entry.description}`}
          checked={checked}
          disabled={disabled}
          onChange={(e) => toggle(e.currentTarget.checked)}
        />
        {entry.scopable && (
          <Select
            aria-label={`Scope of ${entry.key}`}
            size="xs"
            w={150}
            style={{ flexShrink: 0 }}
            data={SCOPE_OPTIONS}
            value={access.scopes[entry.key] ?? 'all'}
            allowDeselect={false}
            disabled={disabled || !checked}
            onChange={(v) => isScope(v) && onChange({ ...access, scopes: { ...access.scopes, [entry.key]: v } })}
          />
        )}
      </Group>
      {entry.hideable_fields.length > 0 && (
        <Group gap="md" pl={32}>
          {entry.hideable_fields.map((field) => (
            <Checkbox
              key={field}
              size="xs"
              label={`Hide ${field}`}
              checked={access.hidden.includes(field)}
              disabled={disabled || !checked}
              onChange={(e) => hide(field, e.currentTarget.checked)}
            />
          ))}
        </Group>
      )}
    </Stack>
  );
}
