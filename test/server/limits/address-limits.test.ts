import { expect } from 'chai';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { ask } from '../../helpers/sockets.js';
import { useServer } from '../../helpers/fixture.js';

/** Each test speaks from its own address (TRUST_PROXY on), so the budgets do not mix. */
let lastOctet = 0;
const newAddress = () => `198.51.100.${++lastOctet}`;
const from = (ip: string) => ({ 'x-forwarded-for': ip });

const retryAfter = (res: { headers: Headers }) => Number(res.headers.get('retry-after'));

describe('abuse limits per client address', () => {
  const users = async () => Number((await t.db('users').count({ n: '*' }))[0]!.n);
  const t = useServer({
    env: {
      TRUST_PROXY: '1',
      LIMIT_SIGNUPS_PER_10MIN: '4',
      LIMIT_FAILED_LOGINS_PER_10MIN: '6',
    },
  });

  describe('signups', () => {
    it('accepts LIMIT_SIGNUPS_PER_10MIN signups from one address, then 429 with Retry-After and nothing stored', async () => {
      const ip = newAddress();
      for (let i = 0; i < 4; i++) {
        expect((await t.api('POST', '/api/signup', newPerson('cap'), from(ip))).status).to.equal(201);
      }
      const before = await users();
      const res = await t.api('POST', '/api/signup', newPerson('cap'), from(ip));
      expectError(res, 429, 'rate_limited');
      expect(retryAfter(res)).to.be.within(590, 600);
      expect(res.body.retry_after_s).to.equal(retryAfter(res));
      expect(await users()).to.equal(before);
      // Another address is not affected.
      expect((await t.api('POST', '/api/signup', newPerson('cap'), from(newAddress()))).status).to.equal(201);
    });

    it('does not count signups refused for their fields or a taken username', async () => {
      const ip = newAddress();
      const taken = newPerson('taken');
      expect((await t.api('POST', '/api/signup', taken, from(ip))).status).to.equal(201);
      for (let i = 0; i < 6; i++) {
        expectError(
          await t.api('POST', '/api/signup', { ...newPerson('bad'), email: 'nope' }, from(ip)),
          400,
          'invalid_field',
        );
        expectError(
          await t.api('POST', '/api/signup', { ...newPerson('dup'), username: taken.username }, from(ip)),
          409,
          'username_taken',
        );
      }
      for (let i = 0; i < 3; i++) {
        expect((await t.api('POST', '/api/signup', newPerson('ok'), from(ip))).status).to.equal(201);
      }
    });
  });

  describe('failed logins', () => {
    const fail = (ip: string, who = 'nobody-here') =>
      t.api('POST', '/api/login', { username: who, password: 'wrong-password' }, from(ip));

    it('refuses logins from an address past LIMIT_FAILED_LOGINS_PER_10MIN failures with 429, right password or not', async () => {
      const p = newPerson('victim');
      expect((await t.api('POST', '/api/signup', p, from(newAddress()))).status).to.equal(201);
      await t.db('users').where({ username: p.username }).update({ email_verified_at: Date.now() });
      const ip = newAddress();
      for (let i = 0; i < 6; i++) expectError(await fail(ip, `nobody${i}`), 401, 'invalid_credentials');
      const res = await t.api('POST', '/api/login', { username: p.username, password: p.password }, from(ip));
      expectError(res, 429, 'rate_limited');
      expect(retryAfter(res)).to.be.within(590, 600);
      expect(res.body.token).to.equal(undefined);
      // The refused attempt changed nothing about the account: from elsewhere it logs in.
      const elsewhere = await t.api(
        'POST',
        '/api/login',
        { username: p.username, password: p.password },
        from(newAddress()),
      );
      expect(elsewhere.status).to.equal(200);
    });

    it('does not count good logins against the address', async () => {
      const p = newPerson('regular');
      const ip = newAddress();
      expect((await t.api('POST', '/api/signup', p, from(ip))).status).to.equal(201);
      await t.db('users').where({ username: p.username }).update({ email_verified_at: Date.now() });
      for (let i = 0; i < 10; i++) {
        const res = await t.api(
          'POST',
          '/api/login',
          { username: p.username, password: p.password },
          from(ip),
        );
        expect(res.status).to.equal(200);
      }
    });

    it('applies the same budget to Socket.IO authenticate: {ok:false, code:"rate_limited"}', async () => {
      const ip = newAddress();
      for (let i = 0; i < 6; i++) expectError(await fail(ip, `ghost${i}`), 401, 'invalid_credentials');
      const { socket } = await t.connect({ extraHeaders: from(ip) });
      const ack = await ask(socket, 'authenticate', { username: 'ghost', password: 'wrong-password' });
      expect(ack).to.include({ ok: false, code: 'rate_limited' });
      expect(ack.retry_after_s).to.be.within(590, 600);
    });

    it('counts failures over Socket.IO toward the REST budget', async () => {
      const ip = newAddress();
      const { socket } = await t.connect({ extraHeaders: from(ip) });
      // The socket's own budget allows 5 attempts a minute; 3 stay below the challenge.
      for (let i = 0; i < 3; i++) {
        const ack = await ask(socket, 'authenticate', { username: `sock${i}`, password: 'wrong-password' });
        expect(ack.code).to.equal('invalid_credentials');
      }
      for (let i = 0; i < 3; i++) expectError(await fail(ip, `rest${i}`), 401, 'invalid_credentials');
      expectError(await fail(ip), 429, 'rate_limited');
    });
  });

  describe('password forgot', () => {
    const forgot = (email: string, ip: string) => t.api('POST', '/api/password/forgot', { email }, from(ip));

    it('answers 5 requests per email per hour, then 429 with Retry-After, counted apart from resend', async () => {
      const email = newPerson('forgot').email;
      for (let i = 0; i < 5; i++) expect((await forgot(email, newAddress())).status).to.equal(200);
      const res = await forgot(email, newAddress());
      expectError(res, 429, 'rate_limited');
      expect(retryAfter(res)).to.be.within(3590, 3600);
      expect(
        (await t.api('POST', '/api/resend-verification', { email }, from(newAddress()))).status,
      ).to.equal(200);
    });

    it('answers 20 requests per address per hour, then 429', async () => {
      const ip = newAddress();
      for (let i = 0; i < 20; i++) expect((await forgot(newPerson('lost').email, ip)).status).to.equal(200);
      expectError(await forgot(newPerson('lost').email, ip), 429, 'rate_limited');
    });
  });

  describe('resend-verification', () => {
    const resend = (email: string, ip: string) =>
      t.api('POST', '/api/resend-verification', { email }, from(ip));

    it('answers 5 requests per email per hour, then 429 with Retry-After, from any address', async () => {
      const email = newPerson('resend').email;
      for (let i = 0; i < 5; i++) expect((await resend(email, newAddress())).status).to.equal(200);
      const res = await resend(email, newAddress());
      expectError(res, 429, 'rate_limited');
      expect(retryAfter(res)).to.be.within(3590, 3600);
      // Case and spaces do not make another email.
      expectError(await resend(`  ${email.toUpperCase()}`, newAddress()), 429, 'rate_limited');
    });

    it('answers 20 requests per address per hour, then 429, and a refused request spends nothing', async () => {
      const ip = newAddress();
      for (let i = 0; i < 20; i++) expect((await resend(newPerson('many').email, ip)).status).to.equal(200);
      const email = newPerson('spare').email;
      expectError(await resend(email, ip), 429, 'rate_limited');
      // The refusal did not spend that email's budget.
      for (let i = 0; i < 5; i++) expect((await resend(email, newAddress())).status).to.equal(200);
    });
  });
});
