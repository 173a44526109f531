import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cleanEnv, consumerProject, packTarball, tempDir } from '../helpers/cli.js';

const run = promisify(execFile);

/**
 * The package installed as a project installs it, install scripts included: with the README's
 * allowScripts the install says nothing about unreviewed scripts, and sqlite3's build works (a
 * database is migrated with the installed command). Prints how long the install took.
 */
describe('system: installing the packed mux1 into a project, with its install scripts', function () {
  this.timeout(600_000);
  let dir: { path: string; remove(): void };

  before(() => {
    dir = tempDir('mux1-install-');
  });
  after(() => dir?.remove());

  it('is quiet with the README policy, and builds the sqlite3 addon', async () => {
    const tarball = await packTarball(dir.path);
    const project = consumerProject(dir.path);
    const env = cleanEnv({ npm_config_audit: 'false', npm_config_fund: 'false' });
    const started = Date.now();
    // Offline from npm's cache when it has every dependency, else from the registry.
    const install = (offline: boolean) =>
      run('npm', ['install', ...(offline ? ['--offline'] : []), tarball], {
        cwd: project,
        env,
        timeout: 500_000,
      });
    const { stderr } = await install(true).catch(() => install(false));
    console.log(
      `      (npm install of the tarball, scripts included: ${Math.round((Date.now() - started) / 1000)} s)`,
    );
    expect(stderr).not.to.match(/install-scripts|allowScripts/);

    const database = join(dir.path, 'installed.sqlite');
    const { stdout } = await run(
      join(project, 'node_modules', '.bin', 'mux1'),
      ['db', 'migrate', '--db', database, '--json'],
      { cwd: project, env },
    );
    expect(JSON.parse(stdout)).to.include({ database });
    expect(JSON.parse(stdout).done.length, 'migrations applied').to.be.above(0);
  });
});
