import { Alert, Anchor, Badge, Button, Code, CopyButton, Group, Modal, Stack, Switch, Table, Text, Tooltip } from '@mantine/core';
import { useState } from 'react';
import { Link } from 'react-router-dom';

import { EmptyState } from '../../../components/EmptyState';
import { ErrorBanner, PageHeader } from '../../../components/PageHeader';
import { QueryState } from '../../../components/QueryState';
import { useCreateWebhook, useDeleteWebhook, useRotateSecret, useUpdateWebhook, useWebhooks } from '../api/webhooks';
import type { Webhook } from '../api/webhooks';
import { EMPTY_WEBHOOK, valuesOf, webhookBody, webhookPatch } from '../webhookForm';
import { WebhookForm } from './WebhookForm';

const NEW_TITLE = 'Add a webhook endpoint';
const EDIT_TITLE = 'Edit the endpoint';

/** A signing secret, shown once (after a create or a rotation), with a copy button. */
export function SecretAlert({ title, secret, onClose }: { title: string; secret: string; onClose: () => void }) {
  return (
    <Alert color="green" title={title} mb="md" withCloseButton onClose={onClose} data-testid="new-secret">
      <Stack gap="xs">
        <Text size="sm">Copy the signing secret now: it is not shown again. Receivers verify the Tenet-Signature header with it.</Text>
        <Group gap="xs">
          <Code data-testid="new-secret-value">{secret}</Code>
          <CopyButton value={secret}>
            {({ copied, copy }) => (
              <Button size="xs" variant="light" onClick={copy}>
                {copied ? 'Copied' : 'Copy'}
              </Button>
            )}
          </CopyButton>
        </Group>
      </Stack>
    </Alert>
  );
}

/** The events of an endpoint: all of them when few, else the first three and how many more (all in the tooltip). */
function EventBadges({ events }: { events: readonly string[] }) {
  const shown = events.length > 4 ? events.slice(0, 3) : events;
  return (
    <Group gap={4}>
      {shown.map((e) => (
        <Badge key={e} variant="light" tt="none">
          {e}
        </Badge>
      ))}
      {shown.length < events.length && (
        <Tooltip label={events.join(', ')} multiline w={260}>
          <Badge variant="outline" tt="none">
            +{events.length - shown.length} more
          </Badge>
        </Tooltip>
      )}
    </Group>
  );
}

/** Whether an endpoint gets events: a switch, and the server's reason when it disabled it. */
export function EnabledSwitch({ hook }: { hook: Webhook }) {
  const update = useUpdateWebhook();
  const [error, setError] = useState<string | null>(null);
  return (
    <Stack gap={4}>
      <Switch
        aria-label={`Enabled: ${hook.url}`}
        checked={hook.enabled}
        disabled={update.isPending}
        label={hook.enabled ? 'Enabled' : 'Disabled'}
        onChange={(e) =>
          update.mutateAsync({ id: hook.id, body: { enabled: e.currentTarget.checked } }).then(
            () => setError(null),
            (err: Error) => setError(err.message),
          )
        }
      />
      {hook.disabled_reason && !hook.enabled && (
        <Tooltip label={hook.disabled_reason} multiline w={280}>
          <Badge color="orange" variant="light" data-testid="disabled-reason" style={{ whiteSpace: 'normal', height: 'auto' }}>
            {hook.disabled_reason}
          </Badge>
        </Tooltip>
      )}
      {error && (
        <Text size="xs" c="red">
          {error}
        </Text>
      )}
    </Stack>
  );
}

/** The tenant's webhook endpoints (webhooks:manage): create (its secret shown once), edit, enable, rotate the secret, delete. */
export function WebhooksPage() {
  const hooks = useWebhooks();
  const create = useCreateWebhook();
  const update = useUpdateWebhook();
  const remove = useDeleteWebhook();
  const rotate = useRotateSecret();
  const [editing, setEditing] = useState<Webhook | 'new' | null>(null);
  const [secret, setSecret] = useState<{ title: string; secret: string } | null>(null);
  const [error, setError] = useState<string | null>(null);
  // The title stays while the modal closes.
  const [title, setTitle] = useState('');
  if (editing && title !== (editing === 'new' ? NEW_TITLE : EDIT_TITLE)) setTitle(editing === 'new' ? NEW_TITLE : EDIT_TITLE);
  const act = (p: Promise<unknown>) => p.then(() => setError(null), (e: Error) => setError(e.message));

  return (
    <>
      <PageHeader title="Webhooks" action={{ label: 'Add endpoint', onClick: () => setEditing('new') }} />
      <Text c="dimmed" size="sm" mb="md">
        Each endpoint gets a signed <Code>POST</Code> when a company, contact or deal it listens to is created, changed or deleted.
        Verify the <Code>Tenet-Signature</Code> header with the endpoint&apos;s secret and deduplicate on <Code>Tenet-Delivery</Code>.
      </Text>
      <ErrorBanner error={error} onClose={() => setError(null)} />
      {secret && <SecretAlert title={secret.title} secret={secret.secret} onClose={() => setSecret(null)} />}
      <QueryState isPending={hooks.isPending} error={hooks.error} retry={() => hooks.refetch()}>
        {hooks.data?.items.length === 0 ? (
          <EmptyState title="No webhook endpoints yet — add your first endpoint" action={{ label: 'Add your first endpoint', onClick: () => setEditing('new') }}>
            Point an endpoint at your integration (a sync, a chat notification, a data warehouse) and pick the events it needs.
          </EmptyState>
        ) : (
          <Table striped data-testid="webhooks-table" verticalSpacing="sm">
            <Table.Thead>
              <Table.Tr>
                <Table.Th>Endpoint</Table.Th>
                <Table.Th>Events</Table.Th>
                <Table.Th>State</Table.Th>
                <Table.Th ta="right">Failures</Table.Th>
                <Table.Th />
              </Table.Tr>
            </Table.Thead>
            <Table.Tbody>
              {hooks.data?.items.map((h) => (
                <Table.Tr key={h.id} data-testid="webhook-row">
                  <Table.Td maw={320}>
                    <Anchor component={Link} to={`/webhooks/${h.id}`} size="sm" fw={500} style={{ wordBreak: 'break-all' }}>
                      {h.url}
                    </Anchor>
                    {h.description && (
                      <Text size="xs" c="dimmed" lineClamp={2}>
                        {h.description}
                      </Text>
                    )}
                  </Table.Td>
                  <Table.Td maw={300}>
                    <EventBadges events={h.events} />
                  </Table.Td>
                  <Table.Td>
                    <EnabledSwitch hook={h} />
                  </Table.Td>
                  <Table.Td ta="right">
                    <Text size="sm" c={h.consecutive_failures > 0 ? 'red' : undefined} data-testid="consecutive-failures">
                      {h.consecutive_failures}
                    </Text>
                  </Table.Td>
                  <Table.Td>
                    <Group gap="xs" justify="flex-end" wrap="nowrap">
                      <Button size="xs" variant="light" component={Link} to={`/webhooks/${h.id}`}>
                        Deliveries
                      </Button>
                      <Button size="xs" variant="light" onClick={() => setEditing(h)}>
                        Edit
                      </Button>
                      <Button
                        size="xs"
                        variant="light"
                        color="orange"
                        loading={rotate.isPending && rotate.variables === h.id}
                        onClick={() =>
                          window.confirm(`Rotate the signing secret of ${h.url}? The current secret stops signing at once.`) &&
                          act(rotate.mutateAsync(h.id).then((s) => setSecret({ title: `New secret for ${h.url}`, secret: s.secret })))
                        }
                      >
                        Rotate secret
                      </Button>
                      <Button
                        size="xs"
                        color="red"
                        variant="light"
                        loading={remove.isPending && remove.variables === h.id}
                        onClick={() => window.confirm(`Delete the endpoint ${h.url} and its delivery log?`) && act(remove.mutateAsync(h.id))}
                      >
                        Delete
                      </Button>
                    </Group>
                  </Table.Td>
                </Table.Tr>
              ))}
            </Table.Tbody>
          </Table>
        )}
      </QueryState>
      <Modal opened={editing !== null} onClose={() => setEditing(null)} title={title} size="lg">
        {editing === 'new' && (
          <WebhookForm
            initial={EMPTY_WEBHOOK}
            submitLabel="Create"
            onCancel={() => setEditing(null)}
            onSubmit={async (values) => {
              const made = await create.mutateAsync(webhookBody(values));
              setEditing(null);
              setSecret({ title: `Endpoint ${made.url} created`, secret: made.secret });
            }}
          />
        )}
        {editing && editing !== 'new' && (
          <WebhookForm
            initial={valuesOf(editing)}
            disabledReason={editing.disabled_reason}
            submitLabel="Save"
            onCancel={() => setEditing(null)}
            onSubmit={async (values) => {
              await update.mutateAsync({ id: editing.id, body: webhookPatch(editing, values) });
              setEditing(null);
            }}
          />
        )}
      </Modal>
    </>
  );
}
