import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { TOKENS } from '../../../server/protocol.js';
import { readerOf } from '../../../server/store/db.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';
import { expectNoBug } from '../../helpers/hostile-inputs.js';
import { io } from 'socket.io-client';
import { ask } from '../../helpers/sockets.js';
import { makeToken } from '../../helpers/tokens.js';

/** A token with its last checksum character changed: the right shape, the wrong sum. */
const mistyped = (token: string) => token.slice(0, -1) + (token.endsWith('A') ? 'B' : 'A');

describe('personal access tokens: storage, the checksum, and hostile tokens', () => {
  const t = useServer({ env: { LIMIT_SIGNUPS_PER_10MIN: '1000' } });

  /**
   * Queries that could look a credential up (the outbox worker's polling is not one), on the
   * writer and on the reader connections, where credential lookups go (readerOf).
   */
  async function credentialQueries(run: () => Promise<void>): Promise<string[]> {
    const seen: string[] = [];
    const watch = (q: { sql: string }) => {
      if (/\b(access_tokens|sessions|users)\b/i.test(q.sql)) seen.push(q.sql);
    };
    const dbs = [...new Set([t.db, readerOf(t.db)])];
    for (const db of dbs) db.on('query', watch);
    try {
      await run();
    } finally {
      for (const db of dbs) db.off('query', watch);
    }
    return seen;
  }

  it('refuses a mistyped or cut-short token with 401 and no database query, at both doors', async () => {
    const p = await t.chatPerson('checksum');
    const { token } = await makeToken(t, p.token, ['profile:read', 'chat:read']);
    const wrong = [mistyped(token), token.slice(0, -1), token.slice(0, 20), token + 'x'];
    const queries = await credentialQueries(async () => {
      for (const bad of wrong) {
        expectError(await t.as(bad)('GET', '/api/me'), 401, 'unauthorized');
        const { hello, authErrors } = await t.connect({ token: bad });
        expect(hello.user).to.equal(null);
        expect(authErrors.map((e) => e.code)).to.deep.equal(['unauthorized']);
      }
    });
    expect(queries).to.deep.equal([]);
    // The same count watches a real lookup, so the empty list above means something.
    const real = await credentialQueries(async () => {
      await t.db('access_tokens').update({ last_used_at: null });
      expect((await t.as(token)('GET', '/api/me')).status).to.equal(200);
    });
    expect(real.some((sql) => /from\s+\W?access_tokens/i.test(sql))).to.equal(true);
  });

  it('keeps no token in plaintext: not in any table, not in the database files, not in the log', async () => {
    const p = await t.chatPerson('atrest');
    const made: string[] = [];
    for (const scopes of [['profile:read'], ['chat:read', 'chat:write']] as const) {
      const { token } = await makeToken(t, p.token, [...scopes]);
      made.push(token);
      expect((await t.as(token)('GET', '/api/tokens')).status).to.equal(403);
      await t.connect({ token });
    }
    expect((await t.as(made[0]!)('GET', '/api/me')).status).to.equal(200);
    // The secret part alone must not be there either, in any case.
    const needles = made.flatMap((token) => [
      token,
      token.slice(TOKENS.prefix.length, -TOKENS.checksumLength),
    ]);

    const tables: string[] =
      t.database === 'postgres'
        ? (
            await t.db('information_schema.tables').where({ table_schema: 'public' }).select('table_name')
          ).map((r: { table_name: string }) => r.table_name)
        : (await t.db('sqlite_master').where({ type: 'table' }).select('name')).map(
            (r: { name: string }) => r.name,
          );
    expect(tables).to.include('access_tokens');
    for (const table of tables) {
      const text = JSON.stringify(await t.db(table).select('*')).toLowerCase();
      for (const needle of needles)
        expect(text.includes(needle.toLowerCase()), `${table} holds a token`).to.equal(false);
    }
    if (t.database === 'sqlite') {
      for (const file of readdirSync(t.dir).filter((f) => f.startsWith('mux1.sqlite'))) {
        const bytes = readFileSync(join(t.dir, file)).toString('latin1');
        for (const needle of needles) expect(bytes.includes(needle), `${file} holds a token`).to.equal(false);
      }
    }
    const logs = t.logs.join('\n');
    for (const needle of needles) expect(logs.includes(needle), 'the log holds a token').to.equal(false);
  });

  describe('hostile tokens', () => {
    let session: string;
    let valid: string;
    before(async () => {
      const p = await t.chatPerson('hostile');
      session = p.token;
      valid = (await makeToken(t, p.token, ['profile:read', 'chat:read'])).token;
    });

    const headerSafe = (): string[] => [
      TOKENS.prefix,
      TOKENS.prefix + 'A',
      TOKENS.prefix + 'A'.repeat(TOKENS.secretLength + TOKENS.checksumLength),
      TOKENS.prefix + session,
      TOKENS.prefix.toUpperCase() + valid.slice(TOKENS.prefix.length),
      valid.toUpperCase(),
      mistyped(valid),
      valid + valid,
      'mux1_pat_' + 'x'.repeat(5000),
      'x'.repeat(8000),
      "mux1_pat_' OR 1=1 --",
      'mux1_pat_%00%00',
      session + 'A',
    ];
    // Values no HTTP header can carry, tried where they can arrive: the socket handshake and events.
    const socketOnly = (): unknown[] => [
      `${valid}\u0000`,
      `mux1_pat_\u0000${'A'.repeat(48)}`,
      'mux1_pat_' + 'é'.repeat(49),
      'mux1_pat_' + '\u{1F600}'.repeat(25),
      'mux1_pat_\uD800' + 'A'.repeat(48),
      ' '.repeat(58),
      'y'.repeat(10_000),
      42,
      true,
      ['mux1_pat_'],
      { token: valid },
    ];

    it('REST: every one is 401 unauthorized, and nothing breaks', async () => {
      for (const token of headerSafe()) {
        const res = await t.api('GET', '/api/me', undefined, { authorization: `Bearer ${token}` });
        expectError(res, 401, 'unauthorized');
      }
      for (const header of [
        `Bearer ${valid} ${valid}`,
        `Token ${valid}`,
        valid,
        `Bearer`,
        `Basic ${valid}`,
      ]) {
        expectError(await t.api('GET', '/api/me', undefined, { authorization: header }), 401, 'unauthorized');
      }
      expect((await t.as(valid)('GET', '/api/me')).status, 'the real one still works').to.equal(200);
      expectNoBug(t);
    });

    it('Socket.IO: every one connects as a guest told why, or is refused in the ack', async () => {
      for (const token of [...headerSafe(), ...socketOnly()]) {
        const what = JSON.stringify(token).slice(0, 60);
        const { socket, hello, authErrors } = await t.connect({ auth: { token } });
        expect(hello.user, what).to.equal(null);
        expect(
          authErrors.map((e) => e.code),
          what,
        ).to.deep.equal(['unauthorized']);
        const ack = await ask(socket, 'authenticate', { token });
        expect(ack.ok, what).to.equal(false);
        socket.disconnect();
      }
      const { hello } = await t.connect({ token: valid });
      expect(hello.user, 'the real one still works').not.to.equal(null);
      expectNoBug(t);
    });

    it('Socket.IO: a handshake too big to read is dropped before any lookup', async () => {
      const huge = io(t.url, {
        forceNew: true,
        reconnection: false,
        transports: ['websocket'],
        auth: { token: TOKENS.prefix + 'y'.repeat(100_000) },
      });
      try {
        const outcome = await new Promise<string>((resolve) => {
          huge.once('connected' as never, () => resolve('connected'));
          huge.once('disconnect', () => resolve('disconnect'));
          huge.once('connect_error', () => resolve('connect_error'));
        });
        expect(outcome).to.be.oneOf(['disconnect', 'connect_error']);
      } finally {
        huge.close();
      }
      expect((await t.as(valid)('GET', '/api/me')).status).to.equal(200);
      expectNoBug(t);
    });
  });
});
