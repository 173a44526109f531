import { expect } from 'chai';
import { render } from 'ink-testing-library';
import { MessageList } from '../../../tui/app/components/MessageList.js';
import { NICK_PALETTE, nickColour } from '../../../tui/app/components/nick-colour.js';
import type { Entry } from '../../../tui/app/hooks/useChat.js';
import { RoomBar } from '../../../tui/app/components/RoomBar.js';
import { columnsOf } from '../../../tui/app/components/graphemes.js';
import { wrapLines } from '../../../tui/app/components/wrap-lines.js';
import type { ChatMessage } from '../../../tui/app/chat-client.js';

const entries = (n: number): Entry[] =>
  Array.from({ length: n }, (_, i) => ({
    kind: 'message' as const,
    message: {
      id: i + 1,
      room: 'lobby',
      user: { id: i % 2, username: i % 2 ? 'bob' : 'alice' },
      text: `message ${i + 1}`,
      ts: Date.UTC(2030, 0, 1, 12, 0),
    },
  }));

describe('TUI: message list', () => {
  it('shows the newest messages that fit, not the whole scrollback', () => {
    const { lastFrame } = render(
      <MessageList entries={entries(10_000)} selfId={0} width={80} height={5} offset={0} />,
    );
    const frame = lastFrame()!;
    expect(frame).to.include('message 10000');
    expect(frame).to.include('message 9996');
    expect(frame).not.to.include('message 9995');
    expect(frame.split('\n')).to.have.length(5);
  });
  it('scrolls up by entries with an offset', () => {
    const { lastFrame } = render(
      <MessageList entries={entries(100)} selfId={0} width={80} height={3} offset={10} />,
    );
    expect(lastFrame()).to.include('message 90');
    expect(lastFrame()).not.to.include('message 91');
  });
  it('strips terminal sequences from names and text', () => {
    const hostile: Entry[] = [
      {
        kind: 'message',
        message: {
          id: 1,
          room: 'lobby',
          user: { id: 2, username: 'eve' },
          text: '\u001B[2Jgotcha\u001B]0;x\u0007',
          ts: 0,
        },
      },
    ];
    const { lastFrame } = render(
      <MessageList entries={hostile} selfId={0} width={80} height={2} offset={0} />,
    );
    expect(lastFrame()).to.include('gotcha');
    expect(lastFrame()).not.to.include('\u001B[2J');
    expect(lastFrame()).not.to.include(']0;x');
  });
});

describe('TUI: message list decorations', () => {
  const day = (d: number, h = 12) => new Date(2030, 0, d, h, 0).getTime();
  const msg = (id: number, who: string, text: string, ts: number, userId = id + 100): Entry => ({
    kind: 'message',
    message: { id, room: 'lobby', user: { id: userId, username: who }, text, ts },
  });
  const room: Entry[] = [
    msg(1, 'alice', 'first of all', day(1)),
    msg(2, 'bob', 'same day', day(1, 13)),
    msg(3, 'alice', 'next day', day(2)),
    msg(4, 'bob', '/me waves at everyone', day(2, 13)),
  ];

  it('puts a date line between days and "beginning of" at the top once history is complete', () => {
    const { lastFrame } = render(
      <MessageList entries={room} selfId={0} width={60} height={10} offset={0} beginning="#lobby" />,
    );
    const lines = lastFrame()!
      .split('\n')
      .filter((l) => l.trim());
    expect(lines[0]).to.equal('beginning of #lobby');
    expect(lines[1]).to.match(/─ Tuesday 1 January 2030 ─/);
    expect(lines[2]).to.include('first of all');
    expect(lines[4]).to.match(/─ Wednesday 2 January 2030 ─/);
    expect(lines[5]).to.include('next day');
  });
  it('says nothing of the beginning while older messages may still come', () => {
    const { lastFrame } = render(<MessageList entries={room} selfId={0} width={60} height={10} offset={0} />);
    expect(lastFrame()).not.to.include('beginning of');
    expect(lastFrame()).not.to.include('Tuesday');
    expect(lastFrame()).to.include('Wednesday');
  });
  it('draws the last-read marker after the message read last, only when others wrote after it', () => {
    const shown = (marker: number, entries = room) =>
      render(<MessageList entries={entries} selfId={0} width={60} height={10} offset={0} marker={marker} />)
        .lastFrame()!
        .split('\n')
        .filter((l) => l.trim());
    const lines = shown(3);
    expect(lines[lines.findIndex((l) => l.includes('next day')) + 1]).to.match(/─ new ─/);
    expect(shown(4).join('\n')).not.to.include(' new ');
    // Only the reader's own message after it: nothing new to point at.
    const own = [...room, msg(5, 'me', 'my own line', day(2, 14), 0)];
    expect(shown(4, own).join('\n')).not.to.include(' new ');
  });
  it('shows /me as an action, "* bob waves"', () => {
    const { lastFrame } = render(<MessageList entries={room} selfId={0} width={60} height={10} offset={0} />);
    expect(lastFrame()).to.include('* bob waves at everyone');
    expect(lastFrame()).not.to.include('/me');
  });
  it('gathers people coming and going into one line, naming a few and counting the rest', () => {
    const presence: Entry = {
      kind: 'presence',
      presence: { id: 'p', ts: day(2, 14), joined: ['ann', 'ben', 'cy', 'dee', 'eve'], left: ['fay'] },
    };
    const { lastFrame } = render(
      <MessageList entries={[...room, presence]} selfId={0} width={80} height={10} offset={0} />,
    );
    expect(lastFrame()).to.include('→ ann, ben, cy and 2 more joined · ← fay left');
  });
  it('keeps within its height with the lines it adds', () => {
    const many = Array.from({ length: 50 }, (_, i) => msg(i + 1, 'bob', `m${i + 1}`, day(1 + i)));
    const { lastFrame } = render(
      <MessageList entries={many} selfId={0} width={60} height={7} offset={0} marker={45} />,
    );
    expect(lastFrame()!.split('\n')).to.have.length(7);
    expect(lastFrame()).to.include('m50');
  });
});

/**
 * A message is cut into rows by the list (wrapLines' rule), not by Ink: a wrapped row starts flush,
 * and the rows the list counts to fill its height are the rows it draws.
 */
describe('TUI: wrapped messages at 40 columns', () => {
  const noon = new Date(2030, 0, 1, 12, 0).getTime();
  const message = (id: number, who: string, text: string, extra: Partial<ChatMessage> = {}): Entry => ({
    kind: 'message',
    message: { id, room: 'lobby', user: { id: id + 100, username: who }, text, ts: noon, ...extra },
  });
  const long = 'the quick brown fox jumps over the lazy dog and keeps on running far away from here';
  // Two rows at 40 columns, then one row: an entry that takes a row more than counted pushes the
  // first of these out of the list's top, one counted a row too many leaves the second out.
  const twoRows = message(1, 'ann', 'an older message that takes exactly two rows here');
  const oneRow = message(2, 'ben', 'one row');
  const cases: [string, Entry, string][] = [
    ['a message', message(3, 'alice', long), `12:00 alice ${long}`],
    ['a /me action', message(3, 'bob', `/me ${long}`), `12:00 * bob ${long}`],
    ['an edited message', message(3, 'carol', long, { edited_at: noon }), `12:00 carol ${long} (edited)`],
    ['a mention', message(3, 'dave', `@me ${long}`, { mentions: [0] }), `12:00 dave @me ${long}`],
    [
      'two spaces where the row breaks',
      message(3, 'erin', 'twenty-eight columns of texts  and more after two spaces'),
      '12:00 erin twenty-eight columns of texts  and more after two spaces',
    ],
    [
      'a refused message on its way',
      {
        kind: 'pending',
        item: { client_id: 'c1', room: 'lobby', text: long, queued_at: noon, refused: 'too fast' },
      },
      `12:00 ✗ me ${long} (not sent: too fast)`,
    ],
    [
      'a message of its own lines',
      message(3, 'fay', `first line\n${long}`),
      `12:00 fay first line\n  ${long}`,
    ],
  ];
  for (const [what, entry, plain] of cases) {
    it(`draws ${what} in the rows it counts, none starting with a space`, () => {
      const rows = wrapLines(plain, 40);
      expect(wrapLines('12:00 ann an older message that takes exactly two rows here', 40)).to.have.length(2);
      const { lastFrame, unmount } = render(
        <MessageList
          entries={[twoRows, oneRow, entry]}
          selfId={0}
          selfName="me"
          width={40}
          height={rows.length + 2}
          offset={0}
        />,
      );
      const lines = lastFrame()!.split('\n');
      unmount();
      expect(lines, lastFrame()).to.deep.equal(['', '12:00 ben one row', ...rows]);
      // Only a message's own second line starts in, by the two columns that set it off.
      for (const line of lines.slice(2)) expect(line, line).to.match(/^(\S| {2}the |$)/);
      for (const line of lines) expect(columnsOf(line), line).to.be.at.most(40);
    });
  }
});

describe('TUI: nick colours', () => {
  it('gives a name the same colour every time, whatever its case, from a palette without yellow or grey', () => {
    expect(nickColour('alice')).to.equal(nickColour('Alice'));
    expect(NICK_PALETTE).to.include(nickColour('alice'));
    const used = new Set(
      ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi'].map(nickColour),
    );
    expect(used.size, 'different names spread over the palette').to.be.at.least(4);
    // Readable on dark and light: WCAG contrast of at least 3:1 against both black and white.
    const linear = (c: number) => (c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4);
    for (const hex of NICK_PALETTE) {
      const [r, g, b] = [1, 3, 5].map((i) => linear(parseInt(hex.slice(i, i + 2), 16) / 255));
      const lum = 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
      expect(1.05 / (lum + 0.05), `${hex} on white`).to.be.at.least(3);
      expect((lum + 0.05) / 0.05, `${hex} on black`).to.be.at.least(3);
    }
  });
});

describe('TUI: room bar', () => {
  const rooms = [
    { room: 'lobby', unread: 0, mentions: 0 },
    { room: 'development', unread: 12, mentions: 0 },
    { room: 'operations', unread: 3, mentions: 2 },
    { room: 'random', unread: 0, mentions: 0 },
  ];
  const bar = (width: number, current = 'lobby') =>
    render(<RoomBar rooms={rooms} current={current} labelOf={(r) => `#${r}`} width={width} />).lastFrame()!;
  it('numbers the rooms for Alt-1..9 and shows unread counts and mentions', () => {
    expect(bar(80)).to.equal('1:#lobby  2:#development 12  3:#operations 3 @2  4:#random');
  });
  it('shortens the other rooms to their numbers on one line at 40 columns, counts kept', () => {
    const narrow = bar(40, 'operations');
    expect(narrow.split('\n')).to.have.length(1);
    expect(narrow).to.equal('1 2·12 3:#operations 3 @2 4');
    expect(bar(40, 'lobby')).to.equal('1:#lobby 2·12 3·3@2 4');
  });
});
