import { spawn } from 'node:child_process';
import { binRun, cleanEnv, repoRoot } from './cli.js';

/** A user code as the CLI prints it. */
export const USER_CODE = /\b([BCDFGHJKLMNPQRSTVWXZ]{4}-[BCDFGHJKLMNPQRSTVWXZ]{4})\b/;

export interface RunningLoginWeb {
  /** Resolves once the CLI shows its code and waits: the code, the complete URL, the output so far. */
  shown: Promise<{ userCode: string; completeUrl: string; output: string }>;
  /** The command's end. */
  done: Promise<{ code: number | null; stdout: string; stderr: string }>;
  kill(): void;
}

/**
 * `mux1 login --web` from the build, as a child process whose stdout is a pipe (so it opens no
 * browser): what a person would read off their terminal, and how it ended.
 */
export function startLoginWeb(
  env: Record<string, string | undefined>,
  args: string[] = [],
  timeoutMs = 40_000,
): RunningLoginWeb {
  const child = spawn(process.execPath, [binRun, 'login', '--web', ...args], {
    cwd: repoRoot,
    env: cleanEnv(env),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  let onShown: (v: { userCode: string; completeUrl: string; output: string }) => void = () => {};
  const shown = new Promise<{ userCode: string; completeUrl: string; output: string }>((resolve) => {
    onShown = resolve;
  });
  const seen = () => {
    const output = stdout + stderr;
    const userCode = USER_CODE.exec(output)?.[1];
    const completeUrl = /Or scan this to open (\S+):/.exec(output)?.[1];
    if (userCode && completeUrl && /Waiting for the approval/.test(output)) {
      onShown({ userCode, completeUrl, output });
    }
  };
  const done = new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve, reject) => {
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`login --web did not finish\n${stdout}\n${stderr}`));
    }, timeoutMs);
    child.stdout.setEncoding('utf8').on('data', (d: string) => ((stdout += d), seen()));
    child.stderr.setEncoding('utf8').on('data', (d: string) => ((stderr += d), seen()));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
  return { shown, done, kill: () => child.kill('SIGKILL') };
}
