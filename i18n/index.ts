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
import { DEFAULT_LANGUAGE, LANGUAGES, type Language } from './language.js';
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

export {
  DEFAULT_LANGUAGE,
  isLanguage,
  LANGUAGES,
  languageFromEnv,
  languageOf,
  type Language,
  type TerminalLanguage,
} from './language.js';

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
