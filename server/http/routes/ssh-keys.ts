import Router from '@koa/router';
import { z } from 'zod';
import type { Accounts, LoginResult } from '../../accounts/index.js';
import { loginIdField, loginPasswordField, secondFactorField } from '../../accounts/fields.js';
import {
  SSH_KEYS,
  type LoginBody,
  type MfaRequiredBody,
  type SshChallengeBody,
  type SshKeyInfo,
  type SshKeysBody,
} from '../../protocol.js';
import type { SshKeyRow } from '../../store/ssh-keys.js';
import { parseBody, requestMeta, requireAuth, type AuthState } from '../request.js';

const publicKeyField = z
  .string({ error: 'public_key must be the text of a .pub file' })
  .min(1, 'public_key is required')
  .max(SSH_KEYS.publicKeyMax, `public_key must be at most ${SSH_KEYS.publicKeyMax} characters`);

const addBody = z.object({
  public_key: publicKeyField,
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, 'name must not be empty')
    .max(SSH_KEYS.nameMax, `name must be at most ${SSH_KEYS.nameMax} characters`)
    .refine((n) => !/\p{Cc}/u.test(n), 'name must not hold control characters')
    .optional(),
});

const policyBody = z.object({
  both_factors: z.boolean({ error: 'both_factors must be true or false' }),
  password: loginPasswordField.optional(),
  code: secondFactorField.optional(),
});

const challengeBody = z.object({ username: loginIdField });

const loginBody = z.object({
  challenge_id: z
    .string({ error: 'challenge_id must be a string' })
    .min(1, 'challenge_id is required')
    .max(100, 'challenge_id must be at most 100 characters'),
  public_key: publicKeyField,
  signature: z
    .string({ error: 'signature must be the armored SSH signature (-----BEGIN SSH SIGNATURE-----)' })
    .min(1, 'signature is required')
    .max(SSH_KEYS.signatureMax, `signature must be at most ${SSH_KEYS.signatureMax} characters`),
});

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const keyInfo = (row: SshKeyRow): SshKeyInfo => ({
  id: row.id,
  name: row.name,
  fingerprint: row.fingerprint,
  type: row.key_type,
  bits: row.bits,
  created_at: iso(row.created_at)!,
  last_used_at: iso(row.last_used_at),
});

const loggedIn = (result: LoginResult): LoginBody => ({
  message: `Logged in as ${result.user.username}.`,
  token: result.token,
  expires_at: new Date(result.expiresAt).toISOString(),
  user: { id: result.user.id, username: result.user.username, email: result.user.email },
});

/** SSH keys: managed by a signed-in person (ROUTE_ACCESS: session only); logging in with one. */
export function sshKeyRoutes(accounts: Accounts): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api' });
  const auth = requireAuth(accounts);

  router.post('/ssh-keys', auth, async (ctx) => {
    const body = parseBody(addBody, ctx.request.body);
    const row = await accounts.addSshKey(
      ctx.state.auth,
      { publicKey: body.public_key, name: body.name },
      requestMeta(ctx),
    );
    ctx.status = 201;
    ctx.body = keyInfo(row) satisfies SshKeyInfo;
  });

  router.get('/ssh-keys', auth, async (ctx) => {
    const { keys, bothFactors } = await accounts.listSshKeys(ctx.state.auth);
    ctx.body = { keys: keys.map(keyInfo), both_factors: bothFactors } satisfies SshKeysBody;
  });

  router.delete('/ssh-keys/:id', auth, async (ctx) => {
    await accounts.removeSshKey(ctx.state.auth, ctx.params.id ?? '', requestMeta(ctx));
    ctx.status = 204;
  });

  router.post('/ssh-keys/policy', auth, async (ctx) => {
    const body = parseBody(policyBody, ctx.request.body);
    await accounts.setSshKeyPolicy(
      ctx.state.auth,
      { bothFactors: body.both_factors, password: body.password ?? '', code: body.code },
      requestMeta(ctx),
    );
    ctx.body = {
      message: body.both_factors
        ? 'An SSH-key login now stands in for your password and your second factor.'
        : 'An SSH-key login now counts as the first factor only.',
    };
  });

  router.post('/login/ssh/challenge', async (ctx) => {
    const { username } = parseBody(challengeBody, ctx.request.body);
    const c = await accounts.createSshChallenge({ username });
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      challenge_id: c.challengeId,
      nonce: c.nonce,
      expires_at: new Date(c.expiresAt).toISOString(),
    } satisfies SshChallengeBody;
  });

  router.post('/login/ssh', async (ctx) => {
    const body = parseBody(loginBody, ctx.request.body);
    const result = await accounts.loginWithSshKey(
      { challengeId: body.challenge_id, publicKey: body.public_key, signature: body.signature },
      requestMeta(ctx),
    );
    ctx.body =
      'mfaRequired' in result
        ? ({
            message: 'SSH key right. Now send a code from your authenticator app, or a backup code.',
            mfa_required: true,
            mfa_token: result.mfaToken,
            expires_at: new Date(result.expiresAt).toISOString(),
          } satisfies MfaRequiredBody)
        : loggedIn(result);
  });

  return router;
}
