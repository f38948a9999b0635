import { Alert, Badge, Button, Group, Modal, MultiSelect, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';

import { EmptyState } from '../../../components/EmptyState';
import { optional } from '../../../components/EntityForm';
import { ErrorBanner, PageHeader } from '../../../components/PageHeader';
import { Pager, useCursorPager } from '../../../components/Pager';
import { QueryState } from '../../../components/QueryState';
import { ApiError } from '../../../lib/api/client';
import { can } from '../../../lib/authorization';
import { usePermissions } from '../../../lib/session';
import { memberOptions, useMemberName, useMembers } from '../../../lib/users';
import { useDeleteTeam, useSaveTeam, useTeams } from '../api/teams';
import type { Team, TeamInput } from '../api/teams';

const TEAM_FIELDS = ['name', 'description', 'members'] as const satisfies readonly (keyof TeamInput)[];

/** The tenant's teams (any member reads them); teams:manage creates, renames, deletes them and picks their members. */
export function TeamsPage() {
  const permissions = usePermissions();
  const manage = can(permissions, 'teams:manage');
  const pager = useCursorPager();
  const teams = useTeams(pager.cursor);
  const remove = useDeleteTeam();
  const memberName = useMemberName();
  const [editing, setEditing] = useState<Team | 'new' | null>(null);
  const [error, setError] = useState<string | null>(null);

  return (
    <>
      <PageHeader title="Teams" action={manage && { label: 'New team', onClick: () => setEditing('new') }} />
      <Text c="dimmed" size="sm" mb="md">
        A role that grants a record permission with the scope “Team&apos;s records” reaches the records owned by the member and by
        their teammates.
      </Text>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      <QueryState isPending={teams.isPending} error={teams.error} retry={() => teams.refetch()}>
        <Table striped data-testid="teams-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Name</Table.Th>
              <Table.Th>Description</Table.Th>
              <Table.Th>Members</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {teams.data?.items.map((t) => (
              <Table.Tr key={t.id}>
                <Table.Td>{t.name}</Table.Td>
                <Table.Td>{t.description}</Table.Td>
                <Table.Td>
                  <Group gap={4}>
                    {t.members.length === 0 && (
                      <Text size="sm" c="dimmed">
                        nobody yet
                      </Text>
                    )}
                    {t.members.map((id) => (
                      <Badge key={id} variant="light" tt="none">
                        {memberName(id)}
                      </Badge>
                    ))}
                  </Group>
                </Table.Td>
                <Table.Td>
                  {manage && (
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      <Button size="xs" variant="light" onClick={() => setEditing(t)}>
                        Edit
                      </Button>
                      <Button
                        size="xs"
                        color="red"
                        variant="light"
                        loading={remove.isPending && remove.variables === t.id}
                        onClick={() =>
                          window.confirm(`Delete the team ${t.name}? Its members and their records stay.`) &&
                          remove.mutateAsync(t.id).then(() => setError(null), (e: Error) => setError(e.message))
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
        {teams.data?.items.length === 0 && (
          <EmptyState title="No teams yet — create your first team" action={manage && { label: 'Add your first team', onClick: () => setEditing('new') }}>
            Group the members who work together, for instance by region or product{manage ? '' : ' (someone with the teams:manage permission creates them)'}.
          </EmptyState>
        )}
        <Pager pager={pager} nextCursor={teams.data?.next_cursor} />
      </QueryState>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={editing === 'new' ? 'New team' : 'Edit team'}>
        {editing !== null && <TeamForm team={editing === 'new' ? null : editing} onDone={() => setEditing(null)} />}
      </Modal>
    </>
  );
}

function TeamForm({ team, onDone }: { team: Team | null; onDone: () => void }) {
  // Members are picked from the member list (users:read); without it the team's members are left as they are.
  const pickMembers = can(usePermissions(), 'users:read');
  const members = useMembers(pickMembers);
  const save = useSaveTeam();
  const [name, setName] = useState(team?.name ?? '');
  const [description, setDescription] = useState(team?.description ?? '');
  const [picked, setPicked] = useState<string[]>(team?.members ?? []);
  const [errors, setErrors] = useState<Partial<Record<(typeof TEAM_FIELDS)[number], string>>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(null);
    try {
      const body: TeamInput = { name, description: optional(description), ...(pickMembers ? { members: picked } : {}) };
      await save.mutateAsync({ id: team?.id, body });
      onDone();
    } catch (e) {
      const named = e instanceof ApiError ? e.fieldsOf(TEAM_FIELDS) : {};
      if (Object.keys(named).length) setErrors(named);
      else setError(e instanceof Error ? e.message : 'Something went wrong');
    }
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        {error && (
          <Alert color="red" role="alert">
            {error}
          </Alert>
        )}
        <TextInput label="Name" name="name" withAsterisk value={name} error={errors.name} onChange={(e) => setName(e.currentTarget.value)} />
        <TextInput label="Description" name="description" value={description} error={errors.description} onChange={(e) => setDescription(e.currentTarget.value)} />
        {pickMembers ? (
          <MultiSelect
            label="Members"
            placeholder={picked.length ? undefined : 'Pick members'}
            searchable
            data={memberOptions(members.data ?? [])}
            value={picked}
            error={errors.members ?? (members.error ? members.error.message : undefined)}
            onChange={setPicked}
          />
        ) : (
          <Text size="sm" c="dimmed">
            Choosing members needs the users:read permission.
          </Text>
        )}
        <Group justify="flex-end">
          <Button variant="default" onClick={onDone}>
            Cancel
          </Button>
          <Button type="submit" loading={save.isPending}>
            {team ? 'Save' : 'Create'}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
