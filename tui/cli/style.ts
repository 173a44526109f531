/**
 * Colour for people, never for pipes: only when the stream is a terminal and NO_COLOR is unset
 * (https://no-color.org: any non-empty value turns colour off). Plain ANSI, no library, so the
 * cold start stays small.
 */
export function colourOn(stream: NodeJS.WriteStream, env: NodeJS.ProcessEnv = process.env): boolean {
  return Boolean(stream.isTTY) && !env.NO_COLOR;
}

const codes = { red: [31, 39], green: [32, 39], yellow: [33, 39], dim: [2, 22], bold: [1, 22] } as const;

export type Colour = keyof typeof codes;

export function paint(stream: NodeJS.WriteStream, colour: Colour, text: string): string {
  if (!colourOn(stream)) return text;
  const [open, close] = codes[colour];
  return `\u001b[${open}m${text}\u001b[${close}m`;
}
