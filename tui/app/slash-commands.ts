/** The chat's slash commands, parsed apart from the screen so the rules are easy to test. */
export type SlashCommand =
  | { name: 'join'; room: string }
  | { name: 'leave' | 'rooms' | 'who' | 'settings' | 'logout' | 'quit' | 'help' }
  | { name: 'invalid'; error: string };

export const HELP = [
  '/join ROOM  join or switch to a room (1-32 of a-z 0-9 _ -)',
  '/leave      leave the current room',
  '/rooms      list your rooms',
  '/who        who is in this room',
  '/settings   your sessions, password change, log out everywhere',
  '/logout     end this session',
  '/quit       close mux1 (Ctrl+C too)',
  'PgUp/PgDn scroll · older messages load at the top',
];

const ROOM = /^[a-z0-9_-]{1,32}$/;

export function parseSlash(line: string): SlashCommand | undefined {
  if (!line.startsWith('/')) return undefined;
  const [word = '', ...args] = line.slice(1).trim().split(/\s+/);
  switch (word.toLowerCase()) {
    case 'join': {
      const room = (args[0] ?? '').replace(/^#/, '').toLowerCase();
      if (!room) return { name: 'invalid', error: 'usage: /join ROOM' };
      if (!ROOM.test(room)) return { name: 'invalid', error: 'room names are 1-32 of a-z 0-9 _ -' };
      return { name: 'join', room };
    }
    case 'leave':
    case 'rooms':
    case 'who':
    case 'settings':
    case 'logout':
    case 'quit':
    case 'help':
      return { name: word.toLowerCase() as 'leave' };
    default:
      return { name: 'invalid', error: `unknown command /${word}; /help lists them` };
  }
}
