import { CHAT, type ChatMessage, type RoomState } from '../../server/protocol.js';
import { safeText } from '../client/safe-text.js';
import { cliTexts } from './texts.js';

/**
 * How the commands print what other people wrote: one line per message, every name and text
 * through safeText, so nobody's escape sequences reach the terminal. The id leads, for `edit`
 * and `delete`.
 */
export function messageLine(m: ChatMessage, options: { room?: boolean } = {}): string {
  // Local time as YYYY-MM-DD HH:MM:SS: the Swedish locale happens to write dates the ISO way.
  const time = new Date(m.ts).toLocaleString('sv-SE');
  const where = options.room ? `${roomLabel(m.room)}  ` : '';
  const t = cliTexts();
  const who = m.user ? safeText(m.user.username) : t('messages.deletedUser');
  return `[${m.id}] ${time}  ${where}${who}: ${safeText(m.text)}${m.edited_at ? ` ${t('messages.edited')}` : ''}`;
}

/** `#ops`, or `dm:1-2` as the server names it: room names are the server's, checked by its rules. */
export const roomLabel = (room: string): string =>
  room.startsWith('dm:') ? safeText(room) : `#${safeText(room)}`;

export function roomLine(r: RoomState): string {
  const name = r.with ? `@${safeText(r.with.username)} (${safeText(r.room)})` : roomLabel(r.room);
  const t = cliTexts();
  const counts = [t('rooms.unread', { count: r.unread, more: r.unread >= CHAT.unreadMax ? '+' : '' })];
  if (r.mentions > 0) counts.push(t('rooms.mentions', { count: r.mentions }));
  return `${name.padEnd(24)} ${counts.join(', ')}`;
}
