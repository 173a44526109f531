import { randomBytes } from 'node:crypto';
import { PASSKEYS } from '../protocol.js';
import * as store from '../store/passkeys.js';
import type { ChallengePurpose, PasskeyChallengeRow } from '../store/passkeys.js';
import type { AccountsDeps } from './index.js';

/*
 * The challenges a passkey ceremony signs, kept on the server: each is for one purpose (and for
 * registration, one user), lives PASSKEYS.challengeSeconds and works once, whatever the answer
 * that used it turned out to be. The browser carries only its id and the random challenge.
 */

/** Live challenges one owner (a user registering, an address signing in) may hold at once. */
const KEPT_PER_OWNER = 10;

export async function newPasskeyChallenge(
  deps: AccountsDeps,
  input: { purpose: ChallengePurpose; userId: number | null; ownerKey: string; challenge: string },
): Promise<PasskeyChallengeRow> {
  const now = deps.clock.now();
  const row: PasskeyChallengeRow = {
    id: `pkc_${randomBytes(16).toString('hex')}`,
    purpose: input.purpose,
    user_id: input.userId,
    owner_key: input.ownerKey,
    challenge: input.challenge,
    created_at: now,
    expires_at: now + PASSKEYS.challengeSeconds * 1000,
    used_at: null,
  };
  await store.insertChallenge(deps.db, row, KEPT_PER_OWNER);
  return row;
}

/**
 * The challenge named by `id` if it is for this purpose (and user), unexpired and unused; it is
 * used up by this call, before anything it signed is checked, so an answer is worth one try.
 */
export async function takeChallenge(
  deps: AccountsDeps,
  id: string,
  purpose: ChallengePurpose,
  userId: number | null,
): Promise<PasskeyChallengeRow | undefined> {
  const at = deps.clock.now();
  const row = await store.findChallenge(deps.db, id);
  if (!row || row.purpose !== purpose || row.user_id !== userId) return undefined;
  if (row.used_at !== null || row.expires_at <= at) return undefined;
  if (!(await store.useChallenge(deps.db, row.id, at))) return undefined;
  return row;
}
