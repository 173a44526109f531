import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { repoRoot as root } from './cli.js';
import { coverageEnv } from './coverage-env.js';
import { freePort } from './ports.js';
import { startSmtp, type TestSmtp } from './smtp.js';
import { eventually } from './wait.js';

export const hasSqlite3 = spawnSync('sqlite3', ['-version']).status === 0;

export function requireBuiltCli(): void {
  if (!existsSync(join(root, 'dist', 'tui', 'commands', 'server.js'))) {
    throw new Error('the built CLI is missing: run `npm run build` first (`npm test` does)');
  }
}

export interface ServerProcess {
  proc: ChildProcess;
  url: string;
  output(): string;
  exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

/** `mux1 server --port 0` from the build, as an operator runs it, over the given settings. */
export async function startServerProcess(env: Record<string, string>): Promise<ServerProcess> {
  const proc = spawn(process.execPath, [join(root, 'bin', 'run.js'), 'server', '--port', '0'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NO_COLOR: '1',
      ...coverageEnv(),
      SCRYPT_LOG_N: '10',
      ...env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  proc.stdout!.on('data', (c) => (out += c));
  proc.stderr!.on('data', (c) => (out += c));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    proc.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const url = await eventually(() => /mux1 listening on (http:\/\/[^\s"]+)/.exec(out)?.[1], {
    timeoutMs: 15_000,
    what: `the "mux1 listening on" line; output so far: ${out}`,
  });
  return { proc, url, output: () => out, exited };
}

/**
 * How soon a server process asked to stop must have exited: well under the server's own 10 s
 * guard ("shutdown took over 10 s") and the WebSocket library's 30 s close timeout, which are what
 * the tests catch, with room for a loaded machine (the server's 1 s fallback when a handle
 * lingers, and under c8 the coverage file each process writes as it exits).
 */
export const PROMPTLY_MS = 6000;

/** Resolves with how the process ended, or fails after `ms`. */
export async function exitWithin(p: ServerProcess, ms: number) {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`still running after ${ms} ms:\n${p.output()}`)), ms);
  });
  try {
    return await Promise.race([p.exited, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One SQL statement through the sqlite3 tool: what an operator would run on the file. It waits up
 * to 5 s for a lock (the tool's own default is not to wait), as the file may be a running server's.
 */
export function sqlite(file: string, sql: string): string {
  const res = spawnSync('sqlite3', ['-cmd', '.timeout 5000', file, sql], { encoding: 'utf8' });
  if (res.status !== 0) throw new Error(`sqlite3 failed: ${res.stderr}`);
  return res.stdout.trim();
}

export interface ServerProcesses {
  /** A folder of the describe's own, for the processes' database files. */
  readonly dir: string;
  /** The SMTP inbox every process started here sends to (with `{ mail: true }`). */
  readonly mail: TestSmtp;
  /** `mux1 server` over these settings (SMTP_URL added), killed when the describe ends. */
  start(env: Record<string, string>): Promise<ServerProcess>;
}

/**
 * The hooks of a describe that runs `mux1 server` processes: the built CLI is required, a folder
 * and (with `mail`) an SMTP inbox are made before its tests, and after them every process still
 * running is killed and the folder removed.
 */
export function useServerProcesses(options: { mail?: boolean | { delayMs?: number } } = {}): ServerProcesses {
  let dir: string | undefined;
  let smtp: TestSmtp | undefined;
  const processes: ServerProcess[] = [];
  before(async () => {
    requireBuiltCli();
    dir = mkdtempSync(join(tmpdir(), 'mux1-process-'));
    if (options.mail) smtp = await startSmtp(0, typeof options.mail === 'object' ? options.mail : {});
  });
  after(async () => {
    for (const p of processes.splice(0))
      if (p.proc.exitCode === null && p.proc.signalCode === null) p.proc.kill('SIGKILL');
    await smtp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });
  return {
    get dir() {
      if (!dir) throw new Error('useServerProcesses: the folder exists only inside tests and hooks');
      return dir;
    },
    get mail() {
      if (!smtp) throw new Error('useServerProcesses: pass { mail: true } for an inbox');
      return smtp;
    },
    async start(env) {
      const p = await startServerProcess({ ...(smtp && { SMTP_URL: smtp.url }), ...env });
      processes.push(p);
      return p;
    },
  };
}

export interface QuietServerProcess {
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
 * loopback port chosen here. Unlike startServerProcess it is not waited for: a server whose logs go to LOG_FILE prints nothing to watch,
 * so callers poll what they need (`/api/health`, a file).
 */
export async function startQuietServerProcess(env: Record<string, string>): Promise<QuietServerProcess> {
  requireBuiltCli();
  const port = await freePort();
  const proc = spawn(process.execPath, [join(root, 'bin', 'run.js'), 'server'], {
    cwd: root,
    env: {
      PATH: process.env.PATH ?? '',
      HOME: process.env.HOME ?? '',
      NO_COLOR: '1',
      ...coverageEnv(),
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
