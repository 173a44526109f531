import { expect } from 'chai';
import { useState } from 'react';
import { render } from 'ink-testing-library';
import { ChatDraft } from '../../../tui/app/components/ChatDraft.js';
import { EMPTY, type Draft } from '../../../tui/app/components/line-editor.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';

/** The chat's draft as a person types into it: the keys, the recall, the completion, the rows. */
describe('TUI: the chat draft', () => {
  let app: ReturnType<typeof render> | undefined;
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });

  const open = (options: { recall?: string[]; nicks?: string[]; width?: number } = {}) => {
    const sent: string[] = [];
    let latest: Draft = EMPTY;
    function Harness() {
      const [draft, setDraft] = useState<Draft>(EMPTY);
      latest = draft;
      return (
        <ChatDraft
          draft={draft}
          onChange={setDraft}
          onSubmit={(text) => sent.push(text)}
          recall={() => options.recall ?? []}
          completions={() => ({
            nicks: options.nicks ?? [],
            commands: ['/join', '/who'],
            rooms: ['lobby', 'dev'],
          })}
          room="lobby"
          placeholder="message #lobby"
          width={options.width ?? 40}
          maxRows={5}
        />
      );
    }
    app = render(<Harness />);
    return { ...app, sent, draft: () => latest };
  };

  it('edits in the middle with arrows, words and kills, and sends what is shown', async () => {
    const { stdin, sent, draft } = open();
    await type(stdin, 'hello big world');
    await press(stdin, '\u001B[1;5D'); // Ctrl-Left: before "world"
    await press(stdin, '\u0017'); // Ctrl-W: "big " goes
    expect(draft()).to.deep.equal({ value: 'hello world', cursor: 6 });
    await press(stdin, '\u001Bb'); // Alt-B: to "hello"
    await press(stdin, '\u001B[3~'); // Delete: the "h"
    await press(stdin, '\u001B[F'); // End
    await type(stdin, '!');
    await press(stdin, '\u0001'); // Ctrl-A
    await type(stdin, '>');
    await press(stdin, '\u001Bf'); // Alt-F: to the end of ">ello"
    await press(stdin, '\u000B'); // Ctrl-K: " world!" goes
    expect(draft()).to.deep.equal({ value: '>ello', cursor: 5 });
    await press(stdin, '\u0015'); // Ctrl-U
    await type(stdin, 'ok');
    await press(stdin, keys.enter);
    expect(sent).to.deep.equal(['ok']);
  });

  it('lands every key of a burst in place: a paste and Enter in one chunk', async () => {
    const { stdin, sent, lastFrame } = open();
    await type(stdin, 'first\rsecond');
    expect(sent).to.deep.equal(['first']);
    await waitForFrame(lastFrame, (f) => f.includes('second'));
    await type(stdin, ' line\r');
    expect(sent).to.deep.equal(['first', 'second line']);
  });

  it('breaks lines with Alt-Enter and Ctrl-J, grows to five rows, then scrolls', async () => {
    const { stdin, sent, lastFrame } = open();
    await type(stdin, 'one');
    await press(stdin, '\u001B\r');
    await type(stdin, 'two');
    await press(stdin, '\n');
    await type(stdin, 'three');
    await waitForFrame(lastFrame, (f) => /one\n.*two\n.*three/.test(f));
    for (const word of ['four', 'five', 'six', 'seven']) {
      await press(stdin, '\n');
      await type(stdin, word);
    }
    const frame = await waitForFrame(lastFrame, (f) => f.includes('seven'));
    expect(frame.split('\n')).to.have.length(5);
    expect(frame).not.to.include('one');
    // Up walks the lines of the draft before it recalls anything.
    for (let i = 0; i < 6; i++) await press(stdin, keys.up);
    await waitForFrame(lastFrame, (f) => f.includes('one') && !f.includes('seven'));
    await press(stdin, keys.enter);
    expect(sent).to.deep.equal(['one\ntwo\nthree\nfour\nfive\nsix\nseven']);
  });

  it('recalls the lines sent with Up and Down, and gives back the draft in progress', async () => {
    const { stdin, draft } = open({ recall: ['older', 'newest'] });
    await type(stdin, 'half');
    await press(stdin, keys.up);
    expect(draft().value).to.equal('newest');
    await press(stdin, keys.up);
    await press(stdin, keys.up);
    expect(draft().value).to.equal('older');
    await press(stdin, keys.down);
    expect(draft().value).to.equal('newest');
    await press(stdin, keys.down);
    expect(draft()).to.deep.equal({ value: 'half', cursor: 4 });
  });

  it('completes nicks on Tab, cycling on repeated Tab, and commands and rooms', async () => {
    const { stdin, draft } = open({ nicks: ['alice', 'albert', 'bob'] });
    await type(stdin, 'al');
    await press(stdin, keys.tab);
    expect(draft().value).to.equal('albert: ');
    await press(stdin, keys.tab);
    expect(draft().value).to.equal('alice: ');
    await type(stdin, 'hi @b');
    await press(stdin, keys.tab);
    expect(draft().value).to.equal('alice: hi @bob ');
    await press(stdin, '\u0015');
    await type(stdin, '/jo');
    await press(stdin, keys.tab);
    await type(stdin, 'd');
    await press(stdin, keys.tab);
    expect(draft().value).to.equal('/join dev ');
  });
});
