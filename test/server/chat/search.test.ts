import { expect } from 'chai';
import { CHAT } from '../../../server/protocol.js';
import { SEARCH_EXPANSION_MAX } from '../../../server/store/search.js';
import { MANY_SIGNUPS, useServer } from '../../helpers/fixture.js';
import { expectNoBug, SQL_INJECTION } from '../../helpers/hostile-inputs.js';
import { ask, connectAs, disconnectAll, type ChatPerson, type ClientSocket } from '../../helpers/sockets.js';

describe('chat: search', function () {
  this.timeout(30_000);
  const t = useServer({ env: MANY_SIGNUPS });
  let alice: ChatPerson;
  let bob: ChatPerson;
  const ids: Record<string, number> = {};

  before(async () => {
    [alice, bob] = await t.chatPeople('salice', 'sbob');
    const a = await connectAs(t.url, alice);
    await ask(a, 'join', { room: 'ops' });
    for (const [room, text] of [
      ['lobby', 'Deploy of the API finished'],
      ['ops', 'deploying the database now'],
      ['ops', 'database backup at noon'],
      ['lobby', 'lunch?'],
      ['lobby', 'Café au lait, naïve résumé 部署'],
    ] as const) {
      ids[text] = (await ask(a, 'message', { room, text })).id;
    }
    disconnectAll();
  });
  // The fixture closes the sockets after each test; the next one opens its own.
  afterEach(() => {
    socket = undefined;
  });

  // A socket per few questions keeps the request budget out of the answers.
  let socket: ClientSocket | undefined;
  let used = 0;
  const search = async (payload: unknown) => {
    if (!socket || ++used % 15 === 0) socket = await connectAs(t.url, bob);
    return ask(socket, 'search', payload);
  };
  const texts = async (payload: unknown) => {
    const ack = await search(payload);
    expect(ack.ok, JSON.stringify(ack)).to.equal(true);
    return ack.messages.map((m: any) => m.text);
  };

  it('finds every word as a prefix, any case, newest first, across rooms', async () => {
    expect(await texts({ query: 'DEPLOY' })).to.deep.equal([
      'deploying the database now',
      'Deploy of the API finished',
    ]);
    expect(await texts({ query: 'dep data' })).to.deep.equal(['deploying the database now']);
    expect(await texts({ query: 'nothing matches this' })).to.deep.equal([]);
  });

  it('narrows to a room and a limit, and answers whole messages', async () => {
    expect(await texts({ query: 'database', room: 'ops', limit: 1 })).to.deep.equal([
      'database backup at noon',
    ]);
    const [message] = (await search({ query: 'lunch' })).messages;
    expect(message).to.deep.equal({
      id: ids['lunch?'],
      room: 'lobby',
      user: { id: alice.id, username: alice.username },
      text: 'lunch?',
      ts: message.ts,
      mentions: [],
      edited_at: null,
    });
  });

  it('matches words beyond ASCII', async () => {
    expect(await texts({ query: 'résumé' })).to.have.length(1);
    expect(await texts({ query: 'naïve café' })).to.have.length(1);
  });

  // On SQLite a word past the prefix indexes is asked as itself or each longer word it starts
  // (server/store/search.ts), up to SEARCH_EXPANSION_MAX of them and only ASCII ones; past
  // either, as a prefix again. Every way finds the same messages.
  it('finds the longer words a word starts, however many, in any script', async () => {
    const a = await connectAs(t.url, alice);
    const many = Array.from({ length: SEARCH_EXPANSION_MAX + 5 }, (_, i) => `plumbing${i}`).join(' ');
    const sentTexts = [
      'plumb the pipes',
      'plumber at noon',
      'plumbиз pipes',
      many,
      'plumbing5 again',
      'gasketли seal',
    ];
    for (const text of sentTexts)
      expect(await ask(a, 'message', { room: 'lobby', text })).to.include({ ok: true });
    disconnectAll();
    expect(await texts({ query: 'plumb' })).to.deep.equal([
      'plumbing5 again',
      many,
      'plumbиз pipes',
      'plumber at noon',
      'plumb the pipes',
    ]);
    expect(await texts({ query: 'plumbe' })).to.deep.equal(['plumber at noon']);
    expect(await texts({ query: 'plumbing' })).to.deep.equal(['plumbing5 again', many]);
    expect(await texts({ query: 'plumbing5 pipes' })).to.deep.equal([]);
    expect(await texts({ query: 'plumbing4' })).to.deep.equal([many]);
    expect(await texts({ query: 'pipes plum' })).to.deep.equal(['plumbиз pipes', 'plumb the pipes']);
    // One longer word beyond ASCII is enough to ask the prefix.
    expect(await texts({ query: 'gasket' })).to.deep.equal(['gasketли seal']);
  });

  it('treats search syntax, quotes and SQL as plain words', async () => {
    const hostile = [
      ...SQL_INJECTION,
      '"',
      '""',
      '"deploy',
      'deploy"',
      'deploy*',
      '*',
      'NEAR(deploy database)',
      'deploy AND database',
      'deploy OR lunch',
      'NOT deploy',
      '-deploy',
      'text:deploy',
      '{text}: deploy',
      '^deploy',
      '(deploy',
      'deploy)',
      'deploy & !database | lunch',
      "deploy:* & ' | '",
      '\\',
      '%',
      '_',
      'deploy\u202e',
      '🔥 deploy 🔥',
    ];
    for (const query of hostile) {
      const ack = await search({ query });
      expect(ack.code, query).to.not.equal('internal_error');
      if (ack.ok) expect(ack.messages, query).to.be.an('array');
      else expect(ack.code, query).to.equal('invalid_field');
    }
    // The operators are words like any other: "deploy OR lunch" needs all three.
    expect(await texts({ query: 'deploy OR lunch' })).to.deep.equal([]);
    expect(await texts({ query: '"deploy' })).to.have.length(2);
    expectNoBug(t);
  });

  it('refuses a query with no word, a huge one, and wrong fields', async () => {
    const cases: unknown[] = [
      { query: '' },
      { query: '   ' },
      { query: '*"()' },
      { query: '🔥🔥' },
      { query: 'x'.repeat(CHAT.searchQueryMax + 1) },
      { query: 'deploy', limit: 0 },
      { query: 'deploy', limit: CHAT.searchMax + 1 },
      { query: 'deploy', limit: 'ten' },
      { query: 'deploy', room: 'NOT A ROOM' },
      { query: 42 },
      { query: ['deploy'] },
      {},
      null,
      'deploy',
    ];
    for (const payload of cases) {
      const ack = await search(payload);
      expect(ack, JSON.stringify(payload)?.slice(0, 60)).to.include({ ok: false, code: 'invalid_field' });
    }
  });

  it('answers a query of many words by its first ones', async () => {
    const many = 'deploy ' + Array.from({ length: 50 }, (_, i) => `w${i}`).join(' ');
    expect(await texts({ query: many })).to.deep.equal([]);
    expect(await texts({ query: 'deploy '.repeat(28).trim() })).to.have.length(2);
  });
});
