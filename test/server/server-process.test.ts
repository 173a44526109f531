import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { coverageEnv } from '../helpers/coverage-env.js';
import { api } from '../helpers/server.js';
import { PROMPTLY_MS } from '../helpers/server-process.js';
import { eventually } from '../helpers/wait.js';

const root = fileURLToPath(new URL('../../', import.meta.url));
const bin = join(root, 'bin', 'run.js');

interface Child {
  proc: ChildProcess;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `mux1 server ...` from the build, as an operator runs it, with a clean environment. */
function mux1Server(args: string[], env: Record<string, string>): Child {
  const proc = spawn(process.execPath, [bin, 'server', ...args], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NO_COLOR: '1',
      ...coverageEnv(),
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  let err = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (err += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  return { proc, stdout: () => out, stderr: () => err, exited };
}

const listeningUrl = (c: Child) =>
  eventually(() => /mux1 listening on (http:\/\/[^\s"]+)/.exec(c.stdout())?.[1], {
    timeoutMs: 15_000,
    what: 'the "mux1 listening on" line',
  });

async function exitWithin(c: Child, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms; stderr: ${c.stderr()}`)), ms);
  });
  try {
    return await Promise.race([c.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

describe('mux1 server as a child process', function () {
  // Node start-up and oclif loading dominate; a slow machine needs more than the default.
  this.timeout(30_000);
  let dir: string;
  const children: Child[] = [];
  const start = (args: string[], env: Record<string, string> = {}) => {
    const c = mux1Server(args, { DATABASE_URL: join(dir, 'mux1.sqlite'), SCRYPT_LOG_N: '10', ...env });
    children.push(c);
    return c;
  };

  before(function () {
    if (!existsSync(join(root, 'dist', 'tui', 'commands', 'server.js'))) {
      throw new Error('the built CLI is missing: run `npm run build` first (`npm test` does)');
    }
    dir = mkdtempSync(join(tmpdir(), 'mux1-process-'));
  });
  after(() => {
    for (const c of children) if (c.proc.exitCode === null) c.proc.kill('SIGKILL');
    rmSync(dir, { recursive: true, force: true });
  });

  for (const signal of ['SIGTERM', 'SIGINT'] as const) {
    it(`serves with --port 0 and exits 0 promptly on ${signal}`, async () => {
      const c = start(['--port', '0']);
      const url = await listeningUrl(c);
      expect((await api(url, 'GET', '/api/health')).status).to.equal(200);
      const started = Date.now();
      c.proc.kill(signal);
      expect(await exitWithin(c, 12_000)).to.deep.equal({ code: 0, signal: null });
      expect(Date.now() - started).to.be.below(PROMPTLY_MS);
      expect(c.stderr()).to.equal('');
      // Not a terminal: one JSON object per line, for log collectors.
      for (const line of c.stdout().trim().split('\n')) expect(() => JSON.parse(line), line).to.not.throw();
      // The port is free again.
      const refused = await fetch(url + '/api/health').then(
        () => false,
        () => true,
      );
      expect(refused).to.equal(true);
    });
  }

  it('serves the documented signup, verify and login flow with the code read from its output, and keeps data across a restart', async () => {
    const first = start(['--port', '0']);
    const url = await listeningUrl(first);
    const person = { username: 'operator', email: 'operator@example.test', password: 'a long pass phrase' };
    expect((await api(url, 'POST', '/api/signup', person)).status).to.equal(201);
    // Without SMTP_URL the development mailbox prints the mail, code included.
    const code = await eventually(
      () => new RegExp(`${person.email}[\\s\\S]*?\\b(\\d{6})\\b`).exec(first.stdout())?.[1],
      {
        what: 'the code in the output',
      },
    );
    first.proc.kill('SIGTERM');
    expect((await exitWithin(first, 5000)).code).to.equal(0);

    const second = start(['--port', '0']);
    const url2 = await listeningUrl(second);
    expect((await api(url2, 'POST', '/api/verify-email', { email: person.email, code })).status).to.equal(
      200,
    );
    const login = await api(url2, 'POST', '/api/login', {
      username: person.username,
      password: person.password,
    });
    expect(login.status).to.equal(200);
    expect(second.stdout()).to.not.include(person.password);
    expect(second.stdout()).to.not.include(login.body.token);
    second.proc.kill('SIGTERM');
    expect((await exitWithin(second, 5000)).code).to.equal(0);
  });

  describe('refuses a bad configuration: non-zero exit, one line on stderr naming the setting', () => {
    const cases: { name: string; args: string[]; env?: Record<string, string>; names: () => string }[] = [
      { name: 'PORT=abc', args: [], env: { PORT: 'abc' }, names: () => 'PORT' },
      {
        name: 'SCRYPT_LOG_N=9',
        args: ['--port', '0'],
        env: { SCRYPT_LOG_N: '9' },
        names: () => 'SCRYPT_LOG_N',
      },
      {
        name: 'an unknown key in the --config file',
        args: ['--config', '<unknown-key>'],
        names: () => 'smtp',
      },
      {
        name: 'a --config file that cannot be read',
        args: ['--config', '<missing>'],
        names: () => 'nope.json',
      },
      { name: 'a --config path that is a folder', args: ['--config', '<dir>'], names: () => dir },
      {
        name: 'a DATABASE_URL under a file',
        args: ['--port', '0'],
        env: { DATABASE_URL: '<file>/mux1.sqlite' },
        names: () => 'DATABASE_URL',
      },
      {
        name: 'a DATABASE_URL that is a folder',
        args: ['--port', '0'],
        env: { DATABASE_URL: '<dir>' },
        names: () => 'DATABASE_URL',
      },
      { name: 'a port already in use', args: ['--port', '<busy>'], names: () => String(busyPort) },
    ];
    const outcomes = new Map<string, Promise<Child>>();
    let blocker: ReturnType<typeof createServer>;
    let busyPort = 0;

    // Each refusal costs a Node and oclif start-up, so they all run at once.
    before(async () => {
      blocker = createServer();
      await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
      busyPort = (blocker.address() as AddressInfo).port;
      writeFileSync(join(dir, 'unknown-key.json'), JSON.stringify({ port: 0, smtp: 'smtp://x' }));
      writeFileSync(join(dir, 'a-file'), '');
      const fill = (v: string) =>
        v
          .replace('<unknown-key>', join(dir, 'unknown-key.json'))
          .replace('<missing>', join(dir, 'nope.json'))
          .replace('<file>', join(dir, 'a-file'))
          .replace('<dir>', dir)
          .replace('<busy>', String(busyPort));
      for (const c of cases) {
        const env = Object.fromEntries(Object.entries(c.env ?? {}).map(([k, v]) => [k, fill(v)]));
        const child = start(c.args.map(fill), env);
        outcomes.set(
          c.name,
          exitWithin(child, 15_000).then(() => child),
        );
      }
    });
    after(() => blocker.close());

    for (const c of cases) {
      it(c.name, async () => {
        const child = await outcomes.get(c.name)!;
        expect(child.proc.exitCode).to.not.equal(0);
        const lines = child.stderr().trimEnd().split('\n');
        expect(lines, child.stderr()).to.have.length(1);
        expect(lines[0]).to.include(c.names());
        expect(child.stderr()).to.not.match(/\bat .+:\d+:\d+/);
        expect(child.stdout()).to.not.match(/listening/);
      });
    }
  });
});
