import type { Role } from '../../server/protocol.js';
import type { ServerFixture } from './fixture.js';
import type { ChatPerson } from './sockets.js';

/** Gives an account a role in the database, as `mux1 admin grant` does. */
export async function grant(t: ServerFixture, person: { id: number }, role: Role): Promise<void> {
  await t.db('users').where({ id: person.id }).update({ role });
}

/** A signed-in account with the given role. */
export async function personWithRole(
  t: ServerFixture,
  role: Role,
  prefix: string = role,
): Promise<ChatPerson> {
  const p = await t.chatPerson(prefix);
  await grant(t, p, role);
  return p;
}
