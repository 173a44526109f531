import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { bearer, newPerson } from '../../helpers/accounts.js';
import { eventually } from '../../helpers/wait.js';
import { useServer, type ServerFixture } from '../../helpers/fixture.js';

/** The ways a secret could sit in a file: as text, and as base64 or hex of its bytes. */
const spellings = (secret: string) => [
  secret,
  Buffer.from(secret).toString('base64'),
  Buffer.from(secret).toString('base64url'),
  Buffer.from(secret).toString('hex'),
];

describe('secrets at rest: no password, token or code in the database', () => {
  // Codes are replaced at most every few minutes: the clock is moved on before each resend.
  const clock = manualClock();
  const t = useServer({ mail: true, overrides: { clock } });
  const secrets: Record<string, string> = {};

  before(async () => {
    // One account through the whole flow, with a live and a revoked session.
    const a = newPerson('secretive');
    await t.signUp(a);
    secrets.codeA = await t.mail.codeFor(a.email);
    await t.api('POST', '/api/verify-email', { email: a.email, code: secrets.codeA! });
    secrets.revokedToken = (await t.logIn(a.username, a.password)).body.token;
    await t.api('POST', '/api/logout', undefined, bearer(secrets.revokedToken!));
    secrets.liveToken = (await t.logIn(a.username, a.password)).body.token;
    await t.api('GET', '/api/me', undefined, bearer(secrets.liveToken!));
    await t.logIn(a.username, 'a wrong password');
    secrets.passwordA = a.password;

    // One account still waiting, its code replaced many times: many sent mails, rewritten rows.
    const b = newPerson('waiting');
    await t.signUp(b);
    secrets.codeB0 = await t.mail.codeFor(b.email);
    for (let i = 1; i <= 3; i++) {
      clock.advance(3 * 60_000);
      await t.api('POST', '/api/resend-verification', { email: b.email });
      secrets[`codeB${i}`] = await t.mail.codeFor(b.email, { after: i });
    }
    secrets.passwordB = b.password;

    // A signup that was refused: its password must not be kept either.
    const refused = { ...newPerson('refused'), email: a.email, password: 'refused but secret 1' };
    await t.signUp(refused);
    secrets.refusedPassword = refused.password;
    await t.mail.waitFor((m) => m.to === a.email && !/\d{6}/.test(m.subject));

    await allMailSent(t);
  });

  it('has none in any table, read through SQL', async () => {
    const tables: string[] =
      t.database === 'postgres'
        ? await t.server
            .db('information_schema.tables')
            .where({ table_schema: t.server.db.raw('current_schema()'), table_type: 'BASE TABLE' })
            .pluck('table_name')
        : await t.server.db.select('name').from('sqlite_master').where({ type: 'table' }).pluck('name');
    expect(tables).to.include.members(['users', 'sessions', 'email_codes', 'mail_outbox', 'audit_events']);
    const dump: string[] = [];
    for (const table of tables) dump.push(JSON.stringify(await t.server.db.select('*').from(table)));
    const text = dump.join('\n');
    for (const [name, secret] of Object.entries(secrets)) {
      for (const spelling of spellings(secret)) {
        expect(text.includes(spelling), `${name} (${spelling}) found in a table`).to.equal(false);
      }
    }
  });

  it('has none in the log either', () => {
    const text = t.logs.join('\n');
    for (const [name, secret] of Object.entries(secrets)) {
      expect(text.includes(secret), `${name} found in the log`).to.equal(false);
    }
  });

  it('has none in the bytes of the database files once the server has stopped', async function () {
    // PostgreSQL's files belong to its server, not to the test; its free space is its own affair.
    if (t.database === 'postgres') this.skip();
    await t.stop();
    expectNoneInFiles(t.dir, secrets);
  });
});

describe('secrets at rest: sent mail leaves no code in the free space of the file', () => {
  const t = useServer({ mail: true });

  it('holds after a few signups and a stop', async function () {
    if (t.database === 'postgres') this.skip();
    const codes: Record<string, string> = {};
    for (let i = 0; i < 3; i++) {
      const p = newPerson('freed');
      await t.signUp(p);
      codes[p.username] = await t.mail.codeFor(p.email);
    }
    await allMailSent(t);
    await t.stop();
    // A row shrunk by scrubbing leaves its old bytes in the page unless SQLite zeroes them.
    expectNoneInFiles(t.dir, codes);
  });
});

/** Sent mail must be scrubbed once it has left; waits until the worker has recorded that. */
async function allMailSent(t: ServerFixture): Promise<void> {
  await eventually(
    async () => (await t.db('mail_outbox').whereNull('sent_at').count({ n: '*' }))[0]!.n == 0,
    { what: 'every mail marked sent' },
  );
}

/** Searches the raw bytes of the SQLite file (and any journal left beside it). */
function expectNoneInFiles(dir: string, secrets: Record<string, string>): void {
  const files = ['mux1.sqlite', 'mux1.sqlite-wal', 'mux1.sqlite-journal']
    .map((f) => join(dir, f))
    .filter((f) => existsSync(f));
  expect(files).to.have.length.above(0);
  for (const file of files) {
    const bytes = readFileSync(file);
    for (const [name, secret] of Object.entries(secrets)) {
      for (const spelling of spellings(secret)) {
        expect(bytes.includes(Buffer.from(spelling)), `${name} (${spelling}) in ${file}`).to.equal(false);
        // SQLite can also store text as UTF-16.
        expect(bytes.includes(Buffer.from(spelling, 'utf16le')), `${name} as UTF-16 in ${file}`).to.equal(
          false,
        );
      }
    }
  }
}
