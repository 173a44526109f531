import { expect } from 'chai';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { canRunOnTerminal, deadServerUrl, runOnTerminal, tempDir } from '../../helpers/cli.js';

/**
 * `mux1` runs React's production build unless NODE_ENV says otherwise, and Ink draws with it: the
 * built CLI on a pseudo-terminal shows its start menu and quits on `q`, and a preload records
 * which of React's builds the process evaluated. A development React with a production
 * reconciler (NODE_ENV set after React loaded) would draw nothing, so both must agree.
 */
describe('mux1 TUI: the React build it runs', function () {
  this.timeout(60_000);
  let dir: { path: string; remove(): void };
  let preload: string;

  before(function () {
    if (!canRunOnTerminal) this.skip();
    dir = tempDir('mux1-react-build-');
    preload = join(dir.path, 'builds.cjs');
    // Each build of React, the reconciler and the scheduler, written down as soon as it has been
    // evaluated: Ctrl+C may end the process by SIGINT, before any exit handler or timer could.
    writeFileSync(
      preload,
      `const Module = require('node:module');
const { appendFileSync } = require('node:fs');
const load = Module._extensions['.js'];
Module._extensions['.js'] = function (module, filename) {
  const result = load.call(this, module, filename);
  if (/node_modules\\/(react|react-reconciler|scheduler)\\/cjs\\//.test(filename)) {
    appendFileSync(process.env.MUX1_BUILDS_FILE, filename + '\\n');
  }
  return result;
};
`,
    );
  });
  after(() => dir?.remove());

  /** The start menu drawn, Ctrl+C typed: the builds of React, the reconciler and the scheduler. */
  const buildsWith = async (nodeEnv: string | undefined, name: string) => {
    const file = join(dir.path, `${name}.txt`);
    const { code, screen } = await runOnTerminal(
      ['--server', await deadServerUrl()],
      [[/l b s v q shortcuts/, '\u0003']],
      {
        env: {
          NODE_ENV: nodeEnv,
          CI: undefined,
          CONTINUOUS_INTEGRATION: undefined,
          MUX1_CONFIG_DIR: join(dir.path, `config-${name}`),
          MUX1_BUILDS_FILE: file,
          NODE_OPTIONS: `--require ${preload}`,
        },
        timeoutMs: 30_000,
        size: { columns: 100, rows: 30 },
        keys: true,
      },
    );
    // Ctrl+C ends it, as a key of the app (0) or, before Ink has the terminal raw, as SIGINT (130).
    expect([0, 130], screen).to.include(code);
    expect(screen).to.include('Log in with a browser');
    const builds = (existsSync(file) ? readFileSync(file, 'utf8') : '')
      .split('\n')
      .map((path) =>
        /node_modules\/(react|react-reconciler|scheduler)\/cjs\/([\w-]+)\.(production|development)\.js$/.exec(
          path,
        ),
      )
      .filter((m) => m !== null)
      .map((m) => `${m[2]}.${m[3]}`);
    return builds.sort();
  };

  it('runs the production build when NODE_ENV is not set, or empty', async () => {
    const production = [
      'react-jsx-runtime.production',
      'react-reconciler-constants.production',
      'react-reconciler.production',
      'react.production',
      'scheduler.production',
    ];
    expect(await buildsWith(undefined, 'unset')).to.deep.equal(production);
    expect(await buildsWith('', 'empty')).to.deep.equal(production);
  });

  it("keeps the user's NODE_ENV, and draws with it", async () => {
    for (const value of ['development', 'test']) {
      // React and its reconciler agree: both development builds, none of production's.
      const builds = await buildsWith(value, value);
      expect(builds, value).to.include.members(['react.development', 'react-reconciler.development']);
      expect(
        builds.filter((b) => b.endsWith('.production')),
        value,
      ).to.deep.equal([]);
    }
  });
});
