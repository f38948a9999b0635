import { api, unwrap } from '../../../lib/api/client';
import type { Schemas } from '../../../lib/api/client';
import { acceptTokens } from '../../../lib/session';

export async function signIn(body: Schemas['LoginRequest']) {
  acceptTokens(unwrap(await api.POST('/api/auth/login', { body })));
}

export async function signUp(body: Schemas['SignupRequest']) {
  acceptTokens(unwrap(await api.POST('/api/auth/signup', { body })));
}
