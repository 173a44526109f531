import type { Draft } from './line-editor.js';

/** What Tab can complete to. */
export interface CompletionSources {
  /** Nicks of the room's members. */
  nicks: readonly string[];
  /** Slash commands, with their slash. */
  commands: readonly string[];
  /** Room names, without '#'. */
  rooms: readonly string[];
}

/** A completion in progress: repeated Tabs replace `inserted` with the next match. */
export interface Completion {
  start: number;
  inserted: string;
  matches: string[];
  index: number;
}

/**
 * Tab as irssi and weechat have it: the word before the cursor completes to a slash command at
 * the start of the line, to a room after '#' or `/join `, and otherwise to a nick of the room
 * (`nick: ` at the start of a line, `@nick` keeps its '@'). Returns undefined when nothing matches.
 */
export function complete(
  d: Draft,
  sources: CompletionSources,
): { draft: Draft; state: Completion } | undefined {
  const chars = [...d.value];
  let start = d.cursor;
  while (start > 0 && !/\s/u.test(chars[start - 1]!)) start--;
  const word = chars.slice(start, d.cursor).join('');
  const before = chars.slice(0, start).join('');
  const lower = word.toLowerCase();
  const pick = (all: readonly string[], prefix: string, make: (x: string) => string) =>
    [...new Set(all)]
      .filter((x) => x.toLowerCase().startsWith(prefix.toLowerCase()))
      .sort()
      .map(make);

  let matches: string[];
  if (start === 0 && word.startsWith('/')) {
    matches = pick(sources.commands, lower, (c) => `${c} `);
  } else if (word.startsWith('#')) {
    matches = pick(sources.rooms, word.slice(1), (r) => `#${r} `);
  } else if (/^\/join\s+$/i.test(before)) {
    matches = pick(sources.rooms, word, (r) => `${r} `);
  } else if (word.startsWith('@') || /^\/msg\s+$/i.test(before)) {
    const at = word.startsWith('@') ? '@' : '';
    matches = pick(sources.nicks, word.slice(at.length), (n) => `${at}${n} `);
  } else {
    matches = pick(sources.nicks, word, (n) => (start === 0 ? `${n}: ` : `${n} `));
  }
  if (matches.length === 0) return undefined;
  return use(d, { start, inserted: word, matches, index: -1 });
}

/** The next match of a completion in progress, replacing the one Tab put in before. */
export function cycle(d: Draft, state: Completion): { draft: Draft; state: Completion } {
  return use(d, state);
}

function use(d: Draft, state: Completion): { draft: Draft; state: Completion } {
  const chars = [...d.value];
  const index = (state.index + 1) % state.matches.length;
  const next = state.matches[index]!;
  const removed = [...state.inserted].length;
  chars.splice(state.start, removed, ...next);
  const cursor = state.start + [...next].length;
  return { draft: { value: chars.join(''), cursor }, state: { ...state, inserted: next, index } };
}
