import { expect } from 'chai';
import { execFile } from 'node:child_process';
import { cpSync, existsSync, mkdirSync, readdirSync, symlinkSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { cleanEnv, repoRoot, tempDir } from './cli.js';

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
    const source = join(dir.path, 'source');
    mkdirSync(source);
    for (const entry of [
      'package.json',
      'tsconfig.json',
      'tsconfig.build.json',
      'README.md',
      'bin',
      'config',
      'server',
      'tui',
      'scripts',
    ]) {
      if (existsSync(join(repoRoot, entry)))
        cpSync(join(repoRoot, entry), join(source, entry), { recursive: true });
    }
    symlinkSync(join(repoRoot, 'node_modules'), join(source, 'node_modules'), 'dir');
    const out = join(dir.path, 'out');
    mkdirSync(out);
    await run('npm', ['pack', '--pack-destination', out, '--loglevel=error'], {
      cwd: source,
      env: cleanEnv(),
      timeout: 120_000,
    });
    tarball = join(
      out,
      readdirSync(out).find((f) => f.endsWith('.tgz'))!,
    );
    const { stdout } = await run('tar', ['-tzf', tarball]);
    files = stdout
      .split('\n')
      .filter(Boolean)
      .map((f) => f.replace(/^package\//, ''));
    expect(existsSync(join(source, 'oclif.manifest.json')), 'postpack removes the manifest').to.equal(false);
  });
  after(() => dir?.remove());

  it('holds runtime files only, with the oclif manifest', () => {
    expect(files).to.include.members([
      'package.json',
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

  it('`mux1 --help` works from the tarball in an empty folder', async () => {
    const empty = join(dir.path, 'empty');
    mkdirSync(empty);
    // Offline from npm's cache when it has every dependency (no waiting on the registry); else
    // npx fetches them. Install scripts are skipped either way: --help needs no native module.
    const env = cleanEnv({
      npm_config_ignore_scripts: 'true',
      npm_config_audit: 'false',
      npm_config_fund: 'false',
    });
    let stdout: string;
    try {
      await run('npm', ['install', '--offline', '--loglevel=error', tarball], {
        cwd: empty,
        env,
        timeout: 90_000,
      });
      ({ stdout } = await run(join(empty, 'node_modules', '.bin', 'mux1'), ['--help'], { cwd: empty, env }));
    } catch {
      ({ stdout } = await run('npx', ['--yes', '--package', tarball, 'mux1', '--help'], {
        cwd: empty,
        env,
        timeout: 150_000,
      }));
    }
    expect(stdout).to.include('USAGE');
    for (const command of ['signup', 'login', 'whoami', 'send', 'history', 'health', 'server', 'tunnel']) {
      expect(stdout).to.match(new RegExp(`^\\s+${command}\\s`, 'm'));
    }
  });
});
