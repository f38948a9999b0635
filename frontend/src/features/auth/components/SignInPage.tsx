import { Alert, Anchor, Button, PasswordInput, Stack, Text, TextInput } from '@mantine/core';
import { useQueryClient } from '@tanstack/react-query';
import { useState } from 'react';
import { Link, Navigate, useLocation, useNavigate } from 'react-router-dom';

import { ApiError } from '../../../lib/api/client';
import { useSessionStatus } from '../../../lib/session';
import { signIn } from '../api/auth';
import { AuthCard } from './AuthCard';

export function SignInPage() {
  const status = useSessionStatus();
  const navigate = useNavigate();
  const location = useLocation();
  const queryClient = useQueryClient();
  const [email, setEmail] = useState('');
  const [password, setPassword] = useState('');
  const [tenant, setTenant] = useState('');
  const [error, setError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  if (status === 'signed-in') return <Navigate to="/" replace />;
  const from = (location.state as { from?: string } | null)?.from ?? '/';

  const submit = async (event: React.FormEvent) => {
    event.preventDefault();
    setBusy(true);
    setError(null);
    try {
      await signIn({ email, password, tenant: tenant.trim() || null });
      queryClient.clear();
      navigate(from, { replace: true });
    } catch (e) {
      setError(e instanceof ApiError ? e.message : 'The server could not be reached.');
    } finally {
      setBusy(false);
    }
  };

  return (
    <AuthCard title="Sign in">
      <form onSubmit={submit}>
        <Stack>
          {error && (
            <Alert color="red" role="alert">
              {error}
            </Alert>
          )}
          <TextInput label="Email" type="email" name="email" required value={email} onChange={(e) => setEmail(e.currentTarget.value)} />
          <PasswordInput label="Password" name="password" required value={password} onChange={(e) => setPassword(e.currentTarget.value)} />
          <TextInput
            label="Workspace"
            description="Optional: the workspace's short name; empty for the one you used last"
            name="tenant"
            value={tenant}
            onChange={(e) => setTenant(e.currentTarget.value)}
          />
          <Button type="submit" loading={busy}>
            Sign in
          </Button>
          <Text size="sm">
            <Anchor component={Link} to="/forgot-password">
              Forgot your password?
            </Anchor>
          </Text>
          <Text size="sm">
            New here?{' '}
            <Anchor component={Link} to="/sign-up">
              Create a workspace
            </Anchor>
          </Text>
        </Stack>
      </form>
    </AuthCard>
  );
}
