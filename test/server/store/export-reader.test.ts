import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openDatabase } from '../../../server/store/db.js';
import { exportReaderCases } from '../../helpers/export-reader-cases.js';

describe('export pages read in a thread of their own (store, SQLite file)', () => {
  exportReaderCases(async () => {
    const dir = mkdtempSync(join(tmpdir(), 'mux1-export-reader-'));
    return {
      db: openDatabase(join(dir, 'export.sqlite')),
      drop: async () => rmSync(dir, { recursive: true, force: true }),
    };
  });
});

// An in-memory database exists only on its one connection: its pages are read in the process.
describe('export pages of an in-memory database, read in the process (store)', () => {
  exportReaderCases(async () => ({ db: openDatabase(':memory:'), drop: async () => {} }), false);
});
