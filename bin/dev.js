#!/usr/bin/env -S node --import tsx
// Runs the commands from the TypeScript sources, for working on mux1 without a build.
import { execute } from '@oclif/core';

const args = process.argv.slice(2);
const own = new Set(['--help', '-h', '--version', '-v']);
const opensTui = args.length === 0 || (args[0].startsWith('-') && !own.has(args[0]));
await execute({ development: true, args: opensTui ? ['tui', ...args] : args, dir: import.meta.url });
