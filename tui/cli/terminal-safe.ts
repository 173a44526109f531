/**
 * Text other people wrote, made safe to print: a chat message must not be able to move the
 * cursor, retitle the terminal or fake other lines, so control characters become visible.
 */
export function terminalSafe(text: string): string {
  // eslint-disable-next-line no-control-regex
  return text.replace(/\t/g, ' ').replace(/[\u0000-\u001f\u007f-\u009f]/g, '\uFFFD');
}
