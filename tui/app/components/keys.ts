/**
 * The keys of a terminal line editor, decoded from what the terminal sends. Ink hands over one
 * escape sequence, or one run of plain characters, at a time; a run may hold many keys (a paste,
 * a fast typist's burst, "hello<Enter>"), so one input decodes to a list, applied in order.
 */
export type EditKey =
  | { name: 'insert'; text: string }
  /** Alt (Meta) with a key no editing command uses, e.g. Alt-1 or Alt-A: for the screen around the field. */
  | { name: 'alt'; key: string }
  | {
      name:
        | 'left'
        | 'right'
        | 'home'
        | 'end'
        | 'wordLeft'
        | 'wordRight'
        | 'backspace'
        | 'delete'
        | 'killWordBack'
        | 'killWordForward'
        | 'killToEnd'
        | 'killToStart'
        | 'newline'
        | 'enter'
        | 'tab'
        | 'shiftTab'
        | 'up'
        | 'down'
        /** Ctrl-P / Ctrl-N: Up / Down in a form, the previous / next room in the chat (as in irssi). */
        | 'previous'
        | 'next'
        | 'pageUp'
        | 'pageDown'
        | 'escape'
        | 'interrupt'
        | 'ignored';
    };

type Named = Exclude<EditKey, { name: 'insert' | 'alt' }>['name'];

/** Control characters as readline (and so bash, irssi, weechat) reads them. */
const CONTROL: Record<string, Named> = {
  '\r': 'enter',
  '\n': 'newline', // Ctrl-J
  '\t': 'tab',
  '\u007F': 'backspace', // what the Backspace key sends on most terminals
  '\b': 'backspace', // Ctrl-H, and Backspace on some terminals
  '\u0001': 'home', // Ctrl-A
  '\u0005': 'end', // Ctrl-E
  '\u0002': 'left', // Ctrl-B
  '\u0006': 'right', // Ctrl-F
  '\u0004': 'delete', // Ctrl-D
  '\u0017': 'killWordBack', // Ctrl-W
  '\u000B': 'killToEnd', // Ctrl-K
  '\u0015': 'killToStart', // Ctrl-U
  '\u0010': 'previous', // Ctrl-P
  '\u000E': 'next', // Ctrl-N
  '\u0003': 'interrupt', // Ctrl-C
};

/** ESC followed by one character: Alt (Meta) with that key. */
const ALT: Record<string, Named> = {
  b: 'wordLeft',
  B: 'wordLeft',
  f: 'wordRight',
  F: 'wordRight',
  d: 'killWordForward',
  '\r': 'newline', // Alt-Enter
  '\n': 'newline',
  '\u007F': 'killWordBack', // Alt-Backspace
  '\b': 'killWordBack',
};

const ARROWS: Record<string, Named> = { A: 'up', B: 'down', C: 'right', D: 'left', H: 'home', F: 'end' };
const TILDE: Record<string, Named> = {
  '1': 'home',
  '7': 'home',
  '4': 'end',
  '8': 'end',
  '3': 'delete',
  '5': 'pageUp',
  '6': 'pageDown',
};

export function decodeKeys(input: string): EditKey[] {
  if (input.startsWith('\u001B')) return [decodeEscape(input)];
  const keys: EditKey[] = [];
  let text = '';
  const chars = [...input];
  chars.forEach((c, i) => {
    const control = CONTROL[c];
    if (!control && c >= ' ' && !(c >= '\u0080' && c <= '\u009F')) {
      text += c;
      return;
    }
    if (text) keys.push({ name: 'insert', text });
    text = '';
    // CR LF from a pasted Windows line is one line break.
    if (c === '\n' && chars[i - 1] === '\r') return;
    keys.push({ name: control ?? 'ignored' });
  });
  if (text) keys.push({ name: 'insert', text });
  return keys;
}

function decodeEscape(seq: string): EditKey {
  // What follows the ESC: a CSI or SS3 sequence, another ESC and an arrow, or one Alt key.
  const rest = seq.slice(1);
  if (rest === '') return { name: 'escape' };
  if (rest === '[Z') return { name: 'shiftTab' };
  // Alt-arrow as some terminals send it: ESC, then the arrow.
  if (rest.startsWith('\u001B')) {
    const arrow = /^[[O]([CD])$/.exec(rest.slice(1));
    return { name: arrow ? (arrow[1] === 'C' ? 'wordRight' : 'wordLeft') : 'ignored' };
  }
  if ([...rest].length === 1) {
    const named = ALT[rest];
    if (named) return { name: named };
    return rest >= ' ' && rest !== '\u007F' ? { name: 'alt', key: rest.toLowerCase() } : { name: 'ignored' };
  }
  // CSI/SS3 arrows, Home and End, plain or with a modifier (ESC [ 1 ; 5 D is Ctrl-Left).
  const arrow = /^(?:\[(?:1;(\d+))?|O)([A-DHF])$/.exec(rest);
  if (arrow) {
    const name = ARROWS[arrow[2]!]!;
    const modifiers = Number(arrow[1] ?? 1) - 1;
    // Ctrl (4) or Alt (2) with Left/Right moves by word, as in most shells and editors.
    if (modifiers & 6 && (name === 'left' || name === 'right')) {
      return { name: name === 'left' ? 'wordLeft' : 'wordRight' };
    }
    return { name };
  }
  const tilde = /^\[(\d+)(?:;\d+)?~$/.exec(rest);
  if (tilde) return { name: TILDE[tilde[1]!] ?? 'ignored' };
  return { name: 'ignored' };
}
