import { Alert, Badge, Button, Checkbox, Code, CopyButton, Group, Modal, Stack, Table, Text, TextInput } from '@mantine/core';
import { useState } from 'react';

import { EmptyState } from '../../../components/EmptyState';
import { ErrorBanner, PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { ApiError } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { useRoleNames } from '../../../lib/roles';
import { useApiKeys, useCreateApiKey, useRevokeApiKey } from '../api/apiKeys';
import type { NewApiKey } from '../api/apiKeys';

const KEY_FIELDS = ['name', 'roles', 'expires_at'] as const satisfies readonly (keyof Schemas['ApiKeyCreate'])[];

const when = (t: string | null | undefined, none: string) => (t ? new Date(t).toLocaleString() : none);

/** The tenant's API keys (api_keys:manage): create one (its secret shown once, with a copy button), revoke. */
export function ApiKeysPage() {
  const keys = useApiKeys();
  const revoke = useRevokeApiKey();
  const [creating, setCreating] = useState(false);
  const [created, setCreated] = useState<NewApiKey | null>(null);
  const [error, setError] = useState<string | null>(null);

  return (
    <>
      <PageHeader title="API keys" action={{ label: 'Create key', onClick: () => setCreating(true) }} />
      <Text c="dimmed" size="sm" mb="md">
        A key acts in this workspace with its roles&apos; permissions, never more than its creator holds. Send it as{' '}
        <Code>Authorization: Bearer tnt_…</Code>.
      </Text>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {created && (
        <Alert color="green" title={`Key "${created.name}" created`} mb="md" withCloseButton onClose={() => setCreated(null)} data-testid="new-key">
          <Stack gap="xs">
            <Text size="sm">Copy the secret now: it is not shown again.</Text>
            <Group gap="xs">
              <Code data-testid="new-key-secret">{created.secret}</Code>
              <CopyButton value={created.secret}>
                {({ copied, copy }) => (
                  <Button size="xs" variant="light" onClick={copy}>
                    {copied ? 'Copied' : 'Copy'}
                  </Button>
                )}
              </CopyButton>
            </Group>
          </Stack>
        </Alert>
      )}
      <QueryState isPending={keys.isPending} error={keys.error} retry={() => keys.refetch()}>
        {keys.data?.items.length === 0 ? (
          <EmptyState title="No API keys yet — create your first key" action={{ label: 'Add your first API key', onClick: () => setCreating(true) }}>
            Create one for each integration (a sync, a script, Zapier); revoke it the moment it is not needed.
          </EmptyState>
        ) : (
          <Table striped data-testid="api-keys-table">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Name</Table.Th>
                <Table.Th>Key</Table.Th>
                <Table.Th>Roles</Table.Th>
                <Table.Th>Last used</Table.Th>
                <Table.Th>Expires</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {keys.data?.items.map((k) => (
                <Table.Tr key={k.id}>
                  <Table.Td>{k.name}</Table.Td>
                  <Table.Td>
                    <Code>tnt_{k.prefix}_…</Code>
                  </Table.Td>
                  <Table.Td>
                    <Group gap={4}>
                      {k.roles.map((r) => (
                        <Badge key={r} variant="light">
                          {r}
                        </Badge>
                      ))}
                    </Group>
                  </Table.Td>
                  <Table.Td>{when(k.last_used_at, 'never')}</Table.Td>
                  <Table.Td>{when(k.expires_at, 'never')}</Table.Td>
                  <Table.Td>
                    <Group justify="flex-end">
                      <Button
                        size="xs"
                        color="red"
                        variant="light"
                        onClick={() =>
                          window.confirm(`Revoke the key "${k.name}"? Requests made with it fail from now on.`) &&
                          revoke.mutateAsync(k.id).then(() => setError(null), (e: Error) => setError(e.message))
                        }
                      >
                        Revoke
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
      <Modal opened={creating} onClose={() => setCreating(false)} title="Create an API key">
        {creating && (
          <CreateKeyForm
            onDone={(key) => {
              setCreating(false);
              setCreated(key);
            }}
          />
        )}
      </Modal>
    </>
  );
}

function CreateKeyForm({ onDone }: { onDone: (key: NewApiKey) => void }) {
  const roles = useRoleNames();
  const create = useCreateApiKey();
  const [name, setName] = useState('');
  const [picked, setPicked] = useState<string[]>([]);
  const [expires, setExpires] = useState('');
  const [errors, setErrors] = useState<Partial<Record<(typeof KEY_FIELDS)[number], string>>>({});
  const [error, setError] = useState<string | null>(null);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setErrors({});
    setError(null);
    try {
      const expires_at = expires ? new Date(`${expires}T23:59:59`).toISOString() : null;
      onDone(await create.mutateAsync({ name, roles: picked, expires_at }));
    } catch (e) {
      const named = e instanceof ApiError ? e.fieldsOf(KEY_FIELDS) : {};
      if (Object.keys(named).length) setErrors(named);
      else setError(e instanceof Error ? e.message : 'Something went wrong');
    }
  };
  return (
    <form onSubmit={submit}>
      <Stack>
        {error && <Alert color="red">{error}</Alert>}
        <TextInput label="Name" name="name" required value={name} error={errors.name} onChange={(e) => setName(e.currentTarget.value)} />
        <Checkbox.Group label="Roles" description="The key holds these roles' permissions, as far as you hold them" value={picked} error={errors.roles} onChange={setPicked}>
          <Group mt="xs">
            {(roles.data ?? []).map((r) => (
              <Checkbox key={r} value={r} label={r} />
            ))}
          </Group>
        </Checkbox.Group>
        <TextInput
          label="Expires on"
          description="Leave empty for a key that does not expire"
          type="date"
          name="expires_at"
          value={expires}
          error={errors.expires_at}
          onChange={(e) => setExpires(e.currentTarget.value)}
        />
        <Button type="submit" loading={create.isPending}>
          Create
        </Button>
      </Stack>
    </form>
  );
}
