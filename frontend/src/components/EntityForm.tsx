import { Alert, Button, Group, Select, Stack, TextInput } from '@mantine/core';
import { useState } from 'react';

import { ApiError } from '../lib/api/client';

/** The fields of a request body `T` that a text input can edit. */
export type TextField<T> = { [K in keyof T]-?: NonNullable<T[K]> extends string ? K : never }[keyof T] & string;

export type FieldSpec<T> = {
  name: TextField<T>;
  label: string;
  required?: boolean;
  type?: 'text' | 'email' | 'date';
  /** Renders a select instead of a text input. */
  options?: { value: string; label: string }[];
};

/** What the inputs hold, by field of `T`. */
export type FormValues<T> = Partial<Record<TextField<T>, string>>;

/** An optional text input's value for the API: empty clears it (`null`). */
export function optional(value: string | undefined): string | null {
  return value?.trim() ? value : null;
}

/**
 * The fields of an edit's body that differ from the record as it was shown
 * (`null`, `undefined` and `''` count as the same empty value). An edit sends
 * only these: a field hidden from the caller is answered `null`, and sending
 * it back would clear the stored value.
 */
export function changedFields<T extends object>(before: Partial<Record<keyof T, unknown>>, body: T): Partial<T> {
  const empty = (v: unknown) => v ?? '';
  const out: Partial<T> = {};
  for (const key of Object.keys(body) as (keyof T)[]) {
    if (empty(body[key]) !== empty(before[key])) out[key] = body[key];
  }
  return out;
}

/**
 * A small create/edit form for a request body `T` (a type generated from
 * the OpenAPI document): field names are `T`'s, `toBody` builds a `T` from
 * the inputs, and per-field errors of the API's 422 problem land on the
 * input they name.
 */
export function EntityForm<T>({
  fields,
  initial,
  toBody,
  submitLabel,
  onSubmit,
  onCancel,
}: {
  fields: FieldSpec<T>[];
  initial: FormValues<T>;
  toBody: (values: FormValues<T>) => T;
  submitLabel: string;
  onSubmit: (body: T) => Promise<unknown>;
  onCancel: () => void;
}) {
  const [values, setValues] = useState<FormValues<T>>(initial);
  const [errors, setErrors] = useState<Partial<Record<TextField<T>, string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      await onSubmit(toBody(values));
    } catch (e) {
      const named = e instanceof ApiError ? e.fieldsOf(fields.map((f) => f.name)) : {};
      if (Object.keys(named).length) setErrors(named);
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
