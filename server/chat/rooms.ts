import { AppError } from '../errors.js';
import { CHAT, dmParties } from '../protocol.js';

/**
 * Who may read and write which room. Public rooms are open to every signed-in user; a direct
 * message room `dm:a-b` only to users a and b. Every refusal is the same `forbidden`, whether the
 * conversation exists, has never been used, or names users who do not exist, so a third user
 * learns nothing from trying.
 */

export const forbidden = (): AppError =>
  new AppError('forbidden', 'that conversation or message is not yours to see or change');

export const isDirectRoom = (room: string): boolean => room.startsWith('dm:');

/** The other user of a direct message room `userId` is part of; undefined for any other room. */
export function otherParty(userId: number, room: string): number | undefined {
  const parties = dmParties(room);
  if (!parties || !parties.includes(userId)) return undefined;
  return parties[0] === userId ? parties[1] : parties[0];
}

/** Throws `forbidden` unless `userId` may read (and so write to) `room`. */
export function assertMayRead(userId: number, room: string): void {
  if (isDirectRoom(room) ? otherParty(userId, room) === undefined : !CHAT.roomPattern.test(room)) {
    throw forbidden();
  }
}
