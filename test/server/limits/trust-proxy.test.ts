import { expect } from 'chai';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer, type ServerFixture } from '../../helpers/fixture.js';

const xff = (value: string) => ({ 'x-forwarded-for': value });

/** The address recorded for the signup of `username` (audit trail). */
async function signupAddress(t: ServerFixture, username: string): Promise<string | null> {
  const user = await t.db('users').where({ username }).first();
  const row = await t.db('audit_events').where({ user_id: user.id, type: 'signup' }).first();
  return row.ip;
}

describe('TRUST_PROXY: which address the limits count', () => {
  describe('off (the default)', () => {
    const t = useServer({ env: { LIMIT_SIGNUPS_PER_10MIN: '3', LIMIT_SOCKETS_PER_ADDRESS: '2' } });

    it('ignores X-Forwarded-For: a client cannot pick a fresh address per request', async () => {
      for (let i = 0; i < 3; i++) {
        const p = newPerson('noproxy');
        expect((await t.api('POST', '/api/signup', p, xff(`192.0.2.${i}`))).status).to.equal(201);
        expect(await signupAddress(t, p.username)).to.equal('127.0.0.1');
      }
      expectError(
        await t.api('POST', '/api/signup', newPerson('noproxy'), xff('192.0.2.99')),
        429,
        'rate_limited',
      );
    });

    it('counts sockets by the peer address too', async () => {
      await t.connect({ extraHeaders: xff('192.0.2.1') });
      await t.connect({ extraHeaders: xff('192.0.2.2') });
      const refused = await t.connect({ extraHeaders: xff('192.0.2.3') }).then(
        () => undefined,
        (err: Error & { data?: { code?: string } }) => err.data?.code,
      );
      expect(refused).to.equal('too_many_connections');
    });
  });

  describe('on', () => {
    const t = useServer({
      env: { TRUST_PROXY: 'on', LIMIT_SIGNUPS_PER_10MIN: '3', LIMIT_SOCKETS_PER_ADDRESS: '2' },
    });

    it('uses the last X-Forwarded-For entry, the one the proxy added; earlier ones cannot dodge the limit', async () => {
      for (let i = 0; i < 3; i++) {
        const p = newPerson('proxied');
        const res = await t.api('POST', '/api/signup', p, xff(`10.9.9.${i}, 198.51.100.20`));
        expect(res.status).to.equal(201);
        expect(await signupAddress(t, p.username)).to.equal('198.51.100.20');
      }
      expectError(
        await t.api('POST', '/api/signup', newPerson('proxied'), xff('10.9.9.200, 198.51.100.20')),
        429,
        'rate_limited',
      );
      // Another client behind the same proxy has its own budget.
      expect(
        (await t.api('POST', '/api/signup', newPerson('proxied'), xff('198.51.100.21'))).status,
      ).to.equal(201);
    });

    it('counts sockets by the same rule as REST', async () => {
      await t.connect({ extraHeaders: xff('1.1.1.1, 198.51.100.30') });
      await t.connect({ extraHeaders: xff('2.2.2.2, 198.51.100.30') });
      const refused = await t.connect({ extraHeaders: xff('3.3.3.3, 198.51.100.30') }).then(
        () => undefined,
        (err: Error & { data?: { code?: string } }) => err.data?.code,
      );
      expect(refused).to.equal('too_many_connections');
      const other = await t.connect({ extraHeaders: xff('198.51.100.31') });
      expect(other.hello.sid).to.be.a('string');
    });
  });
});
