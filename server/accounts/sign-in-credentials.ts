import type { Knex } from 'knex';
import { AppError } from '../errors.js';
import * as audit from '../store/audit.js';
import * as outbox from '../store/outbox.js';
import * as identities from '../store/identities.js';
import * as passkeys from '../store/passkeys.js';
import * as sshKeys from '../store/ssh-keys.js';
import { lockUser } from '../store/access-tokens.js';
import type { OutgoingMail } from '../store/outbox.js';
import type { Recipient } from '../mail/templates.js';
import { recipientNow } from './recipient.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/*
 * The credentials a person signs in with besides a password - passkeys (passkeys.ts) and SSH keys
 * (ssh-keys.ts) - are added the same way: within a per-user limit, never one that any account
 * holds already, the owner mailed (so one planted with a stolen session is seen) and the change
 * audited, all in one transaction. They, and identities (identities.ts), are removed the same way
 * too: never the account's last way to sign in.
 */

export interface NewCredential {
  /** The most one user may hold, how many the user holds, and the refusal past it. */
  maxPerUser: number;
  countOfUser(trx: Knex, userId: number): Promise<number>;
  tooMany(): AppError;
  /** Whether any account holds this credential already, and the refusal when one does. */
  registered(db: Knex): Promise<boolean>;
  taken(): AppError;
  insert(trx: Knex): Promise<void>;
  /** When it is added (its row's created_at), and the mail telling its owner. */
  at: number;
  mail: (recipient: Recipient) => OutgoingMail;
  event: audit.AuditType;
}

/**
 * Stores a new credential of `user`'s. The user's row is held until the end (lockUser), so two
 * adds at once take turns and cannot both pass the limit; two adds of one credential at once, by
 * two users, meet the table's unique index, and the loser is told it is taken.
 */
export async function addSignInCredential(
  deps: AccountsDeps,
  user: { id: number; email: string; username: string },
  credential: NewCredential,
  meta: RequestMeta,
): Promise<void> {
  const now = credential.at;
  await deps.db.transaction(async (trx) => {
    await lockUser(trx, user.id);
    if ((await credential.countOfUser(trx, user.id)) >= credential.maxPerUser) throw credential.tooMany();
    if (await credential.registered(trx)) throw credential.taken();
    try {
      await credential.insert(trx);
    } catch (err) {
      if (await credential.registered(deps.db)) throw credential.taken();
      throw err;
    }
    await outbox.enqueue(trx, credential.mail(await recipientNow(trx, user)), now);
    await audit.record(trx, credential.event, user.id, now, meta);
  });
  deps.mailQueued();
}

/**
 * The ways the account can sign in: its password, unless it was made through an identity
 * provider and never set one (users.password_unset), and each identity, passkey and SSH key.
 */
async function waysToSignIn(trx: Knex, userId: number): Promise<number> {
  // One after another: a transaction is one connection.
  let ways = (await identities.hasPassword(trx, userId)) ? 1 : 0;
  ways += await identities.countIdentities(trx, userId);
  ways += await passkeys.countOfUser(trx, userId);
  return ways + (await sshKeys.countOfUser(trx, userId));
}

export interface RemovedCredential {
  /** Deletes it if it is the user's; false when the user has none by that id. */
  remove(trx: Knex): Promise<boolean>;
  gone(): AppError;
  event: audit.AuditType;
}

/**
 * Removes an identity, a passkey or an SSH key of `user`'s (404 when the user has none by that
 * id), unless it is the last way to sign in: then 409 `last_sign_in_method`, and it stays. The
 * user's row is held (lockUser), so two removals at once, of two last ways, cannot both pass.
 */
export async function removeSignInCredential(
  deps: AccountsDeps,
  user: { id: number },
  credential: RemovedCredential,
  meta: RequestMeta,
): Promise<void> {
  await deps.db.transaction(async (trx) => {
    await lockUser(trx, user.id);
    if (!(await credential.remove(trx))) throw credential.gone();
    // Counted after the removal, which throwing here takes back with the transaction.
    if ((await waysToSignIn(trx, user.id)) === 0) {
      throw new AppError(
        'last_sign_in_method',
        'this is the only way to sign in to your account: add another (a passkey, an SSH key, a linked identity) or set a password first (forgot password mails a code)',
      );
    }
    await audit.record(trx, credential.event, user.id, deps.clock.now(), meta);
  });
}
