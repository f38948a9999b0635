import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useState } from 'react';
import { Link, useSearchParams } from 'react-router-dom';

import { ApiError } from '../../../lib/api/client';
import { confirmPasswordReset, requestPasswordReset } from '../api/auth';
import { AuthCard } from './AuthCard';

/** /forgot-password: mails a reset link; the answer is the same for every address. */
export function ForgotPasswordPage() {
  const [email, setEmail] = useState('');
  const [sent, setSent] = useState(false);
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await requestPasswordReset({ email });
      setSent(true);
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The server could not be reached.');
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title="Reset your password">
      {sent ? (
        <Alert color="blue" role="status">
          If an account uses {email}, a link to choose a new password is on its way. It works for one hour.
        </Alert>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            {error && (
              <Alert color="red" role="alert">
                {error}
              </Alert>
            )}
            <TextInput label="Email" type="email" name="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
            <Button type="submit" loading={busy}>
              Mail me a link
            </Button>
          </Stack>
        </form>
      )}
      <Text size="sm" mt="md">
        <Anchor component={Link} to="/sign-in">
          Back to sign in
        </Anchor>
      </Text>
    </AuthCard>
  );
}

/** /reset-password?token=: the mailed link; a new password ends every session. */
export function ResetPasswordPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const [password, setPassword] = useState('');
  const [done, setDone] = useState(false);
  const [errors, setErrors] = useState<Partial<Record<'token' | 'new_password', string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);
  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      await confirmPasswordReset({ token, new_password: password });
      setDone(true);
    } catch (e) {
      const named = e instanceof ApiError ? e.fieldsOf(['token', 'new_password'] as const) : {};
      if (Object.keys(named).length) setErrors(named);
      else setError(e instanceof Error ? e.message : 'Something went wrong');
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title="Choose a new password">
      {done ? (
        <Alert color="green" role="status">
          Your password is changed and every session was signed out.{' '}
          <Anchor component={Link} to="/sign-in">
            Sign in
          </Anchor>
        </Alert>
      ) : (
        <form onSubmit={submit}>
          <Stack>
            {(error || errors.token) && (
              <Alert color="red" role="alert">
                {errors.token ? `This link ${errors.token}: ask for a new one.` : error}
              </Alert>
            )}
            <PasswordInput
              label="New password"
              name="new_password"
              required
              value={password}
              error={errors.new_password}
              onChange={(e) => setPassword(e.currentTarget.value)}
            />
            <Button type="submit" loading={busy}>
              Set the new password
            </Button>
          </Stack>
        </form>
      )}
    </AuthCard>
  );
}
