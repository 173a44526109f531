import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot } from './cli.js';

export interface CliServer {
  url: string;
  dir: string;
  child: ChildProcess;
  /** Everything the server printed on stdout so far, one entry per line. */
  stdout: string[];
  stderr: string[];
  /** What the server printed so far, both streams, for an assertion's message. */
  output(): string;
  /** Resolves with the first stdout line (past or future) that matches. */
  waitForLine(pattern: RegExp, timeoutMs?: number): Promise<RegExpExecArray>;
  /** Sends a signal and resolves with the exit code (null when killed by a signal). */
  stop(signal?: NodeJS.Signals, timeoutMs?: number): Promise<number | null>;
  /** Kills the process if it still runs and removes the temp folder. */
  cleanup(): Promise<void>;
}

/**
 * Starts the built CLI's `mux1 server` as a newcomer would after `npm start`, on a free port
 * over a SQLite file in a temp folder, and waits for the line that says where it listens.
 * The environment is the caller's minus SMTP_URL, so mail goes to the development mailbox.
 */
export async function startCliServer(env: Record<string, string> = {}): Promise<CliServer> {
  if (!existsSync(join(repoRoot, 'dist/tui/commands/server.js'))) {
    throw new Error('the CLI is not built: run `npm run build` (npm run test:system does it first)');
  }
  const dir = mkdtempSync(join(tmpdir(), 'mux1-system-'));
  const childEnv: NodeJS.ProcessEnv = { ...process.env };
  delete childEnv.SMTP_URL;
  delete childEnv.NODE_OPTIONS; // the tsx loader of the test run has no business in the built CLI
  Object.assign(childEnv, {
    PORT: '0',
    HOST: '127.0.0.1',
    DATABASE_URL: join(dir, 'mux1.sqlite'),
    SCRYPT_LOG_N: '10',
    NO_COLOR: '1',
    ...env,
  });
  const child = spawn(process.execPath, [join(repoRoot, 'bin/run.js'), 'server'], {
    cwd: dir,
    env: childEnv,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stdout: string[] = [];
  const stderr: string[] = [];
  const waiters: { pattern: RegExp; resolve: (m: RegExpExecArray) => void }[] = [];
  const exited = new Promise<number | null>((done) => child.once('exit', (code) => done(code)));

  const collect = (into: string[], notify: boolean) => {
    let partial = '';
    return (chunk: Buffer) => {
      const lines = (partial + chunk.toString('utf8')).split('\n');
      partial = lines.pop() ?? '';
      for (const line of lines) {
        into.push(line);
        if (!notify) continue;
        for (const w of [...waiters]) {
          const m = w.pattern.exec(line);
          if (m) {
            waiters.splice(waiters.indexOf(w), 1);
            w.resolve(m);
          }
        }
      }
    };
  };
  child.stdout!.on('data', collect(stdout, true));
  child.stderr!.on('data', collect(stderr, false));

  const describeOutput = () =>
    `\n--- server stdout ---\n${stdout.join('\n')}\n--- server stderr ---\n${stderr.join('\n')}`;

  const waitForLine = (pattern: RegExp, timeoutMs = 15_000): Promise<RegExpExecArray> => {
    for (const line of stdout) {
      const m = pattern.exec(line);
      if (m) return Promise.resolve(m);
    }
    return new Promise((resolvePromise, reject) => {
      const timer = setTimeout(() => {
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(
          new Error(`the server printed no line matching ${pattern} in ${timeoutMs} ms${describeOutput()}`),
        );
      }, timeoutMs);
      const waiter = {
        pattern,
        resolve: (m: RegExpExecArray) => {
          clearTimeout(timer);
          resolvePromise(m);
        },
      };
      waiters.push(waiter);
      void exited.then((code) => {
        if (!waiters.includes(waiter)) return;
        clearTimeout(timer);
        waiters.splice(waiters.indexOf(waiter), 1);
        reject(new Error(`the server exited (code ${code}) before printing ${pattern}${describeOutput()}`));
      });
    });
  };

  const stop = async (signal: NodeJS.Signals = 'SIGTERM', timeoutMs = 15_000) => {
    if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
    child.kill(signal);
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new Error(`the server did not exit within ${timeoutMs} ms of ${signal}`)),
        timeoutMs,
      );
    });
    try {
      return await Promise.race([exited, timeout]);
    } finally {
      clearTimeout(timer);
    }
  };

  const server: CliServer = {
    url: '',
    dir,
    child,
    stdout,
    stderr,
    output: describeOutput,
    waitForLine,
    stop,
    async cleanup() {
      if (child.exitCode === null && child.signalCode === null) {
        child.kill('SIGKILL');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
  try {
    const [, url] = await waitForLine(/listening on (http:\/\/[^\s"]+)/);
    server.url = url!;
  } catch (err) {
    await server.cleanup();
    throw err;
  }
  return server;
}
