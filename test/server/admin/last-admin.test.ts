import { expect } from 'chai';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { personWithRole } from '../../helpers/admin.js';

/*
 * The server always keeps an enabled admin: demoting, disabling or deleting the last one is
 * refused with 409 last_admin, from another admin's request or the admin's own (DELETE
 * /api/account too), and two admins removing each other at the same moment cannot both succeed.
 */

describe('administration: the last admin', function () {
  this.timeout(60_000);
  const t = useServer({ env: MANY_SIGNUPS, each: true });

  const enabledAdmins = async () =>
    Number(
      (await t.db('users').where({ role: 'admin' }).whereNull('disabled_at').count({ n: '*' }).first())!.n,
    );

  it('refuses to demote, disable or delete the last admin, themselves included', async () => {
    const admin = await personWithRole(t, 'admin', 'only');
    const as = t.as(admin.token);
    for (const [method, path, body] of [
      ['PATCH', `/api/admin/users/${admin.id}`, { role: 'moderator' }],
      ['PATCH', `/api/admin/users/${admin.id}`, { disabled: true }],
      ['DELETE', `/api/admin/users/${admin.id}`, undefined],
      ['DELETE', '/api/account', { password: admin.password }],
    ] as const) {
      const res = await as(method, path, body);
      expect(res.status, `${method} ${path} ${JSON.stringify(body)}`).to.equal(409);
      expect(res.body.code).to.equal('last_admin');
      expect(res.body.error).to.match(/last enabled admin/);
    }
    expect(await enabledAdmins()).to.equal(1);
    // Making it admin again is no change, and allowed.
    expect((await as('PATCH', `/api/admin/users/${admin.id}`, { role: 'admin' })).status).to.equal(200);
  });

  it('lets an admin go once another is enabled, and counts a disabled admin as none', async () => {
    const [a, b] = [await personWithRole(t, 'admin', 'first'), await personWithRole(t, 'admin', 'second')];
    expect((await t.as(a.token)('PATCH', `/api/admin/users/${b.id}`, { disabled: true })).status).to.equal(
      200,
    );
    // b is disabled: a is the last enabled admin now.
    const self = await t.as(a.token)('PATCH', `/api/admin/users/${a.id}`, { role: 'user' });
    expect(self.status).to.equal(409);
    expect((await t.as(a.token)('PATCH', `/api/admin/users/${b.id}`, { disabled: false })).status).to.equal(
      200,
    );
    expect((await t.as(a.token)('DELETE', '/api/account', { password: a.password })).status).to.equal(204);
    expect(await enabledAdmins()).to.equal(1);
  });

  it('lets only one of two admins demoting each other at once succeed', async () => {
    for (let round = 0; round < 5; round++) {
      const a = await personWithRole(t, 'admin', `racea${round}`);
      const b = await personWithRole(t, 'admin', `raceb${round}`);
      const results = await Promise.all([
        t.as(a.token)('PATCH', `/api/admin/users/${b.id}`, { role: 'user' }),
        t.as(b.token)('PATCH', `/api/admin/users/${a.id}`, { disabled: true }),
      ]);
      const statuses = results.map((r) => r.status).sort();
      // The loser is refused as no longer an admin (403) or as the last one (409).
      expect(statuses[0], JSON.stringify(results.map((r) => r.body))).to.equal(200);
      expect(statuses[1]).to.be.oneOf([403, 409, 401]);
      expect(await enabledAdmins()).to.equal(1);
      // Leave one admin for the next round's pair: demote the survivor by hand.
      await t.db('users').whereIn('id', [a.id, b.id]).update({ role: 'user', disabled_at: null });
    }
  });
});
