#!/usr/bin/env node
// The entry that `npx mux1` runs. `mux1` alone opens the TUI, and so does `mux1` with only
// flags (`mux1 --server URL`, `mux1 --via HOST`); `--help` and `--version` keep their meaning.
import { execute } from '@oclif/core';

const args = process.argv.slice(2);
const own = new Set(['--help', '-h', '--version', '-v']);
const opensTui = args.length === 0 || (args[0].startsWith('-') && !own.has(args[0]));
await execute({ args: opensTui ? ['tui', ...args] : args, dir: import.meta.url });
