import { expect } from 'chai';
import { bearer, newPerson, type Person } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';

describe('POST /api/login', () => {
  let alice: Person;
  const t = useServer({ mail: true });

  before(async () => {
    alice = await t.verifiedPerson('alice');
  });

  it('answers 200 with message, token, expires_at and the public user', async () => {
    const before = Date.now();
    const res = await t.logIn(alice.username, alice.password);
    expect(res.status).to.equal(200);
    expect(res.body.message).to.be.a('string');
    // 256 bits in base64url is 43 characters.
    expect(res.body.token).to.match(/^[A-Za-z0-9_-]{43,}$/);
    expect(Date.parse(res.body.expires_at)).to.be.greaterThan(before);
    expect(new Date(res.body.expires_at).toISOString()).to.equal(res.body.expires_at);
    expect(res.body.user).to.have.all.keys('id', 'username', 'email');
    expect(res.body.user).to.deep.include({ username: alice.username, email: alice.email });
    expect(res.headers.get('cache-control')).to.match(/no-store/);
  });

  it('gives every login its own token', async () => {
    const a = await t.logIn(alice.username, alice.password);
    const b = await t.logIn(alice.username, alice.password);
    expect(a.body.token).to.not.equal(b.body.token);
    for (const token of [a.body.token, b.body.token]) {
      expect((await t.api('GET', '/api/me', undefined, bearer(token))).status).to.equal(200);
    }
  });

  it('takes the email in place of the username, in any case', async () => {
    const res = await t.logIn(` ${alice.email.toUpperCase()} `, alice.password);
    expect(res.status).to.equal(200);
    expect(res.body.user.username).to.equal(alice.username);
  });

  it('takes the username in any case', async () => {
    expect((await t.logIn(alice.username.toUpperCase(), alice.password)).status).to.equal(200);
  });

  it('answers an unknown user and a wrong password identically', async () => {
    const wrongPassword = await t.logIn(alice.username, 'not-the-password');
    const unknownUser = await t.logIn('nobody-at-all', 'not-the-password');
    const unknownEmail = await t.logIn('nobody@example.test', 'not-the-password');
    expectError(wrongPassword, 401, 'invalid_credentials');
    expect(unknownUser.status).to.equal(wrongPassword.status);
    expect(unknownUser.body).to.deep.equal(wrongPassword.body);
    expect(unknownEmail.body).to.deep.equal(wrongPassword.body);
    // A clean login afterwards resets the count, so these failures lock nothing for later tests.
    expect((await t.logIn(alice.username, alice.password)).status).to.equal(200);
  });

  it('answers an unverified account like a wrong password, right password or not, by name or email', async () => {
    const p = newPerson('unverified');
    expect((await t.signUp(p)).status).to.equal(201);
    const wrong = await t.logIn(p.username, 'not-the-password');
    expectError(wrong, 401, 'invalid_credentials');
    for (const id of [p.username, p.email]) {
      const right = await t.logIn(id, p.password);
      expect(right.status).to.equal(401);
      expect(right.body).to.deep.equal(wrong.body);
    }
  });

  it('normalises the password with NFKC like signup', async () => {
    const p = await t.verifiedPerson('nfkc');
    // Fullwidth letters are the same password after NFKC.
    const fullwidth = [...p.password]
      .map((c) => (/[a-z]/.test(c) ? String.fromCodePoint(c.codePointAt(0)! + 0xfee0) : c))
      .join('');
    expect(fullwidth).to.not.equal(p.password);
    expect((await t.logIn(p.username, fullwidth)).status).to.equal(200);
  });

  it('answers 400 naming the field when username or password is missing or mistyped', async () => {
    expectError(await t.api('POST', '/api/login', { password: 'x' }), 400, 'invalid_field', 'username');
    expectError(
      await t.api('POST', '/api/login', { username: alice.username }),
      400,
      'invalid_field',
      'password',
    );
    expectError(await t.logIn(alice.username, ''), 400, 'invalid_field', 'password');
    expectError(
      await t.api('POST', '/api/login', { username: 1, password: 'x' }),
      400,
      'invalid_field',
      'username',
    );
    expectError(
      await t.api('POST', '/api/login', { username: alice.username, password: ['x'] }),
      400,
      'invalid_field',
      'password',
    );
  });

  it('refuses a huge password as a field error, without counting it as a failed login', async () => {
    expectError(await t.logIn(alice.username, 'x'.repeat(10_000)), 400, 'invalid_field', 'password');
  });
});
