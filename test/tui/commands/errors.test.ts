import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { deadServerUrl, filesUnder, runCli, serverHasChat, tempDir } from '../../helpers/cli.js';
import { useServer } from '../../helpers/fixture.js';

/** Every failure a script can meet: exit 1, one JSON error object, or one line on stderr. */
describe('mux1 CLI: error paths', () => {
  const password = 'violet staple engine';

  async function verifiedUser(username: string): Promise<void> {
    const email = `${username}@example.com`;
    await t.api('POST', '/api/signup', { username, email, password });
    const code = await t.mail.codeFor(email);
    await t.api('POST', '/api/verify-email', { email, code });
  }

  const t = useServer({ mail: true, cliHome: true });

  before(async () => {
    await verifiedUser('dave');
  });

  const expectJsonError = (r: Awaited<ReturnType<typeof runCli>>, code: string, exit = 1) => {
    expect(r.code, r.stdout + r.stderr).to.equal(exit);
    const body = r.json();
    expect(body.code).to.equal(code);
    expect(body.error).to.be.a('string').and.not.match(/\n/);
    return body;
  };

  it('signup with a taken username: username_taken', async () => {
    const r = await t.cli(
      ['signup', '--username', 'dave', '--email', 'other@example.com', '--password-stdin', '--json'],
      { input: 'another fine password\n' },
    );
    expectJsonError(r, 'username_taken');
  });

  it('signup with a password the server calls common: weak_password, exit 1', async () => {
    const r = await t.cli(
      ['signup', '--username', 'erin', '--email', 'erin@example.com', '--password-stdin', '--json'],
      { input: 'password123\n' },
    );
    const body = expectJsonError(r, 'weak_password');
    expect(body.field).to.equal('password');
  });

  it('signup with several bad fields: every one, in errors with --json and on the one stderr line', async () => {
    // "x@example.c" passes the CLI's loose address check, not the server's; "password" is common.
    const args = ['signup', '--username', 'ivy', '--email', 'x@example.c', '--password-stdin'];
    const r = await t.cli([...args, '--json'], { input: 'password\n' });
    const body = expectJsonError(r, 'invalid_field');
    expect(body.field).to.equal('email');
    expect(body.errors).to.deep.equal([
      { field: 'email', error: 'email must be a valid address', code: 'invalid_field' },
      { field: 'password', error: 'password is too common; choose another', code: 'weak_password' },
    ]);
    const human = await t.cli(args, { input: 'password\n' });
    expect(human.code).to.equal(1);
    expect(human.stderr).to.equal(
      'Error: email must be a valid address; password is too common; choose another\n',
    );
  });

  it('verify with a wrong code: invalid_code', async () => {
    const r = await t.cli(['verify', '--email', 'dave@example.com', '--code', '000000', '--json']);
    expectJsonError(r, 'invalid_code');
  });

  it('login with a wrong password: invalid_credentials, and no credential file', async () => {
    const r = await t.cli(['login', '--username', 'dave', '--password-stdin', '--json'], {
      input: 'wrong password here\n',
    });
    expectJsonError(r, 'invalid_credentials');
  });

  // The server answers an unverified account like a wrong password (it must not tell whether the
  // address had an account); its sentence says that a new account logs in once verified.
  it('login before verifying: invalid_credentials, saying so on stderr without --json', async () => {
    await t.api('POST', '/api/signup', { username: 'frank', email: 'frank@example.com', password });
    const r = await t.cli(['login', '--username', 'frank', '--password-stdin'], { input: password });
    expect(r.code).to.equal(1);
    expect(r.stdout).to.equal('');
    const lines = r.stderr.split('\n').filter(Boolean);
    expect(lines).to.have.length(1);
    expect(lines[0]).to.match(/^Error: .*once its email is verified/);
  });

  it('login after five failures in a row: too_many_attempts', async function () {
    this.timeout(60_000);
    await verifiedUser('gina');
    for (let i = 0; i < 5; i++) {
      await t.api('POST', '/api/login', { username: 'gina', password: `wrong password ${i}` });
    }
    const r = await t.cli(['login', '--username', 'gina', '--password-stdin', '--json'], {
      input: password,
    });
    expectJsonError(r, 'too_many_attempts');
  });

  it('whoami with a revoked MUX1_TOKEN: unauthorized', async () => {
    const login = await t.api('POST', '/api/login', { username: 'dave', password });
    await t.api('POST', '/api/logout', undefined, { authorization: `Bearer ${login.body.token}` });
    const r = await t.cli(['whoami', '--json'], { env: { MUX1_TOKEN: login.body.token } });
    expectJsonError(r, 'unauthorized');
  });

  it('logout when the stored session already ended: succeeds and removes the file', async () => {
    const dir = tempDir();
    try {
      const own = { MUX1_CONFIG_DIR: dir.path };
      const login = await t.cli(['login', '--username', 'dave', '--password-stdin'], {
        env: own,
        input: password,
      });
      expect(login.code, login.stderr).to.equal(0);
      const token = JSON.parse(readFileSync(filesUnder(dir.path)[0]!.path, 'utf8')).token;
      await t.api('POST', '/api/logout', undefined, { authorization: `Bearer ${token}` });
      const r = await t.cli(['logout', '--json'], { env: own });
      expect(r.code, r.stderr).to.equal(0);
      expect(r.json()).to.include({ revoked: false, removed_file: true });
      expect(filesUnder(dir.path)).to.deep.equal([]);
    } finally {
      dir.remove();
    }
  });

  it('logout when not logged in succeeds, so scripts can call it unconditionally', async () => {
    const r = await t.cli(['logout', '--json']);
    expect(r.code).to.equal(0);
    expect(r.json()).to.include({ revoked: false });
  });

  it('a damaged credential file: corrupt_credentials, naming the file', async () => {
    const dir = tempDir();
    try {
      const own = { MUX1_CONFIG_DIR: dir.path };
      await t.cli(['login', '--username', 'dave', '--password-stdin'], { env: own, input: password });
      writeFileSync(filesUnder(dir.path)[0]!.path, '{not json');
      const r = await t.cli(['whoami', '--json'], { env: own });
      const body = expectJsonError(r, 'corrupt_credentials');
      expect(body.error).to.include(dir.path);
    } finally {
      dir.remove();
    }
  });

  describe('a server that cannot be reached', () => {
    let dead: string;
    before(async () => {
      dead = await deadServerUrl();
    });

    it('health: unreachable, naming the URL', async () => {
      const r = await t.cli(['health', '--server', dead, '--json']);
      const body = expectJsonError(r, 'unreachable');
      expect(body.error).to.include(dead);
    });

    it('signup: unreachable, as one line on stderr without --json', async () => {
      const r = await t.cli(
        ['signup', '--username', 'hal', '--email', 'hal@example.com', '--password-stdin'],
        { env: { MUX1_SERVER: dead }, input: password },
      );
      expect(r.code).to.equal(1);
      expect(r.stdout).to.equal('');
      expect(r.stderr.trim().split('\n')).to.have.length(1);
      expect(r.stderr).to.include(`Cannot reach the mux1 server at ${dead}`);
      expect(r.stderr, 'no stack trace').not.to.match(/\n\s+at /);
    });

    it('DEBUG=mux1 adds the stack under the one-line error', async () => {
      const r = await t.cli(['health', '--server', dead], { env: { DEBUG: 'mux1' } });
      expect(r.code).to.equal(1);
      expect(r.stderr).to.match(/^Error: Cannot reach/);
      expect(r.stderr).to.match(/\n\s+at /);
    });
  });

  describe('a server that is not mux1', () => {
    let other: Server;
    let url: string;
    before(async () => {
      other = createServer((_req, res) => {
        res.writeHead(404, { 'content-type': 'text/html' });
        res.end('<h1>Not Found</h1>');
      });
      await new Promise<void>((r) => other.listen(0, '127.0.0.1', () => r()));
      url = `http://127.0.0.1:${(other.address() as { port: number }).port}`;
    });
    after(() => new Promise<void>((r) => other.close(() => r())));

    it('unexpected_response, saying what answered', async () => {
      const r = await t.cli(['health', '--server', url, '--json']);
      const body = expectJsonError(r, 'unexpected_response');
      expect(body.error).to.include('404');
    });
  });

  describe('a hostile server', () => {
    let evil: Server;
    let url: string;
    const sentence = 'no \u001b[2J\u001b]0;owned\u0007such\u202e user\nfake second line';
    before(async () => {
      evil = createServer((_req, res) => {
        res.writeHead(400, { 'content-type': 'application/json' });
        res.end(JSON.stringify({ error: sentence, code: 'invalid_field' }));
      });
      await new Promise<void>((r) => evil.listen(0, '127.0.0.1', () => r()));
      url = `http://127.0.0.1:${(evil.address() as { port: number }).port}`;
    });
    after(() => new Promise<void>((r) => evil.close(() => r())));

    it('cannot repaint the terminal through an error sentence', async () => {
      const r = await t.cli(['resend', '--email', 'a@example.com', '--server', url]);
      expect(r.code).to.equal(1);
      expect(r.stderr).to.equal('Error: no such user: fake second line\n');
      // With --json the sentence is data, passed on as the server sent it (JSON escapes it).
      const json = await t.cli(['resend', '--email', 'a@example.com', '--server', url, '--json']);
      expect(json.json().error).to.equal(sentence.replace('\n', ': '));
    });
  });

  describe('chat', () => {
    before(async function () {
      if (!(await serverHasChat(t.url))) this.skip();
    });

    it('send without a session: not_logged_in', async () => {
      const r = await t.cli(['send', 'hi', '--json'], {
        env: { MUX1_CONFIG_DIR: t.cliHome + '/none' },
      });
      expectJsonError(r, 'not_logged_in');
    });

    it('send with a token the server does not accept: unauthorized', async () => {
      const r = await t.cli(['send', 'hi', '--json'], { env: { MUX1_TOKEN: 'x'.repeat(43) } });
      expectJsonError(r, 'unauthorized');
    });
  });

  it('failed logins and signups left no credential file behind', () => {
    expect(existsSync(t.cliEnv.MUX1_CONFIG_DIR!)).to.equal(false);
  });
});
