import { expect } from 'chai';
import { existsSync, mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { verifiedPerson } from '../../helpers/accounts.js';
import { freePort } from '../../helpers/ports.js';
import { makeKeyPair, writeKeyPair } from '../../helpers/ssh-keys.js';
import { runCli, serverHasChat } from '../../helpers/cli.js';
import {
  HIDDEN_HOST,
  startCli,
  startCliTunnelFixture,
  type CliTunnelFixture,
} from '../../helpers/cli-tunnel.js';

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
    expect(r.json().error).to.include(`(or 'ssh ${f.unknownAlias}')`);
    expect(existsSync(join(f.home, '.ssh', 'known_hosts_new'))).to.equal(false);
  });

  it('--via-identity and --via-known-hosts name the key and the host file, as mux1 tunnel does', async () => {
    // Outside ~/.ssh/config: the key is not a default one, so without --via-identity nothing logs in.
    const target = `tester@127.0.0.1:${f.ssh.port}`;
    const files = join(f.home, 'elsewhere');
    mkdirSync(files, { recursive: true });
    const key = writeKeyPair(files, 'id_box', f.clientKey);
    const trusted = join(files, 'known_hosts_trusted');
    writeFileSync(trusted, f.ssh.knownHostsLine + '\n');
    const empty = join(files, 'known_hosts_empty');
    writeFileSync(empty, '');
    const health = (...extra: string[]) =>
      runCli(['health', '--server', server, '--via', target, ...extra, '--json'], { env: f.env });

    const noKey = await health();
    expect(noKey.code, noKey.stderr).to.equal(1);
    expect(noKey.json().code).to.equal('auth_failed');
    expect(noKey.json().error).to.match(/or pass --via-identity FILE$/);

    const ok = await health('--via-identity', key, '--via-known-hosts', trusted);
    expect(ok.code, ok.stderr).to.equal(0);
    expect(ok.json()).to.include({ status: 'healthy' });

    // ~/.ssh/known_hosts knows the host, but the file named is the one checked.
    const unknown = await health('--via-identity', key, '--via-known-hosts', empty);
    expect(unknown.code, unknown.stderr).to.equal(1);
    expect(unknown.json().code).to.equal('host_unknown');
    expect(readFileSync(empty, 'utf8')).to.equal('');
  });

  it('an unknown host: the advice is real ssh syntax, and the mux1 tunnel it suggests trusts the host', async () => {
    const target = `tester@127.0.0.1:${f.ssh.port}`;
    const files = join(f.home, 'advice');
    mkdirSync(files, { recursive: true });
    const knownHosts = join(files, 'known_hosts');
    const args = ['health', '--server', server, '--via', target];
    args.push('--via-identity', f.clientKeyPath, '--via-known-hosts', knownHosts, '--json');

    const refused = await runCli(args, { env: f.env });
    expect(refused.code, refused.stderr).to.equal(1);
    const error: string = refused.json().error;
    expect(error).to.include(
      `(or 'ssh -i ${f.clientKeyPath} -o UserKnownHostsFile=${knownHosts} -p ${f.ssh.port} tester@127.0.0.1')`,
    );
    expect(error).not.to.match(/ssh \S*@127\.0\.0\.1:\d/);
    const suggested = /trust it once with '(mux1 tunnel [^']+)'/.exec(error)?.[1];
    expect(suggested).to.equal(
      `mux1 tunnel ${target} --accept-new --identity ${f.clientKeyPath} --known-hosts ${knownHosts}`,
    );

    const trusting = startCli(suggested!.split(' ').slice(1), f.env);
    await trusting.firstLine;
    trusting.kill('SIGINT');
    expect(await trusting.exited, trusting.stderr()).to.equal(0);

    const after = await runCli(args, { env: f.env });
    expect(after.code, after.stderr).to.equal(0);
    expect(after.json()).to.include({ status: 'healthy' });
  });

  it('an encrypted --via-identity with no terminal to ask: exit 1, saying so and what to do', async () => {
    const locked = writeKeyPair(join(f.home, '.ssh'), 'id_locked', makeKeyPair({ passphrase: 'secret' }));
    const r = await runCli(
      [
        'health',
        '--server',
        server,
        '--via',
        `tester@127.0.0.1:${f.ssh.port}`,
        '--via-identity',
        locked,
        '--json',
      ],
      { env: f.env },
    );
    expect(r.code, r.stderr).to.equal(1);
    expect(r.json().code).to.equal('auth_failed');
    expect(r.json().error).to.include(
      '~/.ssh/id_locked (encrypted, and no terminal to ask for its passphrase; ssh-add it to the agent)',
    );
  });

  it('a --via-identity or --via-known-hosts that cannot be used is a usage error (exit 2), before connecting', async () => {
    const logins = f.ssh.logins.length;
    const bad = join(f.home, 'bad');
    mkdirSync(bad, { recursive: true });
    writeFileSync(join(bad, 'not-a-key'), 'hello\n');
    const cases: [string[], RegExp][] = [
      [
        ['--via-identity', join(bad, 'missing')],
        /--via-identity: cannot read identity file .*missing: no such file \(ENOENT\)/,
      ],
      [['--via-identity', bad], /--via-identity: cannot read identity file .*: a directory, not a file/],
      [
        ['--via-identity', join(bad, 'not-a-key')],
        /--via-identity: .*not-a-key is not a private key ssh can use/,
      ],
      [['--via-identity', `${f.clientKeyPath}.pub`], /--via-identity: .*id_test\.pub is a public key/],
      [['--via-identity', ''], /--via-identity: expected the path of an identity file/],
      [
        ['--via-identity', 'x'.repeat(5000)],
        /--via-identity: cannot read identity file \S*x: name too long \(ENAMETOOLONG\)/,
      ],
      [
        ['--via-known-hosts', bad],
        /--via-known-hosts: cannot read known hosts file .*: a directory, not a file/,
      ],
    ];
    for (const [extra, message] of cases) {
      const r = await runCli(['health', '--server', server, '--via', f.alias, ...extra, '--json'], {
        env: f.env,
      });
      expect(r.code, `${extra.join(' ')}: ${r.stdout}`).to.equal(2);
      expect(r.json().code).to.equal('usage');
      expect(r.json().error).to.match(message);
    }
    const orphan = await runCli(['health', '--via-identity', f.clientKeyPath, '--json'], { env: f.env });
    expect(orphan.code).to.equal(2);
    expect(orphan.json()).to.deep.equal({
      error: '--via-identity goes with --via USER@HOST, which is missing',
      code: 'usage',
    });
    expect(f.ssh.logins.length).to.equal(logins);
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
