import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from './ports.js';

const root = fileURLToPath(new URL('../../', import.meta.url));

export interface ServerProcess {
  proc: ChildProcess;
  port: number;
  stdout: () => string;
  stderr: () => string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  /** SIGTERM, then the exit; SIGKILL after 15 s. */
  stop(): Promise<void>;
}

/**
 * The built `mux1 server` as an operator runs it, with a clean environment plus `env`, on a free
 * loopback port. It is not waited for: a server whose logs go to LOG_FILE prints nothing to watch,
 * so callers poll what they need (`/api/health`, a file).
 */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  if (!existsSync(join(root, 'dist', 'tui', 'commands', 'server.js'))) {
    throw new Error('the built CLI is missing: run `npm run build` first (`npm test` does)');
  }
  const port = await freePort();
  const proc = spawn(process.execPath, [join(root, 'bin', 'run.js'), 'server'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NO_COLOR: '1',
      PORT: String(port),
      HOST: '127.0.0.1',
      SCRYPT_LOG_N: '10',
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
  return {
    proc,
    port,
    stdout: () => out,
    stderr: () => err,
    exited,
    async stop() {
      if (proc.exitCode !== null || proc.signalCode !== null) return;
      proc.kill('SIGTERM');
      const timer = setTimeout(() => proc.kill('SIGKILL'), 15_000);
      await exited;
      clearTimeout(timer);
    },
  };
}
