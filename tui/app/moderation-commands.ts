import { CHAT, MODERATION, roomProblem, usernameProblem } from '../../server/protocol.js';
import { safeText } from '../client/safe-text.js';
import { textsOf } from '../client/language.js';
import type { ChatConnection, ChatMessage, ModerationLine } from './chat-client.js';

const t = textsOf('tui');

/*
 * The chat's moderation and private-room commands, apart from the other slash commands
 * (ChatScreen.tsx) so each can grow on its own: parsed here, run here through the connection,
 * and their answers worded here. Whether the user may moderate is the server's call: a user
 * who tries is told what the server said.
 */

export type ModerationCommand =
  | { name: 'kick' | 'unmute' | 'ban' | 'unban'; username: string }
  | { name: 'mute'; username: string; minutes: number }
  | { name: 'delete-of'; username: string }
  | { name: 'create-private'; room: string }
  | { name: 'invite' | 'remove'; username: string }
  | { name: 'help' }
  | { name: 'invalid'; error: string };

/** The one line /help gives these commands, so the main list still fits a 24-row terminal. */
export const MODERATION_HELP_POINTER = t('moderation.helpPointer');

export const MODERATION_HELP = [
  t('moderation.help.createPrivate'),
  t('moderation.help.invite'),
  t('moderation.help.kickMute'),
  t('moderation.help.ban'),
];

export const MODERATION_COMMANDS = [
  'kick',
  'mute',
  'unmute',
  'ban',
  'unban',
  'create-private',
  'invite',
  'remove',
];

const nameOf = (arg: string | undefined) => (arg ?? '').replace(/^@/, '').toLowerCase();
const minutesRule = () =>
  t('moderation.minutesRule', { min: MODERATION.minutesMin, max: MODERATION.minutesMax });

/**
 * A line as a moderation or private-room command; undefined when it is none (then the other
 * slash commands have their turn: a bare `/delete` stays the author's own).
 */
export function parseModerationSlash(line: string): ModerationCommand | undefined {
  if (!line.startsWith('/')) return undefined;
  const [word = '', ...args] = line.slice(1).trim().split(/\s+/);
  const command = word.toLowerCase();
  const user = (usage: string): { username: string } | { name: 'invalid'; error: string } => {
    const username = nameOf(args[0]);
    if (!username || args.length !== 1) return { name: 'invalid', error: t('moderation.usage', { usage }) };
    const wrong = usernameProblem(username);
    return wrong ? { name: 'invalid', error: wrong } : { username };
  };
  switch (command) {
    case 'kick':
    case 'unmute':
    case 'ban':
    case 'unban':
    case 'invite':
    case 'remove': {
      const target = user(`/${command} USER`);
      return 'name' in target ? target : { name: command, ...target };
    }
    case 'delete': {
      if (args.length === 0) return undefined;
      const target = user(t('moderation.deleteUsage'));
      return 'name' in target ? target : { name: 'delete-of', ...target };
    }
    case 'mute': {
      const username = nameOf(args[0]);
      if (!username || args.length !== 2)
        return { name: 'invalid', error: t('moderation.usage', { usage: '/mute USER MINUTES' }) };
      const wrong = usernameProblem(username);
      if (wrong) return { name: 'invalid', error: wrong };
      const minutes = /^\d{1,6}$/.test(args[1]!) ? Number(args[1]) : NaN;
      if (!(minutes >= MODERATION.minutesMin && minutes <= MODERATION.minutesMax)) {
        return { name: 'invalid', error: minutesRule() };
      }
      return { name: 'mute', username, minutes };
    }
    case 'create-private':
    case 'create': {
      const flags = args.filter((a) => a.startsWith('--'));
      const names = args.filter((a) => !a.startsWith('--'));
      const isPrivate = command === 'create-private' || flags.includes('--private');
      if (!isPrivate || names.length !== 1 || flags.some((f) => f !== '--private')) {
        return {
          name: 'invalid',
          error: t('moderation.createUsage'),
        };
      }
      const room = names[0]!.replace(/^#/, '').toLowerCase();
      if (roomProblem(room) || room.startsWith('dm:')) {
        return { name: 'invalid', error: t('moderation.roomRule', { max: CHAT.roomMax }) };
      }
      return { name: 'create-private', room };
    }
    case 'help':
      return args.length === 1 && /^mod(eration)?$/i.test(args[0]!) ? { name: 'help' } : undefined;
    default:
      return undefined;
  }
}

export interface ModerationContext {
  client: ChatConnection;
  room: string;
  /** The newest message of that user in the current room. */
  lastOf: (username: string) => ChatMessage | undefined;
  note: (text: string, room?: string) => void;
  join: (room: string) => Promise<void>;
}

/** Runs a command; a refusal from the server is thrown, for the screen to show as any other. */
export async function runModerationCommand(
  command: ModerationCommand,
  ctx: ModerationContext,
): Promise<void> {
  const { client, room, note } = ctx;
  switch (command.name) {
    case 'invalid':
      return note(command.error);
    case 'help':
      return MODERATION_HELP.forEach((line) => note(line));
    case 'kick':
    case 'unmute':
    case 'ban':
    case 'unban':
      // The room hears of it through `moderation`, this screen too: nothing more to say here.
      return client.moderate({ action: command.name, room, username: command.username });
    case 'mute':
      return client.moderate({ action: 'mute', room, username: command.username, minutes: command.minutes });
    case 'delete-of': {
      const message = ctx.lastOf(command.username);
      if (!message) return note(t('moderation.nothingToDelete', { username: command.username }));
      await client.moderate({ action: 'delete', room, message_id: message.id });
      return note(t('moderation.deleted', { username: command.username }));
    }
    case 'create-private':
      await client.createPrivateRoom(command.room);
      await ctx.join(command.room);
      return note(t('moderation.madePrivate', { room: command.room }), command.room);
    case 'invite':
    case 'remove':
      await client.setMember(room, command.username, command.name === 'invite');
      return note(
        command.name === 'invite'
          ? t('moderation.invited', { username: command.username, room })
          : t('moderation.removed', { username: command.username, room }),
      );
  }
}

const clock = (ts: number) => {
  const d = new Date(ts);
  return `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
};

/** Each action's line, as the one it befell or as everyone else reads it. */
const ACTION_LINES = {
  kick: { you: 'moderation.line.kickYou', other: 'moderation.line.kick' },
  mute: { you: 'moderation.line.muteYou', other: 'moderation.line.mute' },
  unmute: { you: 'moderation.line.unmuteYou', other: 'moderation.line.unmute' },
  ban: { you: 'moderation.line.banYou', other: 'moderation.line.ban' },
  unban: { you: 'moderation.line.unbanYou', other: 'moderation.line.unban' },
} as const;

/** The line everyone in the room sees, e.g. "⚑ eve was muted by mod until 14:05". */
export function moderationText(e: ModerationLine, selfId: number): string {
  const lines = ACTION_LINES[e.action];
  const until = typeof e.until === 'number' ? t('moderation.line.until', { time: clock(e.until) }) : '';
  const values = { user: safeText(e.user.username), by: safeText(e.by.username), room: e.room };
  return `⚑ ${t(e.user.id === selfId ? lines.you : lines.other, values)}${until}`;
}
