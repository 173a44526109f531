import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cleanEnv, consumerProject, packTarball, tempDir } from '../../helpers/cli.js';

const run = promisify(execFile);

/**
 * The package as npm publishes it: `npm pack` (whose prepack builds and writes the oclif
 * manifest), then `mux1 --help` from the tarball in an empty folder. Packs a copy of the sources,
 * so the working tree's dist/ and the other suites are never touched.
 */
describe('mux1 package: npm pack, then run from the tarball', function () {
  this.timeout(240_000);
  let dir: { path: string; remove(): void };
  let tarball: string;
  let files: string[];

  before(async () => {
    dir = tempDir('mux1-pack-');
    tarball = await packTarball(dir.path);
    expect(
      existsSync(join(dir.path, 'source', 'oclif.manifest.json')),
      'postpack removes the manifest',
    ).to.equal(false);
    const { stdout } = await run('tar', ['-tzf', tarball]);
    files = stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
  });
  after(() => dir?.remove());

  it('holds runtime files only, with the oclif manifest', () => {
    expect(files).to.include.members([
      'package.json',
      'LICENSE',
      'bin/run.js',
      'oclif.manifest.json',
      'dist/tui/commands/login.js',
    ]);
    const unwanted = files.filter(
      (f) =>
        /\.(ts|tsx|map)$/.test(f) ||
        /^(test|bench|docs|\.ci|node_modules|data)\//.test(f) ||
        f === 'bin/dev.js',
    );
    expect(unwanted).to.deep.equal([]);
  });

  it("installs into a project with the README's allowScripts, which covers every install script", async () => {
    // The policy a project that installs mux1 is told to set: npm reads allowScripts from the root
    // project only, never from the package it installs.
    const project = consumerProject(dir.path);
    // Scripts are skipped here, so this takes seconds (test/system/package-install.test.ts runs
    // them); `npm install-scripts ls` still lists every script the policy leaves unreviewed.
    const env = cleanEnv({
      npm_config_ignore_scripts: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    });
    const install = (offline: boolean) =>
      run('npm', ['install', ...(offline ? ['--offline'] : []), '--loglevel=error', tarball], {
        cwd: project,
        env,
        timeout: 150_000,
      });
    // Offline from npm's cache when it has every dependency, else from the registry.
    await install(true).catch(() => install(false));
    const { stdout: unreviewed } = await run('npm', ['install-scripts', 'ls'], { cwd: project, env });
    expect(unreviewed).to.include('No packages with unreviewed install scripts.');

    const { stdout } = await run(join(project, 'node_modules', '.bin', 'mux1'), ['--help'], {
      cwd: project,
      env,
    });
    expect(stdout).to.include('USAGE');
    for (const command of ['signup', 'login', 'whoami', 'send', 'history', 'health', 'server', 'tunnel']) {
      expect(stdout).to.match(new RegExp(`^\\s+${command}\\s`, 'm'));
    }
  });
});
