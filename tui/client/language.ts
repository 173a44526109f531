import { languageFromEnv, translator, type Namespace, type Translate } from '../../i18n/index.js';

/**
 * The language of this terminal, read once from MUX1_LANG, LC_ALL, LC_MESSAGES and LANG (see
 * i18n/index.ts): the TUI, the CLI's messages and the Accept-Language the clients send all follow it.
 */
export const terminal = languageFromEnv();

const translators = new Map<Namespace, Translate>();

/** The texts of a namespace in the terminal's language (`tui` for the app, `cli` for commands). */
export function textsOf(namespace: Namespace): Translate {
  let t = translators.get(namespace);
  if (!t) translators.set(namespace, (t = translator(terminal.language, namespace)));
  return t;
}

/**
 * What a person is shown for a failure. In English, the words it came with: the server's are
 * English and name the detail (which field, how long to wait). In another language, the catalog's
 * text for its code (`common:errors.<code>`), which says the same without the server's detail; a
 * code the catalog lacks (a newer server's) keeps the server's words.
 */
export function describeFailure(failure: { code: string; message: string }): string {
  if (terminal.language === 'en') return failure.message;
  const key = `errors.${failure.code}`;
  const text = textsOf('common')(key);
  return text === key ? failure.message : text;
}
