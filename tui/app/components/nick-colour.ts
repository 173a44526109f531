/**
 * A colour per name that stays the same in every session and on every machine: a hash of the name
 * picks one of a few mid-tone colours, dark enough for a light background and light enough for a
 * dark one (no yellow, no white, no black). Without colour (NO_COLOR) Ink prints none of them.
 */
const PALETTE = [
  '#d75f00', // orange
  '#008787', // teal
  '#5f5fd7', // slate blue
  '#af00af', // magenta
  '#5f8700', // olive
  '#d7005f', // rose
  '#0087d7', // blue
  '#875fd7', // violet
  '#af5f00', // brown
  '#00875f', // green
] as const;

/** FNV-1a over the lower-cased name: cheap, and the same everywhere. */
export function nickColour(name: string): string {
  let hash = 0x811c9dc5;
  for (const c of name.toLowerCase()) {
    hash ^= c.codePointAt(0)!;
    hash = Math.imul(hash, 0x01000193) >>> 0;
  }
  return PALETTE[hash % PALETTE.length]!;
}

export const NICK_PALETTE: readonly string[] = PALETTE;
