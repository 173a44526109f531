import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { bearer, newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { disconnected } from '../../helpers/sockets.js';
import { auditTypes, forgot, otherCode, reset, resetCode, userIdOf } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

const MINUTE = 60_000;

describe('POST /api/password/forgot and /api/password/reset', () => {
  const clock = manualClock();
  // Many wrong codes from one address: that limit has its own tests (limits/code-guessing).
  const t = useServer({ mail: true, env: { LIMIT_CODE_FAILURES_PER_10MIN: '1000' }, overrides: { clock } });

  const me = (token: string) => t.api('GET', '/api/me', undefined, bearer(token));

  describe('forgot', () => {
    it('mails a 6-digit code that works once, says how to ignore it, and stores only its hash', async () => {
      const p = await t.loggedInPerson('forgot');
      const res = await forgot(t, p.email);
      expect(res.status).to.equal(200);
      expect(res.body).to.have.all.keys('message');
      const mail = await t.mail.waitFor((m) => m.to === p.email && /reset code: \d{6}$/.test(m.subject));
      const code = /(\d{6})$/.exec(mail.subject)![1]!;
      expect(mail.text).to.include(code);
      expect(mail.text).to.match(/expires in 15 minutes and works once/);
      expect(mail.text).to.match(/If you did not ask for this, ignore this mail/);
      // The command to run, without the code: it asks for it, so ps and shell history never see it.
      expect(mail.text).to.include(`mux1 password reset --email ${p.email} --server `);
      expect(mail.text).to.match(/asks for the 6-digit code and for a new password of 8 to 128 characters/);
      expect(mail.text).not.to.include('--code');

      const rows = await t.db('email_codes').where({ user_id: await userIdOf(t, p.username) });
      const row = rows.find((r) => r.purpose === 'reset');
      expect(row.code_hash).to.match(/^[0-9a-f]{64}$/);
      expect(JSON.stringify(rows)).not.to.include(code);
    });

    it('answers an unknown email exactly like a known one, and mails nothing there', async () => {
      const p = await t.loggedInPerson('known');
      const known = await forgot(t, p.email);
      const unknown = await forgot(t, 'nobody-here@example.test');
      expect(unknown.status).to.equal(known.status);
      expect(unknown.body.message.replace('nobody-here@example.test', 'X')).to.equal(
        known.body.message.replace(p.email, 'X'),
      );
      await t.mail.waitFor((m) => m.to === p.email && /reset code/.test(m.subject));
      expect(t.mail.messages.some((m) => m.to === 'nobody-here@example.test')).to.equal(false);
    });

    it('refuses a malformed email with 400 naming the field', async () => {
      expectError(await forgot(t, 'not-an-address'), 400, 'invalid_field', 'email');
      expectError(await t.api('POST', '/api/password/forgot', {}), 400, 'invalid_field', 'email');
    });

    it('a new code replaces the previous one', async () => {
      const p = await t.loggedInPerson('replaced');
      const first = await resetCode(t, t.mail, p.email);
      // A live code is kept for a few minutes before a request may replace it.
      clock.advance(3 * 60_000);
      const second = await resetCode(t, t.mail, p.email);
      if (first !== second) {
        expectError(
          await reset(t, { email: p.email, code: first, password: 'new pass phrase 1' }),
          400,
          'invalid_code',
        );
      }
      expect(
        (await reset(t, { email: p.email, code: second, password: 'new pass phrase 1' })).status,
      ).to.equal(200);
    });
  });

  describe('reset', () => {
    it('sets the new password, ends every session and its sockets, and mails a confirmation', async () => {
      const p = await t.loggedInPerson('resetter');
      const second = (await t.logIn(p.username, p.password)).body.token;
      const id = await userIdOf(t, p.username);
      const socket = await t.connectAs({ ...p, id });
      const gone = disconnected(socket);

      const code = await resetCode(t, t.mail, p.email);
      const newPassword = 'a brand new passphrase';
      const res = await reset(t, { email: p.email, code, password: newPassword });
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body).to.have.all.keys('message');

      expect(await gone).to.equal('io server disconnect');
      expectError(await me(p.token), 401, 'unauthorized');
      expectError(await me(second), 401, 'unauthorized');
      expectError(await t.logIn(p.username, p.password), 401, 'invalid_credentials');
      expect((await t.logIn(p.username, newPassword)).status).to.equal(200);

      const notice = await t.mail.waitFor(
        (m) => m.to === p.email && m.subject === 'Your mux1 password was changed',
      );
      expect(notice.text).to.match(/reset with a mailed code/);
      expect(notice.text).to.match(/If this was not you/);
      expect(notice.text).to.match(/Every session of the account was signed out/);
      expect(await auditTypes(t, id)).to.include.members(['password_reset_requested', 'password_reset']);
    });

    it('accepts a code once', async () => {
      const p = await t.loggedInPerson('once');
      const code = await resetCode(t, t.mail, p.email);
      expect((await reset(t, { email: p.email, code, password: 'first new password' })).status).to.equal(200);
      expectError(
        await reset(t, { email: p.email, code, password: 'second new password' }),
        400,
        'invalid_code',
        'code',
      );
      expect((await t.logIn(p.username, 'first new password')).status).to.equal(200);
    });

    it('burns the code on the 5th wrong try', async () => {
      const p = await t.loggedInPerson('tries');
      const code = await resetCode(t, t.mail, p.email);
      for (let i = 0; i < 5; i++) {
        expectError(
          await reset(t, { email: p.email, code: otherCode(code), password: 'never accepted 1' }),
          400,
          'invalid_code',
        );
      }
      expectError(
        await reset(t, { email: p.email, code, password: 'never accepted 1' }),
        400,
        'invalid_code',
      );
      expect((await t.logIn(p.username, p.password)).status, 'old password still works').to.equal(200);
      const failures = (await auditTypes(t, await userIdOf(t, p.username))).filter(
        (type) => type === 'password_reset_failed',
      );
      expect(failures).to.have.length(6);
    });

    it('a 4th wrong try still leaves the right code usable', async () => {
      const p = await t.loggedInPerson('four');
      const code = await resetCode(t, t.mail, p.email);
      for (let i = 0; i < 4; i++) {
        await reset(t, { email: p.email, code: otherCode(code), password: 'still a candidate' });
      }
      expect((await reset(t, { email: p.email, code, password: 'still a candidate' })).status).to.equal(200);
    });

    it('refuses a code after 15 minutes', async () => {
      const p = await t.loggedInPerson('late');
      const code = await resetCode(t, t.mail, p.email);
      clock.advance(15 * MINUTE);
      expectError(
        await reset(t, { email: p.email, code, password: 'too late for this' }),
        400,
        'invalid_code',
      );
    });

    it('takes a code just before it expires', async () => {
      const p = await t.loggedInPerson('intime');
      const code = await resetCode(t, t.mail, p.email);
      clock.advance(15 * MINUTE - 1000);
      expect((await reset(t, { email: p.email, code, password: 'just in time ok' })).status).to.equal(200);
    });

    it('answers an unknown email like a wrong code', async () => {
      const res = await reset(t, {
        email: 'ghost@example.test',
        code: '123456',
        password: 'whatever it is 1',
      });
      expectError(res, 400, 'invalid_code', 'code');
      const p = await t.loggedInPerson('wrongcode');
      await resetCode(t, t.mail, p.email);
      const wrong = await reset(t, { email: p.email, code: '123456', password: 'whatever it is 1' });
      expect(wrong.body).to.deep.equal(res.body);
    });

    it('holds the new password to the signup rules, keeping the code for a better one', async () => {
      const p = await t.loggedInPerson('weakling');
      const code = await resetCode(t, t.mail, p.email);
      const attempt = (password: unknown) =>
        t.api('POST', '/api/password/reset', { email: p.email, code, password });
      expectError(await attempt('password123'), 400, 'weak_password', 'password');
      expectError(await attempt(p.username), 400, 'weak_password', 'password');
      expectError(await attempt(p.email), 400, 'weak_password', 'password');
      expectError(await attempt('short'), 400, 'invalid_field', 'password');
      expectError(await attempt('x'.repeat(129)), 400, 'invalid_field', 'password');
      expectError(await attempt(12345678), 400, 'invalid_field', 'password');
      // NFKC: full-width letters are the same password as their ASCII form.
      const fullWidth = 'ｆｕｌｌ ｗｉｄｔｈ ｐａｓｓ';
      expect((await attempt(fullWidth)).status).to.equal(200);
      expect((await t.logIn(p.username, 'full width pass')).status).to.equal(200);
    });

    it('validates the body: email, 6-digit code, password', async () => {
      const ok = { email: 'a@example.test', code: '123456', password: 'long enough pass' };
      expectError(await reset(t, { ...ok, email: 'nope' }), 400, 'invalid_field', 'email');
      expectError(await reset(t, { ...ok, code: '12345' }), 400, 'invalid_field', 'code');
      expectError(await reset(t, { ...ok, code: 'abcdef' }), 400, 'invalid_field', 'code');
      expectError(await t.api('POST', '/api/password/reset', { email: ok.email }), 400, 'invalid_field');
    });

    it('ends a login lockout, so the owner can log in with the new password at once', async () => {
      const p = await t.loggedInPerson('locked');
      for (let i = 0; i < 5; i++) await t.logIn(p.username, 'wrong password!');
      expectError(await t.logIn(p.username, p.password), 429, 'too_many_attempts');
      const code = await resetCode(t, t.mail, p.email);
      expect((await reset(t, { email: p.email, code, password: 'unlocked at last' })).status).to.equal(200);
      expect((await t.logIn(p.username, 'unlocked at last')).status).to.equal(200);
    });

    it('verifies the address of an account that never did: the code proves the mailbox', async () => {
      const p = newPerson('unverified');
      await t.signUp(p);
      await t.mail.codeFor(p.email);
      const code = await resetCode(t, t.mail, p.email);
      expect((await reset(t, { email: p.email, code, password: 'verified by reset' })).status).to.equal(200);
      expect((await t.logIn(p.username, 'verified by reset')).status).to.equal(200);
    });
  });
});
