import { randomBytes } from 'node:crypto';
import { chmodSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import { join } from 'node:path';

/**
 * What a running `mux1 tunnel` says about its local port, so that the other commands can file a
 * session under the server behind the tunnel instead of under a port that changes with every
 * tunnel. One small file per port in the credential folder, there only while the tunnel runs.
 */
export interface OpenTunnelRecord {
  local_port: number;
  /** `user@host:port` of the SSH connection. */
  ssh_host: string;
  /** `host:port` the tunnel reaches, as the SSH host sees it. */
  remote: string;
  pid: number;
  /** Which process holds the port: a record left by a killed tunnel must not vouch for whatever listens there next. */
  machine: string;
  /** The process's start time where the system tells it (Linux), so a reused pid does not pass either. */
  started?: string;
}

const recordPath = (configDir: string, port: number) => join(configDir, 'tunnels', `127.0.0.1-${port}.json`);

/**
 * Writes this process's record for its local port; returns what removes it. Written before the
 * URL is printed, so a command run with that URL at once already finds it.
 */
export function recordOpenTunnel(
  configDir: string,
  tunnel: { localPort: number; sshHost: string; remote: string },
): () => void {
  const path = recordPath(configDir, tunnel.localPort);
  const record: OpenTunnelRecord = {
    local_port: tunnel.localPort,
    ssh_host: tunnel.sshHost,
    remote: tunnel.remote,
    pid: process.pid,
    machine: hostname(),
    started: processStart(process.pid),
  };
  mkdirSync(join(configDir, 'tunnels'), { recursive: true, mode: 0o700 });
  const temp = `${path}.${randomBytes(6).toString('hex')}.tmp`;
  try {
    writeFileSync(temp, JSON.stringify(record) + '\n', { mode: 0o600, flag: 'wx' });
    chmodSync(temp, 0o600);
    renameSync(temp, path);
  } catch (err) {
    rmSync(temp, { force: true });
    throw err;
  }
  return () => {
    // Only our own: the port may already belong to a newer tunnel.
    if (readRecord(path)?.pid === process.pid) rmSync(path, { force: true });
  };
}

/**
 * The tunnel behind `server` when it is `http://127.0.0.1:PORT` (what `mux1 tunnel` prints) and a
 * tunnel of this user still holds that port; undefined otherwise. A record whose process is gone,
 * or is another process now, is stale: it vouches for nothing.
 */
export function openTunnelAt(configDir: string, server: string): OpenTunnelRecord | undefined {
  const url = new URL(server);
  if (url.protocol !== 'http:' || url.hostname !== '127.0.0.1' || !url.port) return undefined;
  const record = readRecord(recordPath(configDir, Number(url.port)));
  if (!record || record.local_port !== Number(url.port) || !isRunning(record)) return undefined;
  return record;
}

function readRecord(path: string): OpenTunnelRecord | undefined {
  try {
    const record = JSON.parse(readFileSync(path, 'utf8')) as Partial<OpenTunnelRecord>;
    const ok =
      Number.isInteger(record.local_port) &&
      Number.isInteger(record.pid) &&
      typeof record.ssh_host === 'string' &&
      typeof record.remote === 'string' &&
      typeof record.machine === 'string' &&
      (record.started === undefined || typeof record.started === 'string');
    return ok ? (record as OpenTunnelRecord) : undefined;
  } catch {
    return undefined; // missing or damaged: as if no tunnel were there
  }
}

function isRunning(record: OpenTunnelRecord): boolean {
  if (record.machine !== hostname()) return false;
  try {
    process.kill(record.pid, 0);
  } catch {
    return false; // ESRCH: gone; EPERM: another user's process, so not this user's tunnel
  }
  return record.started === processStart(record.pid);
}

/** Field 22 of /proc/PID/stat, the start time in clock ticks since boot; undefined off Linux. */
function processStart(pid: number): string | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces and parentheses; the fields after it do not.
    return stat.slice(stat.lastIndexOf(')') + 2).split(' ')[19];
  } catch {
    return undefined;
  }
}
