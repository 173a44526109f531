import { request } from 'node:http';
import { join } from 'node:path';
import { expect } from 'chai';
import { io } from 'socket.io-client';
import { newPerson, type Person } from '../../helpers/accounts.js';
import { exitWithin, hasSqlite3, sqlite, useServerProcesses } from '../../helpers/server-process.js';

/**
 * SIGTERM while requests are in flight: they are answered, connected sockets are closed, the
 * mail worker stops between mails (the rest stays queued), and the process exits 0 in 10 s.
 */
describe('fault: SIGTERM with requests in flight', function () {
  this.timeout(60_000);
  before(function () {
    if (!hasSqlite3) this.skip();
  });
  // Slow mail: the worker is in the middle of a send when the signal comes.
  const servers = useServerProcesses({ mail: { delayMs: 300 } });

  it('answers what it took, closes sockets, keeps unsent mail, exits 0 within 10 s', async () => {
    const dbFile = join(servers.dir, 'mux1.sqlite');
    const env = {
      DATABASE_URL: dbFile,
      LIMIT_SIGNUPS_PER_10MIN: '1000000',
      // A costlier hash keeps each signup in flight for a while.
      SCRYPT_LOG_N: '15',
    };
    const server = await servers.start(env);

    const socket = io(server.url, { transports: ['websocket'], reconnection: false, forceNew: true });
    await new Promise<void>((resolve, reject) => {
      socket.once('connected', () => resolve());
      socket.once('connect_error', reject);
    });
    const socketClosed = new Promise<string>((resolve) => socket.once('disconnect', resolve));

    const people: Person[] = Array.from({ length: 12 }, () => newPerson('inflight'));
    // Plain node:http, so the test knows when each request has reached the server: a request still
    // in the client's queue when the signal comes would be refused, and prove nothing.
    const sent: Promise<void>[] = [];
    const answers = people.map(
      (p) =>
        new Promise<number | string>((resolve) => {
          const body = JSON.stringify(p);
          const req = request(`${server.url}/api/signup`, {
            method: 'POST',
            headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
          });
          sent.push(new Promise((done) => req.once('finish', () => done())));
          req.once('response', (res) => {
            res.resume();
            resolve(res.statusCode ?? 0);
          });
          req.once('error', (err) => resolve(`failed: ${err.message}`));
          req.end(body);
        }),
    );
    // Every request is on the server's side of the connection and being worked on (scrypt at
    // logN 15 keeps them busy for a while): now stop.
    await Promise.all(sent);
    await new Promise((r) => setTimeout(r, 150));
    const signalled = Date.now();
    server.proc.kill('SIGTERM');

    expect(await Promise.all(answers)).to.deep.equal(people.map(() => 201));
    expect(await socketClosed).to.be.oneOf(['transport close', 'io server disconnect']);
    socket.close();
    const ended = await exitWithin(server, 10_000);
    expect(ended.code, server.output()).to.equal(0);
    expect(Date.now() - signalled).to.be.below(10_000);
    expect(server.output()).to.include('shutting down');

    // Every signup is stored; mail not sent yet is queued, not held by a lease, and goes out
    // as soon as the server is back.
    expect(Number(sqlite(dbFile, "SELECT count(*) FROM users WHERE username LIKE 'inflight%'"))).to.equal(12);
    expect(
      Number(
        sqlite(dbFile, 'SELECT count(*) FROM mail_outbox WHERE sent_at IS NULL AND locked_until IS NOT NULL'),
      ),
    ).to.equal(0);
    const again = await servers.start(env);
    for (const p of people) await servers.mail.codeFor(p.email, { timeoutMs: 20_000 });
    again.proc.kill('SIGTERM');
    expect((await exitWithin(again, 10_000)).code).to.equal(0);
  });
});
