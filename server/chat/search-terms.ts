import { CHAT } from '../protocol.js';

/**
 * A search query as words: runs of letters and digits, lower-cased, at most CHAT.searchTermsMax.
 * Everything else - FTS5 and tsquery operators, quotes, parentheses, `*`, `NEAR`, column filters
 * - is a separator, so no query can change the meaning of the search, and both databases get
 * the same words. Each word matches as a prefix ("dep" finds "deploy"); all words must match.
 */
export function searchTerms(query: string): string[] {
  const words = new Set<string>();
  for (const [word] of query
    .slice(0, CHAT.searchQueryMax)
    .toLowerCase()
    .matchAll(/[\p{L}\p{N}]+/gu)) {
    words.add(word);
    if (words.size === CHAT.searchTermsMax) break;
  }
  return [...words];
}
