import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { acceptTokens } from '../../../lib/session';

export async function signIn(body: Schemas['LoginRequest']) {
  acceptTokens(unwrap(await api.POST('/api/auth/login', { body })));
}

export async function signUp(body: Schemas['SignupRequest']) {
  acceptTokens(unwrap(await api.POST('/api/auth/signup', { body })));
}

export async function requestPasswordReset(body: Schemas['PasswordResetRequest']) {
  unwrap(await api.POST('/api/auth/password-reset', { body }));
}

export async function confirmPasswordReset(body: Schemas['PasswordResetConfirm']) {
  unwrap(await api.POST('/api/auth/password-reset/confirm', { body }));
}

export async function verifyEmail(body: Schemas['VerifyEmailRequest']) {
  unwrap(await api.POST('/api/auth/verify-email', { body }));
}

export async function lookupInvitation(token: string): Promise<Schemas['InvitationLookup']> {
  return unwrap(await api.GET('/api/invitations/lookup', { params: { query: { token } } }));
}

export async function acceptInvitation(body: Schemas['InvitationAccept']) {
  acceptTokens(unwrap(await api.POST('/api/invitations/accept', { body })));
}
