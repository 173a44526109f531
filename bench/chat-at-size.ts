/**
 * Chat at size: the socket events whose cost could grow with the stored messages, on a database
 * of 1,000,000 messages against one of 1,000, in the same run; and a direct message's delivery
 * against a room message's with 1,000 sockets connected.
 *
 *   node --import tsx bench/chat-at-size.ts [--large-messages 1000000] [--small-messages 1000]
 *     [--rooms 49] [--users 2000] [--calls 300] [--sockets 1000] [--rounds 200] [--rebuild]
 *
 * Data: both databases are built by bulk insert in the real schema (bench/lib/growth-data.ts, the
 * growth bench's builder, cached under the temp folder), with the same users and the lobby plus
 * `--rooms` rooms (50 rooms in all); only the number of messages differs. Each measured user has
 * a read marker in every room, 20 messages behind its newest: the same unread work at both
 * sizes, so what grows is what the data around it costs.
 *
 * Figures:
 * - `rooms` (unread and mention counts for 50 rooms): p50 on 1,000,000 messages within 1.2x of
 *   the same on 1,000 (p99 beside it). Calls alternate between the two servers, from 16 users.
 * - `search` on 1,000,000 messages: p95 < 50 ms (the same on 1,000 as its baseline), words
 *   of the messages' own vocabulary, common and rare, one and two at a time.
 * - Delivery of a direct message against a room message (a room holding the same two users),
 *   with `--sockets` other sockets connected to the large server from child processes: the
 *   DM's p99 no worse than the room message's, the median of five sets' ratios (each a p99 of
 *   `--rounds` of each kind). Sent in turn, one every 25 ms.
 *
 * Both servers run in child processes of their own; the measuring sockets in this process,
 * which does nothing else.
 */
import { randomBytes } from 'node:crypto';
import type { Socket } from 'socket.io-client';
import { openDatabase } from '../server/store/db.js';
import { openSocket, SOCKET_REQUEST_GAP_MS, SocketPool } from './lib/growth-calls.js';
import { GROWTH_SECRET_KEY, layoutFor, nth, tokenOf, type Sizes } from './lib/growth-data.js';
import { sqliteDatabase, type BenchDatabase } from './lib/growth-store.js';
import { runBench } from './lib/load-average.js';
import { startMux1, type BenchServer } from './lib/mux1.js';
import { emit } from './lib/report.js';
import { forkRole, isRole, serveRole, type Child } from './lib/rpc.js';
import { forkSocketClients } from './lib/socket-clients.js';
import { intFlag, median, percentile, round, sleep } from './lib/stats.js';

const ROLE = 'chat-at-size-server';
const SECRET_KEY = GROWTH_SECRET_KEY;
const MEASURED_USERS = 16;
const UNREAD_BEHIND = 20;
const ROOMS_TARGET = 1.2;
const SEARCH_P95_TARGET_MS = 50;
const DM_INTERVAL_MS = 25;
/** Sets of `--rounds` direct and room messages; the ratio is the median of theirs. */
const DM_SETS = 5;
/** Words of the generator's vocabulary: common ones, rare ones, and pairs. */
const SEARCH_QUERIES = ['the', 'lantern', 'water people', 'orbit', 'merge review', 'ship', 'num', 'call who'];

function serverRole(): void {
  let server: BenchServer | undefined;
  serveRole(
    {
      async start({ env, dir }: { env: Record<string, string>; dir: string }) {
        server = await startMux1({ logN: 17, env, dir });
        return { url: server.url };
      },
      async close() {
        await server?.close();
      },
    },
    3600_000,
  );
}

/** Read markers for the measured users in every room, UNREAD_BEHIND messages behind its newest. */
async function placeMarkers(db: BenchDatabase, users: number[]): Promise<string[]> {
  const knex = openDatabase(db.url);
  try {
    const rooms = (await knex('messages').distinct('room')).map((r: { room: string }) => r.room).sort();
    const rows = [];
    for (const room of rooms) {
      const behind = await knex('messages')
        .where({ room })
        .orderBy('id', 'desc')
        .offset(UNREAD_BEHIND)
        .first('id');
      for (const user_id of users) rows.push({ user_id, room, last_read_id: Number(behind?.id ?? 0) });
    }
    await knex.batchInsert('read_markers', rows, 200);
    return rooms;
  } finally {
    await knex.destroy();
  }
}

interface Side {
  label: 'small' | 'large';
  db: BenchDatabase;
  child: Child;
  url: string;
  sockets: Socket[];
}

async function startSide(label: Side['label'], db: BenchDatabase, users: number[]): Promise<Side> {
  const child = forkRole(import.meta.url, ROLE);
  const env = { DATABASE_URL: db.url, SECRET_KEY, RETENTION_INTERVAL_MINUTES: '0' };
  const { url } = await child.call<{ url: string }>('start', { env, dir: db.dir }, 300_000);
  const sockets = [];
  for (const id of users) sockets.push((await openSocket(url, { token: tokenOf(id, 0) })).socket);
  return { label, db, child, url, sockets };
}

async function ack(socket: Socket, event: string, payload: unknown): Promise<number> {
  const started = performance.now();
  const answer = (await socket.timeout(30_000).emitWithAck(event, payload)) as { ok?: boolean };
  if (!answer?.ok) throw new Error(`${event} answered ${JSON.stringify(answer).slice(0, 200)}`);
  return performance.now() - started;
}

/**
 * `calls` of one event on both sides in turn (small then large, then large then small), each
 * from the next measured user's socket, paced inside a socket's 20 requests a second.
 */
async function alternate(
  sides: Side[],
  calls: number,
  event: string,
  payload: (i: number) => unknown,
): Promise<Record<Side['label'], number[]>> {
  const ms: Record<Side['label'], number[]> = { small: [], large: [] };
  // Paced by the gap, however fast the answers come: with 16 sockets, answers of a millisecond
  // came back faster than a socket's budget and were refused.
  const pools = new Map(sides.map((side) => [side, new SocketPool(side.sockets)]));
  for (let i = 0; i < calls + 10; i++) {
    const order = i % 2 === 0 ? sides : [...sides].reverse();
    for (const side of order) {
      const pool = pools.get(side)!;
      const took = await pool.use(
        'request',
        SOCKET_REQUEST_GAP_MS,
        (socket) => ack(socket, event, payload(i)),
        i % pool.size,
      );
      if (i >= 10) ms[side.label].push(took); // ten warm-up calls
    }
  }
  for (const side of sides) ms[side.label].sort((a, b) => a - b);
  return ms;
}

/**
 * DM against room message delivery: every round, one direct message from a sender to a
 * recipient and one message into a room both have joined, in turn; the time to the recipient's
 * socket. Senders rotate, inside the per-user budget of 5 direct messages a second.
 */
async function dmAgainstRoom(url: string, users: number[], rounds: number) {
  const pairs = Math.floor(users.length / 2);
  const room = `cmp-${randomBytes(3).toString('hex')}`;
  const senders: Socket[] = [];
  const recipients: { socket: Socket; dmRoom: string }[] = [];
  for (let p = 0; p < pairs; p++) {
    const sender = (await openSocket(url, { token: tokenOf(users[2 * p]!, 1) })).socket;
    const recipientId = users[2 * p + 1]!;
    const recipient = (await openSocket(url, { token: tokenOf(recipientId, 1) })).socket;
    await ack(sender, 'join', { room });
    await ack(recipient, 'join', { room });
    senders.push(sender);
    // Named by its room (`dm:<smaller id>-<larger id>`): some fixture names are shorter than a
    // username may be written.
    const [a, b] = [users[2 * p]!, recipientId].sort((x, y) => x - y);
    recipients.push({ socket: recipient, dmRoom: `dm:${a}-${b}` });
  }
  const latencies = { dm: [] as number[], room: [] as number[] };
  const sentAt = new Map<string, number>();
  const arrived = new Map<string, () => void>();
  for (const { socket } of recipients) {
    socket.on('message', (m: { text: string }) => {
      const at = sentAt.get(m.text);
      if (at === undefined) return;
      sentAt.delete(m.text);
      const kind = m.text.startsWith('dm ') ? 'dm' : 'room';
      latencies[kind].push(performance.now() - at);
      arrived.get(m.text)?.();
    });
  }
  let lost = 0;
  const refusals: string[] = [];
  for (let r = 0; r < rounds + 10; r++) {
    if (refusals.length > 0) throw new Error(`a message was refused: ${refusals[0]}`);
    const p = r % pairs;
    for (const kind of r % 2 === 0 ? (['dm', 'room'] as const) : (['room', 'dm'] as const)) {
      const text = `${kind} ${r}`;
      const delivered = new Promise<boolean>((resolve) => {
        const timer = setTimeout(() => resolve(false), 5_000);
        arrived.set(text, () => {
          clearTimeout(timer);
          resolve(true);
        });
      });
      sentAt.set(text, performance.now());
      const payload = { room: kind === 'dm' ? recipients[p]!.dmRoom : room, text };
      senders[p]!.emit('message', payload, (answer: { ok?: boolean }) => {
        if (!answer?.ok) refusals.push(JSON.stringify(answer).slice(0, 200));
      });
      if (!(await delivered)) lost++;
      arrived.delete(text);
      if (r < 10) latencies[kind].pop(); // warm-up rounds
      await sleep(DM_INTERVAL_MS);
    }
  }
  for (const s of [...senders, ...recipients.map((r) => r.socket)]) s.disconnect();
  latencies.dm.sort((a, b) => a - b);
  latencies.room.sort((a, b) => a - b);
  return { ...latencies, lost, pairs };
}

const verdict = (held: boolean) => (held ? 'held' : 'missed');

async function main(): Promise<void> {
  const users = intFlag('users', 2000, 100_000);
  const rooms = intFlag('rooms', 49, 500);
  const calls = intFlag('calls', 300, 5000);
  const sockets = intFlag('sockets', 1000, 10_000);
  const rounds = intFlag('rounds', 200, 5000);
  const sizes = (messages: number): Sizes => ({ users, messages, logN: 17, rooms });
  const small = sizes(intFlag('small-messages', 1000, 1_000_000));
  const large = sizes(intFlag('large-messages', 1_000_000, 10_000_000));
  const log = (line: string) => console.log(line);
  const rebuild = process.argv.includes('--rebuild');

  const layout = layoutFor(users);
  const measured = Array.from({ length: MEASURED_USERS }, (_, i) => nth(layout.readers, i));
  const dbs = [await sqliteDatabase(small, { rebuild, log }), await sqliteDatabase(large, { rebuild, log })];
  const sides: Side[] = [];
  try {
    const roomNames = await placeMarkers(dbs[0]!, measured);
    await placeMarkers(dbs[1]!, measured);
    sides.push(await startSide('small', dbs[0]!, measured), await startSide('large', dbs[1]!, measured));

    // `rooms`: 50 rooms with unread counts.
    const roomsMs = await alternate(sides, calls, 'rooms', () => ({}));
    const p = (xs: number[], q: number) => round(percentile(xs, q), 2);
    const roomsRatio = round(p(roomsMs.large, 0.5) / p(roomsMs.small, 0.5));
    const roomsP99Ratio = round(p(roomsMs.large, 0.99) / p(roomsMs.small, 0.99));
    const roomsHeld = roomsRatio <= ROOMS_TARGET;
    console.log(
      `rooms (${roomNames.length} rooms): p50 ${p(roomsMs.large, 0.5)} ms on ${large.messages} messages, ` +
        `${p(roomsMs.small, 0.5)} ms on ${small.messages}: ${roomsRatio}x (target <= ${ROOMS_TARGET}x: ` +
        `${verdict(roomsHeld)}); p99 ${p(roomsMs.large, 0.99)} / ${p(roomsMs.small, 0.99)} ms (${roomsP99Ratio}x)`,
    );
    emit({
      id: 'chat-at-size-rooms',
      figure: 21,
      name: `Socket \`rooms\` (unread counts, ${roomNames.length} rooms) on ${large.messages.toLocaleString('en-US')} messages, p50`,
      unit: 'ms',
      value: p(roomsMs.large, 0.5),
      baseline: p(roomsMs.small, 0.5),
      baselineName: `${small.messages.toLocaleString('en-US')} messages`,
      ratio: roomsRatio,
      ratioOf: 'large/small',
      target: `ratio <= ${ROOMS_TARGET}`,
      pass: roomsHeld,
      detail: {
        calls,
        rooms: roomNames.length,
        p99: { large: p(roomsMs.large, 0.99), small: p(roomsMs.small, 0.99), ratio: roomsP99Ratio },
        unreadBehind: UNREAD_BEHIND,
      },
    });

    // `search` over everything the user may read.
    const searchMs = await alternate(sides, calls, 'search', (i) => ({
      query: SEARCH_QUERIES[i % SEARCH_QUERIES.length],
    }));
    const searchP95 = p(searchMs.large, 0.95);
    const searchHeld = searchP95 < SEARCH_P95_TARGET_MS;
    console.log(
      `search: p95 ${searchP95} ms on ${large.messages} messages (p50 ${p(searchMs.large, 0.5)}), ` +
        `${p(searchMs.small, 0.95)} ms on ${small.messages}; target < ${SEARCH_P95_TARGET_MS} ms: ${verdict(searchHeld)}`,
    );
    emit({
      id: 'chat-at-size-search',
      figure: 21,
      name: `Socket \`search\` on ${large.messages.toLocaleString('en-US')} messages, p95`,
      unit: 'ms',
      value: searchP95,
      baseline: p(searchMs.small, 0.95),
      baselineName: `${small.messages.toLocaleString('en-US')} messages`,
      ratio: round(searchP95 / p(searchMs.small, 0.95)),
      ratioOf: 'large/small',
      target: `< ${SEARCH_P95_TARGET_MS} ms`,
      pass: searchHeld,
      detail: {
        calls,
        queries: SEARCH_QUERIES,
        p50: { large: p(searchMs.large, 0.5), small: p(searchMs.small, 0.5) },
      },
    });

    // Direct messages against room messages, with `sockets` more connected.
    const smallSide = sides.shift()!;
    for (const s of smallSide.sockets) s.disconnect();
    await smallSide.child.call('close', undefined, 30_000).catch(() => {});
    smallSide.child.kill();
    const largeSide = sides[0]!;
    const crowd = forkSocketClients(Math.max(1, Math.ceil(sockets / 2500)));
    try {
      const crowdTokens = Array.from({ length: layout.readers.count - MEASURED_USERS }, (_, i) =>
        tokenOf(nth(layout.readers, MEASURED_USERS + i), 2),
      );
      console.log(`connecting ${sockets} sockets from ${crowd.procs.length} processes`);
      const connectS = await crowd.connect(largeSide.url, crowdTokens, sockets);
      console.log(`connected in ${connectS.toFixed(1)} s; direct messages against room messages`);
      await sleep(1000);
      // In sets, each a p99 of `--rounds` of each kind: the ratio is the median of the sets'
      // ratios, so one unlucky stall in a p99 of 200 (its second slowest) does not decide it.
      const sets: Awaited<ReturnType<typeof dmAgainstRoom>>[] = [];
      for (let set = 0; set < DM_SETS; set++) sets.push(await dmAgainstRoom(largeSide.url, measured, rounds));
      const d = {
        dm: sets.flatMap((x) => x.dm).sort((a, b) => a - b),
        room: sets.flatMap((x) => x.room).sort((a, b) => a - b),
        lost: sets.reduce((n, x) => n + x.lost, 0),
        pairs: sets[0]!.pairs,
      };
      const setRatios = sets.map((x) => round(p(x.dm, 0.99) / p(x.room, 0.99)));
      const ratio = median(setRatios);
      const dmP99 = p(d.dm, 0.99);
      const roomP99 = p(d.room, 0.99);
      const dmHeld = ratio <= 1 && d.lost === 0;
      console.log(
        `delivery with ${sockets} sockets connected (in ${connectS.toFixed(1)} s): direct message p50 ` +
          `${p(d.dm, 0.5)} / p99 ${dmP99} ms, room message p50 ${p(d.room, 0.5)} / p99 ${roomP99} ms, ` +
          `lost ${d.lost}; sets' ratios ${setRatios.join(', ')}; target DM p99 <= room p99: ${verdict(dmHeld)}`,
      );
      emit({
        id: 'chat-at-size-dm-p99',
        figure: 21,
        name: `Direct message delivery p99, ${sockets.toLocaleString('en-US')} sockets connected (${d.lost} lost)`,
        unit: 'ms',
        value: dmP99,
        baseline: roomP99,
        baselineName: 'room message to the same socket',
        ratio,
        ratioOf: 'dm/room (median of sets)',
        target: 'ratio <= 1, 0 lost',
        pass: dmHeld,
        detail: {
          rounds,
          sets: setRatios,
          pairs: d.pairs,
          p50: { dm: p(d.dm, 0.5), room: p(d.room, 0.5) },
          connectS: round(connectS, 1),
        },
      });
    } finally {
      crowd.kill();
    }
  } finally {
    for (const side of sides) {
      for (const s of side.sockets) s.disconnect();
      await side.child.call('close', undefined, 30_000).catch(() => {});
      side.child.kill();
    }
    for (const db of dbs) await db.dispose();
  }
}

if (isRole(ROLE)) serverRole();
else runBench('chat-at-size', main);
