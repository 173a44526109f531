import { execFileSync, spawn } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/*
 * OpenSSH's own tools for the SSH-key login tests: keys made by ssh-keygen, signatures made by
 * `ssh-keygen -Y sign` (from a key file, or through an agent), and a real ssh-agent with keys
 * added by ssh-add. What the server accepts is then what people's machines make.
 */

export interface OpensshKey {
  /** The private key file (no passphrase unless one was given). */
  path: string;
  /** The .pub line, comment included. */
  publicKey: string;
  /** What `ssh-keygen -lf` prints as the fingerprint (`SHA256:...`). */
  fingerprint: string;
}

/** The kinds the server accepts, as ssh-keygen makes them. */
export const ACCEPTED_KINDS: Record<string, string[]> = {
  ed25519: ['-t', 'ed25519'],
  'ecdsa-p256': ['-t', 'ecdsa', '-b', '256'],
  'ecdsa-p384': ['-t', 'ecdsa', '-b', '384'],
  'rsa-3072': ['-t', 'rsa', '-b', '3072'],
};

export function tempKeyDir(): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'mux1-sshkeys-'));
  return { path, remove: () => rmSync(path, { recursive: true, force: true }) };
}

export function makeOpensshKey(dir: string, name: string, kind: string[], passphrase = ''): OpensshKey {
  const path = join(dir, name);
  execFileSync('ssh-keygen', ['-q', ...kind, '-N', passphrase, '-C', `${name}@test`, '-f', path]);
  const publicKey = readFileSync(`${path}.pub`, 'utf8').trim();
  const printed = execFileSync('ssh-keygen', ['-lf', `${path}.pub`], { encoding: 'utf8' });
  return { path, publicKey, fingerprint: printed.split(' ')[1]! };
}

/**
 * `ssh-keygen -Y sign -n NAMESPACE -f FILE` over `message` on stdin: FILE the private key, or the
 * .pub with `agentSocket` (ssh-keygen then asks the agent to sign).
 */
export function sshkeygenSign(
  file: string,
  namespace: string,
  message: string,
  agentSocket?: string,
): string {
  return execFileSync('ssh-keygen', ['-Y', 'sign', '-n', namespace, '-f', file], {
    input: message,
    encoding: 'utf8',
    env: { ...process.env, SSH_AUTH_SOCK: agentSocket ?? '' },
    stdio: ['pipe', 'pipe', 'pipe'],
  });
}

export interface OpensshAgent {
  /** The value for SSH_AUTH_SOCK. */
  socket: string;
  /** ssh-add FILE (no passphrase). */
  add(path: string): void;
  close(): Promise<void>;
}

/** OpenSSH's ssh-agent in the foreground on a socket of its own, ended with the test. */
export async function startOpensshAgent(): Promise<OpensshAgent> {
  const dir = mkdtempSync(join(tmpdir(), 'mux1-ssh-agent-'));
  const socket = join(dir, 'agent.sock');
  const child = spawn('ssh-agent', ['-D', '-a', socket], { stdio: 'ignore' });
  const started = Date.now();
  while (!existsSync(socket)) {
    if (Date.now() - started > 5000) throw new Error('ssh-agent did not make its socket');
    await new Promise((r) => setTimeout(r, 20));
  }
  return {
    socket,
    add: (path) =>
      void execFileSync('ssh-add', ['-q', path], {
        env: { ...process.env, SSH_AUTH_SOCK: socket },
        stdio: 'ignore',
      }),
    close: async () => {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill();
      await exited;
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
