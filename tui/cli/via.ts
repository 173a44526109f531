import { Flags } from '@oclif/core';
import type { TunnelStatus } from '../client/tunnel/index.js';
import { UsageError } from './errors.js';
import { paint } from './style.js';

/** `[user@]host[:port]` or an ~/.ssh/config alias; checked here so a typo is a usage error (exit 2). */
export async function parseSshTarget(input: string): Promise<string> {
  const { parseTarget } = await import('../client/tunnel/target.js');
  parseTarget(input);
  return input;
}

export const viaFlag = Flags.string({
  summary: 'Reach --server through an SSH tunnel via USER@HOST (a host or ~/.ssh/config alias).',
  description:
    "The tunnel reaches --server's host and port as seen from the SSH host, and lasts as long as the " +
    'command. It uses ~/.ssh/config, the SSH agent, the default keys and ~/.ssh/known_hosts.',
  helpGroup: 'GLOBAL',
  parse: parseSshTarget,
});

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
    throw new UsageError(
      `--via forwards plain HTTP; ${server} is ${url.protocol.slice(0, -1)}. Reach an https server directly`,
    );
  }
  return { host: url.hostname.replace(/^\[(.*)\]$/, '$1'), port: Number(url.port) || 80 };
}

/** Said only when something is worth knowing: a trusted new key, a lost link, an unreachable server. */
const QUIET: ReadonlySet<TunnelStatus['type']> = new Set(['connected', 'closed', 'failed']);

/** Opens the tunnel for one command; the SSH code loads only here, when --via is given. */
export async function openVia(target: string, server: string): Promise<Via> {
  const remote = viaRemote(server);
  const { openTunnel, formatStatus } = await import('../client/tunnel/index.js');
  const { terminalPrompts } = await import('./tunnel-prompts.js');
  // A check still under way when the command ends would report the link's end as its failure.
  let closing = false;
  const tunnel = await openTunnel({
    target,
    remoteHost: remote.host,
    remotePort: remote.port,
    prompt: terminalPrompts(),
    onStatus: (event) => {
      if (closing || QUIET.has(event.type)) return;
      process.stderr.write(`${paint(process.stderr, 'dim', `via ${target}:`)} ${formatStatus(event)}\n`);
    },
  }).catch((err: unknown) => {
    throw forVia(err, target);
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

/** The tunnel's advice names `mux1 tunnel`'s flag, which --via does not have. */
function forVia(err: unknown, target: string): unknown {
  const e = err as { name?: string; code?: string; message: string };
  if (e?.name === 'TunnelError' && e.code === 'host_unknown') {
    e.message = e.message.replace(
      /rerun with --accept-new$/,
      `trust it once with 'mux1 tunnel ${target} --accept-new' (or 'ssh ${target}'), then rerun`,
    );
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
