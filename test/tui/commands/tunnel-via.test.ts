import { expect } from 'chai';
import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { verifiedPerson } from '../../helpers/accounts.js';
import { freePort } from '../../helpers/ports.js';
import { runCli, serverHasChat } from './cli.js';
import { HIDDEN_HOST, startCliTunnelFixture, type CliTunnelFixture } from './tunnel-fixture.js';

/**
 * The server here is `http://mux1-hidden.internal:PORT`: a name only the SSH server resolves, so a
 * command that works reached it through the tunnel and nowhere else.
 */
describe('mux1 --via: commands reaching the server through an SSH tunnel', () => {
  let f: CliTunnelFixture;
  let server: string;

  before(async () => {
    f = await startCliTunnelFixture();
    server = `http://${HIDDEN_HOST}:${f.muxPort}`;
  });
  after(async () => {
    await f?.cleanup();
  });

  it('health --via answers for a server only the SSH host can reach, quietly', async () => {
    const forwards = f.ssh.forwards;
    const r = await runCli(['health', '--server', server, '--via', f.alias, '--json'], { env: f.env });

    expect(r.code, r.stderr).to.equal(0);
    expect(r.json()).to.include({ server, status: 'healthy' });
    expect(r.stderr).to.equal('');
    expect(f.ssh.forwards).to.be.above(forwards);
  });

  it('login --via, then whoami, send and history --via share the session stored for --server', async () => {
    const person = await verifiedPerson(f.mux.url, f.smtp, 'via');
    const via = ['--server', server, '--via', f.alias, '--json'];

    const login = await runCli(['login', '--username', person.username, '--password-stdin', ...via], {
      env: f.env,
      input: person.password,
    });
    expect(login.code, login.stderr).to.equal(0);
    expect(login.json()).to.include({ server });
    // One credential file, and it is --server's: the tunnel's port changes with every run.
    expect(readdirSync(f.env.MUX1_CONFIG_DIR!)).to.have.length(1);

    const whoami = await runCli(['whoami', ...via], { env: f.env });
    expect(whoami.code, whoami.stderr).to.equal(0);
    expect(whoami.json()).to.deep.include({ server, token_source: 'file' });
    expect(whoami.json().user.username).to.equal(person.username);

    if (!(await serverHasChat(f.mux.url))) return;
    const send = await runCli(['send', 'hello through ssh', ...via], { env: f.env });
    expect(send.code, send.stderr).to.equal(0);
    const history = await runCli(['history', ...via], { env: f.env });
    expect(history.code, history.stderr).to.equal(0);
    expect(history.json().messages.map((m: { text: string }) => m.text)).to.include('hello through ssh');
  });

  it('a server the SSH host cannot reach: exit 1, naming --server and the SSH host', async () => {
    const dead = `http://${HIDDEN_HOST}:${await freePort()}`;
    const r = await runCli(['health', '--server', dead, '--via', f.alias], { env: f.env });

    expect(r.code).to.equal(1);
    expect(r.stderr).to.include(`cannot reach ${HIDDEN_HOST}:`); // the tunnel's status line
    const error = r.stderr.split('\n').find((l) => l.startsWith('Error:'));
    expect(error, r.stderr).to.include(`${dead} (via ${f.alias})`);
    expect(error).not.to.match(/127\.0\.0\.1/);
  });

  it('an SSH host never seen before: exit 1, host_unknown, saying how to trust it', async () => {
    const r = await runCli(['whoami', '--server', server, '--via', f.unknownAlias, '--json'], {
      env: { ...f.env, MUX1_TOKEN: 'x'.repeat(43) },
    });
    expect(r.code, r.stderr).to.equal(1);
    expect(r.json().code).to.equal('host_unknown');
    expect(r.json().error).to.include(`mux1 tunnel ${f.unknownAlias} --accept-new`);
    expect(existsSync(join(f.home, '.ssh', 'known_hosts_new'))).to.equal(false);
  });

  it('usage errors exit 2: a bad target, an https server', async () => {
    for (const args of [
      ['health', '--via', 'alice@'],
      ['health', '--via', 'two words'],
      ['health', '--server', 'https://chat.example.com', '--via', f.alias],
    ]) {
      const r = await runCli([...args, '--json'], { env: f.env });
      expect(r.code, `${args.join(' ')}: ${r.stdout}`).to.equal(2);
      expect(r.json().code).to.equal('usage');
    }
  });
});
