/** How many conversations a process remembers; the oldest remembered is forgotten first. */
export const LISTED_CONVERSATIONS_MAX = 20_000;

/**
 * The direct message rooms known to be in both users' lists already (a read marker row for each),
 * so a message in them needs no write to list them again: without this, every direct message
 * paid two more queries than a room message before it was delivered (is the recipient blocking
 * the sender? then an insert that found both rows there).
 *
 * Remembering is safe because a listed conversation stays listed: a read marker row is only ever
 * moved forward, never removed, except with its user's account - and a conversation with a
 * deleted account takes no more messages. A room is remembered only once both rows are written;
 * one listed for the sender alone (the recipient blocks them) is asked about again next time, so
 * an unblock lists it on the next message as before. Each process remembers for itself: what it
 * remembers is a fact about the database, true for every process.
 */
export class ListedConversations {
  private readonly rooms = new Set<string>();

  constructor(private readonly max = LISTED_CONVERSATIONS_MAX) {}

  has(room: string): boolean {
    return this.rooms.has(room);
  }

  add(room: string): void {
    if (this.rooms.has(room)) return;
    // A Set keeps insertion order: the first one is the oldest remembered.
    if (this.rooms.size >= this.max) this.rooms.delete(this.rooms.values().next().value!);
    this.rooms.add(room);
  }
}
