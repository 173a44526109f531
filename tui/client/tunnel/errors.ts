import { Mux1Error } from '../errors.js';

/**
 * Expected tunnel failures. Each carries a machine code (for `--json` output and for deciding
 * whether a lost link is worth retrying) and a one-line message that tells the user what to do.
 */
export type TunnelErrorCode =
  | 'bad_target'
  | 'ssh_config_invalid'
  | 'identity_unreadable'
  | 'known_hosts_unreadable'
  | 'host_unknown'
  | 'host_key_changed'
  | 'host_key_revoked'
  | 'auth_failed'
  | 'unreachable'
  | 'timeout'
  | 'handshake_failed'
  | 'port_in_use'
  | 'port_forbidden'
  | 'closed';

export class TunnelError extends Mux1Error<TunnelErrorCode> {
  override name = 'TunnelError';
  constructor(code: TunnelErrorCode, message: string) {
    super(code, message);
  }
}

export const isTunnelError = (err: unknown): err is TunnelError => err instanceof TunnelError;

/**
 * Failures that retrying cannot fix without the user: a host key that does not match, or a login
 * the host refuses. Reconnection stops on these instead of hammering the host.
 */
const FATAL_CODES: ReadonlySet<TunnelErrorCode> = new Set([
  'bad_target',
  'identity_unreadable',
  'host_unknown',
  'host_key_changed',
  'host_key_revoked',
  'auth_failed',
  'closed',
]);

export const isFatalTunnelError = (err: TunnelError): boolean => FATAL_CODES.has(err.code);

/** Why a file could not be read, in words, with the code for a search: `no such file (ENOENT)`. */
export function fileProblem(err: unknown): string {
  const code = (err as NodeJS.ErrnoException).code;
  const words: Record<string, string> = {
    ENOENT: 'no such file',
    EACCES: 'permission denied',
    EISDIR: 'a directory, not a file',
    ENOTDIR: 'a path through something that is not a directory',
    ENAMETOOLONG: 'name too long',
  };
  if (code && words[code]) return `${words[code]} (${code})`;
  return code ?? String(err);
}
