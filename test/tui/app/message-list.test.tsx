import { expect } from 'chai';
import { render } from 'ink-testing-library';
import { MessageList } from '../../../tui/app/components/MessageList.js';
import type { Entry } from '../../../tui/app/hooks/useChat.js';

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
