import { join } from 'node:path';
import { expect } from 'chai';
import { CLAIM_LEASE_MS } from '../../../server/mail/outbox-worker.js';
import { newPerson, type Person } from '../../helpers/accounts.js';
import { exitWithin, hasSqlite3, sqlite, useServerProcesses } from '../../helpers/server-process.js';

/**
 * `kill -9` of `mux1 server` in the middle of a signup storm. Every signup answered 201 was
 * committed before the answer, so after a restart the file is intact, every such account is
 * there and its code mail goes out - mail the dead process had claimed included, once its
 * lease runs out.
 */
describe('fault: kill -9 during a signup storm', function () {
  this.timeout(90_000);
  before(function () {
    if (!hasSqlite3) this.skip();
  });
  const servers = useServerProcesses({ mail: true });

  it('loses no answered signup and no mail, and leaves the file intact', async () => {
    const dbFile = join(servers.dir, 'mux1.sqlite');
    const env = {
      DATABASE_URL: dbFile,
      // One address sends the whole storm: lift its budget (and so the challenge) out of the way.
      LIMIT_SIGNUPS_PER_10MIN: '1000000',
      LIMIT_KDF_PER_10MIN: '1000000',
    };
    const first = await servers.start(env);

    const answered: Person[] = [];
    let failed = 0;
    let stop = false;
    const worker = async () => {
      while (!stop) {
        const p = newPerson('storm');
        try {
          const res = await fetch(`${first.url}/api/signup`, {
            method: 'POST',
            headers: { 'content-type': 'application/json' },
            body: JSON.stringify(p),
          });
          if (res.status === 201) answered.push(p);
          else throw new Error(`signup answered ${res.status}: ${await res.text()}`);
        } catch (err) {
          // The connection dies with the process: that request has no answer, and no promise.
          if (!stop) throw err;
          failed++;
        }
      }
    };
    const workers = Array.from({ length: 8 }, worker);
    // Let the storm run until mail is being sent and signups are being written at once.
    while (answered.length < 40 || servers.mail.messages.length < 1)
      await new Promise((r) => setTimeout(r, 20));
    stop = true;
    first.proc.kill('SIGKILL');
    await Promise.all(workers);
    const ended = await exitWithin(first, 5000);
    expect(ended.signal).to.equal('SIGKILL');
    // Once it is dead, and before the next process starts: every lease the dead one took ends
    // before this plus CLAIM_LEASE_MS, and every lease of the next one after it.
    const killedAt = Date.now();

    expect(sqlite(dbFile, 'PRAGMA integrity_check')).to.equal('ok');
    const second = await servers.start(env);
    expect(sqlite(dbFile, 'PRAGMA integrity_check')).to.equal('ok');
    const stored = new Set(sqlite(dbFile, 'SELECT username FROM users').split('\n'));
    const missing = answered.filter((p) => !stored.has(p.username));
    expect(missing, `${missing.length} of ${answered.length} answered signups are gone`).to.deep.equal([]);

    // Nothing lost: each answered signup's mail was sent, or waits in the outbox, not given up.
    const queued = new Set(
      sqlite(dbFile, 'SELECT recipient FROM mail_outbox WHERE sent_at IS NULL AND failed_at IS NULL').split(
        '\n',
      ),
    );
    const lost = answered.filter((p) => servers.mail.codeCount(p.email) === 0 && !queued.has(p.email));
    expect(lost.map((p) => p.email)).to.deep.equal([]);
    // Mail the dead process had claimed waits out its lease (CLAIM_LEASE_MS) before another
    // worker may take it; move the clock past that by ending the leases, rather than wait.
    const deadLeases = `sent_at IS NULL AND locked_until <= ${killedAt + CLAIM_LEASE_MS}`;
    expect(Number(sqlite(dbFile, `SELECT count(*) FROM mail_outbox WHERE ${deadLeases}`))).to.be.at.most(10);
    sqlite(dbFile, `UPDATE mail_outbox SET locked_until = 0 WHERE ${deadLeases}`);
    for (const p of answered) await servers.mail.codeFor(p.email, { timeoutMs: 20_000 });
    expect(failed).to.be.at.most(8);

    second.proc.kill('SIGTERM');
    expect((await exitWithin(second, 10_000)).code).to.equal(0);
  });
});
