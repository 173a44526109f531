import { asUnavailable, isAppError } from '../errors.js';
import type { Logger } from '../log.js';
import type { AckFailure } from '../protocol.js';
import type { ChatSocket } from './types.js';

/** The contract's `{ok:false, error, code}` for an expected failure; anything else is a logged bug. */
export function toFailure(err: unknown, log: Logger, context: object): AckFailure {
  if (isAppError(err)) return { ok: false, error: err.message, code: err.code, ...err.details };
  // A database busy past its timeout is a moment's wait, as over REST (503), not a bug.
  const busy = asUnavailable(err);
  if (busy) {
    log.warn({ code: (err as { code?: unknown }).code, ...context }, 'socket event refused: database busy');
    return { ok: false, error: busy.message, code: busy.code, ...busy.details };
  }
  log.error({ err, ...context }, 'socket event failed');
  return { ok: false, error: 'internal error; the server logged it', code: 'internal_error' };
}

/**
 * Answers one event through its acknowledgement, when the client asked for one: `{ok:true,
 * ...result}` or a failure. Payloads arrive untyped: whatever a client sends is parsed by the
 * handler, never trusted. A guest refused for not being signed in is also told with
 * `auth_error`, as the original clients expect (and so is every failed `authenticate`, with
 * `everyFailureIsAuthError`).
 */
export function answer(
  socket: ChatSocket,
  event: string,
  log: Logger,
  work: Promise<object | void>,
  ack: ((res: unknown) => void) | undefined,
  everyFailureIsAuthError: boolean,
): void {
  work.then(
    (result) => ack?.({ ok: true, ...result }),
    (err: unknown) => {
      const failure = toFailure(err, log, { event, sid: socket.id });
      if (failure.code === 'unauthorized' || everyFailureIsAuthError) {
        socket.emit('auth_error', { error: failure.error, code: failure.code });
      }
      log.debug({ event, sid: socket.id, code: failure.code }, 'socket event refused');
      ack?.(failure);
    },
  );
}
