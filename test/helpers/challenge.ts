import type { ChallengeBody } from '../../server/protocol.js';
import { solveChallenge } from '../../tui/client/challenge.js';

/** A fresh challenge from `GET /api/challenge`, solved: for a socket `authenticate` or an X-Altcha header. */
export async function solvedChallenge(url: string): Promise<string> {
  const res = await fetch(`${url}/api/challenge`);
  if (res.status !== 200) throw new Error(`GET /api/challenge answered ${res.status}`);
  return solveChallenge((await res.json()) as ChallengeBody);
}
