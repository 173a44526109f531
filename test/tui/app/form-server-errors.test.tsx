import { expect } from 'chai';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { render } from 'ink-testing-library';
import { App } from '../../../tui/app/App.js';
import { liveServices } from '../../../tui/app/services.js';
import { keys, press, type, waitForFrame } from '../../helpers/ink-keys.js';
import { useServer } from '../../helpers/fixture.js';

/**
 * What the server refuses that the TUI's own checks let through (an address its loose check takes,
 * a common password) is shown field by field, every one at once, against a real server.
 */
describe('TUI forms: every field error the server lists', function () {
  this.timeout(30_000);
  let configDir: string;
  let app: ReturnType<typeof render> | undefined;
  const t = useServer({ mail: true, env: { LOG_LEVEL: 'warn' } });

  beforeEach(() => {
    configDir = mkdtempSync(join(tmpdir(), 'mux1-tui-'));
  });
  afterEach(() => {
    app?.unmount();
    app = undefined;
    rmSync(configDir, { recursive: true, force: true });
  });

  const open = () => {
    const env = { ...process.env, MUX1_CONFIG_DIR: configDir };
    app = render(<App services={liveServices({ server: t.url, userAgent: 'mux1-test', env })} />);
    return app;
  };

  /** The line above the one holding `text`: the field it is shown under. */
  const labelAbove = (frame: string, text: string) => {
    const lines = frame.split('\n');
    return lines[lines.findIndex((l) => l.includes(text)) - 1] ?? '';
  };

  it('signup shows the address and the common password the server refused, each under its field', async () => {
    const { lastFrame, stdin } = open();
    await waitForFrame(lastFrame, (f) => f.includes('Sign up'));
    await press(stdin, 's');
    await waitForFrame(lastFrame, (f) => f.includes('[ Sign up ]'));
    // "x@example.c" passes the client's loose address check; its one-letter top-level domain does not
    // pass the server's. "password" is long enough for the client and too common for the server.
    for (const [i, value] of ['fine_name', 'x@example.c', 'password', 'password'].entries()) {
      if (i > 0) await press(stdin, keys.tab);
      await type(stdin, value);
    }
    await press(stdin, keys.enter);
    const frame = await waitForFrame(
      lastFrame,
      (f) => f.includes('email must be a valid address') && f.includes('password is too common'),
    );
    expect(labelAbove(frame, 'email must be a valid address')).to.include('Email');
    expect(labelAbove(frame, 'password is too common')).to.include('Password');
    expect(labelAbove(frame, 'password is too common')).not.to.include('again');
    expect(await t.db('users').where({ username: 'fine_name' }).first()).to.equal(undefined);

    // Fixing one field and sending again clears its error and keeps the other's from the new answer.
    await press(stdin, keys.shiftTab);
    await press(stdin, keys.shiftTab);
    await press(stdin, '\u001B[F'); // End
    await type(stdin, 'om');
    await press(stdin, keys.tab);
    await press(stdin, keys.tab);
    await press(stdin, keys.tab);
    await press(stdin, keys.enter);
    const after = await waitForFrame(
      lastFrame,
      (f) => !f.includes('email must be a valid address') && f.includes('password is too common'),
    );
    expect(labelAbove(after, 'password is too common')).to.include('Password');
  });
});
