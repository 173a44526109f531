import { TunnelError } from './errors.js';

/** What the user typed: `[user@]host[:port]`, where host may be an ~/.ssh/config alias. */
export interface TargetSpec {
  user?: string;
  host: string;
  port?: number;
}

/**
 * Parses `alice@example.com`, `example.com:2222`, `alice@[::1]:2222`, `::1` or `ssh://alice@host:22`.
 * A bare IPv6 address (more than one colon, no brackets) has no port part, as in OpenSSH.
 */
export function parseTarget(input: string): TargetSpec {
  const text = input.trim().replace(/^ssh:\/\//, '');
  const fail = (why: string): never => {
    throw new TunnelError('bad_target', `"${input}" is not an SSH target (${why}); expected USER@HOST`);
  };
  if (!text || /\s/.test(text)) fail('empty or contains spaces');

  const at = text.lastIndexOf('@');
  const user = at >= 0 ? text.slice(0, at) : undefined;
  if (user === '') fail('empty user name');
  const rest = at >= 0 ? text.slice(at + 1) : text;

  let host: string;
  let portText: string | undefined;
  const bracketed = /^\[([^\]]+)\](?::(.*))?$/.exec(rest);
  if (bracketed) {
    host = bracketed[1]!;
    portText = bracketed[2];
  } else if ((rest.match(/:/g) ?? []).length === 1) {
    [host, portText] = rest.split(':') as [string, string];
  } else {
    host = rest;
  }
  if (!host) fail('empty host');
  if (host.startsWith('-')) fail('a host cannot start with "-"');

  let port: number | undefined;
  if (portText !== undefined) {
    port = Number(portText);
    if (!/^\d+$/.test(portText) || port < 1 || port > 65535) fail(`bad port "${portText}"`);
  }
  return { user, host, port };
}

/** `alice@example.com:2222` for messages and `--json`; IPv6 hosts get brackets. */
export function formatSshLabel(user: string, host: string, port: number): string {
  const h = host.includes(':') ? `[${host}]` : host;
  return `${user}@${h}:${port}`;
}

/**
 * A word for a command line the user may paste into a shell: quoted only when it has to be, and
 * then in single quotes, inside which no shell expands anything.
 */
export function shellWord(word: string): string {
  return /^[A-Za-z0-9_@%+=:,./~-]+$/.test(word) ? word : `'${word.replaceAll("'", `'\\''`)}'`;
}

/**
 * The `ssh` command that reaches `target` the way the tunnel does, for advice in messages:
 * `alice@host:2222` is mux1's way to write it, `ssh -p 2222 alice@host` is ssh's.
 */
export function sshCommandFor(
  target: string,
  files: { identity?: string; knownHostsFile?: string } = {},
): string {
  const { user, host, port } = parseTarget(target);
  const words = ['ssh'];
  if (files.identity) words.push('-i', files.identity);
  if (files.knownHostsFile) words.push('-o', `UserKnownHostsFile=${files.knownHostsFile}`);
  if (port !== undefined) words.push('-p', String(port));
  words.push(user === undefined ? host : `${user}@${host}`);
  return words.map(shellWord).join(' ');
}
