import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { api, rawApi, startTestServer, type TestServer } from '../../helpers/server.js';
import { bearer, logIn, loggedInPerson, type Person } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { logInWithCode, totpAt, turnOn } from '../../helpers/two-factor.js';
import { auditTypes, resetCode, reset, userIdOf } from '../../helpers/accounts.js';
import { ask, connect, disconnectAll } from '../../helpers/sockets.js';
import { solveChallenge } from '../../../tui/client/challenge.js';

const STEP = 30_000;

describe('two-factor sign-in (TOTP and backup codes)', () => {
  let smtp: TestSmtp;
  let t: TestServer;
  const clock = manualClock();

  before(async () => {
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url }, overrides: { clock } });
  });
  // Every test starts in time steps no earlier test used, so no code carries over.
  beforeEach(() => clock.advance(10 * STEP));
  afterEach(disconnectAll);
  after(async () => {
    await t.close();
    await smtp.close();
  });

  const as = (token: string) => (method: string, path: string, body?: unknown) =>
    api(t.url, method, path, body, bearer(token));
  const secondStep = (mfa_token: string, code: string) =>
    api(t.url, 'POST', '/api/login/2fa', { mfa_token, code });
  const passwordStep = async (p: Person): Promise<string> => {
    const res = await logIn(t.url, p.username, p.password);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body.mfa_token;
  };
  const wrong = (code: string) => String((Number(code) + 1) % 1_000_000).padStart(6, '0');

  it('sets up with the password, turns on with a first code, and asks for a code at login', async () => {
    const p = await loggedInPerson(t.url, smtp, 'totp');
    const other = (await logIn(t.url, p.username, p.password)).body.token;
    const me = as(p.token);
    expect((await me('GET', '/api/me')).body.user.two_factor).to.equal(false);

    expectError(
      await me('POST', '/api/2fa/setup', { password: 'not the password' }),
      401,
      'invalid_credentials',
    );
    const setup = await me('POST', '/api/2fa/setup', { password: p.password });
    expect(setup.status).to.equal(200);
    expect(setup.body.secret).to.match(/^[A-Z2-7]{32}$/);
    expect(setup.body.otpauth_url).to.include(`secret=${setup.body.secret}`);
    // Not on until a code proves the app has the secret.
    expect((await logIn(t.url, p.username, p.password)).body.token).to.be.a('string');
    expect((await me('GET', '/api/2fa')).body).to.deep.equal({
      enabled: false,
      enabled_at: null,
      backup_codes_left: 0,
    });

    expectError(
      await me('POST', '/api/2fa/enable', { code: wrong(totpAt(setup.body.secret, clock.now())) }),
      400,
      'invalid_code',
      'code',
    );
    const enable = await me('POST', '/api/2fa/enable', { code: totpAt(setup.body.secret, clock.now()) });
    expect(enable.status, JSON.stringify(enable.body)).to.equal(200);
    expect(enable.body.backup_codes).to.have.length(10);
    expect(new Set(enable.body.backup_codes).size).to.equal(10);
    expect(enable.body.message).to.match(/sessions? w/);

    // The other sessions are signed out; this one stays.
    expectError(await as(other)('GET', '/api/me'), 401, 'unauthorized');
    expect((await me('GET', '/api/me')).body.user.two_factor).to.equal(true);
    const status = (await me('GET', '/api/2fa')).body;
    expect(status).to.deep.include({ enabled: true, backup_codes_left: 10 });
    expect(status.enabled_at).to.equal(new Date(clock.now()).toISOString());
    expectError(await me('POST', '/api/2fa/setup', { password: p.password }), 409, 'two_factor_already_on');

    const mail = await smtp.waitFor((m) => m.to === p.email && /turned on/.test(m.subject));
    expect(mail.text).to.include('two-factor sign-in was turned on');

    // The password alone now opens no session.
    const first = await logIn(t.url, p.username, p.password);
    expect(first.status).to.equal(200);
    expect(first.body).to.have.keys('message', 'mfa_required', 'mfa_token', 'expires_at');
    expect(first.body.mfa_required).to.equal(true);
    expect(Date.parse(first.body.expires_at)).to.equal(clock.now() + 5 * 60_000);
    clock.advance(STEP);
    const second = await secondStep(first.body.mfa_token, totpAt(setup.body.secret, clock.now()));
    expect(second.status, JSON.stringify(second.body)).to.equal(200);
    expect(second.body).to.have.keys('message', 'token', 'expires_at', 'user');
    expect((await as(second.body.token)('GET', '/api/me')).body.user.username).to.equal(p.username);
    // The pending login is spent.
    expectError(
      await secondStep(first.body.mfa_token, totpAt(setup.body.secret, clock.now())),
      401,
      'invalid_mfa_token',
    );

    const types = await auditTypes(t, await userIdOf(t, p.username));
    expect(types).to.include.members(['two_factor_setup', 'two_factor_enabled', 'login_needs_code']);
    expect(types.at(-1)).to.equal('login');
  });

  it('refuses a code used once for the rest of its window, and takes one step of skew', async () => {
    const p = await loggedInPerson(t.url, smtp, 'replay');
    const { secret } = await turnOn(t.url, p, clock.now());
    clock.advance(STEP);
    const code = totpAt(secret, clock.now());
    await logInWithCode(t.url, p, code);
    // The same code again, seconds later: refused, although it is still the current one.
    clock.advance(5_000);
    expectError(await secondStep(await passwordStep(p), code), 400, 'invalid_code', 'code');

    // An app 30 s behind or ahead still works; 60 s does not.
    clock.advance(3 * STEP);
    await logInWithCode(t.url, p, totpAt(secret, clock.now() - STEP));
    clock.advance(3 * STEP);
    await logInWithCode(t.url, p, totpAt(secret, clock.now() + STEP));
    clock.advance(3 * STEP);
    const token = await passwordStep(p);
    expectError(await secondStep(token, totpAt(secret, clock.now() - 2 * STEP)), 400, 'invalid_code');
    expectError(await secondStep(token, totpAt(secret, clock.now() + 2 * STEP)), 400, 'invalid_code');
    // Nor an older step once a newer one was used.
    await logInWithCode(t.url, p, totpAt(secret, clock.now()));
    expectError(
      await secondStep(await passwordStep(p), totpAt(secret, clock.now() - STEP)),
      400,
      'invalid_code',
    );
  });

  it('takes each backup code once, in any case and with spaces', async () => {
    const p = await loggedInPerson(t.url, smtp, 'backup');
    const { backupCodes } = await turnOn(t.url, p, clock.now());
    const [first, second] = backupCodes as [string, string];
    await logInWithCode(t.url, p, first);
    expectError(await secondStep(await passwordStep(p), first), 400, 'invalid_code');
    await logInWithCode(t.url, p, ` ${second.toUpperCase().replace(/-/g, ' ')} `);
    const token = await logInWithCode(t.url, p, backupCodes[2]!);
    expect((await as(token)('GET', '/api/2fa')).body.backup_codes_left).to.equal(7);
    expect(await auditTypes(t, await userIdOf(t, p.username))).to.include('backup_code_used');
  });

  it('ends a pending login after 5 wrong codes or 5 minutes', async () => {
    const p = await loggedInPerson(t.url, smtp, 'pending');
    const { secret } = await turnOn(t.url, p, clock.now());
    clock.advance(STEP);
    let token = await passwordStep(p);
    for (let i = 0; i < 4; i++) {
      expectError(await secondStep(token, wrong(totpAt(secret, clock.now()))), 400, 'invalid_code');
    }
    // The password was right, so the run of failures restarted there: 4 so far, then a 5th.
    expectError(await secondStep(token, wrong(totpAt(secret, clock.now()))), 400, 'invalid_code');
    expectError(await secondStep(token, totpAt(secret, clock.now())), 401, 'invalid_mfa_token');

    // 15 minutes later the account's lockout is over; a pending login outlives 5 minutes by nothing.
    clock.advance(16 * 60_000);
    token = await passwordStep(p);
    clock.advance(5 * 60_000);
    expectError(await secondStep(token, totpAt(secret, clock.now())), 401, 'invalid_mfa_token');
    clock.advance(STEP);
    token = await passwordStep(p);
    clock.advance(4 * 60_000);
    expect((await secondStep(token, totpAt(secret, clock.now()))).status).to.equal(200);
  });

  it('counts wrong codes toward the account lockout, together with wrong passwords', async () => {
    const p = await loggedInPerson(t.url, smtp, 'lockcode');
    const { secret } = await turnOn(t.url, p, clock.now());
    clock.advance(STEP);
    const token = await passwordStep(p);
    // Two wrong passwords and three wrong codes: five failures.
    await logIn(t.url, p.username, 'wrong password one');
    await logIn(t.url, p.username, 'wrong password two');
    for (let i = 0; i < 3; i++) {
      expectError(await secondStep(token, wrong(totpAt(secret, clock.now()))), 400, 'invalid_code');
    }
    // Locked: the right code is refused without being checked, and so is the right password.
    const locked = await secondStep(token, totpAt(secret, clock.now()));
    expectError(locked, 429, 'too_many_attempts');
    expect(Number(locked.headers.get('retry-after'))).to.be.above(0);
    expectError(await logIn(t.url, p.username, p.password), 429, 'too_many_attempts');
    clock.advance(16 * 60_000);
    await logInWithCode(t.url, p, totpAt(secret, clock.now()));
  });

  it('asks for a proof-of-work challenge after 3 failures, as for passwords', async () => {
    const p = await loggedInPerson(t.url, smtp, 'powcode');
    const { secret } = await turnOn(t.url, p, clock.now());
    clock.advance(STEP);
    const token = await passwordStep(p);
    for (let i = 0; i < 3; i++) {
      expectError(await secondStep(token, wrong(totpAt(secret, clock.now()))), 400, 'invalid_code');
    }
    const asked = await rawApi(t.url, 'POST', '/api/login/2fa', {
      mfa_token: token,
      code: totpAt(secret, clock.now()),
    });
    expectError(asked, 428, 'challenge_required');
    // api() solves it and sends again, as the clients do.
    expect((await secondStep(token, totpAt(secret, clock.now()))).status).to.equal(200);
  });

  it('answers unknown users and wrong passwords exactly as before', async () => {
    const p = await loggedInPerson(t.url, smtp, 'enum');
    await turnOn(t.url, p, clock.now());
    const plain = await loggedInPerson(t.url, smtp, 'enumplain');
    const a = await logIn(t.url, p.username, 'wrong password here');
    const b = await logIn(t.url, plain.username, 'wrong password here');
    const c = await logIn(t.url, 'nobody-at-all', 'wrong password here');
    for (const res of [a, b, c]) expectError(res, 401, 'invalid_credentials');
    expect(a.body).to.deep.equal(b.body);
    expect(b.body).to.deep.equal(c.body);
  });

  it('answers a socket password login with mfa_required, and takes the token from the second step', async () => {
    const p = await loggedInPerson(t.url, smtp, 'sockmfa');
    const { secret } = await turnOn(t.url, p, clock.now());
    const { socket } = await connect(t.url);
    const credentials = { username: p.username, password: p.password };
    let ack = await ask(socket, 'authenticate', credentials);
    // Earlier tests' wrong passwords came from this address too: it may be asked for a challenge.
    if (ack.code === 'challenge_required') {
      ack = await ask(socket, 'authenticate', {
        ...credentials,
        altcha: await solveChallenge(ack.challenge),
      });
    }
    expect(ack).to.include({ ok: false, code: 'mfa_required' });
    clock.advance(STEP);
    const token = await logInWithCode(t.url, p, totpAt(secret, clock.now()));
    const ok = await ask(socket, 'authenticate', { token });
    expect(ok.ok).to.equal(true);
  });

  it('turns off and makes new backup codes only with the password and a code', async () => {
    const p = await loggedInPerson(t.url, smtp, 'disable');
    const { secret, backupCodes } = await turnOn(t.url, p, clock.now());
    const me = as(p.token);
    clock.advance(STEP);
    expectError(
      await me('POST', '/api/2fa/backup-codes', {
        password: 'wrong password!',
        code: totpAt(secret, clock.now()),
      }),
      401,
      'invalid_credentials',
    );
    expectError(
      await me('POST', '/api/2fa/backup-codes', {
        password: p.password,
        code: wrong(totpAt(secret, clock.now())),
      }),
      400,
      'invalid_code',
    );
    expectError(
      await me('POST', '/api/2fa/backup-codes', { password: p.password }),
      400,
      'invalid_field',
      'code',
    );
    const fresh = await me('POST', '/api/2fa/backup-codes', {
      password: p.password,
      code: totpAt(secret, clock.now()),
    });
    expect(fresh.status, JSON.stringify(fresh.body)).to.equal(200);
    expect(fresh.body.backup_codes).to.have.length(10);
    await smtp.waitFor((m) => m.to === p.email && /backup codes/.test(m.subject));
    // The old codes stopped working; the new ones work.
    expectError(await secondStep(await passwordStep(p), backupCodes[0]!), 400, 'invalid_code');
    await logInWithCode(t.url, p, fresh.body.backup_codes[0]);

    expectError(
      await me('POST', '/api/2fa/disable', { password: p.password, code: fresh.body.backup_codes[0] }),
      400,
      'invalid_code',
    );
    const off = await me('POST', '/api/2fa/disable', {
      password: p.password,
      code: fresh.body.backup_codes[1],
    });
    expect(off.status, JSON.stringify(off.body)).to.equal(200);
    await smtp.waitFor((m) => m.to === p.email && /turned off/.test(m.subject));
    expect((await me('GET', '/api/me')).body.user.two_factor).to.equal(false);
    expect((await logIn(t.url, p.username, p.password)).body.token).to.be.a('string');
    expectError(
      await me('POST', '/api/2fa/disable', { password: p.password, code: '123456' }),
      409,
      'two_factor_off',
    );
    expectError(
      await me('POST', '/api/2fa/backup-codes', { password: p.password, code: '123456' }),
      409,
      'two_factor_off',
    );
    const types = await auditTypes(t, await userIdOf(t, p.username));
    expect(types).to.include.members([
      'backup_codes_regenerated',
      'two_factor_disabled',
      'two_factor_change_failed',
    ]);
    // Its rows are gone with it.
    const id = await userIdOf(t, p.username);
    for (const table of ['totp_secrets', 'backup_codes', 'mfa_logins']) {
      expect(await t.server.db(table).where({ user_id: id }), table).to.have.length(0);
    }
  });

  it('needs setup before enable, and a session for every route', async () => {
    const p = await loggedInPerson(t.url, smtp, 'order');
    expectError(await as(p.token)('POST', '/api/2fa/enable', { code: '123456' }), 409, 'two_factor_off');
    for (const [method, path] of [
      ['GET', '/api/2fa'],
      ['POST', '/api/2fa/setup'],
      ['POST', '/api/2fa/enable'],
      ['POST', '/api/2fa/disable'],
      ['POST', '/api/2fa/backup-codes'],
    ] as const) {
      const body = method === 'GET' ? undefined : { password: p.password, code: '123456' };
      expectError(await api(t.url, method, path, body), 401, 'unauthorized');
    }
  });

  it('leaves two factors on after a password reset', async () => {
    const p = await loggedInPerson(t.url, smtp, 'resetmfa');
    const { secret } = await turnOn(t.url, p, clock.now());
    const code = await resetCode(t, smtp, p.email);
    const password = 'a brand new passphrase';
    expect((await reset(t, { email: p.email, code, password })).status).to.equal(200);
    const first = await logIn(t.url, p.username, password);
    expect(first.body.mfa_required).to.equal(true);
    expect(first.body.token).to.equal(undefined);
    clock.advance(STEP);
    expect((await secondStep(first.body.mfa_token, totpAt(secret, clock.now()))).status).to.equal(200);
  });

  it('says in the export whether two factors are on, and never the secret or the codes', async () => {
    const p = await loggedInPerson(t.url, smtp, 'exportmfa');
    const { secret, backupCodes } = await turnOn(t.url, p, clock.now());
    const res = await as(p.token)('GET', '/api/account/export');
    expect(res.body.user.two_factor).to.deep.equal({
      enabled: true,
      enabled_at: new Date(clock.now()).toISOString(),
    });
    const text = JSON.stringify(res.body);
    expect(text).not.to.include(secret);
    for (const code of backupCodes) expect(text).not.to.include(code);
  });

  it('refuses wrong, missing, huge and hostile input at each door', async () => {
    const p = await loggedInPerson(t.url, smtp, 'hostile2fa');
    const me = as(p.token);
    const codes: unknown[] = [
      undefined,
      null,
      123456,
      ['123456'],
      { code: '1' },
      '',
      ' ',
      'x'.repeat(65),
      'x'.repeat(20_000),
    ];
    for (const code of codes) {
      const res = await me('POST', '/api/2fa/enable', { code });
      expect(res.status, `${JSON.stringify(code)?.slice(0, 40)}: ${JSON.stringify(res.body)}`).to.equal(
        typeof code === 'string' && code.length > 10_000 ? 413 : 400,
      );
    }
    expectError(await me('POST', '/api/2fa/enable', { code: '12\u00003456' }), 400, 'invalid_field', 'code');
    expectError(await me('POST', '/api/2fa/setup', {}), 400, 'invalid_field', 'password');
    expectError(await me('POST', '/api/2fa/setup', '[]'), 400, 'invalid_field');
    expectError(await me('POST', '/api/2fa/setup', 'not json'), 400, 'malformed_json');
    expectError(
      await me('POST', '/api/2fa/disable', { password: p.password, code: "' OR 1=1 --" }),
      409,
      'two_factor_off',
    );

    for (const body of [
      {},
      { mfa_token: 'x' },
      { code: '123456' },
      { mfa_token: 42, code: '123456' },
      { mfa_token: 'x'.repeat(201), code: '123456' },
      { mfa_token: 'x', code: 'y'.repeat(65) },
    ]) {
      expectError(await api(t.url, 'POST', '/api/login/2fa', body), 400, 'invalid_field');
    }
    for (const token of ['x', "' OR 1=1 --", 'A'.repeat(43), '../../etc/passwd']) {
      expectError(await secondStep(token, '123456'), 401, 'invalid_mfa_token');
    }
    expectError(await secondStep('\u0000', '123456'), 400, 'invalid_field', 'mfa_token');
  });
});
