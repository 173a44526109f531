#!/usr/bin/env -S node --import tsx
// Runs the commands from the TypeScript sources, for working on mux1 without a build.
// The source lookup of oclif cannot register this tsx (its API import fails) and falls back to
// dist/, so the package.json it reads is given here with the command and hook paths pointing at
// the sources; tsx, loaded by --import, compiles them as they are imported.
import { readFile } from 'node:fs/promises';
import { fileURLToPath, URL } from 'node:url';
import { execute } from '@oclif/core';

const root = fileURLToPath(new URL('..', import.meta.url));
const pjson = JSON.parse(await readFile(new URL('../package.json', import.meta.url), 'utf8'));
const fromSources = (path) => path.replace('./dist/', './').replace(/\.js$/, '.ts');
pjson.oclif.commands = fromSources(pjson.oclif.commands);
pjson.oclif.hooks = Object.fromEntries(
  Object.entries(pjson.oclif.hooks ?? {}).map(([name, path]) => [name, fromSources(path)]),
);

const args = process.argv.slice(2);
const own = new Set(['--help', '-h', '--version', '-v']);
const opensTui = args.length === 0 || (args[0].startsWith('-') && !own.has(args[0]));
await execute({
  development: true,
  args: opensTui ? ['tui', ...args] : args,
  loadOptions: { root, pjson },
});
