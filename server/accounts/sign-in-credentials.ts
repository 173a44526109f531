import type { Knex } from 'knex';
import type { AppError } from '../errors.js';
import * as audit from '../store/audit.js';
import * as outbox from '../store/outbox.js';
import { lockUser } from '../store/access-tokens.js';
import type { OutgoingMail } from '../store/outbox.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/*
 * The credentials a person signs in with besides a password - passkeys (passkeys.ts) and SSH keys
 * (ssh-keys.ts) - are added the same way: within a per-user limit, never one that any account
 * holds already, the owner mailed (so one planted with a stolen session is seen) and the change
 * audited, all in one transaction.
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
  mail: OutgoingMail;
  event: audit.AuditType;
}

/**
 * Stores a new credential of `user`'s. The user's row is held until the end (lockUser), so two
 * adds at once take turns and cannot both pass the limit; two adds of one credential at once, by
 * two users, meet the table's unique index, and the loser is told it is taken.
 */
export async function addSignInCredential(
  deps: AccountsDeps,
  user: { id: number },
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
    await outbox.enqueue(trx, credential.mail, now);
    await audit.record(trx, credential.event, user.id, now, meta);
  });
  deps.mailQueued();
}
