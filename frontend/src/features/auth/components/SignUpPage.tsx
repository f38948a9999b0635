import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Navigate, useNavigate } from 'react-router-dom';

import { ApiError } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { useSessionStatus } from '../../../lib/session';
import { signUp } from '../api/auth';
import { AuthCard } from './AuthCard';

const SIGNUP_FIELDS = ['tenant_name', 'name', 'email', 'password'] as const satisfies readonly (keyof Schemas['SignupRequest'])[];

export function SignUpPage() {
  const status = useSessionStatus();
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const [form, setForm] = useState({ tenant_name: '', name: '', email: '', password: '' });
  const [errors, setErrors] = useState<Partial<Record<(typeof SIGNUP_FIELDS)[number], string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (status === 'signed-in') return <Navigate to="/" replace />;
  const field = (key: keyof typeof form) => ({
    name: key,
    value: form[key],
    error: errors[key],
    onChange: (e: React.ChangeEvent<HTMLInputElement>) => setForm({ ...form, [key]: e.currentTarget.value }),
  });

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    setErrors({});
    try {
      await signUp(form);
      queryClient.clear();
      navigate('/', { replace: true });
    } catch (e) {
      if (e instanceof ApiError) {
        const named = e.fieldsOf(SIGNUP_FIELDS);
        setErrors(named);
        setError(Object.keys(named).length ? null : e.message);
      } else {
        setError('The server could not be reached.');
      }
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Create a workspace">
      <form onSubmit={submit}>
        <Stack>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <TextInput label="Workspace name" required {...field('tenant_name')} />
          <TextInput label="Your name" required {...field('name')} />
          <TextInput label="Email" type="email" required {...field('email')} />
          <PasswordInput label="Password" description="At least 8 characters, not a common password" required {...field('password')} />
          <Button type="submit" loading={busy}>
            Create workspace
          </Button>
          <Text size="sm">
            Already have an account?{' '}
            <Anchor component={Link} to="/sign-in">
              Sign in
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthCard>
  );
}
