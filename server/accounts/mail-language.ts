import * as users from '../store/users.js';
import type { UserRow } from '../store/users.js';
import type { Language } from '../../i18n/index.js';
import type { AccountsDeps } from './index.js';
import type { Authenticated } from './sessions.js';

/**
 * Chooses the language of the account's mails (`users.locale`), or forgets the choice (null:
 * English). Mails already queued keep the language they were written in; the next one is in the
 * new language. Returns the row as it now is.
 */
export async function setMailLanguage(
  deps: AccountsDeps,
  auth: Authenticated,
  locale: Language | null,
): Promise<UserRow> {
  // The update clears the credential cache (credential-cache.ts), so the next request's row has it.
  await users.setLocale(deps.db, auth.user.id, locale);
  // Read back rather than patched: the caller's row may come from that cache, a second old.
  return (await users.findById(deps.db, auth.user.id)) ?? { ...auth.user, locale };
}
