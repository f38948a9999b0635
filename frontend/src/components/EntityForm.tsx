import { Alert, Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';

import { ApiError } from '../lib/api/client';

export type FieldSpec = {
  name: string;
  label: string;
  required?: boolean;
  type?: 'text' | 'email';
  /** Renders a select instead of a text input. */
  options?: { value: string; label: string }[];
};

export type FormValues = Record<string, string>;

/**
 * A small create/edit form whose per-field errors come from the API's 422
 * problem. Empty optional fields are sent as `null` (cleared).
 */
export function EntityForm({
  fields,
  initial,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  fields: FieldSpec[];
  initial: FormValues;
  submitLabel: string;
  onSubmit: (values: Record<string, string | null>) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<FormValues>(initial);
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      const body = Object.fromEntries(fields.map((f) => [f.name, values[f.name]?.trim() ? values[f.name] : f.required ? '' : null]));
      await onSubmit(body);
    } catch (e) {
      if (e instanceof ApiError && e.fieldErrors.length) setErrors(e.fields());
      else setError(e instanceof Error ? e.message : 'Something went wrong');
    } finally {
      setBusy(false);
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
        {fields.map((f) =>
          f.options ? (
            <Select
              key={f.name}
              label={f.label}
              name={f.name}
              data={f.options}
              clearable
              value={values[f.name] || null}
              error={errors[f.name]}
              onChange={(v) => setValues({ ...values, [f.name]: v ?? '' })}
            />
          ) : (
            <TextInput
              key={f.name}
              label={f.label}
              name={f.name}
              type={f.type ?? 'text'}
              withAsterisk={f.required}
              value={values[f.name] ?? ''}
              error={errors[f.name]}
              onChange={(e) => setValues({ ...values, [f.name]: e.currentTarget.value })}
            />
          ),
        )}
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
