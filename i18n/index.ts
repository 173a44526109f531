/**
 * The words of mux1 in every language it speaks: the message catalogs (one JSON file per language
 * and namespace under i18n/<language>/) and the choice of language. The server and the TUI both
 * read it, so like config/ it imports neither.
 *
 * i18next does the lookups: nested keys, `{{name}}` interpolation, and plurals by the CLDR rules of
 * each language through Intl.PluralRules (`key_one`, `key_other`, ... called with `{count}`).
 * Error `code`s never go through here: they are the contract, the same in every language.
 */
import i18next, { type i18n as I18n } from 'i18next';
import enCommon from './en/common.json' with { type: 'json' };
import enTui from './en/tui.json' with { type: 'json' };
import enCli from './en/cli.json' with { type: 'json' };
import enPage from './en/page.json' with { type: 'json' };
import enMail from './en/mail.json' with { type: 'json' };
import deCommon from './de/common.json' with { type: 'json' };
import deTui from './de/tui.json' with { type: 'json' };
import deCli from './de/cli.json' with { type: 'json' };
import dePage from './de/page.json' with { type: 'json' };
import deMail from './de/mail.json' with { type: 'json' };

/** The languages mux1 speaks, the first the default and the fallback. */
export const LANGUAGES = ['en', 'de'] as const;
export type Language = (typeof LANGUAGES)[number];
export const DEFAULT_LANGUAGE: Language = 'en';

/**
 * A catalog per audience: `common` holds what several share (error texts by code, language names),
 * the others belong to one door each. docs/architecture.md says which sources read which.
 */
export const NAMESPACES = ['common', 'tui', 'cli', 'page', 'mail'] as const;
export type Namespace = (typeof NAMESPACES)[number];

/** A catalog as stored: nested objects whose leaves are texts. */
export interface Catalog {
  [key: string]: string | Catalog;
}

export const CATALOGS: Record<Language, Record<Namespace, Catalog>> = {
  en: { common: enCommon, tui: enTui, cli: enCli, page: enPage, mail: enMail },
  de: { common: deCommon, tui: deTui, cli: deCli, page: dePage, mail: deMail },
};

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

/** Looks a text up by key, `{{name}}` filled from `values`; `count` picks the plural form. */
export type Translate = (key: string, values?: Record<string, unknown>) => string;

let instance: I18n | undefined;

/**
 * One i18next instance for the process, with every catalog loaded synchronously at first use (they
 * are a few kilobytes, bundled with the code: no files to find at run time, no waiting).
 */
function shared(): I18n {
  if (instance) return instance;
  const created = i18next.createInstance();
  void created.init({
    resources: CATALOGS,
    lng: DEFAULT_LANGUAGE,
    fallbackLng: DEFAULT_LANGUAGE,
    supportedLngs: [...LANGUAGES],
    ns: [...NAMESPACES],
    defaultNS: 'common',
    initAsync: false,
    returnNull: false,
    // Texts go to terminals, mail bodies and the page's textContent, never into HTML unescaped:
    // escaping here would show "&amp;" in a terminal. The mail's HTML part escapes for itself.
    interpolation: { escapeValue: false },
  });
  instance = created;
  return created;
}

/**
 * The texts of one namespace in one language. Keys of another namespace are reached with its
 * prefix, e.g. `t('common:errors.rate_limited')`.
 */
export function translator(language: Language, namespace: Namespace): Translate {
  const fixed = shared().getFixedT(language, namespace);
  return (key, values) => fixed(key, values ?? {}) as string;
}
