import { expect } from 'chai';
import { ask, settle, storedTexts, type ChatPerson } from '../../helpers/sockets.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { eventually } from '../../helpers/wait.js';

/**
 * Every socket's event listeners are one table shared by the server (shared-listeners.ts): what
 * is added to one socket must stay that socket's, beside the shared listeners, and Socket.IO's
 * per-socket middleware must still run before them.
 */
describe('Socket.IO chat: listeners shared by every socket', () => {
  let alice: ChatPerson;
  const t = useServer({ env: MANY_SIGNUPS });

  before(async () => {
    [alice] = await t.chatPeople('shared');
  });

  const serverSocket = (id: string | undefined) => {
    const socket = t.server.realtime.io.of('/').sockets.get(id ?? '');
    if (!socket) throw new Error(`no server socket ${id}`);
    return socket;
  };

  it('runs a listener added to one socket beside the shared one, for that socket only', async () => {
    const first = await t.connectAs(alice!);
    const second = await t.connectAs(alice!);
    const heard: string[] = [];
    const one = serverSocket(first.id);
    one.on('message', (payload) => heard.push(typeof payload === 'string' ? payload : payload.text));
    one.on('disconnecting', () => heard.push('disconnecting'));

    expect((await ask(first, 'message', 'through the first')).ok).to.equal(true);
    expect((await ask(second, 'message', 'through the second')).ok).to.equal(true);
    expect(heard).to.deep.equal(['through the first']);
    expect((await storedTexts(t)).slice(-2)).to.deep.equal(['through the first', 'through the second']);

    first.disconnect();
    await eventually(() => heard.includes('disconnecting'), { what: 'the server side of the disconnect' });
    expect(heard).to.deep.equal(['through the first', 'disconnecting']);
    // The other socket of the same session is untouched.
    expect(second.connected).to.equal(true);
    expect((await ask(second, 'message', 'still here')).ok).to.equal(true);
  });

  it('runs socket.use middleware before the shared listener', async () => {
    const client = await t.connectAs(alice!);
    serverSocket(client.id).use(([event], next) =>
      next(event === 'message' ? new Error('held back') : undefined),
    );
    client.emit('message', { room: 'lobby', text: 'never handled' });
    expect((await ask(client, 'rooms')).ok).to.equal(true);
    await settle();
    expect(await storedTexts(t)).to.not.include('never handled');
  });
});
