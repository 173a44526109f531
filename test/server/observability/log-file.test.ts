import { expect } from 'chai';
import {
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  readlinkSync,
  renameSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startQuietServerProcess, type QuietServerProcess } from '../../helpers/server-process.js';
import { eventually } from '../../helpers/wait.js';

/** The numbered files pino-roll wrote for LOG_FILE=<dir>/mux1.log, oldest first. */
const logFiles = (dir: string) =>
  readdirSync(dir)
    .filter((f) => /^mux1\.\d+\.log$/.test(f))
    .sort((a, b) => Number(a.split('.')[1]) - Number(b.split('.')[1]));

describe('LOG_FILE: JSON lines to a file rotated by size', function () {
  this.timeout(60_000);
  let dir: string;
  let server: QuietServerProcess | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-logfile-'));
  });
  afterEach(async () => {
    await server?.stop();
    server = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const start = (env: Record<string, string> = {}) =>
    startQuietServerProcess({
      DATABASE_URL: join(dir, 'mux1.sqlite'),
      LOG_FILE: join(dir, 'logs', 'mux1.log'),
      LOG_LEVEL: 'debug',
      ...env,
    });

  /** Requests that each log a debug line, until the server answered `n` of them. */
  async function traffic(s: QuietServerProcess, n: number) {
    for (let i = 0; i < n; i++) {
      const res = await fetch(`http://127.0.0.1:${s.port}/api/health?${'x'.repeat(200)}=${i}`);
      await res.arrayBuffer();
    }
  }

  it('writes past LOG_FILE_SIZE into the next file, keeps LOG_FILE_COUNT old ones, nothing on stdout', async () => {
    server = await start({ LOG_FILE_SIZE: '2k', LOG_FILE_COUNT: '2' });
    const logs = join(dir, 'logs');
    await eventually(
      () =>
        existsSync(join(logs, 'mux1.1.log')) &&
        readFileSync(join(logs, 'mux1.1.log'), 'utf8').includes('mux1 listening'),
      { timeoutMs: 20_000, what: 'the first log file' },
    );
    // Requests until the fifth file is begun: how many that takes hangs on how long each line is.
    // A fixed 60 began exactly mux1.5.log here, and a CI run once timed out waiting for the fifth.
    const newest = () => Number(logFiles(logs).at(-1)?.split('.')[1] ?? 0);
    for (let sent = 0; newest() < 5; sent += 10) {
      if (sent >= 1000) throw new Error(`${sent} requests, and the newest file is ${logFiles(logs).at(-1)}`);
      await traffic(server, 10);
    }
    const files = await eventually(
      () => {
        const f = logFiles(logs);
        return f.length <= 3 && f;
      },
      { timeoutMs: 20_000, what: 'two old files kept' },
    ).catch((err: Error) => {
      throw new Error(`${err.message}; the folder holds ${readdirSync(logs).join(' ')}`);
    });
    expect(files.length, files.join(' ')).to.equal(3);
    for (const f of files.slice(0, -1)) {
      const text = readFileSync(join(logs, f), 'utf8');
      // Rotation happens after the write that crossed the size: at most one line over it.
      expect(statSync(join(logs, f)).size, f).to.be.below(2048 + 2048);
      for (const line of text.split('\n').filter(Boolean)) {
        expect(JSON.parse(line)).to.include({ service: 'mux1' });
      }
    }
    expect(readlinkSync(join(logs, 'current.log'))).to.match(
      new RegExp(`${files.at(-1)!.replace('.', '\\.')}$`),
    );
    expect(server.stdout(), 'stdout stays empty').to.equal('');
  });

  it('SIGHUP reopens the file that an outside logrotate moved away, and the server keeps serving', async () => {
    server = await start();
    const current = join(dir, 'logs', 'mux1.1.log');
    await eventually(() => existsSync(current) && readFileSync(current, 'utf8').includes('mux1 listening'), {
      timeoutMs: 20_000,
      what: 'the log file',
    });
    renameSync(current, join(dir, 'moved.log'));
    server.proc.kill('SIGHUP');
    await eventually(
      () => existsSync(current) && readFileSync(current, 'utf8').includes('log file reopened'),
      { timeoutMs: 20_000, what: 'the reopened file' },
    );
    await traffic(server, 3);
    await eventually(() => readFileSync(current, 'utf8').includes('/api/health'), {
      what: 'new lines in the new file',
    });
    expect(server.proc.exitCode, 'still running after SIGHUP').to.equal(null);
    expect(readFileSync(join(dir, 'moved.log'), 'utf8')).to.include('mux1 listening');
  });

  for (const [name, env, expected] of [
    ['a size without unit', { LOG_FILE_SIZE: '100' }, /LOG_FILE_SIZE/],
    ['a huge size', { LOG_FILE_SIZE: '99999999g' }, /LOG_FILE_SIZE/],
    ['a count of 0', { LOG_FILE_COUNT: '0' }, /LOG_FILE_COUNT/],
    ['a hostile size', { LOG_FILE_SIZE: '1k; rm -rf /' }, /LOG_FILE_SIZE/],
  ] as const) {
    it(`refuses ${name}: exit 2 naming the setting`, async () => {
      server = await start(env);
      const { code } = await server.exited;
      expect(code).to.equal(2);
      expect(server.stderr()).to.match(expected);
    });
  }

  it('a LOG_FILE it cannot write: exit 2 naming LOG_FILE', async () => {
    const notAFolder = join(dir, 'file');
    writeFileSync(notAFolder, '');
    server = await start({ LOG_FILE: join(notAFolder, 'mux1.log') });
    const { code } = await server.exited;
    expect(code).to.equal(2);
    expect(server.stderr()).to.match(/LOG_FILE/);
  });
});
