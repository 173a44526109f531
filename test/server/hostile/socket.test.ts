import { expect } from 'chai';
import type { Socket } from 'socket.io-client';
import { type ChatPerson } from '../../helpers/sockets.js';
import { SQL_INJECTION, WRONG_VALUES, expectNoBug, random, stored } from '../../helpers/hostile-inputs.js';
import { useServer } from '../../helpers/fixture.js';

/** Each event, a well-formed payload for it, and the fields it reads. */
const EVENTS: Record<string, Record<string, unknown>> = {
  authenticate: { username: 'nobody-here', password: 'not the password' },
  message: { room: 'lobby', text: 'hello' },
  join: { room: 'lobby' },
  leave: { room: 'lobby' },
  history: { room: 'lobby', before: 1, limit: 10 },
  typing: { room: 'lobby' },
  edit: { id: 1, text: 'hello' },
  delete: { id: 1 },
  read: { room: 'lobby', id: 1 },
  block: { username: 'nobody-here' },
  unblock: { username: 'nobody-here' },
  // `search` takes any text as a query (the chat tests try hostile queries); its other fields here.
  search: { room: 'lobby', limit: 10 },
};

/**
 * Payloads that are wrong for `event`: not an object, polluting, nested, or its well-formed
 * payload with one field made hostile. A field's hostile value that the rules accept (a chat
 * text with a quote in it) makes a real request, not a hostile one, and is left out.
 */
function payloads(event: string): unknown[] {
  const valid = EVENTS[event]!;
  const out: unknown[] = [
    undefined,
    ...WRONG_VALUES.filter((v) => !(event === 'message' && isValidText(v))),
    ...(event === 'message'
      ? WRONG_VALUES.filter((v) => !isValidText(v)).map((text) => ({ to: 'nobody-here', text }))
      : []),
    ...(event === 'message' ? [...WRONG_VALUES, ...SQL_INJECTION].map((to) => ({ to, text: 'hello' })) : []),
    ...(event === 'message' ? [] : SQL_INJECTION),
    random(64),
    JSON.parse(`{"__proto__":{"polluted":true},${JSON.stringify(valid).slice(1)}`),
    JSON.parse('['.repeat(2000) + ']'.repeat(2000)),
    JSON.parse('{"a":'.repeat(1500) + '1' + '}'.repeat(1500)),
  ];
  for (const field of Object.keys(valid)) {
    for (const value of [...WRONG_VALUES, ...SQL_INJECTION, random(32)]) {
      if (field === 'text' && isValidText(value)) {
        // A valid text still answers {ok:false} for a message id that is not there.
        if (event !== 'edit') continue;
      }
      // Any text is a password (wrong, here): the login fails as it should, still {ok:false}.
      out.push({ ...valid, [field]: value });
    }
  }
  return out;
}

/** Text the chat accepts: something besides spaces, no NUL, no lone surrogate, at most 2000 characters. */
const isValidText = (v: unknown): boolean =>
  typeof v === 'string' &&
  v.trim() !== '' &&
  !v.includes('\u0000') &&
  !/[\uD800-\uDFFF]/u.test(v) &&
  [...v].length <= 2000;

const show = (payload: unknown): string => {
  try {
    return JSON.stringify(payload)?.slice(0, 100) ?? 'undefined';
  } catch {
    return Object.prototype.toString.call(payload);
  }
};

/** The socket as a plain emitter: these tests send what the typed events would not allow. */
const untyped = (socket: unknown) => socket as { emit(event: string, ...args: unknown[]): void };

/** Emits with an acknowledgement; resolves with it, or with 'no answer' (typing has none). */
function emit(socket: Socket, event: string, args: unknown[]): Promise<unknown> {
  return (socket.timeout(2000) as unknown as { emitWithAck(e: string, ...a: unknown[]): Promise<unknown> })
    .emitWithAck(event, ...args)
    .catch(() => 'no answer');
}

/**
 * Hostile payloads on every Socket.IO event, from a guest and from a signed-in socket: each is
 * answered `{ok:false}` (or dropped, for typing), no message is stored, nobody is signed in by
 * it, the server logs no bug, and both sockets stay usable.
 */
describe('hostile input: Socket.IO events', function () {
  this.timeout(120_000);
  let alice: ChatPerson;
  const t = useServer({
    env: { LIMIT_FAILED_LOGINS_PER_10MIN: '100000', LIMIT_SOCKETS_PER_ADDRESS: '100000' },
  });

  before(async () => {
    alice = await t.chatPerson('hostile');
  });

  for (const who of ['guest', 'signed in'] as const) {
    it(`answers every hostile payload on every event with {ok:false}, as a ${who}`, async () => {
      const open = async () => (who === 'guest' ? (await t.connect()).socket : await t.connectAs(alice));
      let socket = await open();
      const baseline = await stored(t);
      let n = 0;
      let limited = 0;
      for (const event of Object.keys(EVENTS)) {
        for (const payload of payloads(event)) {
          const args = payload === undefined ? [] : [payload];
          n++;
          // A typing hint is dropped when anything is wrong with it, with no answer to wait for.
          if (event === 'typing') {
            untyped(socket).emit(event, ...args);
            continue;
          }
          let answer = await emit(socket as Socket, event, args);
          // The per-socket budget is spent before a payload is read: past it, a fresh socket,
          // so that every payload reaches the validation it is meant to test.
          while ((answer as { code?: string }).code === 'rate_limited') {
            limited++;
            socket.disconnect();
            socket = await open();
            answer = await emit(socket as Socket, event, args);
          }
          const what = `${event} ${show(payload)}`;
          expect(answer, what).to.not.equal('no answer');
          const ack = answer as { ok: boolean; code?: string };
          expect(ack.ok, what).to.equal(false);
          expect(ack.code, what).to.be.a('string').and.not.equal('internal_error');
        }
        // Extra arguments, a non-function where the acknowledgement goes, binary frames.
        untyped(socket).emit(event, { room: 'lobby' }, 'extra', 42);
        untyped(socket).emit(event, random(1000));
      }
      // Events the server does not know, and names an object already has.
      for (const event of ['no-such-event', '__proto__', 'constructor', 'toString', 'hasOwnProperty']) {
        for (const payload of payloads('message').slice(0, 40)) {
          untyped(socket).emit(event, payload);
        }
      }
      expect(n).to.be.above(400);
      expect(limited).to.be.above(0);
      expect(socket.connected, 'the socket stays').to.equal(true);
      expect(await stored(t)).to.deep.equal(baseline);
      expect((await t.db('messages').count({ n: '*' }))[0]!.n).to.equal(0);
      expectNoBug(t);

      // Still usable after all that.
      const fresh = await t.connectAs(alice);
      expect((await emit(fresh as Socket, 'message', ['still fine'])) as object).to.include({ ok: true });
      await t.db('messages').del();
    });
  }

  it('is not signed in by an injection in authenticate', async () => {
    const { socket } = await t.connect();
    for (const injection of SQL_INJECTION) {
      for (const payload of [
        { username: injection, password: injection },
        { username: alice.username, password: injection },
        { token: injection },
      ]) {
        const ack = (await emit(socket as Socket, 'authenticate', [payload])) as {
          ok: boolean;
          code: string;
        };
        expect(ack.ok, JSON.stringify(payload)).to.equal(false);
      }
    }
    const ack = (await emit(socket as Socket, 'message', ['am I in?'])) as { ok: boolean; code: string };
    expect(ack).to.include({ ok: false, code: 'unauthorized' });
    expectNoBug(t);
  });
});
