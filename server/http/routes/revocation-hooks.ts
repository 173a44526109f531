/**
 * How the HTTP door tells the live side (Socket.IO) that sessions ended, so their sockets close
 * at once instead of at their next use. Wired to the realtime server in server/main.ts.
 */
export interface RevocationHooks {
  /** One session ended: logout, a revoked session, another session signed out. */
  onSessionRevoked: (sessionId: string) => void;
  /** Every session of a user ended: password reset, account deleted. */
  onUserRevoked: (userId: number) => void;
}
