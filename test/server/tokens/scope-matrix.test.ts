import { expect } from 'chai';
import Router from '@koa/router';
import { ROUTE_ACCESS, assertEveryRouteDeclared } from '../../../server/http/access.js';
import { EVENT_ACCESS } from '../../../server/realtime/access.js';
import {
  PERMISSIONS,
  TOKEN_SCOPES,
  type AccessRequirement,
  type Permission,
  type TokenScope,
} from '../../../server/protocol.js';
import { useServer } from '../../helpers/fixture.js';
import { ask, nextEvent, settle, record } from '../../helpers/sockets.js';
import { makeToken } from '../../helpers/tokens.js';

/*
 * Every route and event, as declared in ROUTE_ACCESS and EVENT_ACCESS, tried with tokens of every
 * single scope and of all of them: a declaration added later is tried here without anyone
 * writing a test for it, and the server refuses to start with a route under /api that has none.
 */

const GRANTS: TokenScope[][] = [...TOKEN_SCOPES.map((s) => [s]), [...TOKEN_SCOPES]];

const allows = (grant: TokenScope[], need: Exclude<AccessRequirement, Permission>) =>
  need === 'public' || (need !== 'session' && grant.includes(need));

/**
 * What a role's permission guards is tried with every role, by sessions and tokens, in
 * test/server/accounts/role-matrix.test.ts; the accounts here are plain users.
 */
const byRole = (need: AccessRequirement): need is Permission =>
  (PERMISSIONS as readonly string[]).includes(need);

/** A concrete path for a declared one: parameters filled with ids that name nothing. */
const concrete = (path: string) => path.replace(/:id\b/g, `tok_${'0'.repeat(32)}`);

/** Payloads an allowed event can act on, so "allowed" is seen doing its work, not only not refused. */
const PAYLOADS: Record<string, unknown> = {
  message: { room: 'lobby', text: 'from a token' },
  edit: { id: 1, text: 'edited' },
  delete: { id: 1 },
  typing: { room: 'lobby' },
  block: { username: 'nobody_here' },
  unblock: { username: 'nobody_here' },
  join: { room: 'bots' },
  leave: { room: 'bots' },
  history: { room: 'lobby' },
  read: { room: 'lobby', id: 1 },
  rooms: {},
  search: { query: 'token' },
};

describe('personal access tokens: the scope matrix over every route and event', () => {
  // Many accounts from one address, quickly: the signup budget is not what this tests.
  const t = useServer({ env: { LIMIT_SIGNUPS_PER_10MIN: '1000' } });
  const send = (token: string | undefined, method: string, path: string) => {
    const body = method === 'GET' ? undefined : {};
    return token ? t.as(token)(method, concrete(path), body) : t.api(method, concrete(path), body);
  };

  it('the server refuses to start with a route under /api that declares no need', () => {
    const router = new Router();
    router.get('/api/me', () => undefined);
    router.post('/api/brand-new', () => undefined);
    router.get('/outside', () => undefined);
    expect(() => assertEveryRouteDeclared(router)).to.throw(/POST \/api\/brand-new/);
  });

  describe('REST', () => {
    let person: { username: string; password: string };
    const tokens: { grant: TokenScope[]; token: string }[] = [];
    before(async () => {
      const p = await t.chatPerson('rest');
      person = p;
      for (const grant of GRANTS) tokens.push({ grant, token: (await makeToken(t, p.token, grant)).token });
    });

    for (const [route, need] of Object.entries(ROUTE_ACCESS)) {
      const [method, path] = route.split(' ') as [string, string];
      if (need === 'public' || byRole(need)) continue;

      it(`${route} (${need}): 401 with no credential, and by scope for tokens`, async () => {
        expect((await send(undefined, method, path)).status, 'no credential').to.equal(401);
        for (const { grant, token } of tokens) {
          const res = await send(token, method, path);
          const what = `${route} with ${grant.join(' ')}: ${JSON.stringify(res.body)}`;
          if (allows(grant, need)) {
            expect(res.status, what).not.to.be.oneOf([401, 403]);
          } else {
            expect(res.status, what).to.equal(403);
            expect(res.body.code, what).to.equal('insufficient_scope');
            expect(res.body.scope, what).to.equal(need);
            expect(res.body.error, what).to.include(need === 'session' ? 'token cannot' : need);
          }
        }
        // A session may do all of them (what it then answers is the route's own business); a
        // fresh one, since some of them end sessions.
        const session = (await t.logIn(person.username, person.password)).body.token;
        const res = await send(session, method, path);
        expect(res.status, `${route} with a session: ${JSON.stringify(res.body)}`).not.to.be.oneOf([
          401, 403,
        ]);
      });
    }
  });

  describe('Socket.IO', () => {
    // One account per grant, made once: a token's sockets share their user's budget.
    const holders: { grant: TokenScope[]; token: string; id: number; username: string }[] = [];
    let watcher: Awaited<ReturnType<typeof t.chatPerson>>;
    before(async () => {
      watcher = await t.chatPerson('watch');
      for (const grant of GRANTS) {
        const p = await t.chatPerson('sock');
        holders.push({
          grant,
          token: (await makeToken(t, p.token, grant)).token,
          id: p.id,
          username: p.username,
        });
      }
    });

    for (const [event, { need }] of Object.entries(EVENT_ACCESS)) {
      if (need === 'public' || byRole(need)) continue;
      const quiet = 'quiet' in EVENT_ACCESS[event as keyof typeof EVENT_ACCESS];

      it(`${event} (${need}): refused for a guest, and by scope for tokens`, async () => {
        const guest = await t.connect();
        if (!quiet) {
          const ack = await ask(guest.socket, event, PAYLOADS[event]);
          expect(ack).to.include({ ok: false, code: 'unauthorized' });
        }
        const watching = await t.connectAs(watcher);
        const relayed = record(watching, 'typing');
        for (const { grant, token, id, username } of holders) {
          const { socket, hello } = await t.connect({ token });
          expect(hello.user?.username).to.equal(username);
          const what = `${event} with ${grant.join(' ')}`;
          if (quiet) {
            socket.emit(event as 'typing', PAYLOADS[event] as { room: string });
            await settle();
            const seen = relayed.some((e) => e.user.id === id);
            // Only a token that may write and is in the room (chat:read put it in the lobby).
            expect(seen, what).to.equal(allows(grant, need) && grant.includes('chat:read'));
            continue;
          }
          const ack = await ask(socket, event, PAYLOADS[event]);
          if (allows(grant, need)) {
            expect(ack.code, `${what}: ${JSON.stringify(ack)}`).not.to.be.oneOf([
              'insufficient_scope',
              'unauthorized',
            ]);
          } else {
            expect(ack, what).to.include({ ok: false, code: 'insufficient_scope', scope: need });
          }
        }
      });
    }

    it('a chat:read token receives messages and history, and its own message is refused', async () => {
      const author = await t.chatPerson('author');
      const reader = await t.chatPerson('reader');
      const { token } = await makeToken(t, reader.token, ['chat:read']);
      const { socket } = await t.connect({ token });
      const authorSocket = await t.connectAs(author);
      const heard = nextEvent(socket, 'message', (m) => m.text === 'for the bot');
      expect(await ask(authorSocket, 'message', { room: 'lobby', text: 'for the bot' })).to.include({
        ok: true,
      });
      expect((await heard).user?.username).to.equal(author.username);
      const history = await ask(socket, 'history', { room: 'lobby' });
      expect(history.ok).to.equal(true);
      expect(history.messages.map((m: { text: string }) => m.text)).to.include('for the bot');
      expect(await ask(socket, 'message', 'hello')).to.include({
        ok: false,
        code: 'insufficient_scope',
        scope: 'chat:write',
      });
      // A direct message to the reader reaches the token's socket too (it may read).
      const dm = nextEvent(socket, 'message', (m) => m.text === 'psst');
      expect(await ask(authorSocket, 'message', { to: reader.username, text: 'psst' })).to.include({
        ok: true,
      });
      await dm;
    });

    it('a token without chat:read hears nothing: not the lobby, not a direct message', async () => {
      const author = await t.chatPerson('author');
      const bot = await t.chatPerson('deaf');
      const { token } = await makeToken(t, bot.token, ['chat:write', 'profile:read']);
      const { socket } = await t.connect({ token });
      const heard = record(socket, 'message');
      const authorSocket = await t.connectAs(author);
      expect(await ask(authorSocket, 'message', { room: 'lobby', text: 'lobby text' })).to.include({
        ok: true,
      });
      expect(await ask(authorSocket, 'message', { to: bot.username, text: 'dm text' })).to.include({
        ok: true,
      });
      // It may still write a direct message, which needs no room.
      expect(await ask(socket, 'message', { to: author.username, text: 'from the bot' })).to.include({
        ok: true,
      });
      await settle();
      expect(heard.map((m) => m.text)).to.deep.equal([]);
    });

    it('a write-only token posts to a public room without joining it, never to a conversation of others', async () => {
      const listener = await t.chatPerson('listener');
      const other = await t.chatPerson('other');
      const notifier = await t.chatPerson('notifier');
      const { token } = await makeToken(t, notifier.token, ['chat:write']);
      const { socket } = await t.connect({ token });
      const listening = await t.connectAs(listener);
      expect((await ask(listening, 'join', { room: 'ops' })).ok).to.equal(true);
      const heard = nextEvent(listening, 'message', (m) => m.text === 'deploy finished');
      const sent = await ask(socket, 'message', { room: 'ops', text: 'deploy finished' });
      expect(sent).to.include({ ok: true });
      expect((await heard).user?.username).to.equal(notifier.username);
      const dmOfOthers = [listener.id, other.id].sort((a, b) => a - b).join('-');
      expect(await ask(socket, 'message', { room: `dm:${dmOfOthers}`, text: 'x' })).to.include({
        ok: false,
        code: 'forbidden',
      });
      expect(await ask(socket, 'join', { room: 'ops' })).to.include({
        ok: false,
        code: 'insufficient_scope',
      });
      // A session (which may read) still joins before it sends.
      const session = await t.connectAs(other);
      expect(await ask(session, 'message', { room: 'ops', text: 'x' })).to.include({
        ok: false,
        code: 'not_in_room',
      });
    });
  });
});
