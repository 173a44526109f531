/** One edit of a text field at a cursor, as pure data, so keys arriving in one burst all apply in order. */
export interface Draft {
  value: string;
  cursor: number;
}

export interface KeyInput {
  input: string;
  backspace?: boolean;
  delete?: boolean;
  leftArrow?: boolean;
  rightArrow?: boolean;
  home?: boolean;
  end?: boolean;
  ctrl?: boolean;
  meta?: boolean;
}

/** Applies a key to a draft; returns undefined for keys that are not editing keys. */
export function applyKey(d: Draft, k: KeyInput): Draft | undefined {
  const chars = [...d.value];
  const at = Math.min(d.cursor, chars.length);
  // Terminals send DEL (0x7f) for the Backspace key and Ink reports it as `delete`; both erase
  // backwards, as ink-text-input does, since that is what the key on the keyboard means.
  if (k.backspace || k.delete) {
    if (at === 0) return d;
    chars.splice(at - 1, 1);
    return { value: chars.join(''), cursor: at - 1 };
  }
  if (k.leftArrow) return { ...d, cursor: Math.max(0, at - 1) };
  if (k.rightArrow) return { ...d, cursor: Math.min(chars.length, at + 1) };
  if (k.home || (k.ctrl && k.input === 'a')) return { ...d, cursor: 0 };
  if (k.end || (k.ctrl && k.input === 'e')) return { ...d, cursor: chars.length };
  if (k.ctrl && k.input === 'u') return { value: chars.slice(at).join(''), cursor: 0 };
  if (k.ctrl || k.meta || !k.input) return undefined;
  // A paste arrives as one input; line breaks in it are not part of a one-line field.
  const typed = [...k.input.replace(/[\r\n\t]/g, '')].filter((c) => c >= ' ' && c !== '\u007F');
  chars.splice(at, 0, ...typed);
  return { value: chars.join(''), cursor: at + typed.length };
}
