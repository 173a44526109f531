import Router from '@koa/router';
import { z } from 'zod';
import type { Accounts } from '../../accounts/index.js';
import {
  PASSKEYS,
  type LoginBody,
  type PasskeyCredentialJSON,
  type PasskeyInfo,
  type PasskeyOptionsBody,
  type PasskeysBody,
} from '../../protocol.js';
import type { PasskeyRow } from '../../store/passkeys.js';
import { parseBody, requestMeta, requireAuth, type AuthState } from '../request.js';

/** A base64url field of a credential, as the browser's toJSON() or the page's helpers write it. */
const b64url = (name: string) =>
  z
    .string({ error: `${name} must be a base64url string` })
    .max(PASSKEYS.fieldMax, `${name} must be at most ${PASSKEYS.fieldMax} characters`)
    .regex(/^[A-Za-z0-9_-]*$/, `${name} must be a base64url string`);

const credentialField = z.object(
  {
    id: b64url('credential.id').min(1, 'credential.id is required'),
    rawId: b64url('credential.rawId').min(1, 'credential.rawId is required'),
    type: z.literal('public-key', { error: 'credential.type must be "public-key"' }),
    response: z.object(
      {
        clientDataJSON: b64url('credential.response.clientDataJSON').min(1),
        attestationObject: b64url('credential.response.attestationObject').optional(),
        authenticatorData: b64url('credential.response.authenticatorData').optional(),
        signature: b64url('credential.response.signature').optional(),
        userHandle: b64url('credential.response.userHandle').optional(),
        transports: z
          .array(z.string().max(20, 'a transport is at most 20 characters'), {
            error: 'credential.response.transports must be a list',
          })
          .max(8, 'at most 8 transports')
          .optional(),
      },
      { error: 'credential.response must be an object' },
    ),
    authenticatorAttachment: z.string().max(20).optional(),
    // What the browser's extensions said; none is asked for, so nothing of it is kept.
    clientExtensionResults: z.object({}).optional(),
  },
  { error: 'credential must be the object the browser made (PublicKeyCredential, as JSON)' },
);

const challengeIdField = z
  .string({ error: 'challenge_id must be a string' })
  .min(1, 'challenge_id is required')
  .max(100, 'challenge_id must be at most 100 characters');

const nameField = z
  .string({ error: 'name must be a string' })
  .trim()
  .min(1, 'name must not be empty')
  .max(PASSKEYS.nameMax, `name must be at most ${PASSKEYS.nameMax} characters`)
  .refine((n) => !/\p{Cc}/u.test(n), 'name must not hold control characters');

const registerBody = z.object({
  challenge_id: challengeIdField,
  credential: credentialField,
  name: nameField.optional(),
});
const renameBody = z.object({ name: nameField });
const loginBody = z.object({ challenge_id: challengeIdField, credential: credentialField });

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());

export const passkeyInfo = (row: PasskeyRow): PasskeyInfo => ({
  id: row.id,
  name: row.name,
  device_type: row.device_type,
  backed_up: row.backed_up,
  created_at: iso(row.created_at)!,
  last_used_at: iso(row.last_used_at),
});

const optionsBody = (c: {
  challengeId: string;
  options: Record<string, unknown>;
  expiresAt: number;
}): PasskeyOptionsBody => ({
  challenge_id: c.challengeId,
  options: c.options,
  expires_at: new Date(c.expiresAt).toISOString(),
});

/** Passkeys: managed by a signed-in person (ROUTE_ACCESS: session only); signing in with one. */
export function passkeyRoutes(accounts: Accounts): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api' });
  const auth = requireAuth(accounts);

  router.post('/passkeys/register/options', auth, async (ctx) => {
    const c = await accounts.passkeyRegistrationOptions(ctx.state.auth);
    ctx.body = optionsBody(c) satisfies PasskeyOptionsBody;
  });

  router.post('/passkeys/register', auth, async (ctx) => {
    const body = parseBody(registerBody, ctx.request.body);
    const row = await accounts.registerPasskey(
      ctx.state.auth,
      {
        challengeId: body.challenge_id,
        credential: body.credential as PasskeyCredentialJSON,
        name: body.name,
      },
      requestMeta(ctx),
    );
    ctx.status = 201;
    ctx.body = passkeyInfo(row) satisfies PasskeyInfo;
  });

  router.get('/passkeys', auth, async (ctx) => {
    const rows = await accounts.listPasskeys(ctx.state.auth);
    ctx.body = { passkeys: rows.map(passkeyInfo) } satisfies PasskeysBody;
  });

  router.patch('/passkeys/:id', auth, async (ctx) => {
    const { name } = parseBody(renameBody, ctx.request.body);
    const row = await accounts.renamePasskey(
      ctx.state.auth,
      { id: ctx.params.id ?? '', name },
      requestMeta(ctx),
    );
    ctx.body = passkeyInfo(row) satisfies PasskeyInfo;
  });

  router.delete('/passkeys/:id', auth, async (ctx) => {
    await accounts.removePasskey(ctx.state.auth, ctx.params.id ?? '', requestMeta(ctx));
    ctx.status = 204;
  });

  router.post('/login/passkey/options', async (ctx) => {
    const c = await accounts.passkeyLoginOptions(requestMeta(ctx));
    ctx.set('Cache-Control', 'no-store');
    ctx.body = optionsBody(c) satisfies PasskeyOptionsBody;
  });

  router.post('/login/passkey', async (ctx) => {
    const body = parseBody(loginBody, ctx.request.body);
    const result = await accounts.loginWithPasskey(
      { challengeId: body.challenge_id, credential: body.credential as PasskeyCredentialJSON },
      requestMeta(ctx),
    );
    ctx.body = {
      message: `Logged in as ${result.user.username} with a passkey.`,
      token: result.token,
      expires_at: new Date(result.expiresAt).toISOString(),
      user: { id: result.user.id, username: result.user.username, email: result.user.email },
    } satisfies LoginBody;
  });

  return router;
}
