import { AppError } from '../errors.js';
import type { AuthSuccessEvent } from '../protocol.js';
import type { RequestMeta } from '../accounts/index.js';
import type { RealtimeContext } from './context.js';
import { signIn, toIdentity } from './identity.js';
import { authenticateSchemaFor } from './schemas.js';
import { parsePayload } from './validate.js';
import type { ChatSocket } from './types.js';

export const socketMeta = (socket: ChatSocket): RequestMeta => ({
  ip: socket.data.address || null,
  userAgent: String(socket.handshake.headers['user-agent'] ?? '').slice(0, 512) || null,
});

/**
 * `authenticate`: the same accounts rules as REST login (lockout, audit, verification) or
 * token check, then the socket acts as that user. A password login opens a session, so its
 * token is handed back for the client to reconnect with. Failures become `auth_error` in
 * `answer` (ack.ts).
 */
export async function authenticate(
  ctx: RealtimeContext,
  socket: ChatSocket,
  payload: unknown,
): Promise<AuthSuccessEvent> {
  ctx.limits.authenticate(socket.id);
  const input = parsePayload(authenticateSchemaFor(payload), payload);
  let event: AuthSuccessEvent;
  if ('token' in input) {
    const auth = await ctx.accounts.authenticateToken(input.token, socket.data.address || null);
    signIn(ctx, socket, toIdentity(auth));
    event = { message: `Signed in as ${auth.user.username}.`, user: toIdentity(auth).user };
  } else {
    const login = await ctx.accounts.login(input, { ...socketMeta(socket), challenge: input.altcha });
    if ('mfaRequired' in login) {
      // The code step is REST's (POST /api/login/2fa); a client connects with its token after.
      throw new AppError(
        'mfa_required',
        'this account uses two-factor sign-in: log in over REST with the code, then authenticate with the token',
      );
    }
    // login() hands out a token, not the session row that revocation needs: read it back.
    const auth = await ctx.accounts.authenticateToken(login.token);
    signIn(ctx, socket, toIdentity(auth));
    event = {
      message: `Logged in as ${auth.user.username}.`,
      user: toIdentity(auth).user,
      token: login.token,
      expires_at: new Date(login.expiresAt).toISOString(),
    };
  }
  socket.emit('auth_success', event);
  return event;
}
