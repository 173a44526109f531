#!/usr/bin/env node
// The entry that `npx mux1` runs. With no arguments mux1 opens the TUI.
import { execute } from '@oclif/core';

const args = process.argv.slice(2);
await execute({ args: args.length === 0 ? ['tui'] : args, dir: import.meta.url });
