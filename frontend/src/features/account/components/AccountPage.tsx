import { Alert, Badge, Button, Paper, PasswordInput, Stack, Table, Title } from '@mantine/core';
import { useState } from 'react';

import { QueryState } from '../../../components/QueryState';
import { ApiError } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { useMe } from '../../../lib/session';
import { useChangePassword, useRevokeSession, useSessions } from '../api/account';

const PASSWORD_FIELDS = ['current_password', 'new_password'] as const satisfies readonly (keyof Schemas['PasswordChangeRequest'])[];

export function AccountPage() {
  const me = useMe();
  const sessions = useSessions();
  const revoke = useRevokeSession();
  return (
    <Stack>
      <Title order={2}>Account</Title>
      <p>
        {me.data?.user.name} — {me.data?.user.email}
      </p>
      <Title order={3}>Sessions</Title>
      <QueryState isPending={sessions.isPending} error={sessions.error} retry={() => sessions.refetch()}>
        <Table striped data-testid="sessions-table">
          <Table.Thead>
            <Table.Tr>
              <Table.Th>Started</Table.Th>
              <Table.Th>Last used</Table.Th>
              <Table.Th>Address</Table.Th>
              <Table.Th>Browser</Table.Th>
              <Table.Th />
            </Table.Tr>
          </Table.Thead>
          <Table.Tbody>
            {sessions.data?.items.map((s) => (
              <Table.Tr key={s.id}>
                <Table.Td>{new Date(s.created_at).toLocaleString()}</Table.Td>
                <Table.Td>{new Date(s.last_used_at).toLocaleString()}</Table.Td>
                <Table.Td>{s.ip}</Table.Td>
                <Table.Td>{s.user_agent?.slice(0, 60)}</Table.Td>
                <Table.Td>
                  {s.current ? (
                    <Badge>this session</Badge>
                  ) : (
                    <Button size="xs" color="red" variant="light" onClick={() => revoke.mutate(s.id)}>
                      Revoke
                    </Button>
                  )}
                </Table.Td>
              </Table.Tr>
            ))}
          </Table.Tbody>
        </Table>
      </QueryState>
      <Title order={3}>Change password</Title>
      <PasswordForm />
    </Stack>
  );
}

function PasswordForm() {
  const change = useChangePassword();
  const [current, setCurrent] = useState('');
  const [next, setNext] = useState('');
  const [errors, setErrors] = useState<Partial<Record<(typeof PASSWORD_FIELDS)[number], string>>>({});
  const [message, setMessage] = useState<string | null>(null);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setErrors({});
    setMessage(null);
    try {
      await change.mutateAsync({ current_password: current, new_password: next });
      setCurrent('');
      setNext('');
      setMessage('Password changed. Your other sessions were signed out.');
    } catch (e) {
      const named = e instanceof ApiError ? e.fieldsOf(PASSWORD_FIELDS) : {};
      if (Object.keys(named).length) setErrors(named);
      else setMessage(e instanceof Error ? e.message : 'Something went wrong');
    }
  };
  return (
    <Paper withBorder p="md" maw={420}>
      <form onSubmit={submit}>
        <Stack>
          {message && <Alert>{message}</Alert>}
          <PasswordInput label="Current password" value={current} error={errors.current_password} onChange={(e) => setCurrent(e.currentTarget.value)} />
          <PasswordInput label="New password" value={next} error={errors.new_password} onChange={(e) => setNext(e.currentTarget.value)} />
          <Button type="submit" loading={change.isPending}>
            Change password
          </Button>
        </Stack>
      </form>
    </Paper>
  );
}
