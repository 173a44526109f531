import { Writable } from 'node:stream';
import { expect } from 'chai';
import knexFactory from 'knex';
import { createLogger } from '../../../server/log.js';

/**
 * An unexpected database error is logged in full, except the statement knex writes into its
 * message with the values bound: a failed insert into the outbox would otherwise log the code.
 */
describe('logs: a failed query is logged without its values', () => {
  it('keeps the driver message and code, drops the statement', async () => {
    const lines: string[] = [];
    const log = createLogger(
      'info',
      new Writable({
        write(chunk, _enc, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    const db = knexFactory({
      client: 'sqlite3',
      connection: { filename: ':memory:' },
      useNullAsDefault: true,
    });
    try {
      await db.schema.createTable('mail_outbox', (t) => t.string('subject').notNullable());
      const err = await db('mail_outbox')
        .insert({ subject: 'Your mux1 code: 918273\nsecond line', nope: 1 })
        .then(
          () => new Error('the insert should have failed'),
          (e: unknown) => e as Error,
        );
      expect(err.message).to.include('918273'); // what knex does, and why the serializer exists
      log.error({ err }, 'unexpected error');
    } finally {
      await db.destroy();
    }
    const text = lines.join('');
    expect(text).to.not.include('918273');
    expect(text).to.include('[query] - ');
    expect(text).to.include('SQLITE_ERROR');
  });
});
