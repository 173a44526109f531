/**
 * The choice of language, apart from the catalogs and i18next: `mux1 --help` reads it on every tab
 * completion and typo, and must not pay for loading every text of every door.
 */

/** The languages mux1 speaks, the first the default and the fallback. */
export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

export const isLanguage = (value: unknown): value is Language =>
  typeof value === 'string' && (LANGUAGES as readonly string[]).includes(value);

/**
 * The language a tag names, if mux1 speaks it: BCP 47 ("de", "de-AT") and POSIX locale names
 * ("de_DE.UTF-8", "de_CH@euro") alike, by their primary subtag. "C", "POSIX" and languages mux1
 * does not speak give undefined.
 */
export function languageOf(tag: string | null | undefined): Language | undefined {
  if (typeof tag !== 'string') return undefined;
  const primary = tag
    .trim()
    .toLowerCase()
    .split(/[-_.@]/, 1)[0];
  return isLanguage(primary) ? primary : undefined;
}

/** What the terminal asked for, and an explicit MUX1_LANG that could not be honoured. */
export interface TerminalLanguage {
  language: Language;
  /** MUX1_LANG's value when mux1 does not speak it (the CLI says so once, then goes on). */
  unsupported?: string;
}

/**
 * The terminal's language: MUX1_LANG first (set for mux1 alone), then the POSIX order of LC_ALL,
 * LC_MESSAGES and LANG. The first variable that is set decides, as in POSIX; a language mux1 does not
 * speak there means English, not a guess from the next variable - except MUX1_LANG, which is asked
 * for mux1 and reported when refused.
 */
export function languageFromEnv(env: NodeJS.ProcessEnv = process.env): TerminalLanguage {
  const asked = env.MUX1_LANG?.trim();
  let unsupported: string | undefined;
  if (asked) {
    const language = languageOf(asked);
    if (language) return { language };
    unsupported = asked.slice(0, 40);
  }
  const posix = [env.LC_ALL, env.LC_MESSAGES, env.LANG].find((value) => value?.trim());
  const language = languageOf(posix) ?? DEFAULT_LANGUAGE;
  return unsupported === undefined ? { language } : { language, unsupported };
}
