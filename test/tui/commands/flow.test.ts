import { expect } from 'chai';
import { serverHasChat } from '../../helpers/cli.js';
import { useServer } from '../../helpers/fixture.js';

describe('mux1 CLI: the whole account flow with --json', () => {
  const password = 'correct horse battery';

  const t = useServer({ mail: true, cliHome: true });

  it('signs up, verifies with the mailed code, logs in, chats and logs out', async function () {
    this.timeout(60_000);
    const signup = await t.cli(
      ['signup', '--username', 'carol', '--email', 'carol@example.com', '--password-stdin', '--json'],
      { input: `${password}\n` },
    );
    expect(signup.code, signup.stderr).to.equal(0);
    expect(signup.stderr).to.equal('');
    expect(signup.json()).to.include({ username: 'carol', email: 'carol@example.com', server: t.url });
    expect(signup.json().message).to.be.a('string');

    const code = await t.mail.codeFor('carol@example.com');
    // The mail suggests the command without the code, which it asks for instead.
    const mail = await t.mail.waitFor((m) => m.to === 'carol@example.com' && m.subject.includes(code));
    expect(mail.text).to.match(
      /type the 6 digits when it asks for them:\s+mux1 verify --email carol@example\.com --server /,
    );
    expect(mail.text).not.to.include('--code');
    const verify = await t.cli(['verify', '--email', 'carol@example.com', '--code-stdin', '--json'], {
      input: `${code}\n`,
    });
    expect(verify.code, verify.stderr).to.equal(0);
    expect(verify.json().message).to.match(/verified/i);

    const login = await t.cli(['login', '--username', 'carol', '--password-stdin', '--json'], {
      input: `${password}\n`,
    });
    expect(login.code, login.stderr).to.equal(0);
    const loggedIn = login.json();
    expect(loggedIn.user).to.include({ username: 'carol', email: 'carol@example.com' });
    expect(loggedIn.expires_at).to.be.a('string');
    expect(loggedIn, 'the token stays out of stdout').not.to.have.property('token');

    const whoami = await t.cli(['whoami', '--json']);
    expect(whoami.code, whoami.stderr).to.equal(0);
    expect(whoami.json()).to.deep.include({ server: t.url, token_source: 'file' });
    expect(whoami.json().user).to.include({ username: 'carol' });

    if (await serverHasChat(t.url)) {
      const send = await t.cli(['send', 'hello from a script', '--json']);
      expect(send.code, send.stderr).to.equal(0);
      expect(send.json()).to.include({ ok: true, room: 'lobby' });

      const history = await t.cli(['history', '--limit', '5', '--json']);
      expect(history.code, history.stderr).to.equal(0);
      const texts = history.json().messages.map((m: { text: string }) => m.text);
      expect(texts).to.include('hello from a script');

      // The text from standard input, hostile: escape sequences, a bidi override, control bytes.
      const hostile = 'tail \u001b[2J\u001b]0;owned\u0007\u202Etxt.exe\u0007 end\nsecond line';
      const piped = await t.cli(['send', '--room', 'ops', '--json'], { input: `${hostile}\n` });
      expect(piped.code, piped.stderr).to.equal(0);
      const raw = await t.cli(['history', '--room', 'ops', '--json']);
      expect(raw.json().messages.map((m: { text: string }) => m.text)).to.deep.equal([hostile]);
      const shown = await t.cli(['history', '--room', 'ops']);
      expect(shown.code, shown.stderr).to.equal(0);
      expect(shown.stdout).to.match(/ {2}carol: tail txt\.exe end second line\n$/);
      // eslint-disable-next-line no-control-regex -- looking for the control characters themselves
      expect(shown.stdout).not.to.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
    } else {
      // Chat (server/realtime) is not in this build yet; the rest of the flow still runs.
      console.warn('      (send/history skipped: the server under test has no Socket.IO chat)');
    }

    const logout = await t.cli(['logout', '--json']);
    expect(logout.code, logout.stderr).to.equal(0);
    expect(logout.json()).to.include({ revoked: true, removed_file: true });

    const after = await t.cli(['whoami', '--json']);
    expect(after.code).to.equal(1);
    expect(after.json()).to.deep.equal({
      error: `Not logged in to ${t.url}: run 'mux1 login --username NAME' or set MUX1_TOKEN`,
      code: 'not_logged_in',
    });
  });

  it('"Next:" is the exact next command: the address just used, quoted for the shell, and --server', async () => {
    const r = await t.cli(['resend', '--email', "o'neil+chat@example.com"]);
    expect(r.code, r.stderr).to.equal(0);
    expect(r.stdout).to.include(
      `Next: mux1 verify --email 'o'\\''neil+chat@example.com' --server ${t.url}\n`,
    );
  });

  it('prints sentences without --json, and no colour when stdout is not a terminal', async () => {
    const health = await t.cli(['health']);
    expect(health.code, health.stderr).to.equal(0);
    expect(health.stdout).to.match(/is healthy/);
    expect(health.stdout + health.stderr).not.to.include('\u001b[');
  });
});
