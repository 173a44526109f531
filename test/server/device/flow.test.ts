import { hash } from 'node:crypto';
import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { DEVICE } from '../../../server/protocol.js';
import { auditTypes } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';

/*
 * Device login (RFC 8628) over REST with a clock the test moves: a terminal asks for codes,
 * polls, a signed-in person looks the code up and approves or denies it, and the poll that
 * follows gets a session of its own (or the refusal). Polls are a clock interval apart unless
 * the test means them to come too soon.
 */
describe('device login: POST /api/device/code, /token, /lookup, /approve', function () {
  this.timeout(60_000);
  const clock = manualClock(Date.now());
  const t = useServer({ overrides: { clock }, env: { ...MANY_SIGNUPS }, each: true });

  const start = async (clientName = 'laptop terminal') => {
    const res = await t.api('POST', '/api/device/code', { client_name: clientName });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body as {
      device_code: string;
      user_code: string;
      verification_uri: string;
      verification_uri_complete: string;
      expires_in: number;
      interval: number;
    };
  };
  const poll = (deviceCode: string) => t.api('POST', '/api/device/token', { device_code: deviceCode });
  const wait = (seconds: number = DEVICE.intervalSeconds) => clock.advance(seconds * 1000);

  it('hands out codes as RFC 8628 says, approves one, and the poll gets a session that shows and revokes', async () => {
    const p = await t.chatPerson('approver');
    const codes = await start();
    expect(codes.device_code).to.match(/^[A-Za-z0-9_-]{43}$/); // 32 bytes: 256 bits
    expect(codes.user_code).to.match(/^[BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4}$/);
    expect(codes.verification_uri).to.equal(`${t.url}/device`);
    expect(codes.verification_uri_complete).to.equal(`${t.url}/device?code=${codes.user_code}`);
    expect(codes.expires_in).to.equal(600);
    expect(codes.interval).to.equal(DEVICE.intervalSeconds);

    // Stored hashed: neither code is in the table as it was handed out.
    const rows = await t.db('device_codes').select();
    expect(rows).to.have.length(1);
    const dump = JSON.stringify(rows);
    expect(dump).not.to.include(codes.device_code);
    expect(dump).not.to.include(codes.user_code.replace('-', ''));
    expect(rows[0].device_code_hash).to.equal(hash('sha256', codes.device_code, 'hex'));

    expectError(await poll(codes.device_code), 400, 'authorization_pending');

    // Typed in lower case with spaces: the same code.
    const typed = codes.user_code.toLowerCase().replace('-', ' ');
    const look = await t.as(p.token)('POST', '/api/device/lookup', { user_code: typed });
    expect(look.status, JSON.stringify(look.body)).to.equal(200);
    expect(look.body).to.include({
      user_code: codes.user_code,
      client_name: 'laptop terminal',
      ip: '127.0.0.1',
    });
    expect(Date.parse(look.body.created_at)).to.equal(clock.now());

    const ok = await t.as(p.token)('POST', '/api/device/approve', { user_code: typed, approve: true });
    expect(ok.status, JSON.stringify(ok.body)).to.equal(200);
    expect(ok.body.message).to.include('laptop terminal');

    wait();
    const got = await poll(codes.device_code);
    expect(got.status, JSON.stringify(got.body)).to.equal(200);
    expect(got.body.user).to.include({ id: p.id, username: p.username });
    expect(got.body.token).to.be.a('string');
    const me = await t.as(got.body.token)('GET', '/api/me');
    expect(me.status).to.equal(200);
    expect(me.body.credential).to.deep.equal({ type: 'session' });

    // Single use: the code gives no second session.
    wait();
    expectError(await poll(codes.device_code), 400, 'expired_token');
    // Nor can it be approved again.
    expectError(
      await t.as(p.token)('POST', '/api/device/approve', { user_code: typed, approve: true }),
      404,
      'not_found',
    );

    // In the sessions list under the terminal's name, and revoked like any session.
    const list = await t.as(p.token)('GET', '/api/sessions');
    const device = list.body.sessions.find((s: { user_agent: string }) =>
      s.user_agent?.startsWith('laptop terminal'),
    );
    expect(device, JSON.stringify(list.body)).to.not.equal(undefined);
    expect((await t.as(p.token)('DELETE', `/api/sessions/${device.id}`)).status).to.equal(204);
    expectError(await t.as(got.body.token)('GET', '/api/me'), 401, 'unauthorized');

    expect(await auditTypes(t, p.id)).to.include.members(['device_approved', 'device_login']);
  });

  it('denied: the poll answers access_denied and no session is made', async () => {
    const p = await t.chatPerson('denier');
    const codes = await start('stranger');
    const before = Number((await t.db('sessions').count({ n: '*' }))[0]!.n);
    const no = await t.as(p.token)('POST', '/api/device/approve', {
      user_code: codes.user_code,
      approve: false,
    });
    expect(no.status, JSON.stringify(no.body)).to.equal(200);
    expect(no.body.message).to.match(/^Denied/);
    wait();
    expectError(await poll(codes.device_code), 400, 'access_denied');
    wait();
    expectError(await poll(codes.device_code), 400, 'access_denied');
    expect(Number((await t.db('sessions').count({ n: '*' }))[0]!.n)).to.equal(before);
    // A denied code cannot be approved afterwards.
    expectError(
      await t.as(p.token)('POST', '/api/device/approve', { user_code: codes.user_code, approve: true }),
      404,
      'not_found',
    );
    expect(await auditTypes(t, p.id)).to.include('device_denied');
    expect(await auditTypes(t, p.id)).not.to.include('device_login');
  });

  it('expires after 10 minutes: the code can no longer be approved, the poll answers expired_token', async () => {
    const p = await t.chatPerson('late');
    const codes = await start();
    clock.advance(DEVICE.expiresMinutes * 60_000 - 1000);
    expect(
      (await t.as(p.token)('POST', '/api/device/lookup', { user_code: codes.user_code })).status,
    ).to.equal(200);
    clock.advance(1000);
    expectError(
      await t.as(p.token)('POST', '/api/device/lookup', { user_code: codes.user_code }),
      404,
      'not_found',
    );
    expectError(
      await t.as(p.token)('POST', '/api/device/approve', { user_code: codes.user_code, approve: true }),
      404,
      'not_found',
    );
    expectError(await poll(codes.device_code), 400, 'expired_token');
  });

  it('approved but fetched after the 10 minutes: expired, no session', async () => {
    const p = await t.chatPerson('slowterm');
    const codes = await start();
    const ok = await t.as(p.token)('POST', '/api/device/approve', {
      user_code: codes.user_code,
      approve: true,
    });
    expect(ok.status).to.equal(200);
    clock.advance(DEVICE.expiresMinutes * 60_000);
    expectError(await poll(codes.device_code), 400, 'expired_token');
  });

  it('slow_down for a poll sooner than the interval, which then grows by 5 seconds', async () => {
    const codes = await start();
    expectError(await poll(codes.device_code), 400, 'authorization_pending');
    const fast = await poll(codes.device_code);
    expectError(fast, 400, 'slow_down');
    expect(fast.body.interval).to.equal(DEVICE.intervalSeconds + DEVICE.slowDownSeconds);
    // The old interval is no longer enough...
    wait(DEVICE.intervalSeconds);
    expectError(await poll(codes.device_code), 400, 'slow_down');
    // ...and every too-soon poll restarts the wait and lengthens it.
    wait(DEVICE.intervalSeconds + 2 * DEVICE.slowDownSeconds);
    const pending = await poll(codes.device_code);
    expectError(pending, 400, 'authorization_pending');
    expect(pending.body.interval).to.equal(DEVICE.intervalSeconds + 2 * DEVICE.slowDownSeconds);
  });

  it('two polls at once after approval: one session, the other refused', async () => {
    const p = await t.chatPerson('race');
    const codes = await start();
    await t.as(p.token)('POST', '/api/device/approve', { user_code: codes.user_code, approve: true });
    wait();
    const both = await Promise.all([poll(codes.device_code), poll(codes.device_code)]);
    expect(both.map((r) => r.status).sort()).to.deep.equal([200, 400]);
    expect(both.find((r) => r.status === 400)!.body.code).to.be.oneOf(['slow_down', 'expired_token']);
  });

  it('a personal access token can neither look up nor approve a code; no credential at all neither', async () => {
    const p = await t.chatPerson('scripted');
    const made = await t.as(p.token)('POST', '/api/tokens', {
      name: 'all scopes',
      scopes: ['profile:read', 'chat:read', 'chat:write'],
    });
    expect(made.status).to.equal(201);
    const codes = await start();
    for (const path of ['/api/device/lookup', '/api/device/approve']) {
      const res = await t.as(made.body.token)('POST', path, { user_code: codes.user_code, approve: true });
      expectError(res, 403, 'insufficient_scope');
      expect(res.body.scope).to.equal('session');
      expectError(
        await t.api('POST', path, { user_code: codes.user_code, approve: true }),
        401,
        'unauthorized',
      );
    }
    wait();
    expectError(await poll(codes.device_code), 400, 'authorization_pending');
  });

  it('unknown and malformed codes answer alike, and guessing is limited per account', async () => {
    const p = await t.chatPerson('guesser');
    const codes = await start();
    expectError(await poll('A'.repeat(43)), 400, 'expired_token');
    const wrong = ['BCDF-GHJK', 'AAAA-AAAA', 'short', '12345678'];
    for (const user_code of wrong) {
      expectError(
        await t.as(p.token)('POST', '/api/device/lookup', { user_code }),
        404,
        'not_found',
        'user_code',
      );
    }
    for (let i = wrong.length; i < DEVICE.wrongCodesPer10Min; i++) {
      await t.as(p.token)('POST', '/api/device/lookup', { user_code: 'BCDF-GHJK' });
    }
    // Past the limit even the right code waits: guessing costs the guesser, not the terminal.
    expectError(
      await t.as(p.token)('POST', '/api/device/lookup', { user_code: codes.user_code }),
      429,
      'rate_limited',
    );
    // Another account is not held up by this one's guesses (same address, its own budget left).
    const q = await t.chatPerson('honest');
    expect(
      (await t.as(q.token)('POST', '/api/device/lookup', { user_code: codes.user_code })).status,
    ).to.equal(200);
  });

  it('deleting the account deletes the codes it decided', async () => {
    const p = await t.chatPerson('leaving');
    const codes = await start();
    await t.as(p.token)('POST', '/api/device/approve', { user_code: codes.user_code, approve: true });
    expect(await t.db('device_codes').where({ user_id: p.id }).count({ n: '*' })).to.deep.equal([{ n: 1 }]);
    const gone = await t.as(p.token)('DELETE', '/api/account', { password: p.password });
    expect(gone.status, JSON.stringify(gone.body)).to.equal(204);
    expect(await t.db('device_codes').where({ user_id: p.id }).count({ n: '*' })).to.deep.equal([{ n: 0 }]);
    wait();
    expectError(await poll(codes.device_code), 400, 'expired_token');
  });

  it('limits codes handed out per address', async () => {
    for (let i = 0; i < DEVICE.codesPer10Min; i++) await start(`term ${i}`);
    expectError(await t.api('POST', '/api/device/code', {}), 429, 'rate_limited');
  });

  it("serves /device with the main page's headers and strict CSP, its figures filled in", async () => {
    const main = await fetch(`${t.url}/`);
    const page = await fetch(`${t.url}/device?code=BCDF-GHJK`);
    expect(page.status).to.equal(200);
    expect(page.headers.get('content-type')).to.match(/^text\/html/);
    const csp = page.headers.get('content-security-policy');
    expect(csp).to.equal(main.headers.get('content-security-policy'));
    expect(csp).to.include("script-src 'self'");
    expect(csp).to.include("frame-ancestors 'none'");
    const html = await page.text();
    // Every placeholder filled; the catalogs' data block keeps its {{values}} for the browser.
    const outsideTexts = html.replace(
      /<script type="application\/json" id="mux1-texts">[\s\S]*?<\/script>/,
      '',
    );
    expect(outsideTexts).to.include('<main');
    expect(outsideTexts).not.to.match(/\{\{\w+\}\}/);
    expect(html).to.include('src="/device.js"');
    expect(html, 'no inline script').not.to.match(/<script>|\son\w+="/);
    const script = await fetch(`${t.url}/device.js`);
    expect(script.status).to.equal(200);
    expect(script.headers.get('content-type')).to.match(/^text\/javascript/);
  });

  it('limits polls per address', async () => {
    const codes = await start();
    // Far too fast for the interval, but each is answered; the budget, not slow_down, ends them.
    for (let i = 0; i < DEVICE.pollsPer10Min; i++) {
      const res = await poll(i % 2 ? codes.device_code : 'A'.repeat(43));
      expect(res.status, JSON.stringify(res.body)).to.equal(400);
    }
    expectError(await poll(codes.device_code), 429, 'rate_limited');
  });

  it('refuses wrong bodies with a 400 naming the field', async () => {
    const p = await t.chatPerson('fields');
    expectError(
      await t.api('POST', '/api/device/code', { client_name: 42 }),
      400,
      'invalid_field',
      'client_name',
    );
    expectError(
      await t.api('POST', '/api/device/code', { client_name: 'x'.repeat(65) }),
      400,
      'invalid_field',
      'client_name',
    );
    expectError(
      await t.api('POST', '/api/device/code', { client_name: 'a\u0000b' }),
      400,
      'invalid_field',
      'client_name',
    );
    expectError(
      await t.api('POST', '/api/device/code', { client_name: 'a\u202eb' }),
      400,
      'invalid_field',
      'client_name',
    );
    expectError(await t.api('POST', '/api/device/token', {}), 400, 'invalid_field', 'device_code');
    expectError(
      await t.api('POST', '/api/device/token', { device_code: 'x'.repeat(201) }),
      400,
      'invalid_field',
      'device_code',
    );
    expectError(
      await t.api('POST', '/api/device/token', { device_code: ['a'] }),
      400,
      'invalid_field',
      'device_code',
    );
    const codes = await start();
    expectError(
      await t.as(p.token)('POST', '/api/device/approve', { user_code: codes.user_code, approve: 'yes' }),
      400,
      'invalid_field',
      'approve',
    );
    expectError(
      await t.as(p.token)('POST', '/api/device/approve', { user_code: codes.user_code }),
      400,
      'invalid_field',
      'approve',
    );
    // Nothing was decided by the refused requests: the code is still waiting.
    wait();
    expectError(await poll(codes.device_code), 400, 'authorization_pending');
    // Without a name, the terminal is named by its User-Agent.
    const unnamed = await t.api('POST', '/api/device/code', {}, { 'user-agent': 'curl/8.0' });
    expect(unnamed.status).to.equal(200);
    const look = await t.as(p.token)('POST', '/api/device/lookup', { user_code: unnamed.body.user_code });
    expect(look.body.client_name).to.equal('curl/8.0');
    // ...held to the name's rules: no control characters, at most 64 characters.
    const odd = await t.api(
      'POST',
      '/api/device/code',
      {},
      { 'user-agent': `odd\tagent ${'x'.repeat(100)}` },
    );
    const named = await t.as(p.token)('POST', '/api/device/lookup', { user_code: odd.body.user_code });
    expect(named.body.client_name).to.equal(`oddagent ${'x'.repeat(55)}`);
  });
});
