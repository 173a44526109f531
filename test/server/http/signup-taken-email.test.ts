import { expect } from 'chai';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';

describe('POST /api/signup: an email that already has an account', () => {
  const t = useServer({ mail: true, env: { SERVER_STATUS_PUBLIC: '1' } });
  // A second, empty server shows what a genuinely new signup with the same input answers.
  const fresh = useServer({ mail: true });

  const totalUsers = async () => (await t.api('GET', '/api/server-status')).body.total_users;

  it('answers exactly like a successful signup, creates nothing, and mails a notice instead of a code', async () => {
    const owner = await t.verifiedPerson('owner');
    const usersBefore = await totalUsers();

    const intruder = { ...newPerson('intruder'), email: owner.email };
    const taken = await t.signUp(intruder);
    const genuine = await fresh.signUp(intruder);
    expect(genuine.status).to.equal(201);
    expect(taken.status).to.equal(genuine.status);
    expect(taken.body).to.deep.equal(genuine.body);
    expect(taken.headers.get('content-type')).to.equal(genuine.headers.get('content-type'));

    expect(await totalUsers()).to.equal(usersBefore);
    // The owner is told, without a code: one code mail (their own signup) and one notice.
    const notice = await t.mail.waitFor((m) => m.to === owner.email && !/\d{6}/.test(m.subject));
    expect(notice.text).to.match(/already has an account/i);
    expect(notice.text).to.not.match(/\b\d{6}\b/);
    // It points to a password reset, never to a new verification code.
    expect(notice.text).to.match(/mux1 password forgot/);
    expect(notice.text).to.not.match(/mux1 resend/);
    expect(t.mail.codeCount(owner.email)).to.equal(1);

    // No account: the intruder cannot log in, and the username stays free.
    expectError(await t.logIn(intruder.username, intruder.password), 401, 'invalid_credentials');
    const later = { ...newPerson('later'), username: intruder.username };
    expect((await t.signUp(later)).status).to.equal(201);
    await t.mail.codeFor(later.email);
  });

  it('matches case- and space-insensitively, and the owner account keeps working', async () => {
    const owner = await t.verifiedPerson('owner');
    const usersBefore = await totalUsers();
    const res = await t.signUp({ ...newPerson('dup'), email: ` ${owner.email.toUpperCase()} ` });
    expect(res.status).to.equal(201);
    expect(await totalUsers()).to.equal(usersBefore);
    await t.mail.waitFor((m) => m.to === owner.email && !/\d{6}/.test(m.subject));
    expect((await t.logIn(owner.username, owner.password)).status).to.equal(200);
  });

  it('still applies the field rules first, so a taken email is not revealed by a 201 to a bad request', async () => {
    const owner = newPerson('owner');
    expect((await t.signUp(owner)).status).to.equal(201);
    expectError(
      await t.signUp({ ...newPerson(), email: owner.email, password: 'password' }),
      400,
      'weak_password',
      'password',
    );
  });
});
