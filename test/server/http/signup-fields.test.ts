import { expect } from 'chai';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';

describe('POST /api/signup: field rules', () => {
  const t = useServer({ mail: true });

  const withField = (field: string, value: unknown) => ({ ...newPerson('field'), [field]: value });

  describe('username', () => {
    for (const [why, value] of [
      ['2 characters', 'ab'],
      ['33 characters', 'a'.repeat(33)],
      ['a space', 'has space'],
      ['a non-ASCII letter', 'jürgen'],
      ['a plus sign', 'a+b'],
      ['an at sign', 'a@b'],
      ['an empty string', ''],
    ] as const) {
      it(`refuses ${why} with 400 naming username`, async () => {
        expectError(await t.signUp(withField('username', value)), 400, 'invalid_field', 'username');
      });
    }

    it('accepts 3 and 32 characters of a-z 0-9 _ . -', async () => {
      for (const username of ['a.b', 'z_9-.'.padEnd(32, 'x')]) {
        const res = await t.signUp({ ...newPerson(), username });
        expect(res.status, username).to.equal(201);
      }
    });

    it('is unique case-insensitively: 409 username_taken naming the field', async () => {
      const first = { ...newPerson(), username: 'casey' };
      expect((await t.signUp(first)).status).to.equal(201);
      const second = { ...newPerson(), username: 'CaSeY' };
      expectError(await t.signUp(second), 409, 'username_taken', 'username');
      // No account was made for the second email: it got no code.
      const third = newPerson();
      expect((await t.signUp(third)).status).to.equal(201);
      await t.mail.codeFor(third.email);
      expect(t.mail.codeCount(second.email)).to.equal(0);
    });

    it('lets the owner of a mixed-case name log in with any case', async () => {
      const p = { ...newPerson(), username: 'MixedCase' };
      expect((await t.signUp(p)).status).to.equal(201);
      const code = await t.mail.codeFor(p.email);
      expect((await t.api('POST', '/api/verify-email', { email: p.email, code })).status).to.equal(200);
      const res = await t.logIn('MIXEDCASE', p.password);
      expect(res.status).to.equal(200);
      expect(res.body.user.username).to.equal('mixedcase');
    });
  });

  describe('email', () => {
    it('is trimmed and lower-cased: the code goes to the normalised address', async () => {
      const p = newPerson();
      const res = await t.signUp({ ...p, email: `  ${p.email.toUpperCase()}\t` });
      expect(res.status).to.equal(201);
      const code = await t.mail.codeFor(p.email);
      expect((await t.api('POST', '/api/verify-email', { email: p.email, code })).status).to.equal(200);
    });

    // 64 + 1 + 189 = 254 characters, every DNS label under 64.
    const domain = (length: number) => {
      const labels = ['b'.repeat(63), 'c'.repeat(63), 'd'.repeat(length - 63 - 63 - 4 - 3), 'test'];
      return labels.join('.');
    };
    const email254 = `${'a'.repeat(64)}@${domain(189)}`;

    it('accepts 254 characters', async () => {
      expect(email254).to.have.length(254);
      const res = await t.signUp({ ...newPerson(), email: email254 });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
    });

    it('refuses 255 characters with 400 naming email', async () => {
      const email = `${'a'.repeat(64)}@${domain(190)}`;
      expect(email).to.have.length(255);
      expectError(await t.signUp({ ...newPerson(), email }), 400, 'invalid_field', 'email');
    });

    for (const value of ['not-an-email', '@example.test', 'a@', 'a b@example.test', '']) {
      it(`refuses ${JSON.stringify(value)} with 400 naming email`, async () => {
        expectError(await t.signUp(withField('email', value)), 400, 'invalid_field', 'email');
      });
    }
  });

  describe('password', () => {
    it('refuses 7 characters and accepts 8', async () => {
      expectError(await t.signUp(withField('password', 'kq7-zvx')), 400, 'invalid_field', 'password');
      expect((await t.signUp(withField('password', 'kq7-zvxw'))).status).to.equal(201);
    });

    it('accepts 128 characters and refuses 129', async () => {
      expect((await t.signUp(withField('password', 'kq7-zvxw'.repeat(16)))).status).to.equal(201);
      expectError(
        await t.signUp(withField('password', 'kq7-zvxw'.repeat(16) + 'z')),
        400,
        'invalid_field',
        'password',
      );
    });

    it('counts characters after NFKC normalisation', async () => {
      // U+FB03 (the "ffi" ligature) is one character that NFKC turns into three: 43 -> 129.
      expectError(
        await t.signUp(withField('password', '\uFB03'.repeat(43))),
        400,
        'invalid_field',
        'password',
      );
      // U+337F (a square CJK sign) becomes four characters: 2 -> 8, long enough.
      const p = { ...newPerson(), password: '\u337F\u337F' };
      expect((await t.signUp(p)).status).to.equal(201);
      const code = await t.mail.codeFor(p.email);
      await t.api('POST', '/api/verify-email', { email: p.email, code });
      // The normalised spelling is the same password.
      expect((await t.logIn(p.username, '\u682A\u5F0F\u4F1A\u793E'.repeat(2))).status).to.equal(200);
    });

    it('accepts any characters, with no composition rules', async () => {
      for (const password of [
        'correcthorsebatterystaple',
        'пароль-на-русском',
        '🔑🔑🔑🔑🔑🔑🔑🔑',
        'a b c d e f',
      ]) {
        const res = await t.signUp(withField('password', password));
        expect(res.status, password).to.equal(201);
      }
    });

    for (const common of ['password', '12345678', 'qwertyuiop', 'Baseball', 'iloveyou']) {
      it(`refuses the common password ${common} with weak_password`, async () => {
        expectError(await t.signUp(withField('password', common)), 400, 'weak_password', 'password');
      });
    }

    it('refuses a password equal to the username or the email', async () => {
      const p = { ...newPerson(), username: 'samesame99' };
      expectError(await t.signUp({ ...p, password: 'samesame99' }), 400, 'weak_password', 'password');
      expectError(await t.signUp({ ...p, password: 'SameSame99' }), 400, 'weak_password', 'password');
      expectError(await t.signUp({ ...p, password: p.email }), 400, 'weak_password', 'password');
      expectError(
        await t.signUp({ ...p, password: p.email.toUpperCase() }),
        400,
        'weak_password',
        'password',
      );
      // None of the refusals made the account.
      expect((await t.signUp(p)).status).to.equal(201);
    });
  });

  describe('missing or mistyped fields', () => {
    for (const field of ['username', 'email', 'password']) {
      it(`answers 400 naming ${field} when it is missing`, async () => {
        const body: Record<string, unknown> = { ...newPerson() };
        delete body[field];
        expectError(await t.api('POST', '/api/signup', body), 400, 'invalid_field', field);
      });

      for (const value of [42, null, true, ['x'], { x: 1 }]) {
        it(`answers 400 naming ${field} when it is ${JSON.stringify(value)}`, async () => {
          expectError(await t.signUp(withField(field, value)), 400, 'invalid_field', field);
        });
      }
    }
  });
});
