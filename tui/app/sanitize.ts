import stripAnsi from 'strip-ansi';

/**
 * Other people's text is shown as text: escape sequences and control characters are removed
 * so a message cannot move the cursor, clear the screen or retitle the terminal; line breaks
 * and tabs become spaces so one message stays one entry in the list.
 */
export function safeText(text: string): string {
  return (
    stripAnsi(text)
      .replace(/[\t\n\r]/g, ' ')
      // eslint-disable-next-line no-control-regex
      .replace(/[\u0000-\u001F\u007F-\u009F\u200E\u200F\u202A-\u202E\u2066-\u2069]/g, '')
  );
}
