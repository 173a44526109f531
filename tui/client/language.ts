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
