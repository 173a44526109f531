import type { ErrorBody } from '../../server/protocol.js';
import { CliError } from './errors.js';

export interface DescribedError {
  body: ErrorBody<string>;
  /** What to do about it, for people; JSON readers branch on the code instead. */
  hint?: string;
}

/**
 * Errors that carry a contract code of their own. Matched by name rather than instanceof so this
 * file does not have to import the REST client (and ky) to print a usage error.
 */
const CODED = new Set(['ApiError', 'ChatError', 'CliError', 'UsageError', 'CredentialsError']);

const HINTS: Record<string, string> = {
  unreachable: "is a mux1 server running there? Start one with 'mux1 server', or pass --server URL",
  timeout: 'the server may be overloaded; try again, or check --server',
  unauthorized: "your session has ended; log in again with 'mux1 login --username NAME'",
  email_not_verified:
    "run 'mux1 verify --email EMAIL --code CODE', or 'mux1 resend --email EMAIL' for a new code",
  corrupt_credentials: "'mux1 login' writes a new one",
};

export function describeError(err: unknown): DescribedError {
  const e = err as Partial<ErrorBody> & { name?: string; message?: string; retryAfterS?: number };
  if (e && CODED.has(e.name ?? '') && typeof e.code === 'string') {
    const body: ErrorBody<string> = { error: oneLine(e.message ?? e.code), code: e.code };
    if (typeof e.field === 'string') body.field = e.field;
    const wait = e.retryAfterS ? `try again in ${e.retryAfterS} s` : undefined;
    return { body, hint: HINTS[e.code] ?? wait };
  }
  if (e?.name === 'ExitPromptError' || e?.name === 'AbortPromptError') {
    return { body: { error: 'Cancelled', code: 'cancelled' } };
  }
  return {
    body: { error: `Unexpected failure: ${oneLine(e?.message ?? String(err))}`, code: 'internal_error' },
    hint: 'run again with DEBUG=mux1 to see where, and report it',
  };
}

export function exitCodeFor(err: unknown): 1 | 2 {
  return err instanceof CliError ? err.exitCode : 1;
}

/** oclif's parse messages span lines ("...\nSee more help with --help"); errors here are one line. */
export function oneLine(message: string): string {
  return message
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !/^See more help with/i.test(l) && !/^The following errors? occurred:?$/i.test(l))
    .join(': ')
    .replace(/:\s*:/g, ':')
    .replace(/\s+/g, ' ');
}
