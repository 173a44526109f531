import { expect } from 'chai';
import { appendFileSync, existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import { join } from 'node:path';
import { credentialsPath } from '../../../tui/client/credentials.js';
import { verifiedPerson, type Person } from '../../helpers/accounts.js';
import { freePort } from '../../helpers/ports.js';
import { runCli } from '../../helpers/cli.js';
import {
  startCli,
  startCliTunnelFixture,
  type CliTunnelFixture,
  type RunningCli,
} from '../../helpers/cli-tunnel.js';

/** An HTTP server that answers 401 to everything and remembers what it was sent. */
async function startSnoop(
  port = 0,
): Promise<{ port: number; seen: IncomingHttpHeaders[]; close(): Promise<void> }> {
  const seen: IncomingHttpHeaders[] = [];
  const server: Server = createServer((req, res) => {
    seen.push(req.headers);
    res.writeHead(401, { 'content-type': 'application/json' }).end('{"error":"who?","code":"unauthorized"}');
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  return {
    port: (server.address() as { port: number }).port,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/**
 * `mux1 tunnel` opens a new local port each time; a session started through one tunnel belongs to
 * the server behind it, so the next tunnel to that server is signed in, and a tunnel - or anything
 * else - to some other server is not, and is never sent the token.
 */
describe('mux1 tunnel: sessions belong to the server behind the tunnel', () => {
  let f: CliTunnelFixture;
  let person: Person;
  const running: RunningCli[] = [];

  const tunnel = async (remotePort: number, ...extra: string[]) => {
    const run = startCli(['tunnel', f.alias, '--remote-port', String(remotePort), '--json', ...extra], f.env);
    running.push(run);
    const opened = JSON.parse(await run.firstLine) as { url: string; local_port: number };
    return { ...opened, run };
  };
  const stop = async (run: RunningCli) => {
    run.kill('SIGINT');
    expect(await run.exited, run.stderr()).to.equal(0);
  };
  const whoami = (server: string, ...extra: string[]) =>
    runCli(['whoami', '--server', server, '--json', ...extra], { env: f.env });
  const records = () => {
    const dir = join(f.env.MUX1_CONFIG_DIR!, 'tunnels');
    return existsSync(dir) ? readdirSync(dir) : [];
  };

  before(async () => {
    f = await startCliTunnelFixture();
    person = await verifiedPerson(f.mux.url, f.smtp, 'tun');
  });
  afterEach(() => {
    for (const run of running.splice(0)) run.kill('SIGKILL');
  });
  after(async () => {
    await f?.cleanup();
  });

  it('log in through one tunnel; the next tunnel to the same server, on another port, is signed in', async () => {
    const first = await tunnel(f.muxPort);
    expect(records()).to.deep.equal([`127.0.0.1-${first.local_port}.json`]);
    const login = await runCli(
      ['login', '--username', person.username, '--password-stdin', '--server', first.url],
      {
        env: f.env,
        input: person.password,
      },
    );
    expect(login.code, login.stderr).to.equal(0);
    await stop(first.run);
    expect(records(), 'the record goes with the tunnel').to.deep.equal([]);

    let port = await freePort();
    while (port === first.local_port) port = await freePort();
    const second = await tunnel(f.muxPort, '--local-port', String(port));
    expect(second.url).not.to.equal(first.url);
    const r = await whoami(second.url);
    expect(r.code, r.stdout + r.stderr).to.equal(0);
    expect(r.json()).to.deep.include({ server: second.url, token_source: 'file' });
    expect(r.json().user.username).to.equal(person.username);

    // The same server, reached with --via through the same SSH host: the same session.
    const via = await whoami(`http://127.0.0.1:${f.muxPort}`, '--via', f.alias);
    expect(via.code, via.stdout + via.stderr).to.equal(0);
    expect(via.json().user.username).to.equal(person.username);
    await stop(second.run);

    // One session file, named after the server behind the tunnel; no trace of either local port.
    const sessions = readdirSync(f.env.MUX1_CONFIG_DIR!).filter((name) => name.startsWith('session-'));
    expect(sessions).to.have.length(1);
    expect(sessions[0]).to.include(`127.0.0.1-${f.muxPort}-via-tester_127.0.0.1_${f.ssh.port}`);
  });

  it('a tunnel to another server is not signed in, and that server never sees the token', async () => {
    const other = await startSnoop();
    try {
      const elsewhere = await tunnel(other.port);
      const r = await whoami(elsewhere.url);
      expect(r.code).to.equal(1);
      expect(r.json().code).to.equal('not_logged_in');
      expect(other.seen, 'nothing was sent at all').to.deep.equal([]);
      await stop(elsewhere.run);
    } finally {
      await other.close();
    }
  });

  it('a port a tunnel held, now anything else: not signed in, not even after a tunnel was killed', async () => {
    // Killed outright, the tunnel leaves its record behind; the record must not vouch for the port.
    const killed = await tunnel(f.muxPort);
    expect((await whoami(killed.url)).code, 'signed in while it runs').to.equal(0);
    killed.run.kill('SIGKILL');
    await killed.run.exited.catch(() => {});
    expect(records()).to.deep.equal([`127.0.0.1-${killed.local_port}.json`]);

    const impostor = await startSnoop(killed.local_port);
    try {
      const r = await whoami(killed.url);
      expect(r.code).to.equal(1);
      expect(r.json().code).to.equal('not_logged_in');
      expect(impostor.seen).to.deep.equal([]);
    } finally {
      await impostor.close();
    }
  });

  it('--via through another SSH login, or no --via at all: not the session of that server', async () => {
    const server = `http://127.0.0.1:${f.muxPort}`;
    expect((await whoami(server, '--via', f.alias)).code).to.equal(0);

    // Same machine, another account on it: another route, so another session.
    appendFileSync(
      join(f.home, '.ssh', 'config'),
      `Host mux1-box-other\n  HostName 127.0.0.1\n  Port ${f.ssh.port}\n  User someone-else\n  IdentityFile ~/.ssh/id_test\n`,
    );
    const otherLogin = await whoami(server, '--via', 'mux1-box-other');
    expect(otherLogin.code).to.equal(1);
    expect(otherLogin.json().code).to.equal('not_logged_in');

    // The same URL typed without --via is whatever answers on this machine: not the remote's session.
    const direct = await whoami(server);
    expect(direct.code).to.equal(1);
    expect(direct.json().code).to.equal('not_logged_in');
  });

  it('a session file that names another server is not used, whatever its file name', async () => {
    const dir = f.env.MUX1_CONFIG_DIR!;
    const [name] = readdirSync(dir).filter((n) => n.startsWith('session-'));
    const stored = JSON.parse(readFileSync(join(dir, name!), 'utf8'));
    const server = `http://127.0.0.1:${f.muxPort}`;
    expect(stored.key).to.equal(`${server} via ssh://tester@127.0.0.1:${f.ssh.port}`);

    // Planted where the plain URL's session would be (a copy, a hash collision): still the remote's.
    writeFileSync(credentialsPath(server, f.env), JSON.stringify(stored));
    const r = await whoami(server);
    expect(r.code).to.equal(1);
    expect(r.json().code).to.equal('not_logged_in');
  });
});
