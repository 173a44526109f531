import stripAnsi from 'strip-ansi';

/**
 * Bidirectional controls: they reorder what follows them on the line, so a name or message could
 * make other text read backwards ("Trojan Source"). U+061C arabic letter mark, U+200E/F LRM/RLM,
 * U+202A-202E embeddings and overrides, U+2066-2069 isolates.
 */
const BIDI = '\u061C\u200E\u200F\u202A-\u202E\u2066-\u2069';

const UNSAFE = new RegExp(`[\u0000-\u001F\u007F-\u009F${BIDI}]`, 'g');

/**
 * Text that other people wrote (messages, names, the client string of a session), made safe to
 * show in a terminal, by the CLI and the TUI alike: escape sequences are removed whole, so a
 * message cannot move the cursor, clear the screen, retitle the window or fake other lines; line
 * breaks and tabs become spaces, so one message stays one line; what is left of the control and
 * bidirectional characters is dropped.
 */
export function safeText(text: string): string {
  return stripAnsi(text)
    .replace(/[\t\n\r\u2028\u2029]/g, ' ')
    .replace(UNSAFE, '');
}
