import type { ChallengeBody, ChallengeRequiredBody } from '../../server/protocol.js';

/** True for the server's 428 answer that carries a proof-of-work challenge to solve. */
export function isChallengeRequired(body: unknown): body is ChallengeRequiredBody {
  const b = body as Partial<ChallengeRequiredBody> | null;
  return (
    typeof b === 'object' &&
    b !== null &&
    b.code === 'challenge_required' &&
    typeof b.challenge === 'object' &&
    b.challenge !== null &&
    typeof b.challenge.challenge === 'string'
  );
}

/**
 * Solves an ALTCHA challenge with altcha-lib (about a second of CPU at the server's default)
 * and returns what goes in the X-Altcha header or the `altcha` field. altcha-lib is loaded
 * only here, so commands that are never challenged do not pay for it at start-up.
 */
export async function solveChallenge(challenge: ChallengeBody): Promise<string> {
  const { solveChallenge: solve } = await import('altcha-lib/v1');
  const solution = await solve(challenge.challenge, challenge.salt, challenge.algorithm, challenge.maxnumber)
    .promise;
  if (!solution) throw new Error('the proof-of-work challenge has no solution; the server sent a bad one');
  const payload = {
    algorithm: challenge.algorithm,
    challenge: challenge.challenge,
    number: solution.number,
    salt: challenge.salt,
    signature: challenge.signature,
  };
  return Buffer.from(JSON.stringify(payload)).toString('base64');
}
