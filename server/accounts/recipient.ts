import type { Knex } from 'knex';
import * as users from '../store/users.js';
import type { UserRow } from '../store/users.js';
import type { Recipient } from '../mail/templates.js';

/**
 * The account as a mail's recipient, its language read in the transaction that queues the mail.
 * A signed-in request's row may come from the credential cache, up to a second old, and another
 * server process may have changed the language in that second; the outbox keeps the finished
 * text, so the language must be the one stored when the mail is queued.
 */
export async function recipientNow(
  trx: Knex,
  user: Pick<UserRow, 'id' | 'email' | 'username'>,
): Promise<Recipient> {
  return { email: user.email, username: user.username, locale: await users.findLocale(trx, user.id) };
}
