import type { Knex } from 'knex';
import { loadServerConfig } from '../config/index.js';
import { checkPassword, PasswordHasher } from './accounts/passwords.js';
import { emailField, passwordField, usernameField } from './accounts/fields.js';
import { isAppError } from './errors.js';
import { ROLES, isRole, type Role } from './protocol.js';
import { openChosenDatabase, type DatabaseChoice } from './store/admin.js';
import { migrationStatus } from './store/db.js';
import * as users from './store/users.js';

/*
 * The entry point of `mux1 admin grant` and `mux1 admin create`: what an operator does on the
 * server's machine before any admin exists (or when none can sign in), straight in the database
 * chosen as `mux1 server` chooses it, with the server's own field rules, password policy and KDF.
 * No REST: the person at the machine with the database is trusted as the database is. Loaded only
 * when such a command runs.
 */

/** A refusal the operator can act on; `exitCode` 2 when the command was called wrongly. */
export class OperatorError extends Error {
  override name = 'OperatorError';
  constructor(
    readonly code: string,
    message: string,
    readonly exitCode: 1 | 2 = 1,
    readonly field?: string,
  ) {
    super(message);
  }
}

export interface OperatorAccount {
  id: number;
  username: string;
  email: string;
  role: Role;
}

/** Who did it, in the audit log: nobody's account, the command on the machine. */
const FROM_MACHINE = { ip: null, user_agent: 'mux1 admin (on the server machine)' };

/**
 * Gives USERNAME the role. Demoting the last enabled admin is refused (`last_admin`): the server
 * would be left with nobody who can run it. The change is audited as `role_changed`.
 */
export async function grantRole(
  choice: DatabaseChoice,
  username: string,
  role: string,
): Promise<{ database: string; user: OperatorAccount; previous: Role; changed: boolean }> {
  const wanted = checkRole(role);
  const name = checkField(usernameField, username, 'username');
  return withMigratedDatabase(choice, async (db, database) =>
    db.transaction(async (trx) => {
      const found = await users.findByUsername(trx, name);
      if (!found) throw new OperatorError('not_found', `there is no account named '${name}'`);
      const user = { id: found.id, username: found.username, email: found.email };
      if (found.role === wanted) {
        return { database, user: { ...user, role: wanted }, previous: found.role, changed: false };
      }
      if (found.role === 'admin' && found.disabled_at === null && (await enabledAdmins(trx)) <= 1) {
        throw new OperatorError(
          'last_admin',
          `'${name}' is the last enabled admin: make another account admin first, then change this one`,
        );
      }
      await trx('users').where({ id: found.id }).update({ role: wanted });
      await trx('audit_events').insert({
        type: 'role_changed',
        user_id: found.id,
        at: Date.now(),
        ...FROM_MACHINE,
        actor_id: null,
        detail: `${found.role} -> ${wanted}`,
      });
      return { database, user: { ...user, role: wanted }, previous: found.role, changed: true };
    }),
  );
}

/**
 * Makes a verified account with the role (admin unless told otherwise), for a server nobody can
 * sign up to yet or an operator who wants no mail round trip. The password meets the rules a
 * signup meets and is hashed with the server's scrypt settings; a taken username or email is
 * refused, whether its account is verified or not.
 */
export async function createAccount(
  choice: DatabaseChoice,
  input: { username: string; email: string; password: string; role?: string },
): Promise<{ database: string; user: OperatorAccount }> {
  const role = checkRole(input.role ?? 'admin');
  const username = checkField(usernameField, input.username, 'username');
  const email = checkField(emailField, input.email, 'email');
  const password = checkField(passwordField, input.password, 'password');
  try {
    checkPassword(password, { username, email });
  } catch (err) {
    if (isAppError(err)) throw new OperatorError(err.code, err.message, 2, 'password');
    throw err;
  }
  const config = loadServerConfig({
    configFile: choice.configFile,
    flags: { databaseUrl: choice.databaseUrl },
  });
  const hash = await new PasswordHasher(config.scryptLogN).hash(password);
  return withMigratedDatabase(choice, async (db, database) =>
    db.transaction(async (trx) => {
      if (await users.findByUsername(trx, username)) {
        throw new OperatorError('username_taken', `the username '${username}' is taken`, 1, 'username');
      }
      if (await users.findByEmail(trx, email)) {
        throw new OperatorError('email_taken', `an account with ${email} exists already`, 1, 'email');
      }
      const now = Date.now();
      const id = await users.insertUser(trx, { username, email, password_hash: hash, created_at: now });
      await trx('users').where({ id }).update({ email_verified_at: now, role });
      await trx('audit_events').insert({
        type: 'signup',
        user_id: id,
        at: now,
        ...FROM_MACHINE,
        actor_id: null,
        detail: `created verified as ${role}`,
      });
      return { database, user: { id, username, email, role } };
    }),
  );
}

async function enabledAdmins(db: Knex): Promise<number> {
  const row = await db('users').where({ role: 'admin' }).whereNull('disabled_at').count({ n: '*' }).first();
  return Number(row?.n ?? 0);
}

function checkRole(role: string): Role {
  if (isRole(role)) return role;
  throw new OperatorError(
    'invalid_field',
    `unknown role '${role.slice(0, 32)}': the roles are ${ROLES.join(', ')}`,
    2,
    'role',
  );
}

/** The server's own field rule (zod, as the REST doors parse), its refusal as a usage error. */
function checkField<T>(
  field: {
    safeParse(
      v: unknown,
    ): { success: true; data: T } | { success: false; error: { issues: { message: string }[] } };
  },
  value: string,
  name: string,
): T {
  const parsed = field.safeParse(value);
  if (parsed.success) return parsed.data;
  throw new OperatorError(
    'invalid_field',
    parsed.error.issues[0]?.message ?? `${name} is not valid`,
    2,
    name,
  );
}

/**
 * Opens the chosen database like `mux1 db`, refuses one that is not migrated (its columns would be
 * missing), runs `work` and always closes it. Failures of the database itself are `database_error`.
 */
async function withMigratedDatabase<T>(
  choice: DatabaseChoice,
  work: (db: Knex, database: string) => Promise<T>,
): Promise<T> {
  return openChosenDatabase(choice, async (db, database) => {
    let pending: string[];
    try {
      ({ pending } = await migrationStatus(db));
    } catch (err) {
      throw new OperatorError('database_error', `${database}: ${(err as Error).message}`);
    }
    if (pending.length > 0) {
      throw new OperatorError(
        'database_not_migrated',
        `${database} has ${pending.length} pending migration(s): run 'mux1 db migrate' with the same --db first`,
      );
    }
    try {
      return await work(db, database);
    } catch (err) {
      if (err instanceof OperatorError) throw err;
      throw new OperatorError('database_error', `${database}: ${(err as Error).message}`);
    }
  });
}
