import { expect } from 'chai';
import { ROUTE_ACCESS } from '../../../server/http/access.js';
import { ROLE_PERMISSIONS } from '../../../server/accounts/permissions.js';
import { PERMISSIONS, ROLES, TOKEN_SCOPES, type Permission, type Role } from '../../../server/protocol.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { personWithRole } from '../../helpers/admin.js';
import { makeToken } from '../../helpers/tokens.js';
import type { ChatPerson } from '../../helpers/sockets.js';

/*
 * Every REST route whose need is a role's permission, read from ROUTE_ACCESS (so a route added
 * later is walked too), asked by each role with a session, by an admin's token of every scope,
 * and by nobody: only a role holding the permission gets past the check, never a token.
 * Requests name an account that does not exist, so a route that lets the caller in changes
 * nothing (404) and one that reads answers 200.
 */

const permissionRoutes = Object.entries(ROUTE_ACCESS).filter(([, need]) =>
  (PERMISSIONS as readonly string[]).includes(need),
) as [string, Permission][];

const MISSING_ID = '987654321';
const pathOf = (route: string) => route.split(' ')[1]!.replace(':id', MISSING_ID);
const methodOf = (route: string) => route.split(' ')[0]!;
const bodyOf = (route: string) => (methodOf(route) === 'PATCH' ? { role: 'user' } : undefined);

describe('the role matrix over every route that needs a permission', function () {
  this.timeout(60_000);
  const t = useServer({ env: MANY_SIGNUPS });
  const people = {} as Record<Role, ChatPerson>;

  before(async () => {
    for (const role of ROLES) people[role] = await personWithRole(t, role, `matrix${role}`);
  });

  it('covers the administration routes', () => {
    expect(permissionRoutes.map(([r]) => r)).to.include.members([
      'GET /api/admin/users',
      'GET /api/admin/users/:id',
      'PATCH /api/admin/users/:id',
      'DELETE /api/admin/users/:id',
      'POST /api/admin/users/:id/password-reset',
      'GET /api/admin/audit',
      'GET /api/admin/stats',
    ]);
  });

  for (const role of ROLES) {
    it(`answers a ${role}'s session as the permission table says`, async () => {
      for (const [route, permission] of permissionRoutes) {
        const res = await t.as(people[role].token)(methodOf(route), pathOf(route), bodyOf(route));
        const holds = (ROLE_PERMISSIONS[role] as readonly string[]).includes(permission);
        if (holds) {
          expect(res.status, `${role} ${route}`).to.be.oneOf([200, 404]);
          if (res.status === 404) expect(res.body.code).to.equal('not_found');
        } else {
          expect(res.status, `${role} ${route}`).to.equal(403);
          expect(res.body).to.include({ code: 'forbidden', permission });
        }
      }
    });
  }

  it('refuses every personal access token of an admin with insufficient_scope session', async () => {
    const { token } = await makeToken(t, people.admin.token, [...TOKEN_SCOPES]);
    for (const [route] of permissionRoutes) {
      const res = await t.as(token)(methodOf(route), pathOf(route), bodyOf(route));
      expect(res.status, route).to.equal(403);
      expect(res.body, route).to.include({ code: 'insufficient_scope', scope: 'session' });
    }
  });

  it('answers 401 without a credential', async () => {
    for (const [route] of permissionRoutes) {
      const res = await t.api(methodOf(route), pathOf(route), bodyOf(route));
      expect(res.status, route).to.equal(401);
      expect(res.body.code).to.equal('unauthorized');
    }
  });

  it('follows a role change at once: the demoted admin is refused on the next request', async () => {
    const second = await personWithRole(t, 'admin', 'matrixsecond');
    const as = t.as(second.token);
    expect((await as('GET', '/api/admin/users')).status).to.equal(200);
    expect(
      (await t.as(people.admin.token)('PATCH', `/api/admin/users/${second.id}`, { role: 'user' })).status,
    ).to.equal(200);
    expect((await as('GET', '/api/admin/users')).status).to.equal(403);
  });
});
