import { expect } from 'chai';
import { useState } from 'react';
import { Box } from 'ink';
import { render } from 'ink-testing-library';
import stringWidth from 'string-width';
import { ChatDraft } from '../../../tui/app/components/ChatDraft.js';
import { EMPTY, layoutDraft, type Draft } from '../../../tui/app/components/line-editor.js';
import { MessageList } from '../../../tui/app/components/MessageList.js';
import type { Entry } from '../../../tui/app/hooks/useChat.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';

/*
 * CJK characters and emoji take two terminal columns: the draft wraps and places its cursor by
 * columns, moves and deletes by whole characters, and the message list counts a wide message's
 * rows as the terminal draws them.
 */

const left = '\u001B[D';
const widest = (frame: string) => Math.max(...frame.split('\n').map((l) => stringWidth(l)));

describe('TUI: wide characters', () => {
  describe('the draft layout', () => {
    it('wraps by columns: a wide character that does not fit goes whole to the next row', () => {
      const { rows } = layoutDraft({ value: '日本語', cursor: 3 }, 5, 5);
      expect(rows.map((r) => r.text)).to.deep.equal(['日本', '語']);
      // The cursor past the end sits on the last row after 語, in the cell kept for it.
      expect(rows[1]).to.deep.equal({ text: '語', cursor: 1 });
    });

    it('keeps the cursor cell after a full row of wide characters on a row of its own', () => {
      const { rows, total } = layoutDraft({ value: '日本', cursor: 2 }, 4, 5);
      expect(rows.map((r) => r.text)).to.deep.equal(['日本', '']);
      expect(total).to.equal(2);
      expect(rows[1]!.cursor).to.equal(0);
    });

    it('puts the cursor on a whole emoji with its skin tone', () => {
      const value = 'a👍🏽b';
      const { rows } = layoutDraft({ value, cursor: 1 }, 20, 1);
      expect(rows[0]).to.include({ text: value, cursor: 1, cursorSize: 2 });
    });
  });

  describe('the chat draft', () => {
    function Harness({ width }: { width: number }) {
      const [draft, setDraft] = useState<Draft>(EMPTY);
      return (
        <Box width={width + 2}>
          <ChatDraft
            draft={draft}
            onChange={setDraft}
            onSubmit={() => {}}
            recall={() => []}
            completions={() => ({ nicks: [], commands: [], rooms: [] })}
            room="lobby"
            placeholder="message #lobby"
            width={width}
            maxRows={5}
          />
        </Box>
      );
    }
    const draftText = (frame: string) =>
      frame
        .split('\n')
        .map((l) => l.replace(/^(> | {2})/, '').trimEnd())
        .join('');

    it('wraps a CJK draft at the edge and inserts where the cursor was moved', async () => {
      const { lastFrame, stdin } = render(<Harness width={20} />);
      const text = '漢字のテストです。日本語を入力しています';
      await type(stdin, text);
      const frame = await waitForFrame(lastFrame, (f) => draftText(f) === text);
      // 20 wide characters in 20 columns: 10 a row, each row within the draft's width.
      const rows = frame.split('\n').map((l) => l.replace(/^(> | {2})/, '').trimEnd());
      expect(rows.filter(Boolean)).to.deep.equal(['漢字のテストです。日', '本語を入力しています']);
      expect(widest(frame)).to.be.at.most(22);
      for (let i = 0; i < 3; i++) await press(stdin, left);
      await type(stdin, 'x');
      const moved = await waitForFrame(lastFrame, (f) => draftText(f).includes('x'));
      expect(draftText(moved)).to.equal('漢字のテストです。日本語を入力してxいます');
      expect(widest(moved)).to.be.at.most(22);
    });

    it('moves over and deletes an emoji with its skin tone as one character', async () => {
      const { lastFrame, stdin } = render(<Harness width={20} />);
      await type(stdin, 'a👍🏽b');
      await waitForFrame(lastFrame, (f) => draftText(f) === 'a👍🏽b');
      await press(stdin, left);
      await press(stdin, left);
      await type(stdin, 'x');
      await waitForFrame(lastFrame, (f) => draftText(f) === 'ax👍🏽b');
      await press(stdin, '\u001B[3~'); // Delete: the whole emoji, not half of it
      await waitForFrame(lastFrame, (f) => draftText(f) === 'axb');
      await press(stdin, keys.backspace);
      await waitForFrame(lastFrame, (f) => draftText(f) === 'ab');
    });
  });

  describe('the message list at 40 columns', () => {
    const message = (id: number, text: string): Entry => ({
      kind: 'message',
      message: { id, room: 'lobby', user: { id: 2, username: 'ann' }, text, ts: Date.UTC(2030, 0, 1, 12, 0) },
    });
    // 50 wide characters: with "12:00 ann " before them, 110 columns, 3 rows at 40.
    const wide = '日本語のメッセージ'.repeat(5) + '終わり。';
    const list = (height: number) =>
      render(
        <Box width={40}>
          <MessageList
            entries={[message(1, 'first'), message(2, wide), message(3, 'after 一'), message(4, 'last 😀')]}
            selfId={1}
            width={40}
            height={height}
            offset={0}
          />
        </Box>,
      );

    it('shows a wrapped wide message whole, every row within 40 columns, the newest at the bottom', () => {
      const frame = list(5).lastFrame()!;
      const lines = frame.split('\n');
      expect(lines).to.have.length(5);
      expect(widest(frame)).to.be.at.most(40);
      expect(
        lines
          .map((l) => l.trimEnd())
          .join('')
          .replace(/\s/g, ''),
      ).to.include(wide);
      expect(lines[0]).to.match(/^\d\d:\d\d ann 日本語/);
      expect(lines.at(-1)).to.match(/ann last 😀/);
    });

    it('leaves out a wide message that does not fit rather than cut its first rows', () => {
      const frame = list(4).lastFrame()!;
      const lines = frame.split('\n');
      expect(lines).to.have.length(4);
      expect(frame).not.to.include('メッセージ');
      expect(lines.at(-2)).to.match(/ann after 一/);
      expect(lines.at(-1)).to.match(/ann last 😀/);
    });
  });
});
