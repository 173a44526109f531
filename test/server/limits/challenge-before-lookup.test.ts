import { expect } from 'chai';
import { CHALLENGE_HEADER, type ChallengeBody } from '../../../server/protocol.js';
import { readerOf } from '../../../server/store/db.js';
import { solveChallenge } from '../../../tui/client/challenge.js';
import type { Person } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';

let lastOctet = 0;
const newAddress = () => `198.18.7.${++lastOctet}`;
const from = (ip: string, extra: Record<string, string> = {}) => ({ 'x-forwarded-for': ip, ...extra });

/**
 * The challenge an address owes is asked for before the account is looked up, so a flood of
 * logins without solutions (each gives its address point back) costs no database query; a
 * locked account is still looked up first and refused 429 without a challenge.
 */
describe('login: the challenge an address owes comes before the account lookup', () => {
  const t = useServer({ mail: true, env: { TRUST_PROXY: '1' } });

  const login = (who: string, password: string, ip: string, extra: Record<string, string> = {}) =>
    t.rawApi('POST', '/api/login', { username: who, password }, from(ip, extra));
  /** An address with 3 ended failures: from now on it owes a challenge. */
  const owingAddress = async (): Promise<string> => {
    const ip = newAddress();
    for (let i = 0; i < 3; i++) {
      expectError(await login(`nobody${lastOctet}x${i}`, 'wrong-password', ip), 401, 'invalid_credentials');
    }
    return ip;
  };
  /** The statements both connections (writer and readers) ran while `work` did. */
  const queriesDuring = async (work: () => Promise<void>): Promise<string[]> => {
    const seen: string[] = [];
    const listen = (q: { sql: string }) => seen.push(q.sql);
    const dbs = [...new Set([t.db, readerOf(t.db)])];
    for (const db of dbs) db.on('query', listen);
    try {
      await work();
    } finally {
      for (const db of dbs) db.off('query', listen);
    }
    return seen;
  };

  it('answers 428 without looking the account up, by username or by email', async () => {
    const p: Person = await t.verifiedPerson('owes');
    const ip = await owingAddress();
    for (const id of [p.username, p.email, 'nosuchname']) {
      const sql = await queriesDuring(async () => {
        expectError(await login(id, p.password, ip), 428, 'challenge_required');
      });
      expect(
        sql.filter((s) => /\busers\b/.test(s)),
        id,
      ).to.deep.equal([]);
    }
  });

  it('then accepts a solved challenge and logs in, without asking for a second one', async () => {
    const p = await t.verifiedPerson('solves');
    const ip = await owingAddress();
    const res = await login(p.username, p.password, ip);
    const solved = await solveChallenge(res.body.challenge as ChallengeBody);
    const ok = await login(p.username, p.password, ip, { [CHALLENGE_HEADER]: solved });
    expect(ok.status).to.equal(200);
    expect(ok.body.token).to.be.a('string');
  });

  it('still refuses a locked account 429 without a challenge, by username and by email', async () => {
    const p = await t.verifiedPerson('lockedowes');
    // Locked from fresh addresses (a challenge is solved for each try past the account's third).
    for (let i = 0; i < 5; i++) {
      const ip = newAddress();
      let res = await login(p.username, 'wrong-password', ip);
      if (res.status === 428) {
        const solved = await solveChallenge(res.body.challenge as ChallengeBody);
        res = await login(p.username, 'wrong-password', ip, { [CHALLENGE_HEADER]: solved });
      }
      expectError(res, 401, 'invalid_credentials');
    }
    const ip = await owingAddress();
    expectError(await login(p.username, p.password, ip), 429, 'too_many_attempts');
    expectError(await login(p.email, p.password, ip), 429, 'too_many_attempts');
  });

  it('refuses a locked name without an account 429 without a challenge too', async () => {
    const name = `lockedname${Date.now()}`;
    for (let i = 0; i < 5; i++) {
      const ip = newAddress();
      let res = await login(name, 'wrong-password', ip);
      if (res.status === 428) {
        const solved = await solveChallenge(res.body.challenge as ChallengeBody);
        res = await login(name, 'wrong-password', ip, { [CHALLENGE_HEADER]: solved });
      }
      expectError(res, 401, 'invalid_credentials');
    }
    expectError(await login(name, 'wrong-password', await owingAddress()), 429, 'too_many_attempts');
  });
});
