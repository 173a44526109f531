// Copies the files tsc does not emit (the browser page) next to the compiled server.
import { cpSync, existsSync } from 'node:fs';

if (existsSync('server/web')) cpSync('server/web', 'dist/server/web', { recursive: true });
