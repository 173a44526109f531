import { expect } from 'chai';
import { startCliServer, type CliServer } from '../helpers/cli-server.js';
import { curl, curlJson } from '../helpers/curl.js';

/**
 * The README's first steps, done the way a newcomer does them: the built `mux1 server` with no
 * SMTP_URL, the code read from what the server prints, and every request made with curl.
 */
describe('system: a newcomer follows the README with the built server and curl', () => {
  let server: CliServer;
  const username = 'newcomer';
  const email = 'newcomer@example.com';
  const password = 'a long walk to the lighthouse';

  before(async () => {
    server = await startCliServer();
  });
  after(async () => {
    await server?.cleanup();
  });

  it('signs up, reads the code from the server output, verifies, logs in, sees itself, logs out', async () => {
    const api = `${server.url}/api`;

    const health = await curl([`${api}/health`]);
    expect(health.status).to.equal(200);
    expect(health.body).to.include({ status: 'healthy', database: 'healthy' });

    const signup = await curlJson('POST', `${api}/signup`, { username, email, password });
    expect(signup.status, signup.raw).to.equal(201);
    expect(signup.body.message).to.be.a('string').with.length.greaterThan(0);

    const early = await curlJson('POST', `${api}/login`, { username, password });
    // Like a wrong password: an unverified account must not tell whether the address had one.
    expect(early.status, early.raw).to.equal(401);
    expect(early.body.code).to.equal('invalid_credentials');

    // The development mailbox prints the mail, code included, to the server's output.
    const mailLine = new RegExp(`${email.replace(/[.]/g, '\\.')}.*verification code(?::| is) (\\d{6})`);
    const [, code] = await server.waitForLine(mailLine);
    expect(code).to.match(/^\d{6}$/);

    const verify = await curlJson('POST', `${api}/verify-email`, { email, code });
    expect(verify.status, verify.raw).to.equal(200);
    expect(verify.body.message).to.be.a('string');

    const login = await curlJson('POST', `${api}/login`, { username, password });
    expect(login.status, login.raw).to.equal(200);
    expect(login.body.user).to.include({ username, email });
    const token: string = login.body.token;
    expect(token).to.be.a('string').with.length.greaterThan(40);
    const bearer = `Authorization: Bearer ${token}`;

    const me = await curlJson('GET', `${api}/me`, undefined, [bearer]);
    expect(me.status, me.raw).to.equal(200);
    expect(me.body.user).to.include({ username, email });
    expect(me.body.user.created_at).to.be.a('string');

    const logout = await curlJson('POST', `${api}/logout`, undefined, [bearer]);
    expect(logout.status, logout.raw).to.equal(204);

    const gone = await curlJson('GET', `${api}/me`, undefined, [bearer]);
    expect(gone.status).to.equal(401);
    expect(gone.body).to.include({ code: 'unauthorized' });
    expect(gone.body.error).to.be.a('string');

    expect(await server.stop('SIGTERM'), server.output()).to.equal(0);
    const printed = server.stdout.join('\n') + server.stderr.join('\n');
    expect(printed, 'the password must never be printed').not.to.include(password);
    expect(printed, 'the session token must never be printed').not.to.include(token);
  });
});
