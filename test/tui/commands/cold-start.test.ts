import { expect } from 'chai';
import { spawnSync } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { binRun, cleanEnv, repoRoot, tempDir } from '../../helpers/cli.js';

/**
 * `mux1 --help` and `--version` run on every tab completion and every typo; they must not pay
 * for the server, Ink or React. A module resolve hook records every ESM import of the run.
 */
describe('mux1 CLI: cold start', () => {
  let dir: { path: string; remove(): void };
  let hooks: string;

  before(() => {
    dir = tempDir('mux1-trace-');
    writeFileSync(
      join(dir.path, 'hooks.mjs'),
      `import { appendFileSync } from 'node:fs';
export async function resolve(specifier, context, next) {
  const result = await next(specifier, context);
  appendFileSync(process.env.MUX1_TRACE_FILE, result.url + '\\n');
  return result;
}
`,
    );
    hooks = join(dir.path, 'register.mjs');
    writeFileSync(
      hooks,
      `import { register } from 'node:module';
register(${JSON.stringify(pathToFileURL(join(dir.path, 'hooks.mjs')).href)});
`,
    );
  });
  after(() => dir?.remove());

  const importsOf = (args: string[], extraEnv: Record<string, string | undefined> = {}): string[] => {
    const trace = join(dir.path, `${args.join('_') || 'none'}${extraEnv.MUX1_LANG ?? ''}.log`);
    writeFileSync(trace, '');
    const r = spawnSync(process.execPath, ['--import', pathToFileURL(hooks).href, binRun, ...args], {
      cwd: repoRoot,
      env: cleanEnv({ MUX1_TRACE_FILE: trace, ...extraEnv }),
      encoding: 'utf8',
    });
    expect(r.status, r.stderr).to.equal(0);
    return readFileSync(trace, 'utf8').split('\n').filter(Boolean);
  };

  for (const [args, lang] of [
    [['--version'], 'en'],
    [['--help'], 'en'],
    [['login', '--help'], 'en'],
    [['--help'], 'de'],
    [['login', '--help'], 'de'],
  ] as const) {
    it(`MUX1_LANG=${lang} mux1 ${args.join(' ')} imports neither the server nor Ink nor React`, () => {
      const urls = importsOf([...args], { MUX1_LANG: lang });
      expect(urls.length, 'the hook saw the run').to.be.above(0);
      const heavy = urls.filter((u) =>
        /\/dist\/server\/(?!protocol\.js)|\/node_modules\/(ink|react|knex|koa|socket\.io|ky|@inquirer)\//.test(
          u,
        ),
      );
      expect(heavy).to.deep.equal([]);
    });
  }
});
