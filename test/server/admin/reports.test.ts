import { expect } from 'chai';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { personWithRole } from '../../helpers/admin.js';
import { ask } from '../../helpers/sockets.js';
import type { ChatPerson } from '../../helpers/sockets.js';
import { eventually } from '../../helpers/wait.js';

/* The admin's audit log of every account and the usage statistics, over REST. */

describe('administration: audit and statistics', function () {
  this.timeout(60_000);
  const t = useServer({ env: MANY_SIGNUPS });
  let admin: ChatPerson;
  let as: ReturnType<typeof t.as>;

  before(async () => {
    admin = await personWithRole(t, 'admin', 'auditor');
    as = t.as(admin.token);
  });

  it('lists every account events newest first, filtered by user, actor and type, paged by id', async () => {
    const p = await t.chatPerson('audited');
    await as('PATCH', `/api/admin/users/${p.id}`, { role: 'moderator' });
    await as('PATCH', `/api/admin/users/${p.id}`, { role: 'user' });
    const all = await as('GET', '/api/admin/audit?limit=5');
    expect(all.status).to.equal(200);
    const ids = all.body.events.map((e: { id: number }) => e.id);
    expect(ids).to.deep.equal([...ids].sort((a, b) => b - a));
    const roles = await as('GET', `/api/admin/audit?type=role_changed&user_id=${p.id}`);
    expect(roles.body.events.map((e: { detail: string }) => e.detail)).to.deep.equal([
      'moderator -> user',
      'user -> moderator',
    ]);
    expect(roles.body.events[0]).to.include({
      username: p.username,
      actor_id: admin.id,
      actor: admin.username,
    });
    expect(Object.keys(roles.body.events[0]).sort()).to.deep.equal(
      ['id', 'type', 'at', 'user_id', 'username', 'actor_id', 'actor', 'ip', 'user_agent', 'detail'].sort(),
    );
    const byActor = await as('GET', `/api/admin/audit?actor_id=${admin.id}&limit=1`);
    expect(byActor.body.events).to.have.length(1);
    expect(byActor.body.next_before).to.equal(byActor.body.events[0].id);
    const older = await as('GET', `/api/admin/audit?actor_id=${admin.id}&before=${byActor.body.next_before}`);
    expect(older.body.events.map((e: { detail: string }) => e.detail)).to.deep.equal(['user -> moderator']);
    expect((await as('GET', '/api/admin/audit?type=no_such_type')).body.events).to.deep.equal([]);
    for (const q of [
      'type=%25',
      "type=a'b",
      'type=' + 'a'.repeat(100),
      'user_id=x',
      'limit=201',
      'before=-1',
    ]) {
      const res = await as('GET', `/api/admin/audit?${q}`);
      expect(res.status, q).to.equal(400);
      expect(res.body.code).to.equal('invalid_field');
    }
  });

  it('counts the days asked, oldest first, with totals', async () => {
    const before = await as('GET', '/api/admin/stats?days=3');
    expect(before.status).to.equal(200);
    expect(before.body.days).to.have.length(3);
    const today = new Date().toISOString().slice(0, 10);
    expect(before.body.days.at(-1).date).to.equal(today);
    const p = await t.chatPerson('counted');
    await t.api('POST', '/api/login', { username: p.username, password: 'not the password' });
    const socket = await t.connectAs(p);
    expect((await ask(socket, 'message', { room: 'lobby', text: 'counted' })).ok).to.equal(true);
    // The day's message count is written by the message writer's timer (once a second).
    const after = await eventually(
      async () => {
        const res = await as('GET', '/api/admin/stats?days=3');
        return res.body.days.at(-1).messages > before.body.days.at(-1).messages && res;
      },
      { what: "the message in the day's count" },
    );
    const [was, now] = [before.body.days.at(-1), after.body.days.at(-1)];
    expect(now.signups - was.signups).to.equal(1);
    expect(now.logins - was.logins).to.equal(1);
    expect(now.active_users - was.active_users).to.equal(1);
    expect(now.failed_logins - was.failed_logins).to.equal(1);
    expect(now.messages - was.messages).to.equal(1);
    // Verified in the database by chatPerson: the trigger counts it.
    expect(now.verifications - was.verifications).to.equal(1);
    expect(after.body.totals).to.include({ admins: 1, moderators: 0, disabled_users: 0 });
    expect(after.body.totals.users).to.equal(after.body.totals.verified_users);
    expect(after.body.totals.connected_sockets).to.equal(1);
    expect(after.body.totals.live_sessions).to.be.at.least(2);
    expect(after.body.totals.messages).to.be.at.least(1);
    // A second login the same day is no new active user.
    await t.logIn(p.username, p.password);
    const again = await as('GET', '/api/admin/stats?days=1');
    expect(again.body.days[0].active_users).to.equal(now.active_users);
    expect(again.body.days[0].logins).to.equal(now.logins + 1);
    expect((await as('GET', '/api/admin/stats')).body.days).to.have.length(30);
    for (const q of ['days=0', 'days=91', 'days=x', 'days=1&days=2']) {
      expect((await as('GET', `/api/admin/stats?${q}`)).status, q).to.equal(400);
    }
  });
});
