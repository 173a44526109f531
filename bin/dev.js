#!/usr/bin/env -S node --import tsx
// Runs the commands from the TypeScript sources, for working on mux1 without a build.
import { execute } from '@oclif/core';

const args = process.argv.slice(2);
await execute({ development: true, args: args.length === 0 ? ['tui'] : args, dir: import.meta.url });
