import type { Hook } from '@oclif/core';
import { writeFailure } from '../errors.js';
import { cliTexts, englishTexts, type Words } from '../texts.js';

/**
 * Replaces @oclif/plugin-not-found, which names its suggestion only in an interactive prompt and
 * exits 127: here the suggestion is printed for scripts too, and an unknown command is a usage
 * error (exit 2) like any other, as JSON with --json.
 */
const hook: Hook.CommandNotFound = async function (options) {
  const { config, id } = options;
  const bin = config.bin;
  const spaced = (commandId: string) => commandId.replaceAll(':', config.topicSeparator);
  const visible = config.commands.filter((c) => !c.hidden).flatMap((c) => [c.id, ...c.aliases]);
  const suggestion = nearest(id, visible);
  const values = { command: spaced(id), bin, suggestion: suggestion ? `${bin} ${spaced(suggestion)}` : '' };
  const words: Words = (t) =>
    suggestion ? t('notFound.withSuggestion', values) : t('notFound.plain', values);
  const message = words(englishTexts);
  const argv = options.argv ?? [];
  const end = argv.indexOf('--');
  const json = (end === -1 ? argv : argv.slice(0, end)).includes('--json');
  const body = {
    error: message,
    code: 'unknown_command',
    ...(suggestion ? { suggestion: spaced(suggestion) } : {}),
  };
  writeFailure({ body, text: words(cliTexts()) }, json);
  this.exit(2);
};

export default hook;

/** The candidate closest to `word`, unless even that one shares too little to be a typo. */
function nearest(word: string, candidates: string[]): string | undefined {
  let best: { candidate: string; distance: number } | undefined;
  for (const candidate of candidates) {
    const distance = editDistance(word, candidate);
    if (!best || distance < best.distance) best = { candidate, distance };
  }
  if (!best) return undefined;
  return best.distance <= Math.max(2, Math.floor(best.candidate.length / 2)) ? best.candidate : undefined;
}

/** Edit distance, for "did you mean"; command lists are short, so the plain algorithm will do. */
function editDistance(a: string, b: string): number {
  let previous = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    const current = [i];
    for (let j = 1; j <= b.length; j++) {
      const substitution = previous[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1);
      current[j] = Math.min(previous[j]! + 1, current[j - 1]! + 1, substitution);
    }
    previous = current;
  }
  return previous[b.length]!;
}
