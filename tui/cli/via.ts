import { Flags } from '@oclif/core';
import type { TunnelStatus } from '../client/tunnel/index.js';
import { isTunnelFailure, paint, UsageError } from './errors.js';

/** `[user@]host[:port]` or an ~/.ssh/config alias; checked here so a typo is a usage error (exit 2). */
export async function parseSshTarget(input: string): Promise<string> {
  const { parseTarget } = await import('../client/tunnel/target.js');
  parseTarget(input);
  return input;
}

/**
 * A key or known_hosts file named on the command line is read before anything connects, with the
 * tunnel's own checks, so a wrong name is a usage error (exit 2) rather than a failed login.
 */
async function checkedFile(input: string, kind: 'identity' | 'known hosts'): Promise<string> {
  if (!input.trim()) {
    throw new Error(`expected the path of ${kind === 'identity' ? 'an identity' : 'a known_hosts'} file`);
  }
  const { commandLinePath } = await import('../client/tunnel/resolve-target.js');
  const path = commandLinePath(input, process.env);
  if (path === undefined) return input; // %h and friends: the tunnel checks it once the target is known
  if (kind === 'identity') {
    const { checkIdentityFile } = await import('../client/tunnel/identity.js');
    checkIdentityFile(path);
  } else {
    // A file that does not exist yet is fine, as for ssh: it starts empty.
    const { readKnownHosts } = await import('../client/tunnel/known-hosts.js');
    readKnownHosts(path);
  }
  return input;
}

type FileFlagOptions = { summary: string; helpGroup?: string };

/** `mux1 tunnel --identity` and `--via-identity`: the same file, the same checks. */
export const identityFlag = (options: FileFlagOptions) =>
  Flags.string({ ...options, helpValue: 'FILE', parse: (input) => checkedFile(input, 'identity') });

/** `mux1 tunnel --known-hosts` and `--via-known-hosts`. */
export const knownHostsFlag = (options: FileFlagOptions) =>
  Flags.string({ ...options, helpValue: 'FILE', parse: (input) => checkedFile(input, 'known hosts') });

export const viaFlag = Flags.string({
  summary: 'Reach --server through an SSH tunnel via USER@HOST (a host or ~/.ssh/config alias).',
  description:
    "The tunnel reaches --server's host and port as seen from the SSH host, and lasts as long as the " +
    'command. It uses ~/.ssh/config, the SSH agent, the default keys and ~/.ssh/known_hosts, ' +
    'or the files --via-identity and --via-known-hosts name.',
  helpGroup: 'GLOBAL',
  parse: parseSshTarget,
});

/** Every command that takes --via takes these with it. */
export const viaFlags = {
  via: viaFlag,
  'via-identity': identityFlag({
    summary: 'With --via: a private key file, tried after the SSH agent and before ~/.ssh keys.',
    helpGroup: 'GLOBAL',
  }),
  'via-known-hosts': knownHostsFlag({
    summary: 'With --via: the known_hosts file to check the SSH host against (default ~/.ssh/known_hosts).',
    helpGroup: 'GLOBAL',
  }),
};

/** What the --via flags ask for. */
export interface ViaSettings {
  target: string;
  identity?: string;
  knownHostsFile?: string;
}

/** The --via flags of a parsed command line; undefined without --via. */
export function viaSettings(flags: { readonly [name: string]: unknown }): ViaSettings | undefined {
  const text = (name: string) => (typeof flags[name] === 'string' ? (flags[name] as string) : undefined);
  const target = text('via');
  const identity = text('via-identity');
  const knownHostsFile = text('via-known-hosts');
  if (!target) {
    const orphan =
      identity !== undefined ? '--via-identity' : knownHostsFile !== undefined ? '--via-known-hosts' : '';
    if (orphan) throw new UsageError((t) => t('via.orphan', { flag: orphan }));
    return undefined;
  }
  return { target, identity, knownHostsFile };
}

/** An open `--via` tunnel: the URL the clients dial instead of --server. */
export interface Via {
  target: string;
  /** The server URL as typed: what messages, results and the credential file name. */
  server: string;
  /** `http://127.0.0.1:PORT` plus --server's path. */
  url: string;
  close(): Promise<void>;
}

/**
 * Where `--via` forwards to: --server's host and port, resolved on the SSH host, like
 * `ssh -L PORT:host:port`. So `--server http://localhost:5000 --via box` is "the server on box's
 * own loopback", and `--server http://db.internal:8080 --via bastion` works through a bastion.
 */
export function viaRemote(server: string): { host: string; port: number } {
  const url = new URL(server);
  if (url.protocol !== 'http:') {
    // TLS to 127.0.0.1 would fail the certificate's name check; a TLS server needs no tunnel anyway.
    const scheme = url.protocol.slice(0, -1);
    throw new UsageError((t) => t('via.plainHttpOnly', { server, scheme }));
  }
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port) || 80 };
}

/** `user@host:port` of the SSH connection --via makes, after ~/.ssh/config: half of its sessions' key. */
export async function viaSshHost(settings: ViaSettings): Promise<string> {
  const { resolveTarget } = await import('../client/tunnel/resolve-target.js');
  return resolveTarget({ target: settings.target, env: process.env }).label;
}

/** Said only when something is worth knowing: a trusted new key, a lost link, an unreachable server. */
const QUIET: ReadonlySet<TunnelStatus['type']> = new Set(['connected', 'closed', 'failed']);

/** Opens the tunnel for one command; the SSH code loads only here, when --via is given. */
export async function openVia(settings: ViaSettings, server: string): Promise<Via> {
  const { target } = settings;
  const remote = viaRemote(server);
  const { openTunnel, formatStatus } = await import('../client/tunnel/index.js');
  const { terminalPrompts } = await import('./tunnel-prompts.js');
  // A check still under way when the command ends would report the link's end as its failure.
  let closing = false;
  const tunnel = await openTunnel({
    target,
    identity: settings.identity,
    knownHostsFile: settings.knownHostsFile,
    remoteHost: remote.host,
    remotePort: remote.port,
    prompt: terminalPrompts(),
    onStatus: (event) => {
      if (closing || QUIET.has(event.type)) return;
      process.stderr.write(`${paint(process.stderr, 'dim', `via ${target}:`)} ${formatStatus(event)}\n`);
    },
  }).catch(async (err: unknown) => {
    throw await forVia(err, settings);
  });
  return {
    target,
    server,
    url: tunnel.url + new URL(server).pathname.replace(/\/+$/, ''),
    close: () => {
      closing = true;
      return tunnel.close();
    },
  };
}

/**
 * The tunnel's advice names `mux1 tunnel`'s flags; --via has its own, and no --accept-new: a host
 * is trusted once with `mux1 tunnel` or with ssh itself, both spelled out to be pasted.
 */
async function forVia(err: unknown, settings: ViaSettings): Promise<unknown> {
  if (!isTunnelFailure(err)) return err;
  if (err.code === 'host_unknown') {
    const { shellWord, sshCommandFor } = await import('../client/tunnel/target.js');
    const { target, identity, knownHostsFile } = settings;
    const tunnel = ['mux1', 'tunnel', target, '--accept-new'];
    if (identity) tunnel.push('--identity', identity);
    if (knownHostsFile) tunnel.push('--known-hosts', knownHostsFile);
    err.message = err.message.replace(
      /rerun with --accept-new$/,
      `trust it once with '${tunnel.map(shellWord).join(' ')}' ` +
        `(or '${sshCommandFor(target, { identity, knownHostsFile })}'), then rerun`,
    );
  }
  if (err.code === 'auth_failed') {
    err.message = err.message.replace(/pass --identity FILE$/, 'pass --via-identity FILE');
  }
  return err;
}

/**
 * Client errors name the URL they dialled; with --via that is the tunnel's ephemeral port, which
 * means nothing to the user. Name the server and the tunnel instead.
 */
export function renameTunnelUrl(err: unknown, via: Via): void {
  const e = err as { message?: unknown } | undefined;
  if (!e || typeof e.message !== 'string') return;
  e.message = e.message.split(via.url).join(`${via.server} (via ${via.target})`);
}
