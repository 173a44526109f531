import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { CHALLENGE_HEADER, type ChallengeBody } from '../../../server/protocol.js';
import { solveChallenge } from '../../../tui/client/challenge.js';
import { newPerson, type Person } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { ask } from '../../helpers/sockets.js';
import { useServer } from '../../helpers/fixture.js';

let lastOctet = 0;
const newAddress = () => `203.0.113.${++lastOctet}`;
const from = (ip: string, extra: Record<string, string> = {}) => ({ 'x-forwarded-for': ip, ...extra });

/** The 428 answer, with the challenge it carries checked for shape. */
function expectChallenge(res: { status: number; body: any }): ChallengeBody {
  expectError(res, 428, 'challenge_required');
  const c = res.body.challenge as ChallengeBody;
  expect(c.algorithm).to.equal('SHA-256');
  expect(c.challenge).to.match(/^[0-9a-f]{64}$/);
  expect(c.signature).to.match(/^[0-9a-f]{64}$/);
  expect(c.maxnumber).to.equal(1000);
  return c;
}

describe('proof-of-work challenge (ALTCHA)', () => {
  const clock = manualClock(Date.now());

  const login = (who: string, password: string, ip: string, extra: Record<string, string> = {}) =>
    t.rawApi('POST', '/api/login', { username: who, password }, from(ip, extra));
  /** Three wrong passwords for `who`, each from its own address, so only the account counts. */
  const failThrice = async (who: string) => {
    for (let i = 0; i < 3; i++)
      expectError(await login(who, 'wrong-password', newAddress()), 401, 'invalid_credentials');
  };
  const verified = async (): Promise<Person> => {
    const p = newPerson('pow');
    expect((await t.api('POST', '/api/signup', p, from(newAddress()))).status).to.equal(201);
    await t.db('users').where({ username: p.username }).update({ email_verified_at: Date.now() });
    return p;
  };

  const t = useServer({ env: { TRUST_PROXY: '1', LIMIT_SIGNUPS_PER_10MIN: '4' }, overrides: { clock } });

  it('hands out a challenge at GET /api/challenge, never cached', async () => {
    const res = await t.rawApi('GET', '/api/challenge');
    expect(res.status).to.equal(200);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    expect(res.body).to.have.keys(['algorithm', 'challenge', 'maxnumber', 'salt', 'signature']);
  });

  it('asks for a challenge after 3 failed logins for an account, from any address, and accepts a solved one', async () => {
    const p = await verified();
    await failThrice(p.username);
    const challenge = expectChallenge(await login(p.username, p.password, newAddress()));
    const solved = await solveChallenge(challenge);
    const res = await login(p.username, p.password, newAddress(), { [CHALLENGE_HEADER]: solved });
    expect(res.status).to.equal(200);
    // The good login ended the run of failures: no challenge for the next attempt.
    expectError(await login(p.username, 'wrong-password', newAddress()), 401, 'invalid_credentials');
  });

  it('treats a name without an account like one with: a challenge after 3 failures too', async () => {
    const name = `nobody${Date.now()}`;
    await failThrice(name);
    expectChallenge(await login(name, 'wrong-password', newAddress()));
  });

  it('asks for a challenge after 3 failed logins from an address, whatever the account', async () => {
    const p = await verified();
    const ip = newAddress();
    for (let i = 0; i < 3; i++) {
      expectError(await login(`someone${i}`, 'wrong-password', ip), 401, 'invalid_credentials');
    }
    expectChallenge(await login(p.username, p.password, ip));
    expect((await login(p.username, p.password, newAddress())).status).to.equal(200);
  });

  it('asks for a challenge for signups past half the address budget', async () => {
    const ip = newAddress();
    for (let i = 0; i < 2; i++) {
      expect((await t.rawApi('POST', '/api/signup', newPerson('half'), from(ip))).status).to.equal(201);
    }
    const p = newPerson('half');
    const challenge = expectChallenge(await t.rawApi('POST', '/api/signup', p, from(ip)));
    expect(await t.db('users').where({ username: p.username }).first()).to.equal(undefined);
    const solved = await solveChallenge(challenge);
    const res = await t.rawApi('POST', '/api/signup', p, from(ip, { [CHALLENGE_HEADER]: solved }));
    expect(res.status).to.equal(201);
  });

  it('refuses a wrong, reused, expired or garbled solution with a new challenge, never a 5xx', async () => {
    const p = await verified();
    await failThrice(p.username);
    const challenge = expectChallenge(await login(p.username, p.password, newAddress()));
    const solved = await solveChallenge(challenge);
    const payload = JSON.parse(Buffer.from(solved, 'base64').toString());
    const wrong = Buffer.from(JSON.stringify({ ...payload, number: payload.number + 1 })).toString('base64');
    const forged = Buffer.from(JSON.stringify({ ...payload, signature: 'f'.repeat(64) })).toString('base64');
    for (const bad of [
      wrong,
      forged,
      'not base64 at all!',
      Buffer.from('[1,2]').toString('base64'),
      'x'.repeat(3000),
    ]) {
      const again = expectChallenge(
        await login(p.username, p.password, newAddress(), { [CHALLENGE_HEADER]: bad }),
      );
      expect(again.challenge).to.not.equal(challenge.challenge);
    }
    expect(
      (await login(p.username, p.password, newAddress(), { [CHALLENGE_HEADER]: solved })).status,
    ).to.equal(200);
    // One solution, one request.
    await failThrice(p.username);
    expectChallenge(await login(p.username, p.password, newAddress(), { [CHALLENGE_HEADER]: solved }));

    const late = await solveChallenge(expectChallenge(await login(p.username, p.password, newAddress())));
    clock.advance(6 * 60_000);
    expectChallenge(await login(p.username, p.password, newAddress(), { [CHALLENGE_HEADER]: late }));
  });

  it('asks over Socket.IO too: {ok:false, code:"challenge_required", challenge}, then accepts `altcha`', async () => {
    const p = await verified();
    await failThrice(p.username);
    const { socket } = await t.connect({ extraHeaders: from(newAddress()) });
    const refused = await ask(socket, 'authenticate', { username: p.username, password: p.password });
    expect(refused).to.include({ ok: false, code: 'challenge_required' });
    const altcha = await solveChallenge(refused.challenge);
    const ack = await ask(socket, 'authenticate', { username: p.username, password: p.password, altcha });
    expect(ack.ok).to.equal(true);
    expect(ack.user.username).to.equal(p.username);
  });
});
