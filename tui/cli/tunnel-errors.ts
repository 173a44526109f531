import { Errors } from '@oclif/core';
import { debugEnabled } from './debug.js';
import { oneLine } from './describe-error.js';
import { paint } from './style.js';

/** A failure of the SSH tunnel: its `code` is one of TunnelErrorCode. */
export type TunnelFailure = Error & { code: string };

/** Told apart by name, so checking an error never loads the tunnel (and ssh2). */
export function isTunnelFailure(err: unknown): err is TunnelFailure {
  const e = err as Partial<TunnelFailure> | undefined;
  return e?.name === 'TunnelError' && typeof e.code === 'string';
}

/**
 * Prints a tunnel failure as the contract wants it (`{error, code}` on stdout with --json, one line
 * on stderr otherwise) and exits. Not left to describeError: its hints for `unreachable` and
 * `timeout` are about the mux1 server, and here it is the SSH host that could not be reached.
 */
export function reportTunnelFailure(err: TunnelFailure, json: boolean): never {
  const body = { error: oneLine(err.message), code: err.code };
  if (json) process.stdout.write(JSON.stringify(body) + '\n');
  else process.stderr.write(`${paint(process.stderr, 'red', 'Error:')} ${body.error}\n`);
  if (debugEnabled()) process.stderr.write(`${err.stack ?? String(err)}\n`);
  // A target the parser let through but the tunnel could not read is still the caller's mistake.
  throw new Errors.ExitError(err.code === 'bad_target' ? 2 : 1);
}
