import { execFile, spawn, spawnSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

export const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');
export const binRun = join(repoRoot, 'bin', 'run.js');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
  /** stdout as the one JSON object --json promises; throws when it is anything else. */
  json(): any;
}

export interface CliOptions {
  env?: Record<string, string | undefined>;
  /** Written to stdin, which is then closed; stdin is a pipe either way, never a terminal. */
  input?: string;
  cwd?: string;
  timeoutMs?: number;
}

/**
 * The environment a user's shell would give the built CLI, minus anything of ours that could
 * leak in: no tsx loader, no MUX1_* from the developer's shell, colour left to the CLI to decide.
 * It speaks English whatever the machine's LANG (as the tests expect), unless `extra` sets
 * MUX1_LANG or removes it (`MUX1_LANG: undefined`) to let LANG decide.
 */
export function cleanEnv(extra: Record<string, string | undefined> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = { ...process.env };
  for (const key of Object.keys(env)) {
    if (key.startsWith('MUX1_') || key === 'NODE_OPTIONS' || key === 'DEBUG' || key === 'NO_COLOR') {
      delete env[key];
    }
  }
  env.MUX1_LANG = 'en';
  for (const [key, value] of Object.entries(extra)) {
    if (value === undefined) delete env[key];
    else env[key] = value;
  }
  return env;
}

/** Runs `node bin/run.js ...args` from the build in dist/ and collects what a user would see. */
export function runCli(args: string[], options: CliOptions = {}): Promise<CliResult> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [binRun, ...args], {
      cwd: options.cwd ?? repoRoot,
      env: cleanEnv(options.env),
      stdio: ['pipe', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (d: string) => (stdout += d));
    child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(
        new Error(`mux1 ${args.join(' ')} did not finish in time\nstdout: ${stdout}\nstderr: ${stderr}`),
      );
    }, options.timeoutMs ?? 15_000);
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolvePromise({
        code,
        stdout,
        stderr,
        json() {
          const lines = stdout.split('\n').filter(Boolean);
          if (lines.length !== 1) throw new Error(`expected one line of JSON on stdout, got:\n${stdout}`);
          const parsed = JSON.parse(lines[0]!);
          if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
            throw new Error(`expected a JSON object, got ${lines[0]}`);
          }
          return parsed;
        },
      });
    });
    child.stdin.on('error', () => {}); // the CLI may exit before reading stdin
    child.stdin.end(options.input ?? '');
  });
}

export function tempDir(prefix = 'mux1-cli-'): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), prefix));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

/** Every file under `dir`, recursively, with its mode. */
export function filesUnder(dir: string): { path: string; mode: number }[] {
  const out: { path: string; mode: number }[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    const st = statSync(path);
    if (st.isDirectory()) out.push(...filesUnder(path));
    else out.push({ path, mode: st.mode & 0o777 });
  }
  return out;
}

export function readAll(dir: string): string {
  return filesUnder(dir)
    .map((f) => readFileSync(f.path, 'utf8'))
    .join('\n');
}

/** A loopback URL where nothing listens: a port that was free a moment ago. */
export const deadServerUrl = async (): Promise<string> => `http://127.0.0.1:${await freePort()}`;

/** True once the server under test answers a Socket.IO handshake, i.e. once chat exists. */
export async function serverHasChat(url: string): Promise<boolean> {
  try {
    const res = await fetch(`${url}/socket.io/?EIO=4&transport=polling`);
    return res.ok;
  } catch {
    return false;
  }
}

/** True where util-linux `script` can give a command a pseudo-terminal. */
export const canRunOnTerminal = spawnSync('script', ['--version']).status === 0;

/**
 * Runs the built CLI on a pseudo-terminal (util-linux `script`), the way a person at a terminal
 * does: each answer is typed once its prompt has appeared. Returns everything the terminal showed.
 */
export function runOnTerminal(
  args: string[],
  answers: [prompt: RegExp, typed: string][],
  options: {
    env?: Record<string, string | undefined>;
    timeoutMs?: number;
    /** The terminal's size; `script` without a terminal of its own gives 0 columns, 0 rows. */
    size?: { columns: number; rows: number };
    /** Keys typed as they are, without Enter after each answer (a full-screen app's keys). */
    keys?: boolean;
  } = {},
): Promise<{ code: number | null; screen: string }> {
  const quote = (w: string) => `'${w.replaceAll("'", `'\\''`)}'`;
  const size = options.size ? `stty cols ${options.size.columns} rows ${options.size.rows}; ` : '';
  const command = size + [process.execPath, binRun, ...args].map(quote).join(' ');
  const child = spawn('script', ['-qec', command, '/dev/null'], {
    cwd: repoRoot,
    env: cleanEnv(options.env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  let screen = '';
  child.stdout.setEncoding('utf8').on('data', (d: string) => (screen += d));
  child.stderr.setEncoding('utf8').on('data', (d: string) => (screen += d));
  const closed = new Promise<number | null>((resolve) => child.on('close', resolve));
  return (async () => {
    const deadline = Date.now() + (options.timeoutMs ?? 15_000);
    let seen = 0;
    try {
      for (const [prompt, typed] of answers) {
        while (!prompt.test(screen.slice(seen))) {
          if (Date.now() > deadline) throw new Error(`no prompt ${prompt} on the terminal:\n${screen}`);
          await new Promise((r) => setTimeout(r, 50));
        }
        seen = screen.length;
        child.stdin.write(options.keys ? typed : typed + '\r');
      }
      const code = await Promise.race([
        closed,
        new Promise<never>((_, reject) =>
          setTimeout(
            () => reject(new Error(`still running:\n${screen}`)),
            Math.max(0, deadline - Date.now()),
          ),
        ),
      ]);
      return { code, screen };
    } finally {
      child.kill('SIGKILL');
    }
  })();
}

/**
 * `npm pack` of a copy of the sources (its prepack builds and writes the oclif manifest), so the
 * working tree's dist/ is never touched. Returns the tarball, in `dir`/out.
 */
export async function packTarball(dir: string): Promise<string> {
  const source = join(dir, 'source');
  mkdirSync(source);
  for (const entry of ['package.json', 'tsconfig.json', 'tsconfig.build.json', 'README.md', 'LICENSE']) {
    cpSync(join(repoRoot, entry), join(source, entry));
  }
  for (const entry of ['bin', 'config', 'i18n', 'server', 'tui', 'scripts']) {
    if (existsSync(join(repoRoot, entry)))
      cpSync(join(repoRoot, entry), join(source, entry), { recursive: true });
  }
  symlinkSync(join(repoRoot, 'node_modules'), join(source, 'node_modules'), 'dir');
  const out = join(dir, 'out');
  mkdirSync(out);
  await promisify(execFile)('npm', ['pack', '--pack-destination', out, '--loglevel=error'], {
    cwd: source,
    env: cleanEnv(),
    timeout: 120_000,
  });
  return join(
    out,
    readdirSync(out).find((f) => f.endsWith('.tgz'))!,
  );
}

/**
 * An empty project, in `dir`/project, with the allowScripts policy that the README tells a project
 * installing mux1 to set (npm reads allowScripts from the root project only).
 */
export function consumerProject(dir: string): string {
  const readme = readFileSync(join(repoRoot, 'README.md'), 'utf8');
  const snippet = /"allowScripts": (\{[^}]*\})/.exec(readme);
  if (!snippet) throw new Error('the README gives no allowScripts policy');
  const project = join(dir, 'project');
  mkdirSync(project);
  const pkg = { private: true, allowScripts: JSON.parse(snippet[1]!) };
  writeFileSync(join(project, 'package.json'), JSON.stringify(pkg, null, 2) + '\n');
  return project;
}
