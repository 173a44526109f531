import { chmodSync, mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import { expect } from 'chai';
import { manualClock } from '../../../server/clock.js';
import { createLogger } from '../../../server/log.js';
import { keyFileFor, resolveSecretKey, ServerKey } from '../../../server/secret-key.js';
import { loadServerConfig } from '../../../config/index.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { logIn, loggedInPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { logInWithCode, totpAt, turnOn } from '../../helpers/two-factor.js';

const spellings = (secret: string) => [
  secret,
  secret.toLowerCase(),
  Buffer.from(secret).toString('base64'),
  Buffer.from(secret).toString('hex'),
];

async function dumpAllTables(t: TestServer): Promise<string> {
  const tables: string[] =
    t.database === 'postgres'
      ? await t.server
          .db('information_schema.tables')
          .where({ table_schema: t.server.db.raw('current_schema()'), table_type: 'BASE TABLE' })
          .pluck('table_name')
      : await t.server.db.select('name').from('sqlite_master').where({ type: 'table' }).pluck('name');
  expect(tables).to.include.members(['totp_secrets', 'backup_codes', 'mfa_logins']);
  const dump: string[] = [];
  for (const table of tables) dump.push(JSON.stringify(await t.server.db.select('*').from(table)));
  return dump.join('\n');
}

describe('two-factor secrets at rest and the server key', () => {
  let smtp: TestSmtp;
  let dir: string;
  const clock = manualClock();

  before(async () => {
    smtp = await startSmtp();
  });
  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-2fa-key-'));
  });
  afterEach(() => rmSync(dir, { recursive: true, force: true }));
  after(async () => {
    await smtp.close();
  });

  const start = (env: Record<string, string> = {}) =>
    startTestServer({ dir, env: { SMTP_URL: smtp.url, ...env }, overrides: { clock } });

  it('keeps neither the TOTP secret, the backup codes nor the mfa_token in any table', async () => {
    const t = await start();
    try {
      const p = await loggedInPerson(t.url, smtp, 'atrest');
      const { secret, backupCodes } = await turnOn(t.url, p, clock.now());
      clock.advance(30_000);
      const first = await logIn(t.url, p.username, p.password);
      await api(t.url, 'POST', '/api/login/2fa', { mfa_token: first.body.mfa_token, code: backupCodes[0] });
      const text = await dumpAllTables(t);
      for (const value of [
        secret,
        first.body.mfa_token,
        ...backupCodes,
        ...backupCodes.map((c) => c.replace(/-/g, '')),
      ]) {
        for (const spelling of spellings(value)) {
          expect(text.includes(spelling), `${spelling} found in a table`).to.equal(false);
        }
      }
      if (t.database === 'sqlite') {
        // Nor in the file, where a deleted row's bytes could linger.
        const file = readFileSync(t.dbFile).toString('latin1');
        expect(file.includes(secret)).to.equal(false);
      }
    } finally {
      await t.close();
    }
  });

  it('makes a key file beside the SQLite database, readable by its owner only, and keeps it', async function () {
    const t = await start();
    let key: string;
    try {
      if (t.database !== 'sqlite') this.skip();
      const path = keyFileFor(t.dbFile);
      expect(statSync(path).mode & 0o777).to.equal(0o600);
      key = readFileSync(path, 'utf8').trim();
      expect(Buffer.from(key, 'base64')).to.have.length(32);
      expect(t.logs.some((l) => l.includes(path) && l.includes('new secret key'))).to.equal(true);
    } finally {
      await t.close();
    }
    // A restart reads the same key instead of making another.
    const again = await start();
    try {
      expect(readFileSync(keyFileFor(again.dbFile), 'utf8').trim()).to.equal(key);
      expect(again.logs.some((l) => l.includes('new secret key'))).to.equal(false);
    } finally {
      await again.close();
    }
  });

  it('refuses sign-in with a clear log line when restarted with another SECRET_KEY', async () => {
    const first = randomBytes(32).toString('base64');
    const t = await start({ SECRET_KEY: first });
    const p = await loggedInPerson(t.url, smtp, 'rekeyed');
    let secret: string;
    try {
      ({ secret } = await turnOn(t.url, p, clock.now()));
    } finally {
      await t.close();
    }
    const other = await start({ SECRET_KEY: randomBytes(32).toString('base64') });
    try {
      clock.advance(30_000);
      const step = await logIn(other.url, p.username, p.password);
      expect(step.body.mfa_required).to.equal(true);
      const res = await api(other.url, 'POST', '/api/login/2fa', {
        mfa_token: step.body.mfa_token,
        code: totpAt(secret, clock.now()),
      });
      expectError(res, 500, 'internal_error');
      expect(res.body.token).to.equal(undefined);
      expect(
        other.logs.some((l) => l.includes('SECRET_KEY') && l.includes('not the key it was sealed with')),
      ).to.equal(true);
    } finally {
      await other.close();
    }
    // The right key back: it works again.
    const back = await start({ SECRET_KEY: first });
    try {
      clock.advance(30_000);
      await logInWithCode(back.url, p, totpAt(secret, clock.now()));
    } finally {
      await back.close();
    }
  });

  it('refuses to start on PostgreSQL without SECRET_KEY, and names the setting', () => {
    const log = createLogger('silent');
    expect(() => resolveSecretKey({ databaseUrl: 'postgres://db/mux1', secretKey: undefined }, log)).to.throw(
      /SECRET_KEY is required with PostgreSQL/,
    );
    const given = randomBytes(32).toString('base64');
    expect(
      resolveSecretKey({ databaseUrl: 'postgres://db/mux1', secretKey: given }, log).toString('base64'),
    ).to.equal(given);
  });

  it('refuses a key file that does not hold a key, and warns about one others can read', () => {
    const lines: string[] = [];
    const log = createLogger(
      'warn',
      new Writable({
        write(chunk, _e, cb) {
          lines.push(String(chunk));
          cb();
        },
      }),
    );
    const db = join(dir, 'x.sqlite');
    writeFileSync(keyFileFor(db), 'not a key\n', { mode: 0o600 });
    expect(() => resolveSecretKey({ databaseUrl: db, secretKey: undefined }, log)).to.throw(
      /does not hold 32 bytes/,
    );
    writeFileSync(keyFileFor(db), randomBytes(32).toString('base64'));
    chmodSync(keyFileFor(db), 0o644);
    resolveSecretKey({ databaseUrl: db, secretKey: undefined }, log);
    expect(lines.join('')).to.include('readable by other users');
  });

  it('takes SECRET_KEY only as 32 bytes of base64', () => {
    for (const bad of [
      'short',
      randomBytes(16).toString('base64'),
      randomBytes(33).toString('base64'),
      'é'.repeat(44),
    ]) {
      expect(() => loadServerConfig({ env: { SECRET_KEY: bad } }), bad).to.throw(
        /SECRET_KEY.*32 random bytes/,
      );
    }
    expect(loadServerConfig({ env: { SECRET_KEY: randomBytes(32).toString('base64') } }).secretKey).to.be.a(
      'string',
    );
  });

  it('seals a value so it opens only with its key and its context', () => {
    const key = new ServerKey();
    key.load(randomBytes(32));
    const sealed = key.seal('JBSWY3DPEHPK3PXP', 'totp:1');
    expect(sealed).not.to.include('JBSWY3DPEHPK3PXP');
    expect(key.open(sealed, 'totp:1')).to.equal('JBSWY3DPEHPK3PXP');
    expect(() => key.open(sealed, 'totp:2')).to.throw();
    const other = new ServerKey();
    other.load(randomBytes(32));
    expect(() => other.open(sealed, 'totp:1')).to.throw();
    expect(() => key.open(sealed.slice(0, -2) + 'AA', 'totp:1')).to.throw();
    expect(() => key.open('garbage', 'totp:1')).to.throw();
  });
});
