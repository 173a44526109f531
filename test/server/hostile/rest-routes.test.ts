import { expect } from 'chai';
import { createHttpApp } from '../../../server/http/app.js';
import { createLimits } from '../../../server/limits/index.js';
import { systemClock } from '../../../server/clock.js';
import { createMetrics } from '../../../server/metrics/registry.js';
import { LIMITS } from '../../../server/protocol.js';
import { bearer, newPerson } from '../../helpers/accounts.js';
import { turnOn } from '../../helpers/two-factor.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { expectNoBug, expectRefused, hostileBodies, stored } from '../../helpers/hostile-inputs.js';
import { useServer } from '../../helpers/fixture.js';

/*
 * Every route the REST router holds, read from the router itself, gets hostile input: a route
 * added later without an entry below fails the first test, naming it. A route that reads a body
 * gets wrong types, missing fields, null bytes and lone surrogates, prototype-pollution keys,
 * nesting and a huge body, and must answer a 4xx `{error, code}`; a route that reads none gets
 * the same bodies and must not fail for them.
 */

const VICTIM = {
  username: 'routevictim',
  email: 'routevictim@example.test',
  password: 'victim pass phrase 1',
};

/** The shape of a WebAuthn credential as the page sends it, with nothing an authenticator signed. */
const FAKE_CREDENTIAL = {
  id: 'AAAA',
  rawId: 'AAAA',
  type: 'public-key',
  response: {
    clientDataJSON: 'e30',
    attestationObject: 'AAAA',
    authenticatorData: 'AAAA',
    signature: 'AAAA',
  },
};

/** Routes that read a JSON body, with a well-formed body that still changes nothing. */
const BODY_ROUTES: Record<string, { body: Record<string, unknown>; auth?: boolean }> = {
  'POST /api/signup': {
    body: { username: VICTIM.username, email: 'fuzzed@example.test', password: 'a fine pass phrase' },
  },
  'POST /api/verify-email': { body: { email: 'fuzzed@example.test', code: '123456' } },
  'POST /api/resend-verification': { body: { email: 'fuzzed@example.test' } },
  'POST /api/login': { body: { username: 'fuzzed', password: 'not the password' } },
  'POST /api/login/2fa': { body: { mfa_token: 'A'.repeat(43), code: '123456' } },
  'POST /api/password/forgot': { body: { email: 'fuzzed@example.test' } },
  'POST /api/password/reset': {
    body: { email: 'fuzzed@example.test', code: '123456', password: 'another pass phrase' },
  },
  'POST /api/password/change': {
    body: { current_password: 'wrong one here', password: 'another pass phrase' },
    auth: true,
  },
  'DELETE /api/account': { body: { password: 'wrong one here' }, auth: true },
  'POST /api/account/deactivate': { body: { password: 'wrong one here' }, auth: true },
  'POST /api/2fa/setup': { body: { password: 'wrong one here' }, auth: true },
  'POST /api/2fa/enable': { body: { code: '123456' }, auth: true },
  'POST /api/2fa/disable': { body: { password: 'wrong one here', code: '123456' }, auth: true },
  'POST /api/2fa/backup-codes': { body: { password: 'wrong one here', code: '123456' }, auth: true },
  // An unknown scope keeps every variant from making a token.
  'POST /api/tokens': { body: { name: 'fuzzed', scopes: ['admin:all'], expires_in_days: 30 }, auth: true },
  // A ticket no sign-in gave: refused whatever else is sent.
  'POST /api/oidc/complete': { body: { ticket: 'A'.repeat(43) } },
  'POST /api/oidc/signup': { body: { ticket: 'A'.repeat(43), username: 'fuzzedname' } },
  // A code is made for any well-formed name (a pending login, in no table stored() counts).
  'POST /api/device/code': { body: { client_name: 'fuzzed terminal' } },
  'POST /api/device/token': { body: { device_code: 'A'.repeat(43) } },
  // No login waits for this code: wrong codes, then the per-account limit, refuse them all.
  'POST /api/device/lookup': { body: { user_code: 'BCDF-GHJK' }, auth: true },
  'POST /api/device/approve': { body: { user_code: 'BCDF-GHJK', approve: true }, auth: true },
  // The caller is no admin (403 before the body is read); test/server/admin/ sends an admin's.
  'PATCH /api/admin/users/:id': { body: { role: 'superuser' }, auth: true },
  // A DSA key is refused whatever else the body holds, so no variant registers a key.
  'POST /api/ssh-keys': {
    body: { public_key: 'ssh-dss AAAAB3NzaC1kc3M= fuzzed', name: 'fuzzed' },
    auth: true,
  },
  'POST /api/ssh-keys/policy': { body: { both_factors: true, password: 'wrong one here' }, auth: true },
  'POST /api/login/ssh/challenge': { body: { username: 'fuzzed' } },
  'POST /api/login/ssh': {
    body: {
      challenge_id: `sshc_${'0'.repeat(32)}`,
      public_key: 'ssh-ed25519 AAAAC3NzaC1lZDI1NTE5AAAAIOMqqnkVzrm0SdG6UOoqKLsabgH5C9okWi0dh2l9GKJl x',
      signature: '-----BEGIN SSH SIGNATURE-----\nU1NIU0lH\n-----END SSH SIGNATURE-----',
    },
  },
  // A credential no authenticator made: it never verifies, so no variant registers or signs in.
  'POST /api/passkeys/register': {
    body: { challenge_id: `pkc_${'0'.repeat(32)}`, credential: FAKE_CREDENTIAL, name: 'fuzzed' },
    auth: true,
  },
  'PATCH /api/passkeys/:id': { body: { name: 'fuzzed' }, auth: true },
  // The language the victim has anyway (none chosen is English): no variant changes what it gets.
  'PATCH /api/me': { body: { locale: null }, auth: true },
  'POST /api/login/passkey': { body: { challenge_id: `pkc_${'0'.repeat(32)}`, credential: FAKE_CREDENTIAL } },
};

/**
 * Routes that read no body. `auth`: needs a session; `changes`: acts on the session that calls
 * it (logout, revoking), so it is sent hostile bodies without a session, which it must refuse.
 */
const NO_BODY_ROUTES: Record<string, { auth?: boolean; changes?: boolean; path?: string }> = {
  'GET /api/health': {},
  'GET /api/server-status': {},
  'GET /api/challenge': {},
  'POST /api/logout': { auth: true, changes: true },
  'GET /api/me': { auth: true },
  'GET /api/sessions': { auth: true },
  'POST /api/sessions/revoke-others': { auth: true, changes: true },
  'DELETE /api/sessions/:id': { auth: true, changes: true, path: '/api/sessions/0123456789abcdef' },
  'GET /api/account/activity': { auth: true },
  'GET /api/account/export': { auth: true },
  'GET /api/2fa': { auth: true },
  'GET /api/tokens': { auth: true },
  'DELETE /api/tokens/:id': { auth: true, changes: true, path: `/api/tokens/tok_${'0'.repeat(32)}` },
  'GET /api/oidc/providers': {},
  // No provider is configured in this test: each names an unknown one.
  'POST /api/oidc/:provider/start': { path: '/api/oidc/nosuch/start' },
  'GET /api/oidc/:provider/callback': { path: '/api/oidc/nosuch/callback?state=x&code=y' },
  'POST /api/identities/:provider/link': { auth: true, path: '/api/identities/nosuch/link' },
  'GET /api/identities': { auth: true },
  'DELETE /api/identities/:id': { auth: true, changes: true, path: '/api/identities/1' },
  'GET /api/admin/users': { auth: true },
  'GET /api/admin/audit': { auth: true },
  'GET /api/admin/stats': { auth: true },
  'GET /api/admin/users/:id': { auth: true, path: '/api/admin/users/1' },
  'DELETE /api/admin/users/:id': { auth: true, changes: true, path: '/api/admin/users/1' },
  'POST /api/admin/users/:id/password-reset': {
    auth: true,
    changes: true,
    path: '/api/admin/users/1/password-reset',
  },
  'GET /api/ssh-keys': { auth: true },
  'DELETE /api/ssh-keys/:id': { auth: true, changes: true, path: `/api/ssh-keys/key_${'0'.repeat(32)}` },
  'POST /api/passkeys/register/options': { auth: true },
  'GET /api/passkeys': { auth: true },
  'DELETE /api/passkeys/:id': { auth: true, changes: true, path: `/api/passkeys/pk_${'0'.repeat(32)}` },
  'POST /api/login/passkey/options': {},
  'GET /': {},
  'GET /app.js': {},
  'GET /style.css': {},
  'GET /device': {},
  'GET /device.js': {},
  'GET /texts.js': {},
  '* /metrics': { auth: true },
};

const METRICS_TOKEN = 'a-metrics-token-for-the-hostile-test';

let octet = 0;
/** Each request from its own address, so the per-address limits do not stand in for validation. */
const fresh = () => ({
  'x-forwarded-for': `10.${(octet >> 16) & 255}.${(octet >> 8) & 255}.${octet++ & 255}`,
});

/** Every route of the app's router, as `METHOD path` (`* path` for a route of every method). */
function routesOf(app: { middleware: unknown[] }): string[] {
  const router = app.middleware
    .map((mw) => (mw as { router?: { stack: { path: string; methods: string[] }[] } }).router)
    .find((r) => r !== undefined);
  if (!router) throw new Error('the app has no router');
  const routes = new Set<string>();
  for (const layer of router.stack) {
    const methods = layer.methods.filter((m) => m !== 'HEAD');
    if (methods.length > 10) routes.add(`* ${layer.path}`);
    else for (const m of methods) routes.add(`${m} ${layer.path.replace(/(.)\/$/, '$1')}`);
  }
  return [...routes].sort();
}

/** A JSON body past the server's limit. */
const hugeBody = () => JSON.stringify({ text: 'x'.repeat(LIMITS.bodyBytes * 4) });

describe('hostile input: every REST route of the router', function () {
  this.timeout(300_000);
  let token: string;
  let baseline: Record<string, number>;
  let routes: string[];
  const t = useServer({
    env: { TRUST_PROXY: '1', LIMIT_SIGNUPS_PER_10MIN: '1000', METRICS_TOKEN },
  });

  const send = (route: string, body: string | Buffer, headers: Record<string, string>) => {
    const [method, pattern] = route.split(' ') as [string, string];
    const path = NO_BODY_ROUTES[route]?.path ?? pattern;
    return rawRequest(t.url, {
      method: method === '*' ? 'POST' : method,
      path,
      headers: {
        'content-type': 'application/json',
        'content-length': String(Buffer.byteLength(body)),
        ...fresh(),
        ...headers,
      },
      chunks: [body],
    });
  };

  before(async () => {
    expect((await t.signUp(VICTIM)).status).to.equal(201);
    await t.db('users').where({ username: VICTIM.username }).update({ email_verified_at: Date.now() });
    const login = await t.api('POST', '/api/login', { username: VICTIM.username, password: VICTIM.password });
    token = login.body.token;
    baseline = await stored(t);
    // The router as the server builds it, from this server's parts.
    const limits = createLimits({ config: t.config, clock: systemClock, log: t.server.log });
    try {
      routes = routesOf(
        createHttpApp({
          db: t.server.db,
          log: t.server.log,
          accounts: t.server.accounts,
          challenges: limits.challenges,
          serverStatusPublic: false,
          trustProxy: true,
          corsOrigins: [],
          metrics: createMetrics(() => undefined, false),
          metricsSettings: t.config,
          startedAt: Date.now(),
          connectedUsers: async () => 0,
          publicUrl: () => t.url,
        }),
      );
    } finally {
      await limits.close();
    }
  });

  it('has hostile inputs for every route the router holds, and for no route it lacks', () => {
    const known = [...Object.keys(BODY_ROUTES), ...Object.keys(NO_BODY_ROUTES)];
    const missing = routes.filter((r) => !known.includes(r));
    expect(missing, 'routes with no hostile inputs: add them to BODY_ROUTES or NO_BODY_ROUTES').to.deep.equal(
      [],
    );
    expect(
      known.filter((r) => !routes.includes(r)),
      'entries for routes the router lacks',
    ).to.deep.equal([]);
  });

  it('answers every hostile body on a route that reads one with a 4xx {error, code}', async () => {
    for (const [route, { body, auth }] of Object.entries(BODY_ROUTES)) {
      const headers = auth ? bearer(token) : {};
      for (const hostile of [...hostileBodies(body), hugeBody()]) {
        const res = await send(route, hostile, headers);
        // Some injections are well-formed requests (an address may hold a quote): those are
        // answered as for any unknown address (200 from resend and forgot); the rest refused.
        if (res.status === 200 && /resend|forgot|device\/code/.test(route)) continue;
        // answered as for any unknown address (200 from resend and forgot, a challenge for an
        // SSH-key login); the rest refused.
        if (res.status === 200 && /resend|forgot|ssh\/challenge/.test(route)) continue;
        // null is among the wrong values, and is the one right value of locale besides a language.
        if (res.status === 200 && route === 'PATCH /api/me' && hostile === '{"locale":null}') continue;
        expectRefused({ ...res, headers: {} }, `${route} ${hostile.slice(0, 80)}`);
      }
      const huge = await send(route, hugeBody(), headers);
      expect(huge.status, `${route} huge body`).to.equal(413);
      expect(huge.body.code).to.equal('payload_too_large');
    }
    expect(await stored(t)).to.deep.equal(baseline);
    expectNoBug(t);
  });

  it('does not fail on a route that reads no body when it is sent a hostile one', async () => {
    const samples = [...hostileBodies({ username: VICTIM.username, code: '123456' }), hugeBody()];
    for (const [route, { auth, changes }] of Object.entries(NO_BODY_ROUTES)) {
      // A route that acts on its caller's session gets them with no session: it must refuse.
      const headers: Record<string, string> = !auth
        ? {}
        : changes
          ? {}
          : route.endsWith('/metrics')
            ? bearer(METRICS_TOKEN)
            : bearer(token);
      for (const hostile of samples) {
        const res = await send(route, hostile, headers);
        expect(
          res.status,
          `${route} ${hostile.slice(0, 80)}: ${JSON.stringify(res.body)?.slice(0, 200)}`,
        ).to.be.below(500);
        if (res.status >= 400) expectRefused({ ...res, headers: {} }, `${route} ${hostile.slice(0, 80)}`);
        if (changes) expect(res.status, `${route} without a session`).to.be.within(400, 499);
      }
    }
    expect(await stored(t)).to.deep.equal(baseline);
    expectNoBug(t);
  });

  it('answers hostile bodies on the two-factor routes of an account that has it on, which stays on', async () => {
    const p = newPerson('hostile2fa');
    expect((await t.signUp(p)).status).to.equal(201);
    await t.db('users').where({ username: p.username }).update({ email_verified_at: Date.now() });
    const session = (
      await t.api('POST', '/api/login', { username: p.username, password: p.password }, fresh())
    ).body.token as string;
    await turnOn(t.url, { ...p, token: session }, Date.now());
    const pending = await t.api(
      'POST',
      '/api/login',
      { username: p.username, password: p.password },
      fresh(),
    );
    expect(pending.body.mfa_required).to.equal(true);
    const targets: [string, Record<string, unknown>, Record<string, string>][] = [
      ['POST /api/2fa/disable', { password: 'wrong one here', code: '123456' }, bearer(session)],
      ['POST /api/2fa/backup-codes', { password: 'wrong one here', code: '123456' }, bearer(session)],
      ['POST /api/2fa/setup', { password: 'wrong one here' }, bearer(session)],
      ['POST /api/2fa/enable', { code: '123456' }, bearer(session)],
      ['POST /api/login/2fa', { mfa_token: pending.body.mfa_token, code: '123456' }, {}],
    ];
    for (const [route, body, headers] of targets) {
      for (const hostile of [...hostileBodies(body), hugeBody()]) {
        expectRefused(
          { ...(await send(route, hostile, headers)), headers: {} },
          `${route} ${hostile.slice(0, 80)}`,
        );
      }
    }
    const me = await t.api('GET', '/api/me', undefined, bearer(session));
    expect(me.body.user.two_factor, 'two-factor sign-in is still on').to.equal(true);
    expectNoBug(t);
  });

  it('still serves afterwards: health, a login, and the attacked session', async () => {
    expect((await t.api('GET', '/api/health')).status).to.equal(200);
    expect((await t.api('GET', '/api/me', undefined, bearer(token))).status).to.equal(200);
    const login = await t.api(
      'POST',
      '/api/login',
      { username: VICTIM.username, password: VICTIM.password },
      fresh(),
    );
    // The wrong passwords above may have locked the account: a 429 is an answer too.
    expect(login.status, JSON.stringify(login.body)).to.be.oneOf([200, 429]);
    expectNoBug(t);
  });
});
