import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useState } from 'react';
import { Link, useNavigate, useSearchParams } from 'react-router-dom';

import { ApiError } from '../../../lib/api/client';
import { acceptInvitation, lookupInvitation, verifyEmail } from '../api/auth';
import { AuthCard } from './AuthCard';

/** /accept-invitation?token=: joins the inviting workspace. */
export function AcceptInvitationPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const invitation = useQuery({ queryKey: ['invitation', token], queryFn: () => lookupInvitation(token), retry: false });
  const [name, setName] = useState('');
  const [password, setPassword] = useState('');
  const [errors, setErrors] = useState<Partial<Record<'name' | 'password' | 'token', string>>>({});
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (invitation.isPending) return <AuthCard title="Invitation">Loading…</AuthCard>;
  if (invitation.isError || !invitation.data) {
    return (
      <AuthCard title="Invitation">
        <Alert color="red" role="alert">
          This invitation is not valid any more: it was used, revoked or has expired.
        </Alert>
      </AuthCard>
    );
  }
  const { tenant, email, account_exists, needs_password } = invitation.data;

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setErrors({});
    setError(null);
    try {
      await acceptInvitation({ token, name: account_exists ? null : name, password });
      queryClient.clear();
      navigate('/', { replace: true });
    } catch (e) {
      const named = e instanceof ApiError ? e.fieldsOf(['name', 'password', 'token'] as const) : {};
      if (Object.keys(named).length) setErrors(named);
      else setError(e instanceof Error ? e.message : 'Something went wrong');
    } finally {
      setBusy(false);
    }
  };
  return (
    <AuthCard title={`Join ${tenant.name}`}>
      <form onSubmit={submit}>
        <Stack>
          <Text size="sm">
            You are invited as <b>{email}</b>.
          </Text>
          {(error || errors.token) && (
            <Alert color="red" role="alert">
              {errors.token ? `This invitation ${errors.token}.` : error}
            </Alert>
          )}
          {!account_exists && (
            <TextInput label="Your name" name="name" required value={name} error={errors.name} onChange={(e) => setName(e.currentTarget.value)} />
          )}
          <PasswordInput
            label={needs_password ? 'Choose a password' : 'Your current password'}
            name="password"
            required
            value={password}
            error={errors.password}
            onChange={(e) => setPassword(e.currentTarget.value)}
          />
          <Button type="submit" loading={busy}>
            Accept the invitation
          </Button>
        </Stack>
      </form>
    </AuthCard>
  );
}

/** /verify-email?token=: the mailed confirmation link. */
export function VerifyEmailPage() {
  const [params] = useSearchParams();
  const token = params.get('token') ?? '';
  const queryClient = useQueryClient();
  const [state, setState] = useState<'checking' | 'done' | 'failed'>('checking');
  useEffect(() => {
    verifyEmail({ token }).then(
      () => {
        setState('done');
        void queryClient.invalidateQueries({ queryKey: ['me'] });
      },
      () => setState('failed'),
    );
  }, [token, queryClient]);
  return (
    <AuthCard title="Confirm your email">
      {state === 'checking' && <Text>Checking the link…</Text>}
      {state === 'done' && (
        <Alert color="green" role="status">
          Your email is confirmed.{' '}
          <Anchor component={Link} to="/">
            Continue
          </Anchor>
        </Alert>
      )}
      {state === 'failed' && (
        <Alert color="red" role="alert">
          This link is not valid any more: it was used or has expired.
        </Alert>
      )}
    </AuthCard>
  );
}
