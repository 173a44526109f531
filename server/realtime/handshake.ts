import { isAppError } from '../errors.js';
import type { Accounts } from '../accounts/index.js';
import type { Logger } from '../log.js';
import { toIdentity } from './identity.js';
import { tokenPayload } from './schemas.js';
import type { ChatSocket } from './types.js';

type Middleware = (socket: ChatSocket, next: (err?: Error) => void) => void;

const REFUSED = {
  error: 'your token is expired, revoked or invalid: you are connected as a guest',
  code: 'unauthorized' as const,
};

/**
 * Reads `auth.token` from the handshake. No token: a guest. A token that checks out: that
 * user. Any other token (expired, revoked, malformed): a guest who is told why with
 * `auth_error` once connected - not a refused connection, so a stale client still lands.
 */
export function handshakeAuth(accounts: Accounts, log: Logger): Middleware {
  return (socket, next) => {
    socket.data.handshake = { identity: null };
    const given = (socket.handshake.auth as { token?: unknown } | undefined)?.token;
    if (given === undefined || given === null || given === '') return next();
    const parsed = tokenPayload.safeParse({ token: given });
    if (!parsed.success) {
      socket.data.handshake.error = REFUSED;
      return next();
    }
    accounts.authenticateToken(parsed.data.token, socket.data.address || null).then(
      (auth) => {
        socket.data.handshake.identity = toIdentity(auth);
        next();
      },
      (err: unknown) => {
        if (isAppError(err)) {
          socket.data.handshake.error = REFUSED;
          return next();
        }
        log.error({ err, sid: socket.id }, 'socket handshake failed');
        next(new Error('internal error; try again'));
      },
    );
  };
}
