import { Alert, Button, Group, MultiSelect, Stack, Switch, Textarea, TextInput } from '@mantine/core';
import { useState } from 'react';

import { ApiError } from '../../../lib/api/client';
import { EVENT_GROUPS, validateWebhook, WEBHOOK_FIELDS } from '../webhookForm';
import type { WebhookField, WebhookValues } from '../webhookForm';

/** The fields of an endpoint, checked here first and then by the API (its 422 shows on the field). */
export function WebhookForm({
  initial,
  submitLabel,
  disabledReason,
  onSubmit,
  onCancel,
}: {
  initial: WebhookValues;
  submitLabel: string;
  /** Why the server disabled the endpoint, if it did. */
  disabledReason?: string | null;
  onSubmit: (values: WebhookValues) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<WebhookValues>(initial);
  const [errors, setErrors] = useState<Partial<Record<WebhookField, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const set = <K extends keyof WebhookValues>(key: K, value: WebhookValues[K]) => setValues((v) => ({ ...v, [key]: value }));

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setError(null);
    const invalid = validateWebhook(values);
    setErrors(invalid);
    if (Object.keys(invalid).length) return;
    setBusy(true);
    try {
      await onSubmit(values);
    } catch (e) {
      const named = e instanceof ApiError ? e.fieldsOf(WEBHOOK_FIELDS) : {};
      if (Object.keys(named).length) setErrors(named);
      else setError(e instanceof Error ? e.message : 'Something went wrong');
    } finally {
      setBusy(false);
    }
  };

  return (
    <form onSubmit={submit} noValidate>
      <Stack>
        {error && <Alert color="red">{error}</Alert>}
        <TextInput
          label="URL"
          name="url"
          description="Where the events are posted: an http(s) address reachable from the internet"
          required
          value={values.url}
          error={errors.url}
          onChange={(e) => set('url', e.currentTarget.value)}
        />
        <MultiSelect
          label="Events"
          description="The changes this endpoint hears about"
          required
          data={EVENT_GROUPS}
          value={values.events}
          error={errors.events}
          onChange={(events) => set('events', events)}
          searchable
          clearable
          comboboxProps={{ withinPortal: true }}
        />
        <Textarea
          label="Description"
          name="description"
          autosize
          minRows={2}
          value={values.description}
          error={errors.description}
          onChange={(e) => set('description', e.currentTarget.value)}
        />
        <Switch
          label="Enabled"
          description={
            disabledReason && !initial.enabled
              ? `Disabled by the server: ${disabledReason}. Enabling it again resets its failure count.`
              : 'A disabled endpoint gets no new events; its pending deliveries wait.'
          }
          checked={values.enabled}
          error={errors.enabled}
          onChange={(e) => set('enabled', e.currentTarget.checked)}
        />
        <Group justify="flex-end">
          <Button variant="default" onClick={onCancel}>
            Cancel
          </Button>
          <Button type="submit" loading={busy}>
            {submitLabel}
          </Button>
        </Group>
      </Stack>
    </form>
  );
}
