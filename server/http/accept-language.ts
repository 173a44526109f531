import type { Context } from 'koa';
import { LANGUAGES, languageOf, type Language } from '../../i18n/index.js';

/**
 * The language mux1 speaks that the request's Accept-Language prefers (quality values and
 * regional tags counted: "de-DE" asks for "de"), or null when the header names none of them.
 * Koa answers the first language offered for a missing header or a bare "*", which is no choice:
 * only a language the header names counts.
 */
export function acceptedLanguage(ctx: Context): Language | null {
  const chosen = ctx.acceptsLanguages(...LANGUAGES);
  if (chosen === false) return null;
  const named = ctx.acceptsLanguages().map((tag) => languageOf(tag));
  return named.includes(chosen as Language) ? (chosen as Language) : null;
}
