import { expect } from 'chai';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { WRONG_VALUES } from '../../helpers/hostile-inputs.js';

/*
 * A refused body lists every field's problem in `errors` (docs/api.md, conventions), while its
 * `error`, `code` and `field` stay the first problem's, as they always were.
 */

interface Listed {
  field?: string;
  error: string;
  code: string;
}

/** The answer's `errors`, checked against the contract: its first entry is the answer itself. */
function listed(res: { status: number; body: any }): Listed[] {
  expect(res.status, JSON.stringify(res.body)).to.equal(400);
  const errors = res.body.errors as Listed[];
  expect(errors, 'errors').to.be.an('array').with.length.above(0);
  expect(errors[0]).to.deep.equal({ field: res.body.field, error: res.body.error, code: res.body.code });
  for (const e of errors) {
    expect(Object.keys(e).sort()).to.deep.equal(['code', 'error', 'field']);
    expect(e.error).to.be.a('string').with.length.within(1, 200);
  }
  return errors;
}

const fieldsOf = (errors: Listed[]) => errors.map((e) => e.field);

describe('every field problem of a refused body (errors)', () => {
  const t = useServer({ mail: true, env: MANY_SIGNUPS });

  it('signup lists a bad username, a bad email and a common password at once, in field order', async () => {
    const res = await t.signUp({ username: 'a b', email: 'not-an-address', password: 'password' });
    expectError(res, 400, 'invalid_field', 'username');
    const errors = listed(res);
    expect(errors).to.deep.equal([
      {
        field: 'username',
        error: 'username must be 3-32 characters of a-z, 0-9, _ . -',
        code: 'invalid_field',
      },
      { field: 'email', error: 'email must be a valid address', code: 'invalid_field' },
      { field: 'password', error: 'password is too common; choose another', code: 'weak_password' },
    ]);
  });

  it('keeps the first problem as the answer was before: error, code and field unchanged', async () => {
    const one = await t.signUp({ ...newPerson(), email: 'not-an-address' });
    const three = await t.signUp({ username: 'a b', email: 'not-an-address', password: 'x' });
    expect(one.body.error).to.equal('email must be a valid address');
    expect(one.body.field).to.equal('email');
    expect(fieldsOf(listed(one))).to.deep.equal(['email']);
    expect(three.body.field).to.equal('username');
    expect(fieldsOf(listed(three))).to.deep.equal(['username', 'email', 'password']);
    expect(listed(three)[2]!.error).to.equal('password must be 8-128 characters');
  });

  it('lists a password equal to the username as sent beside another bad field', async () => {
    const res = await t.signUp({ username: 'Frank_Ok', email: 'frank@', password: ' frank_ok ' });
    // The schema takes the password as typed: spaces included, it is not the username.
    expect(fieldsOf(listed(res))).to.deep.equal(['email']);
    const same = await t.signUp({ username: 'Frank_Ok', email: 'frank@', password: 'frank_ok' });
    expect(listed(same)[1]).to.deep.equal({
      field: 'password',
      error: 'password must not be your username or email',
      code: 'weak_password',
    });
  });

  it('names every missing field of an empty body', async () => {
    const errors = listed(await t.api('POST', '/api/signup', {}));
    expect(errors.map((e) => e.error)).to.deep.equal([
      'username is required',
      'email is required',
      'password is required',
    ]);
  });

  it('answers huge values of every field with short sentences that do not echo them', async () => {
    const huge = 'x'.repeat(5000);
    const res = await t.api('POST', '/api/signup', { username: huge, email: huge, password: huge });
    const errors = listed(res);
    expect(fieldsOf(errors)).to.deep.equal(['username', 'email', 'password']);
    for (const e of errors) expect(e.error).not.to.include('xxxxxxxxxx');
    expect(res.body.errors[2].error).to.equal('password must be at most 128 characters');
  });

  it('answers each wrong value in every field with one entry per field and stores nothing', async () => {
    const before = Number((await t.db('users').count({ n: '*' }))[0]!.n);
    for (const value of WRONG_VALUES) {
      const res = await t.api('POST', '/api/signup', { username: value, email: value, password: value });
      const errors = listed(res);
      expect(fieldsOf(errors), JSON.stringify(value).slice(0, 40)).to.deep.equal([
        'username',
        'email',
        'password',
      ]);
      // The same text in all three: a password of the right shape is then the username or email.
      const codes = errors.map((e) => e.code);
      expect(codes.slice(0, 2), JSON.stringify(errors)).to.deep.equal(['invalid_field', 'invalid_field']);
      if (codes[2] === 'weak_password')
        expect(errors[2]!.error).to.equal('password must not be your username or email');
      else expect(codes[2]).to.equal('invalid_field');
    }
    expect(Number((await t.db('users').count({ n: '*' }))[0]!.n)).to.equal(before);
  });

  it('lists no more than the schema has fields, however many unknown keys come along', async () => {
    const body: Record<string, unknown> = { username: '', email: '', password: '' };
    for (let i = 0; i < 1000; i++) body[`k${i}`] = 'x';
    const errors = listed(await t.api('POST', '/api/signup', body));
    expect(fieldsOf(errors)).to.deep.equal(['username', 'email', 'password']);
  });

  it('does not list a common password when the other fields are right: the rules answer it alone', async () => {
    const res = await t.signUp({ ...newPerson(), password: 'password' });
    expectError(res, 400, 'weak_password', 'password');
    expect(res.body.errors).to.equal(undefined);
  });

  it('login lists a missing username and password', async () => {
    const errors = listed(await t.api('POST', '/api/login', { username: '', password: '' }));
    expect(errors).to.deep.equal([
      { field: 'username', error: 'username is required', code: 'invalid_field' },
      { field: 'password', error: 'password is required', code: 'invalid_field' },
    ]);
  });

  it('verify-email lists a bad email and a bad code', async () => {
    const errors = listed(await t.api('POST', '/api/verify-email', { email: 'x', code: '12' }));
    expect(fieldsOf(errors)).to.deep.equal(['email', 'code']);
    expect(errors[1]!.error).to.equal('code must be 6 digits');
  });

  it('password reset lists a bad email, a bad code and a common new password', async () => {
    const res = await t.api('POST', '/api/password/reset', { email: 'x', code: 'abc', password: 'password' });
    expect(listed(res).map((e) => [e.field, e.code])).to.deep.equal([
      ['email', 'invalid_field'],
      ['code', 'invalid_field'],
      ['password', 'weak_password'],
    ]);
  });

  it('password change lists a missing current password and a common new one', async () => {
    const p = await t.loggedInPerson('change');
    const res = await t.as(p.token)('POST', '/api/password/change', {
      current_password: '',
      password: 'password',
    });
    expect(listed(res).map((e) => [e.field, e.code])).to.deep.equal([
      ['current_password', 'invalid_field'],
      ['password', 'weak_password'],
    ]);
  });

  it('answers the NUL character and lone surrogates in every field of a schema that takes them', async () => {
    // The resend body's email fails its own schema first, so nothing gets to the unstorable check there:
    // a second factor code takes any text up to its limit, then the text check names its field.
    const res = await t.api('POST', '/api/login/2fa', { mfa_token: 'a\u0000b', code: '\ud800' });
    const errors = listed(res);
    expect(fieldsOf(errors).sort()).to.deep.equal(['code', 'mfa_token']);
    expect(errors.map((e) => e.error).join(' '))
      .to.match(/NUL character/)
      .and.match(/surrogate/);
  });
});
