import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { newPerson, userIdOf } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';
import { up as voidPlainCodes } from '../../../server/store/migrations/014_keyed_email_codes.js';

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Every plain SHA-256 a code's hash could have been made as, before keys or without them. */
const plainHashes = (userId: number, purpose: string, code: string) => [
  sha256(code),
  sha256(`${purpose}:${userId}:${code}`),
  sha256(`email-code:${purpose}:${userId}:${code}`),
];

describe('accounts: mailed codes are stored as keyed hashes', () => {
  const t = useServer({ mail: true, each: true });

  /** The whole database as text: every row of every table. */
  async function everything(): Promise<string> {
    const tables =
      t.db.client.config.client === 'pg'
        ? (await t.db.raw(`SELECT tablename AS name FROM pg_tables WHERE schemaname = current_schema()`)).rows
        : await t.db.raw(`SELECT name FROM sqlite_master WHERE type = 'table'`);
    const parts: string[] = [];
    for (const { name } of tables as { name: string }[])
      parts.push(JSON.stringify(await t.db(name).select()));
    return parts.join('\n');
  }

  it('no plain SHA-256 of a live verification or reset code is anywhere in the database', async () => {
    const p = newPerson('keyed');
    expect((await t.signUp(p)).status).to.equal(201);
    const verify = await t.mail.codeFor(p.email);
    const id = await userIdOf(t, p.username);
    // Another verified account with a live reset code.
    const q = await t.verifiedPerson('keyedreset');
    await t.api('POST', '/api/password/forgot', { email: q.email });
    const reset = await t.mail.codeFor(q.email, { after: 1 });
    const qid = await userIdOf(t, q.username);

    const dump = await everything();
    for (const h of [...plainHashes(id, 'verify', verify), ...plainHashes(qid, 'reset', reset)]) {
      expect(dump).not.to.include(h);
    }
    const rows = await t.db('email_codes').whereIn('user_id', [id, qid]).whereNull('used_at').select();
    expect(rows).to.have.length(2);
    for (const row of rows) expect(row.code_hash).to.match(/^[0-9a-f]{64}$/);
    // And the keyed hash is the one checked: both codes still work.
    expect((await t.api('POST', '/api/verify-email', { email: p.email, code: verify })).status).to.equal(200);
    const done = await t.api('POST', '/api/password/reset', {
      email: q.email,
      code: reset,
      password: 'a brand new pass phrase',
    });
    expect(done.status, JSON.stringify(done.body)).to.equal(200);
  });

  it('a code stored the old way (plain SHA-256) is voided by the upgrade: refused, hash erased, a new one at once', async () => {
    const p = newPerson('legacy');
    expect((await t.signUp(p)).status).to.equal(201);
    const code = await t.mail.codeFor(p.email);
    const id = await userIdOf(t, p.username);
    // As a server before the upgrade stored it, live for minutes yet.
    await t
      .db('email_codes')
      .where({ user_id: id })
      .update({ code_hash: sha256(`verify:${id}:${code}`) });
    await voidPlainCodes(t.db);

    const [row] = await t.db('email_codes').where({ user_id: id }).select();
    expect(row.code_hash).to.equal('');
    expect(Number(row.expires_at)).to.be.at.most(Date.now());
    expect(JSON.stringify(await everything())).not.to.include(sha256(`verify:${id}:${code}`));
    expectError(
      await t.api('POST', '/api/verify-email', { email: p.email, code }),
      400,
      'invalid_code',
      'code',
    );

    // The owner asks for a new code and gets it now: a voided code does not hold resends back.
    expect((await t.api('POST', '/api/resend-verification', { email: p.email })).status).to.equal(200);
    const fresh = await t.mail.codeFor(p.email, { after: 1 });
    expect((await t.api('POST', '/api/verify-email', { email: p.email, code: fresh })).status).to.equal(200);
  });

  it('a code already used before the upgrade stays used, and loses its hash too', async () => {
    const p = await t.verifiedPerson('usedlegacy');
    const id = await userIdOf(t, p.username);
    const before = await t.db('email_codes').where({ user_id: id }).first();
    expect(before.used_at).not.to.equal(null);
    await voidPlainCodes(t.db);
    const after = await t.db('email_codes').where({ user_id: id }).first();
    expect(after.code_hash).to.equal('');
    expect(Number(after.used_at)).to.equal(Number(before.used_at));
    expect(Number(after.expires_at)).to.equal(Number(before.expires_at));
  });
});
