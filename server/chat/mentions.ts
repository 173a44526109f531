import { CHAT, LIMITS } from '../protocol.js';

// `@name` not glued to a word before it (an email address is no mention).
const MENTION = new RegExp(
  `(?<![a-z0-9_.@-])@([a-z0-9_.-]{${LIMITS.usernameMin},${LIMITS.usernameMax}})`,
  'gi',
);

/**
 * The usernames a text may mention, lower-cased as usernames are stored. A name may end with
 * the full stop of a sentence ("thanks @bob."), so both spellings are candidates; whichever
 * names a user is the mention. At most CHAT.mentionsMax names, so a text of a thousand `@`s costs
 * one small lookup.
 */
export function mentionCandidates(text: string): string[] {
  // Most messages hold no `@`: asked on every message, answered without the regex's iterator.
  if (!text.includes('@')) return [];
  const names = new Set<string>();
  for (const match of text.matchAll(MENTION)) {
    const name = match[1]!.toLowerCase();
    names.add(name);
    const trimmed = name.replace(/[.-]+$/, '');
    if (trimmed.length >= LIMITS.usernameMin) names.add(trimmed);
    if (names.size >= CHAT.mentionsMax * 2) break;
  }
  return [...names];
}
