import { Readable } from 'node:stream';
import Router from '@koa/router';
import { z } from 'zod';
import { SESSIONS_CURSOR, type AccountData, type Accounts } from '../../accounts/index.js';
import { localeField, loginPasswordField } from '../../accounts/fields.js';
import {
  ACTIVITY,
  SESSIONS_PAGE,
  type AccountExport,
  type ActivityBody,
  type ActivityEvent,
  type MeBody,
  type MessageBody,
  type RevokeOthersBody,
  type SessionInfo,
  type SessionsBody,
} from '../../protocol.js';
import type { SessionRow } from '../../store/sessions.js';
import type { UserRow } from '../../store/users.js';
import type { StoredAuditEvent } from '../../store/audit.js';
import { parseBody, parseQuery, requestMeta, requireAuth, type AuthState } from '../request.js';
import { tokenInfo } from './tokens.js';
import { keyInfo } from './ssh-keys.js';
import { passkeyInfo } from './passkeys.js';

const wholeNumber = (name: string, max: number) =>
  z
    .string({ error: `${name} must be a whole number, given once` })
    .regex(/^\d{1,15}$/, `${name} must be a whole number`)
    .transform(Number)
    .refine((n) => n >= 1 && n <= max, `${name} must be from 1 to ${max}`);

const activityQuery = z.object({
  before: wholeNumber('before', Number.MAX_SAFE_INTEGER).optional(),
  limit: wholeNumber('limit', ACTIVITY.pageMax).default(ACTIVITY.pageDefault),
});

const sessionsQuery = z.object({
  before: z
    .string({ error: 'before must be given once' })
    .regex(SESSIONS_CURSOR, 'before must be a next_before taken from a sessions page')
    .optional(),
  limit: wholeNumber('limit', SESSIONS_PAGE.pageMax).default(SESSIONS_PAGE.pageDefault),
});

/** A password is only compared here, never judged: it may predate today's rules. */
const deleteBody = z.object({ password: loginPasswordField });

/** What the owner may change of their own account. A misspelt field must not look like a change made. */
const meBody = z.object({ locale: localeField }).strict();

/**
 * What a signed-in user does with their own session and account: who am I, log out, list and
 * end sessions, read the activity, take a copy, delete it all.
 */
export function accountRoutes(accounts: Accounts): Router<AuthState> {
  const router = new Router<AuthState>({ prefix: '/api' });
  const auth = requireAuth(accounts);

  // Not async: nothing to wait for, and every await is a turn of the promise chain around it.
  router.get('/me', auth, (ctx) => {
    ctx.body = me(ctx.state.auth.user, ctx.state.auth);
  });

  router.patch('/me', auth, async (ctx) => {
    const { locale } = parseBody(meBody, ctx.request.body);
    const user = await accounts.setMailLanguage(ctx.state.auth, locale);
    ctx.body = me(user, ctx.state.auth);
  });

  router.post('/logout', auth, async (ctx) => {
    await accounts.logout(ctx.state.auth, requestMeta(ctx));
    ctx.status = 204;
  });

  router.get('/sessions', auth, async (ctx) => {
    const { session } = ctx.state.auth;
    const page = parseQuery(sessionsQuery, ctx.query);
    const { sessions, nextBefore } = await accounts.listSessions(ctx.state.auth, page);
    ctx.body = {
      sessions: sessions.map((s) => sessionInfo(s, session.id)),
      next_before: nextBefore,
    } satisfies SessionsBody;
  });

  router.post('/sessions/revoke-others', auth, async (ctx) => {
    const revoked = await accounts.revokeOtherSessions(ctx.state.auth, requestMeta(ctx));
    ctx.body = { message: signedOut(revoked), revoked } satisfies RevokeOthersBody;
  });

  router.delete('/sessions/:id', auth, async (ctx) => {
    await accounts.revokeSession(ctx.state.auth, ctx.params.id ?? '', requestMeta(ctx));
    ctx.status = 204;
  });

  router.get('/account/activity', auth, async (ctx) => {
    const page = parseQuery(activityQuery, ctx.query);
    const { events, nextBefore } = await accounts.listActivity(ctx.state.auth, page);
    ctx.body = { events: events.map(activityEvent), next_before: nextBefore } satisfies ActivityBody;
  });

  router.get('/account/export', auth, async (ctx) => {
    const data = await accounts.exportAccount(ctx.state.auth, requestMeta(ctx));
    // A browser saves it as a file; API clients just read the JSON.
    ctx.set('Content-Disposition', `attachment; filename="mux1-export-${data.user.username}.json"`);
    ctx.set('Cache-Control', 'no-store');
    ctx.type = 'application/json';
    // Written as it is read, page by page, at the pace the client takes it (the stream waits
    // while the socket's buffer is full). Koa destroys the stream when the response ends or the
    // client goes away, which frees the export's place. At most two pieces wait ahead of the
    // socket: four large exports hold a few pages in memory, not sixteen each.
    const body = Readable.from(exportJson(data), { highWaterMark: 2 });
    body.once('close', data.done);
    ctx.body = body;
  });

  router.post('/account/deactivate', auth, async (ctx) => {
    const { password } = parseBody(deleteBody, ctx.request.body);
    await accounts.deactivateAccount(ctx.state.auth, password, requestMeta(ctx));
    ctx.body = {
      message: 'Your account is deactivated and every session signed out; sign in again to reactivate it.',
    } satisfies MessageBody;
  });

  router.delete('/account', auth, async (ctx) => {
    const { password } = parseBody(deleteBody, ctx.request.body);
    await accounts.deleteAccount(ctx.state.auth, password, requestMeta(ctx));
    ctx.status = 204;
  });

  return router;
}

// How stored rows appear on the wire: times as ISO 8601, never a token hash.

const me = (user: UserRow, { token }: AuthState['auth']): MeBody => ({
  user: {
    id: user.id,
    username: user.username,
    email: user.email,
    created_at: keptTimeText(user.created_at),
    two_factor: user.two_factor_enabled_at !== null,
    locale: user.locale,
  },
  // So a script (and `mux1 whoami`) can tell it runs on a token, and with which scopes.
  credential: token
    ? {
        type: 'token',
        id: token.id,
        name: token.name,
        scopes: token.scopes,
        expires_at: token.expiresAt === null ? null : keptTimeText(token.expiresAt),
      }
    : { type: 'session' },
});

const iso = (ms: number): string => new Date(ms).toISOString();

// An account's creation time never changes, nor a token's end, yet GET /api/me formatted them on
// every request, and Date's formatting was a tenth of that route's own work (bench/me-cpu.ts).
// The text of a time is always the same, so a time formatted once is kept; the table is emptied
// when full, so many accounts cannot grow it.
const timeTexts = new Map<number, string>();
const TIME_TEXTS_KEPT = 10_000;

function keptTimeText(ms: number): string {
  let text = timeTexts.get(ms);
  if (text === undefined) {
    text = iso(ms);
    if (timeTexts.size >= TIME_TEXTS_KEPT) timeTexts.clear();
    timeTexts.set(ms, text);
  }
  return text;
}
const isoOrNull = (ms: number | null): string | null => (ms === null ? null : iso(ms));

const sessionInfo = (s: SessionRow, currentId: string): SessionInfo => ({
  id: s.id,
  created_at: iso(s.created_at),
  last_seen_at: iso(s.last_seen_at),
  expires_at: iso(s.expires_at),
  user_agent: s.user_agent,
  ip: s.ip,
  current: s.id === currentId,
});

/** How many other sessions an action signed out, as a sentence. */
export const signedOut = (n: number): string =>
  n === 0
    ? 'No other session was signed in.'
    : `${n} other session${n === 1 ? ' was' : 's were'} signed out.`;

const activityEvent = (e: StoredAuditEvent): ActivityEvent => ({
  id: e.id,
  type: e.type,
  at: iso(e.at),
  ip: e.ip,
  user_agent: e.user_agent,
});

/**
 * The export as JSON text, in pieces: the small parts at once, then each page of messages and of
 * activity as it is read. Only fields chosen here (and, for sessions, messages and activity, in
 * the store's export functions, whose JSON the database writes) reach it, so a column added to a
 * table later cannot slip a secret into it: no password hash, token hash or code hash. SSH keys
 * and passkeys are public keys; their private halves never reach the server.
 */
async function* exportJson(data: AccountData): AsyncGenerator<string> {
  const { user } = data;
  const start: Pick<AccountExport, 'exported_at' | 'user'> = {
    exported_at: iso(data.at),
    user: {
      id: user.id,
      username: user.username,
      email: user.email,
      created_at: iso(user.created_at),
      email_verified_at: isoOrNull(user.email_verified_at),
      failed_logins: user.failed_logins,
      last_failed_login_at: isoOrNull(user.last_failed_login_at),
      two_factor: {
        enabled: user.two_factor_enabled_at !== null,
        enabled_at: isoOrNull(user.two_factor_enabled_at),
      },
    },
  };
  const rest: Omit<AccountExport, 'exported_at' | 'user' | 'sessions' | 'messages' | 'activity'> = {
    codes: data.codes.map((c) => ({
      purpose: c.purpose,
      attempts: c.attempts,
      created_at: iso(c.created_at),
      expires_at: iso(c.expires_at),
      used_at: isoOrNull(c.used_at),
    })),
    tokens: data.tokens.map((row) => ({
      ...tokenInfo(row),
      last_used_ip: row.last_used_ip,
      revoked_at: isoOrNull(row.revoked_at),
    })),
    identities: data.identities.map((row) => ({
      provider: row.provider,
      issuer: row.issuer,
      subject: row.subject,
      email: row.email,
      created_at: iso(row.created_at),
      last_used_at: isoOrNull(row.last_used_at),
    })),
    ssh_keys: data.sshKeys.map((row) => ({
      ...keyInfo(row),
      public_key: `${row.key_type} ${row.public_key}`,
    })),
    passkeys: data.passkeys.map((row) => ({
      ...passkeyInfo(row),
      credential_id: row.credential_id,
      public_key: row.public_key,
    })),
    blocks: data.blocks.map((b) => ({ username: b.username, blocked_at: iso(b.created_at) })),
    read_markers: data.readMarkers.map((m) => ({ room: m.room, last_read_id: m.last_read_id })),
  };
  // The objects without their braces, so the arrays the database wrote can go between them.
  yield `${JSON.stringify(start).slice(0, -1)},"sessions":[${data.sessions.json}],`;
  yield JSON.stringify(rest).slice(1, -1) + ',"messages":[';
  yield* joined(data.messages);
  yield '],"activity":[';
  yield* joined(data.activity);
  yield ']}';
}

/** Pages of JSON array items as one array's inside: a comma between pages, each page as it came. */
async function* joined(pages: AsyncIterable<string>): AsyncGenerator<string> {
  let first = true;
  for await (const page of pages) {
    if (!first) yield ',';
    yield page;
    first = false;
  }
}
