import { expect } from 'chai';
import { join } from 'node:path';
import { dmRoom } from '../../../server/protocol.js';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { chatPerson, type ChatPerson } from '../../helpers/sockets.js';
import { runCli, tempDir } from '../../helpers/cli.js';

/** The chat commands beyond one room, through the built CLI against a real server. */
describe('mux1 CLI: direct messages, rooms, search, edit and delete', function () {
  this.timeout(120_000);
  let t: TestServer;
  let home: { path: string; remove(): void };
  let alice: ChatPerson;
  let bob: ChatPerson;
  let carol: ChatPerson;

  before(async () => {
    t = await startTestServer({ env: { LIMIT_SIGNUPS_PER_10MIN: '1000' } });
    home = tempDir();
    alice = await chatPerson(t, 'clialice');
    bob = await chatPerson(t, 'clibob');
    carol = await chatPerson(t, 'clicarol');
  });
  after(async () => {
    await t?.close();
    home?.remove();
  });

  const as = (p: ChatPerson) => ({
    MUX1_SERVER: t.url,
    MUX1_CONFIG_DIR: join(home.path, p.username),
    MUX1_TOKEN: p.token,
  });
  const cli = (p: ChatPerson, args: string[], input?: string) => runCli(args, { env: as(p), input });

  it('sends a direct message, lists it with its unread count, reads it back and searches it', async () => {
    const sent = await cli(alice, [
      'send',
      '--to',
      bob.username.toUpperCase(),
      'release notes are ready',
      '--json',
    ]);
    expect(sent.code, sent.stderr).to.equal(0);
    expect(sent.json()).to.include({ ok: true, to: bob.username, server: t.url });
    const id = sent.json().id;

    const rooms = await cli(bob, ['rooms', '--json']);
    expect(rooms.code, rooms.stderr).to.equal(0);
    const dm = dmRoom(alice.id, bob.id);
    expect(rooms.json().rooms).to.deep.include({
      room: dm,
      unread: 1,
      mentions: 0,
      last_read_id: 0,
      with: { id: alice.id, username: alice.username },
    });
    const shown = await cli(bob, ['rooms']);
    expect(shown.stdout).to.match(new RegExp(`@${alice.username} \\(${dm}\\)\\s+1 unread`));
    expect(shown.stdout).to.match(/^#lobby\s+0 unread$/m);

    const history = await cli(bob, ['history', '--with', alice.username, '--json']);
    expect(history.code, history.stderr).to.equal(0);
    expect(history.json()).to.include({ with: alice.username });
    expect(history.json().messages.map((m: any) => m.id)).to.deep.equal([id]);
    const byRoom = await cli(bob, ['history', '--room', dm]);
    expect(byRoom.code, byRoom.stderr).to.equal(0);
    expect(byRoom.stdout).to.match(
      new RegExp(`^\\[${id}\\] .*  ${alice.username}: release notes are ready\\n$`),
    );

    const found = await cli(bob, ['search', 'release notes', '--json']);
    expect(found.code, found.stderr).to.equal(0);
    expect(found.json().messages.map((m: any) => m.id)).to.deep.equal([id]);
    // Carol finds nothing of it, and may not name the room.
    expect((await cli(carol, ['search', 'release', '--json'])).json().messages).to.deep.equal([]);
    const refused = await cli(carol, ['search', 'release', '--room', dm, '--json']);
    expect(refused.code).to.equal(1);
    expect(refused.json()).to.include({ code: 'forbidden' });
    const notHers = await cli(carol, ['history', '--room', dm, '--json']);
    expect(notHers.code).to.equal(1);
    expect(notHers.json()).to.include({ code: 'forbidden' });
  });

  it("edits and deletes its own messages and no one else's", async () => {
    const sent = await cli(alice, ['send', '--room', 'lobby', 'draft text', '--json']);
    const id = sent.json().id;
    const edited = await cli(alice, ['edit', String(id), 'final text', '--json']);
    expect(edited.code, edited.stderr).to.equal(0);
    expect(edited.json()).to.include({ ok: true, id });
    expect(edited.json().edited_at).to.be.a('number');
    const history = await cli(bob, ['history']);
    expect(history.stdout).to.include(`${alice.username}: final text (edited)`);

    const theirs = await cli(bob, ['edit', String(id), 'mine now', '--json']);
    expect(theirs.code).to.equal(1);
    expect(theirs.json()).to.include({ code: 'forbidden' });
    const theirDelete = await cli(bob, ['delete', String(id)]);
    expect(theirDelete.code).to.equal(1);
    expect(theirDelete.stderr).to.match(/not yours/);

    const deleted = await cli(alice, ['delete', String(id), '--json']);
    expect(deleted.code, deleted.stderr).to.equal(0);
    expect(deleted.json()).to.deep.equal({ ok: true, id, server: t.url });
    const after = await cli(bob, ['history', '--json']);
    expect(after.json().messages.map((m: any) => m.id)).to.not.include(id);
  });

  it("prints other people's escape sequences as plain text", async () => {
    const hostile = 'needle \u001b[2J\u001b]0;owned\u0007\u202Etxt.exe end\nnext';
    expect((await cli(carol, ['send', '--room', 'lobby', '--json'], `${hostile}\n`)).code).to.equal(0);
    const found = await cli(bob, ['search', 'needle']);
    expect(found.code, found.stderr).to.equal(0);
    expect(found.stdout).to.match(/#lobby {2}clicarol\d+: needle txt\.exe end next\n$/);
    // eslint-disable-next-line no-control-regex -- looking for the control characters themselves
    expect(found.stdout).not.to.match(/[\u0000-\u0009\u000b-\u001f\u007f-\u009f\u202a-\u202e]/);
  });

  it('refuses wrong input before anything is sent (exit 2)', async () => {
    const cases: [string[], string][] = [
      [['send', '--to', 'no spaces!', 'hi'], 'to'],
      [['send', '--to', 'x'.repeat(40), 'hi'], 'to'],
      [['send', '--to', bob.username, '--room', 'ops', 'hi'], ''],
      [['history', '--with', 'a', '--json'], 'with'],
      [['history', '--with', bob.username, '--room', 'ops'], ''],
      [['search', '***'], 'query'],
      [['search', 'x'.repeat(201)], 'query'],
      [['search', 'ok', '--room', 'NOT A ROOM'], 'room'],
      [['search', 'ok', '--limit', '51'], ''],
      [['edit', '0', 'text'], ''],
      [['edit', 'abc', 'text'], ''],
      [['edit', '12', '   '], 'text'],
      [['edit', '12', 'x'.repeat(2001)], 'text'],
      [['edit', '12'], ''],
      [['delete', '-4'], ''],
      [['delete', '99999999999999999999'], ''],
    ];
    for (const [args, field] of cases) {
      const r = await cli(alice, [...args, '--json']);
      expect(r.code, `${args.join(' ')}: ${r.stderr}`).to.equal(2);
      if (field) expect(r.json(), args.join(' ')).to.include({ field });
    }
  });

  it('reports what the server refuses as one line (exit 1)', async () => {
    const nobody = await cli(alice, ['send', '--to', 'nobody-here', 'hi', '--json']);
    expect(nobody.code).to.equal(1);
    expect(nobody.json()).to.include({ code: 'not_found' });
    const self = await cli(alice, ['send', '--to', alice.username, 'hi']);
    expect(self.code).to.equal(1);
    expect(self.stderr.trim().split('\n')).to.have.length(1);
    const missing = await cli(alice, ['delete', '987654', '--json']);
    expect(missing.json()).to.include({ code: 'forbidden' });
  });
});
