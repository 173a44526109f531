import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';
import { useServer } from '../../helpers/fixture.js';

const alt = (c: string) => `\u001B${c}`;
const ctrlN = '\u000E';
const ctrlP = '\u0010';
const left = '\u001B[D';

/** Each room keeps its own draft, cursor and all, whichever way the reader switches rooms. */
describe('TUI: a draft per room', function () {
  this.timeout(30_000);
  let configDir: string;
  let app: ReturnType<typeof render> | undefined;
  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  before(() => {
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-drafts-'));
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
  });
  after(() => rmSync(configDir, { recursive: true, force: true }));

  const openChat = async (token: string) => {
    const env = { ...process.env, MUX1_CONFIG_DIR: configDir, MUX1_BELL: '0' };
    app = render(
      <App services={liveServices({ server: t.url, userAgent: 'mux1-test', env })} storedToken={token} />,
    );
    await waitForFrame(app.lastFrame, (f) => f.includes('#lobby') && f.includes('● connected'));
    return app;
  };
  const header = (f: string) => f.split('\n')[0]!;
  const draftLine = (f: string) => f.split('\n').find((l) => l.startsWith('> ')) ?? '';
  /** Waits until `room` is shown and its draft line reads `draft` (or its placeholder, after the cursor cell). */
  const inRoom = (lastFrame: () => string | undefined, room: string, draft: string) =>
    waitForFrame(
      lastFrame,
      (f) => header(f).startsWith(`#${room}`) && draftLine(f).replace(/^> +/, '').trimEnd() === draft,
    );

  it('keeps what was typed in each room across Alt-n, Ctrl-N / Ctrl-P and /join', async () => {
    const me = await t.loggedInPerson('drafts');
    const { lastFrame, stdin } = await openChat(me.token);
    for (const room of ['drafts-a', 'drafts-b']) {
      await type(stdin, `/join ${room}`);
      await press(stdin, keys.enter);
      await waitForFrame(lastFrame, (f) => f.includes(`you joined #${room}`));
    }
    await waitForFrame(lastFrame, (f) => f.split('\n')[1] === '1:#lobby  2:#drafts-a  3:#drafts-b');

    await type(stdin, 'beta draft');
    for (let i = 0; i < 5; i++) await press(stdin, left);
    await press(stdin, alt('1'));
    // The lobby's draft is its own: empty, with its placeholder.
    await inRoom(lastFrame, 'lobby', 'message #lobby');
    await type(stdin, 'lobby words');

    await press(stdin, ctrlN);
    await inRoom(lastFrame, 'drafts-a', 'message #drafts-a');
    // A /join typed in a room is sent, not kept: that room's draft is empty afterwards.
    await type(stdin, '/join drafts-b');
    await press(stdin, keys.enter);
    await inRoom(lastFrame, 'drafts-b', 'beta draft');
    // The cursor came back where it was left: before "draft".
    await type(stdin, 'X');
    await inRoom(lastFrame, 'drafts-b', 'beta Xdraft');

    await press(stdin, alt('1'));
    await inRoom(lastFrame, 'lobby', 'lobby words');
    await press(stdin, ctrlP);
    await inRoom(lastFrame, 'drafts-b', 'beta Xdraft');
    await press(stdin, alt('2'));
    await inRoom(lastFrame, 'drafts-a', 'message #drafts-a');

    // Sent, a draft is gone from its room.
    await press(stdin, alt('3'));
    await inRoom(lastFrame, 'drafts-b', 'beta Xdraft');
    await press(stdin, keys.enter);
    await waitForFrame(lastFrame, (f) => f.includes(`${me.username} beta Xdraft`));
    await press(stdin, alt('1'));
    await inRoom(lastFrame, 'lobby', 'lobby words');
    await press(stdin, alt('3'));
    await inRoom(lastFrame, 'drafts-b', 'message #drafts-b');
  });

  it('starts every draft empty after a restart', async () => {
    const me = await t.loggedInPerson('restart');
    const first = await openChat(me.token);
    await type(first.stdin, 'never sent');
    await waitForFrame(first.lastFrame, (f) => draftLine(f).includes('never sent'));
    first.unmount();
    const again = await openChat(me.token);
    await inRoom(again.lastFrame, 'lobby', 'message #lobby');
    expect(again.lastFrame()).not.to.include('never sent');
  });
});
