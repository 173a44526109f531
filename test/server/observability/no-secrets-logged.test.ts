import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { bearer, newPerson } from '../../helpers/accounts.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { eventually } from '../../helpers/wait.js';
import { ask } from '../../helpers/sockets.js';
import { useServer } from '../../helpers/fixture.js';

const spellings = (secret: string) => [
  secret,
  Buffer.from(secret).toString('base64'),
  Buffer.from(secret).toString('hex'),
  encodeURIComponent(secret),
];

/**
 * Every secret a full run hands around - passwords (right, wrong, old, new), session tokens,
 * verification and reset codes - and none of them in any log line, at the most verbose level,
 * including the lines about failed requests and refused socket events.
 */
describe('logs: no password, token or code, ever', function () {
  this.timeout(30_000);
  const secrets: Record<string, string> = {};
  /** Codes are 6 digits: found only as a number of their own, not inside a timestamp. */
  const codes: Record<string, string> = {};

  // Codes are replaced at most every few minutes: the clock is moved on before each new one.
  const clock = manualClock();
  const t = useServer({ mail: true, env: { LOG_LEVEL: 'trace' }, overrides: { clock } });

  before(async () => {
    const p = newPerson('quiet');
    secrets.password = p.password;
    expect((await t.signUp(p)).status).to.equal(201);
    codes.first = await t.mail.codeFor(p.email);
    clock.advance(3 * 60_000); // a live code is kept for a few minutes
    await t.api('POST', '/api/resend-verification', { email: p.email });
    codes.resent = await t.mail.codeFor(p.email, { after: 1 });
    // A wrong code, then the right one.
    await t.api('POST', '/api/verify-email', { email: p.email, code: codes.first });
    expect(
      (await t.api('POST', '/api/verify-email', { email: p.email, code: codes.resent })).status,
    ).to.equal(200);

    // Failed logins, past the point where a challenge is asked for, then a good one.
    secrets.wrongPassword = 'a wrong password, secret too';
    for (let i = 0; i < 4; i++) await t.logIn(p.username, secrets.wrongPassword);
    const login = await t.logIn(p.username, p.password);
    expect(login.status).to.equal(200);
    secrets.token = login.body.token;
    await t.api('GET', '/api/me', undefined, bearer(secrets.token!));
    await t.api('GET', '/api/sessions', undefined, bearer(secrets.token!));

    // The token where it does not belong: a query string, an unknown path, a malformed header.
    await t.rawApi('GET', `/api/nope?token=${secrets.token}&password=${encodeURIComponent(p.password)}`);
    await t.rawApi('GET', '/api/me', undefined, { authorization: `Bearer ${secrets.token}x` });
    await t.rawApi('GET', '/api/me', undefined, { authorization: `Token ${secrets.token}` });
    // Passwords in bodies that fail: malformed JSON, wrong types, an oversized field.
    await rawRequest(t.url, {
      method: 'POST',
      path: '/api/login',
      headers: { 'content-type': 'application/json' },
      chunks: [`{"username":"${p.username}","password":"${p.password}"`],
    });
    await t.rawApi('POST', '/api/login', { username: [p.username], password: p.password });
    await t.rawApi('POST', '/api/signup', { ...newPerson('x'), password: p.password + 'x'.repeat(200) });

    // Over Socket.IO: a token in the handshake, a password login, a wrong one.
    const { socket } = await t.connect({ token: secrets.token });
    await ask(socket, 'authenticate', { username: p.username, password: secrets.wrongPassword });
    await ask(socket, 'authenticate', { username: p.username, password: p.password, altcha: 'junk' });
    const guest = await t.connect({ token: `${secrets.token}-revoked-or-not` });
    await ask(guest.socket, 'authenticate', { token: secrets.token });

    // Reset with a mailed code, then change the password.
    clock.advance(3 * 60_000); // a live code is kept for a few minutes
    await t.api('POST', '/api/password/forgot', { email: p.email });
    codes.reset = await t.mail.codeFor(p.email, { after: 2 });
    secrets.resetPassword = 'reset to this secret 42';
    await t.api('POST', '/api/password/reset', {
      email: p.email,
      code: codes.reset,
      password: secrets.resetPassword,
    });
    const again = await t.logIn(p.email, secrets.resetPassword);
    secrets.token2 = again.body.token;
    secrets.changedPassword = 'changed to this secret 43';
    await t.api(
      'POST',
      '/api/password/change',
      { current_password: secrets.resetPassword, password: secrets.changedPassword },
      bearer(secrets.token2!),
    );
    await t.api('POST', '/api/logout', undefined, bearer(secrets.token2!));
    await eventually(
      async () => Number((await t.db('mail_outbox').whereNull('sent_at').count({ n: '*' }))[0]!.n) === 0,
      {
        what: 'all mail sent',
      },
    );
  });

  it('logged the run (so the check below means something)', () => {
    expect(t.logs.length).to.be.above(50);
    expect(t.logs.some((l) => l.includes('"requestId"'))).to.equal(true);
    expect(t.logs.some((l) => l.includes('request failed'))).to.equal(true);
  });

  it('has no password or token in any spelling', () => {
    const text = t.logs.join('\n');
    for (const [name, secret] of Object.entries(secrets)) {
      for (const spelling of spellings(secret)) {
        expect(text.includes(spelling), `${name} (${spelling}) in the log`).to.equal(false);
      }
    }
  });

  it('has no code', () => {
    for (const [name, code] of Object.entries(codes)) {
      const alone = new RegExp(`(?<![0-9])${code}(?![0-9])`);
      const line = t.logs.find((l) => alone.test(l));
      expect(line, `${name} code in the log`).to.equal(undefined);
    }
  });
});
