import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { appendFileSync, mkdirSync, readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileProblem, TunnelError } from './errors.js';
import { keyTypeOf } from './host-key.js';
import { matchPatternList } from './patterns.js';

/** One usable line of a known_hosts file (see sshd(8), "SSH_KNOWN_HOSTS FILE FORMAT"). */
export interface KnownHostLine {
  file: string;
  line: number;
  marker?: 'revoked' | 'cert-authority';
  /** The host field as written: patterns separated by commas, or one `|1|salt|hash`. */
  hosts: string;
  key: Buffer;
}

export type HostKeyVerdict =
  | { status: 'known'; entry: KnownHostLine }
  | { status: 'revoked'; entry: KnownHostLine }
  /** The host is known, but not with this key: same type, different key, or only other types. */
  | { status: 'changed'; entries: KnownHostLine[] }
  | { status: 'unknown' };

/** The name ssh stores: `host` on port 22, `[host]:port` otherwise; lower case. */
export function knownHostsName(host: string, port: number): string {
  const name = host.toLowerCase();
  return port === 22 ? name : `[${name}]:${port}`;
}

/** Malformed lines are skipped, as ssh does, so one bad line does not lock the user out. */
export function parseKnownHosts(text: string, file: string): KnownHostLine[] {
  const lines: KnownHostLine[] = [];
  text.split(/\r?\n/).forEach((raw, index) => {
    const words = raw.trim().split(/\s+/);
    if (!words[0] || words[0].startsWith('#')) return;
    let marker: KnownHostLine['marker'];
    if (words[0] === '@revoked' || words[0] === '@cert-authority') {
      marker = words.shift()!.slice(1) as KnownHostLine['marker'];
    }
    const [hosts, type, base64] = words;
    if (!hosts || !type || !base64) return;
    const key = Buffer.from(base64, 'base64');
    if (keyTypeOf(key) !== type) return;
    lines.push({ file, line: index + 1, marker, hosts, key });
  });
  return lines;
}

/** A missing file is an empty one: the first connection creates it. */
export function readKnownHosts(file: string): KnownHostLine[] {
  try {
    return parseKnownHosts(readFileSync(file, 'utf8'), file);
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (code === 'ENOENT' || code === 'ENOTDIR') return [];
    throw new TunnelError(
      'known_hosts_unreadable',
      `cannot read known hosts file ${file}: ${fileProblem(err)}`,
    );
  }
}

/**
 * A hashed host field (`HashKnownHosts yes`) hides the name: `|1|salt|hash`, the HMAC-SHA1 of the
 * name keyed by a per-line random salt, both base64. The salt is as long as the digest, as in OpenSSH.
 */
export function hashHostName(name: string, salt: Buffer = randomBytes(20)): string {
  return `|1|${salt.toString('base64')}|${hmacOf(salt, name).toString('base64')}`;
}

export function hostFieldMatches(hosts: string, name: string): boolean {
  if (hosts.startsWith('|1|')) {
    const [, , salt, hash] = hosts.split('|');
    if (!salt || !hash) return false;
    const expected = Buffer.from(hash, 'base64');
    const actual = hmacOf(Buffer.from(salt, 'base64'), name);
    return expected.length === actual.length && timingSafeEqual(expected, actual);
  }
  return matchPatternList(hosts.split(','), name);
}

const hmacOf = (salt: Buffer, name: string) => createHmac('sha1', salt).update(name).digest();

export function checkKnownHost(lines: readonly KnownHostLine[], name: string, key: Buffer): HostKeyVerdict {
  const forHost = lines.filter((l) => l.marker !== 'cert-authority' && hostFieldMatches(l.hosts, name));
  const revoked = forHost.find((l) => l.marker === 'revoked' && l.key.equals(key));
  if (revoked) return { status: 'revoked', entry: revoked };
  const plain = forHost.filter((l) => l.marker === undefined);
  const known = plain.find((l) => l.key.equals(key));
  if (known) return { status: 'known', entry: known };
  if (plain.length === 0) return { status: 'unknown' };
  // The entry of the same type is the one the user wants to see in the warning.
  const sameTypeFirst = (l: KnownHostLine) => (keyTypeOf(l.key) === keyTypeOf(key) ? 0 : 1);
  return { status: 'changed', entries: [...plain].sort((a, b) => sameTypeFirst(a) - sameTypeFirst(b)) };
}

/** The key types known for the host, so the handshake can ask for one of them first. */
export function knownKeyTypes(lines: readonly KnownHostLine[], name: string): string[] {
  return lines
    .filter((l) => l.marker === undefined && hostFieldMatches(l.hosts, name))
    .map((l) => keyTypeOf(l.key));
}

/**
 * `[host]:port keytype base64`, as `ssh -o StrictHostKeyChecking=accept-new` writes it; with `hash`
 * (ssh_config's HashKnownHosts) the host field is hashed, so the file does not list where you go.
 */
export function formatKnownHostsLine(name: string, key: Buffer, options: { hash?: boolean } = {}): string {
  const host = options.hash ? hashHostName(name) : name;
  return `${host} ${keyTypeOf(key)} ${key.toString('base64')}`;
}

/** Creates ~/.ssh (0700) and the file (0600) when missing; never rewrites existing lines. */
export function appendKnownHost(
  file: string,
  name: string,
  key: Buffer,
  options: { hash?: boolean } = {},
): void {
  mkdirSync(dirname(file), { recursive: true, mode: 0o700 });
  let existing = '';
  try {
    existing = readFileSync(file, 'utf8');
  } catch {
    // a new file
  }
  const separator = existing && !existing.endsWith('\n') ? '\n' : '';
  appendFileSync(file, `${separator}${formatKnownHostsLine(name, key, options)}\n`, { mode: 0o600 });
}
