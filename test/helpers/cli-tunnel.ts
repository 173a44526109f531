import { spawn } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startTestServer, type TestServer } from './server.js';
import { startSmtp, type TestSmtp } from './smtp.js';
import { makeKeyPair, writeKeyPair, type KeyPair } from './ssh-keys.js';
import { startSshServer, type TestSshServer } from './ssh-server.js';
import { binRun, cleanEnv, repoRoot, tempDir } from './cli.js';

/** A name only the SSH host resolves: a server behind it that the test machine cannot dial. */
export const HIDDEN_HOST = 'mux1-hidden.internal';

export interface CliTunnelFixture {
  /** A fake HOME: ~/.ssh/{config, id_test, known_hosts} and the credential folder. */
  home: string;
  clientKey: KeyPair;
  clientKeyPath: string;
  ssh: TestSshServer;
  mux: TestServer;
  smtp: TestSmtp;
  muxPort: number;
  /** The SSH server as a ~/.ssh/config alias, its host key already in known_hosts. */
  alias: string;
  /** Like `alias`, but checked against an empty known_hosts: an SSH host seen for the first time. */
  unknownAlias: string;
  /** The environment of a user whose ~/.ssh is `home`'s, with no agent. */
  env: Record<string, string | undefined>;
  cleanup(): Promise<void>;
}

/**
 * A mux1 server (with a mailbox, so accounts can be verified), an SSH server in front of it that
 * also knows it as HIDDEN_HOST, and a HOME whose ~/.ssh/config reaches that SSH server by alias,
 * the way a user would set it up.
 */
export async function startCliTunnelFixture(): Promise<CliTunnelFixture> {
  const dir = tempDir('mux1-cli-tunnel-');
  const home = dir.path;
  const sshDir = join(home, '.ssh');
  mkdirSync(sshDir, { mode: 0o700 });
  const clientKey = makeKeyPair({ comment: 'tester@mux1' });
  const clientKeyPath = writeKeyPair(sshDir, 'id_test', clientKey);
  const ssh = await startSshServer({ authorizedKeys: [clientKey], hosts: { [HIDDEN_HOST]: '127.0.0.1' } });
  const smtp = await startSmtp();
  const mux = await startTestServer({ env: { SMTP_URL: smtp.url } });
  writeFileSync(join(sshDir, 'known_hosts'), ssh.knownHostsLine + '\n');
  const block = (alias: string, extra = '') =>
    `Host ${alias}\n  HostName 127.0.0.1\n  Port ${ssh.port}\n  User tester\n  IdentityFile ~/.ssh/id_test\n${extra}`;
  writeFileSync(
    join(sshDir, 'config'),
    block('mux1-box') + block('mux1-new-box', '  UserKnownHostsFile ~/.ssh/known_hosts_new\n'),
  );
  return {
    home,
    clientKey,
    clientKeyPath,
    ssh,
    mux,
    smtp,
    muxPort: Number(new URL(mux.url).port),
    alias: 'mux1-box',
    unknownAlias: 'mux1-new-box',
    env: {
      HOME: home,
      USER: 'tester',
      SSH_AUTH_SOCK: undefined,
      XDG_CONFIG_HOME: undefined,
      MUX1_CONFIG_DIR: join(home, 'mux1'),
    },
    async cleanup() {
      await Promise.all([ssh.close(), mux.close(), smtp.close()]);
      dir.remove();
    },
  };
}

/** A long-running `mux1 ...`, for `mux1 tunnel`: read its first line, use it, signal it. */
export interface RunningCli {
  /** The first line on stdout, once it is there. */
  firstLine: Promise<string>;
  stdout(): string;
  stderr(): string;
  /** The exit status; rejects if the process does not end within the time limit. */
  exited: Promise<number | null>;
  kill(signal: NodeJS.Signals): void;
}

export function startCli(
  args: string[],
  env: Record<string, string | undefined>,
  timeoutMs = 20_000,
): RunningCli {
  const child = spawn(process.execPath, [binRun, ...args], {
    cwd: repoRoot,
    env: cleanEnv(env),
    stdio: ['pipe', 'pipe', 'pipe'],
  });
  child.stdin.end();
  let stdout = '';
  let stderr = '';
  const describe = () => `mux1 ${args.join(' ')}\nstdout: ${stdout}\nstderr: ${stderr}`;
  const timer = setTimeout(() => child.kill('SIGKILL'), timeoutMs);
  const exited = new Promise<number | null>((resolve, reject) => {
    child.on('error', reject);
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      if (signal === 'SIGKILL') reject(new Error(`did not finish in time: ${describe()}`));
      else resolve(code);
    });
  });
  const firstLine = new Promise<string>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (d: string) => {
      stdout += d;
      if (stdout.includes('\n')) resolve(stdout.slice(0, stdout.indexOf('\n')));
    });
    void exited.then(
      (code) => reject(new Error(`exited ${code} before printing a line: ${describe()}`)),
      reject,
    );
  });
  firstLine.catch(() => {}); // a test that expects a failure never reads it
  child.stderr.setEncoding('utf8').on('data', (d: string) => (stderr += d));
  return {
    firstLine,
    stdout: () => stdout,
    stderr: () => stderr,
    exited,
    kill: (signal) => child.kill(signal),
  };
}
