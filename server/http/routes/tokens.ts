import Router from '@koa/router';
import { z } from 'zod';
import type { Accounts } from '../../accounts/index.js';
import {
  TOKENS,
  TOKEN_SCOPES,
  type CreateTokenBody,
  type TokenInfo,
  type TokenScope,
  type TokensBody,
} from '../../protocol.js';
import type { AccessTokenRow } from '../../store/access-tokens.js';
import { parseBody, requestMeta, requireAuth, type AuthState } from '../request.js';

const isScope = (s: string): s is TokenScope => (TOKEN_SCOPES as readonly string[]).includes(s);

const scopeField = z
  .string({ error: 'scopes must be a list of scope names' })
  .superRefine((s, ctx) => {
    // The message names what was sent (cut short), so a typo is plain to see.
    if (!isScope(s)) {
      ctx.addIssue({
        code: 'custom',
        message: `unknown scope ${JSON.stringify(s.slice(0, 40))}: scopes are ${TOKEN_SCOPES.join(', ')}`,
      });
    }
  })
  .transform((s) => s as TokenScope);

const createBody = z.object({
  name: z
    .string({ error: 'name must be a string' })
    .trim()
    .min(1, 'name is required')
    .max(TOKENS.nameMax, `name must be at most ${TOKENS.nameMax} characters`)
    .refine((n) => !/\p{Cc}/u.test(n), 'name must not hold control characters'),
  scopes: z
    .array(scopeField, { error: 'scopes must be a list of scope names' })
    .min(1, `scopes must name at least one of ${TOKEN_SCOPES.join(', ')}`)
    .max(TOKEN_SCOPES.length * 2, 'scopes lists too many names'),
  expires_in_days: z
    .number({ error: `expires_in_days must be a whole number of days, or null for never` })
    .int(`expires_in_days must be a whole number of days`)
    .min(
      TOKENS.expiresDaysMin,
      `expires_in_days must be from ${TOKENS.expiresDaysMin} to ${TOKENS.expiresDaysMax}`,
    )
    .max(
      TOKENS.expiresDaysMax,
      `expires_in_days must be from ${TOKENS.expiresDaysMin} to ${TOKENS.expiresDaysMax}`,
    )
    .nullable()
    .optional(),
});

const iso = (ms: number | null): string | null => (ms === null ? null : new Date(ms).toISOString());
const scopesOf = (row: AccessTokenRow) => row.scopes.split(' ') as TokenScope[];

const tokenInfo = (row: AccessTokenRow): TokenInfo => ({
  id: row.id,
  name: row.name,
  scopes: scopesOf(row),
  created_at: iso(row.created_at)!,
  expires_at: iso(row.expires_at),
  last_used_at: iso(row.last_used_at),
});

/** Personal access tokens, managed by a signed-in person (ROUTE_ACCESS: session only). */
export function tokenRoutes(accounts: Accounts): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api/tokens' });
  const auth = requireAuth(accounts);

  router.post('/', auth, async (ctx) => {
    const body = parseBody(createBody, ctx.request.body);
    const { token, row } = await accounts.createToken(
      ctx.state.auth,
      { name: body.name, scopes: body.scopes, expiresInDays: body.expires_in_days },
      requestMeta(ctx),
    );
    ctx.status = 201;
    ctx.set('Cache-Control', 'no-store');
    ctx.body = {
      id: row.id,
      name: row.name,
      token,
      scopes: scopesOf(row),
      expires_at: iso(row.expires_at),
    } satisfies CreateTokenBody;
  });

  router.get('/', auth, async (ctx) => {
    const rows = await accounts.listTokens(ctx.state.auth);
    ctx.body = { tokens: rows.map(tokenInfo) } satisfies TokensBody;
  });

  router.delete('/:id', auth, async (ctx) => {
    await accounts.revokeToken(ctx.state.auth, ctx.params.id ?? '', requestMeta(ctx));
    ctx.status = 204;
  });

  return router;
}
