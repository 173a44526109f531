import { expect } from 'chai';
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { ENTER, LEAVE, enterAlternateScreen } from '../../../tui/app/alternate-screen.js';

const child = resolve('test/tui/app/fixtures/alternate-screen-child.ts');

/** Runs the child to its end: what it wrote, and how it ended. */
function run(how: string): Promise<{ out: string; err: string; code: number | null }> {
  // A process ended by a signal reports it the shell's way, 128 + its number.
  return new Promise((done, fail) => {
    const p = spawn(process.execPath, ['--import', 'tsx', child, how], { stdio: 'pipe' });
    let out = '';
    let err = '';
    p.stdout.on('data', (d: Buffer) => {
      out += d.toString();
      if (how.startsWith('SIG') && out.includes('ready')) p.kill(how as NodeJS.Signals);
    });
    p.stderr.on('data', (d: Buffer) => (err += d.toString()));
    p.on('error', fail);
    const numbers: Record<string, number> = { SIGINT: 2, SIGTERM: 15, SIGHUP: 1 };
    p.on('close', (code, signal) => done({ out, err, code: signal ? 128 + numbers[signal]! : code }));
  });
}

describe('TUI: the alternate screen', function () {
  this.timeout(20_000);

  for (const [how, code] of [
    ['exit', 0],
    ['throw', 1],
    ['reject', 1],
    ['SIGTERM', 143],
    ['SIGINT', 130],
    ['SIGHUP', 129],
  ] as const) {
    it(`gives the terminal back once when the process ends by ${how}`, async () => {
      const r = await run(how);
      expect(r.code, r.err).to.equal(code);
      expect(r.out.startsWith(ENTER + 'drawing\n'), JSON.stringify(r.out)).to.equal(true);
      expect(r.out.endsWith(LEAVE), JSON.stringify(r.out)).to.equal(true);
      expect(r.out.split(LEAVE)).to.have.length(2);
    });
  }

  it('tells a crash on the main screen, after leaving the alternate one', async () => {
    const r = await run('throw');
    expect(r.err).to.include('boom in a timer');
  });

  it('writes nothing to a stdout that is not a terminal', () => {
    const written: string[] = [];
    const screen = enterAlternateScreen({ isTTY: false, write: (s: string) => written.push(s) });
    screen.leave();
    expect(written).to.deep.equal([]);
  });
});
