import { execFile, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { freePort } from './ports.js';

const run = promisify(execFile);
export const SSHD = '/usr/sbin/sshd';

export interface OpenSshServer {
  port: number;
  dir: string;
  /** The host's public key file (`ssh-keygen -lf` it for the fingerprint). */
  hostKeyPub: string;
  /** `[127.0.0.1]:PORT ssh-ed25519 AAAA...`. */
  knownHostsLine: string;
  /** Everything sshd logged (it runs with -e, so to stderr). */
  log(): string;
  stop(): Promise<void>;
}

/**
 * OpenSSH's sshd in the foreground (-D -e) on a free loopback port, with its own host key,
 * sshd_config and authorized_keys in a temp folder: no system configuration is read or changed.
 * Needs Debian's openssh-server (and root, as sshd's privilege separation does).
 */
export async function startOpenSshServer(authorizedKeys: string[]): Promise<OpenSshServer> {
  if (!existsSync(SSHD))
    throw new Error(`${SSHD} is missing: apt-get install -y openssh-server (.ci/run installs it)`);
  // sshd will not start without its privilege separation directory, which only the service creates.
  if (process.getuid?.() === 0) mkdirSync('/run/sshd', { recursive: true, mode: 0o755 });
  const dir = mkdtempSync(join(tmpdir(), 'mux1-sshd-'));
  const hostKey = join(dir, 'host_ed25519');
  await run('ssh-keygen', ['-q', '-t', 'ed25519', '-N', '', '-C', 'mux1-test-host', '-f', hostKey]);
  writeFileSync(join(dir, 'authorized_keys'), authorizedKeys.join('\n') + '\n');
  const port = await freePort();
  const config = join(dir, 'sshd_config');
  writeFileSync(
    config,
    [
      `Port ${port}`,
      'ListenAddress 127.0.0.1',
      `HostKey ${hostKey}`,
      `PidFile ${join(dir, 'sshd.pid')}`,
      `AuthorizedKeysFile ${join(dir, 'authorized_keys')}`,
      'StrictModes no',
      'UsePAM no',
      'PubkeyAuthentication yes',
      'PasswordAuthentication no',
      'KbdInteractiveAuthentication no',
      'PermitRootLogin prohibit-password',
      'AllowTcpForwarding yes',
      'X11Forwarding no',
      'PrintMotd no',
      'LogLevel VERBOSE',
      '',
    ].join('\n'),
  );

  const chunks: string[] = [];
  const sshd: ChildProcess = spawn(SSHD, ['-D', '-e', '-f', config], { stdio: ['ignore', 'ignore', 'pipe'] });
  await new Promise<void>((resolve, reject) => {
    const fail = (why: string) => reject(new Error(`sshd ${why}:\n${chunks.join('')}`));
    const timer = setTimeout(() => fail('did not start within 10 s'), 10_000);
    sshd.once('exit', (code) => fail(`exited with ${code}`));
    sshd.stderr!.on('data', (chunk: Buffer) => {
      chunks.push(String(chunk));
      if (chunks.join('').includes(`Server listening on 127.0.0.1 port ${port}`)) {
        clearTimeout(timer);
        resolve();
      }
    });
  });

  const hostKeyPub = `${hostKey}.pub`;
  const [type, base64] = readFileSync(hostKeyPub, 'utf8').split(' ');
  return {
    port,
    dir,
    hostKeyPub,
    knownHostsLine: `[127.0.0.1]:${port} ${type} ${base64}`,
    log: () => chunks.join(''),
    stop: async () => {
      if (sshd.exitCode === null) {
        const exited = new Promise((resolve) => sshd.once('exit', resolve));
        sshd.kill('SIGTERM');
        await exited;
      }
      rmSync(dir, { recursive: true, force: true });
    },
  };
}
