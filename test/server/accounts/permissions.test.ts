import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { checkAccess, hasAccess, type Caller } from '../../../server/accounts/access.js';
import { PERMISSION_TOKEN_SCOPE, ROLE_PERMISSIONS } from '../../../server/accounts/permissions.js';
import { isAppError } from '../../../server/errors.js';
import {
  PERMISSIONS,
  ROLES,
  TOKEN_SCOPES,
  type AccessRequirement,
  type Role,
} from '../../../server/protocol.js';

/*
 * The role -> permission table is the one the server enforces and the one docs/api.md prints:
 * the documented table is parsed and compared, so neither can change alone. The access check
 * is tried for every role, credential and requirement against what the table says.
 */

const docsTable = () => {
  const text = readFileSync(new URL('../../../docs/api.md', import.meta.url), 'utf8');
  const section = text.slice(text.indexOf('### Roles and permissions'));
  const rows = section
    .split('\n')
    .filter((line) => /^\| `[a-z:]+` +\|/.test(line))
    .map((line) => line.split('|').map((cell) => cell.trim()));
  return new Map(rows.map((cells) => [cells[1]!.replace(/`/g, ''), cells.slice(3, 7)]));
};

const outcome = (caller: Caller, need: AccessRequirement): string => {
  try {
    checkAccess(caller, need);
    return 'ok';
  } catch (err) {
    if (!isAppError(err)) throw err;
    return err.code === 'insufficient_scope' ? `insufficient_scope:${String(err.details.scope)}` : err.code;
  }
};

describe('roles and permissions', () => {
  it('docs/api.md prints exactly the table the server enforces', () => {
    const documented = docsTable();
    expect([...documented.keys()]).to.have.members([...PERMISSIONS]);
    for (const permission of PERMISSIONS) {
      const [user, moderator, admin, token] = documented.get(permission)!;
      const holds = { user, moderator, admin } as Record<Role, string>;
      for (const role of ROLES) {
        const enforced = (ROLE_PERMISSIONS[role] as readonly string[]).includes(permission);
        expect(holds[role], `${permission} for ${role}`).to.equal(enforced ? 'yes' : 'no');
      }
      const scope = PERMISSION_TOKEN_SCOPE[permission];
      expect(token, `${permission} for tokens`).to.equal(
        scope === null ? 'never (session only)' : `\`${scope}\``,
      );
    }
  });

  it('each role holds at least what the role below it holds', () => {
    for (let i = 1; i < ROLES.length; i++) {
      const below = ROLE_PERMISSIONS[ROLES[i - 1]!] as readonly string[];
      expect(ROLE_PERMISSIONS[ROLES[i]!]).to.include.members([...below]);
    }
  });

  it('checkAccess answers every role, credential and permission as the table says', () => {
    const grants = [null, [], ...TOKEN_SCOPES.map((s) => [s]), [...TOKEN_SCOPES]];
    for (const role of ROLES) {
      for (const grant of grants) {
        for (const permission of PERMISSIONS) {
          const caller = { role, grant };
          const holds = (ROLE_PERMISSIONS[role] as readonly string[]).includes(permission);
          const scope = PERMISSION_TOKEN_SCOPE[permission];
          const expected = !holds
            ? 'forbidden'
            : grant === null
              ? 'ok'
              : scope === null
                ? 'insufficient_scope:session'
                : grant.includes(scope)
                  ? 'ok'
                  : `insufficient_scope:${scope}`;
          const what = `${role} ${JSON.stringify(grant)} ${permission}`;
          expect(outcome(caller, permission), what).to.equal(expected);
          expect(hasAccess(caller, permission), what).to.equal(expected === 'ok');
        }
      }
    }
  });

  it('a role does not widen a token: scopes and session-only routes hold for admins too', () => {
    const admin = { role: 'admin' as const, grant: ['chat:read' as const] };
    expect(outcome(admin, 'session')).to.equal('insufficient_scope:session');
    expect(outcome(admin, 'chat:write')).to.equal('insufficient_scope:chat:write');
    expect(outcome(admin, 'chat:read')).to.equal('ok');
    expect(outcome({ role: 'user', grant: null }, 'session')).to.equal('ok');
  });

  it('the forbidden answer names the permission and who holds it', () => {
    try {
      checkAccess({ role: 'moderator', grant: null }, 'users:manage');
      expect.fail('a moderator managed users');
    } catch (err) {
      if (!isAppError(err)) throw err;
      expect(err.status).to.equal(403);
      expect(err.details).to.deep.equal({ permission: 'users:manage' });
      expect(err.message).to.equal('only admin accounts may do this');
    }
  });
});
