import { expect } from 'chai';
import { useServer } from '../../helpers/fixture.js';

describe('REST: signup, verify, login, me, logout', () => {
  const t = useServer({ mail: true });

  it('takes a new user from signup to a working session, with the code read from real mail', async () => {
    const signup = await t.api('POST', '/api/signup', {
      username: 'alice',
      email: 'Alice@Example.com ',
      password: 'correct horse battery',
    });
    expect(signup.status).to.equal(201);
    expect(signup.body.message).to.be.a('string');

    const code = await t.mail.codeFor('alice@example.com');
    const verified = await t.api('POST', '/api/verify-email', { email: 'alice@example.com', code });
    expect(verified.status).to.equal(200);

    const login = await t.api('POST', '/api/login', {
      username: 'alice',
      password: 'correct horse battery',
    });
    expect(login.status).to.equal(200);
    expect(login.body.user).to.deep.include({ username: 'alice', email: 'alice@example.com' });
    expect(login.body.token).to.match(/^[A-Za-z0-9_-]{43,}$/);
    const auth = { authorization: `Bearer ${login.body.token}` };

    const me = await t.api('GET', '/api/me', undefined, auth);
    expect(me.status).to.equal(200);
    expect(me.body.user.username).to.equal('alice');

    expect((await t.api('POST', '/api/logout', undefined, auth)).status).to.equal(204);
    const after = await t.api('GET', '/api/me', undefined, auth);
    expect(after.status).to.equal(401);
    expect(after.body.code).to.equal('unauthorized');
  });
});
