import { expect } from 'chai';
import { rawApi } from '../../helpers/server.js';
import { useServer } from '../../helpers/fixture.js';
import { expectError } from '../../helpers/errors.js';
import { kdfSlots } from '../../../server/accounts/index.js';
import { KdfGate, LIGHT_WEIGHT } from '../../../server/accounts/passwords.js';
import { readerOf } from '../../../server/store/db.js';

/** Password checks waiting for a hashing slot are bounded (KDF_QUEUE_MAX); past it, 503. */
describe('security: the bounded queue of password hashes', () => {
  const t = useServer({
    mail: true,
    // A cost that takes a while, so the logins below overlap; no room to wait at all.
    env: { SCRYPT_LOG_N: '15', KDF_QUEUE_MAX: '0', TRUST_PROXY: '1', LOG_LEVEL: 'warn' },
  });

  it('answers 503 server_busy with Retry-After past the queue, and hashes only what fits', async () => {
    const slots = kdfSlots(t.config.threadpoolSize);
    const runs = t.server.hasher.runs;
    const answers = await Promise.all(
      Array.from({ length: slots + 6 }, (_, i) =>
        rawApi(
          t.url,
          'POST',
          '/api/login',
          { username: `queue-nobody-${i}`, password: 'some password 1' },
          { 'x-forwarded-for': `10.2.0.${i + 1}` },
        ),
      ),
    );
    const busy = answers.filter((r) => r.status === 503);
    const failed = answers.filter((r) => r.status === 401);
    expect(busy.length, 'refused').to.be.at.least(1);
    expect(busy.length + failed.length).to.equal(answers.length);
    for (const res of busy) {
      expectError(res, 503, 'server_busy');
      expect(Number(res.headers.get('retry-after'))).to.be.at.least(1);
      expect(res.body.retry_after_s).to.be.a('number');
    }
    // Only the admitted logins ran scrypt (the first of a process also makes its dummy hash).
    expect(t.server.hasher.runs - runs).to.be.at.most(failed.length + 1);
  });

  it('refuses a login the full queue would refuse before looking the account up or claiming a failure', async () => {
    const p = await t.loggedInPerson('busyqueue');
    // Every hashing slot held; the queue (KDF_QUEUE_MAX 0) has no room.
    const gate = (t.server.hasher as unknown as { gate: KdfGate }).gate;
    const held = Array.from({ length: kdfSlots(t.config.threadpoolSize) }, () => {
      let finish!: () => void;
      const done = new Promise<void>((resolve) => (finish = resolve));
      return { run: gate.run(() => done), finish };
    });
    const seen: string[] = [];
    const watch = (q: { sql: string }) => {
      if (/\busers\b/.test(q.sql)) seen.push(q.sql);
    };
    const dbs = [...new Set([t.db, readerOf(t.db)])];
    for (const db of dbs) db.on('query', watch);
    try {
      for (const who of [p.username, p.email, 'busy-nobody']) {
        const res = await rawApi(
          t.url,
          'POST',
          '/api/login',
          { username: who, password: p.password },
          { 'x-forwarded-for': '10.2.1.1' },
        );
        expectError(res, 503, 'server_busy');
        expect(Number(res.headers.get('retry-after'))).to.be.at.least(1);
      }
    } finally {
      for (const db of dbs) db.off('query', watch);
      for (const h of held) h.finish();
      await Promise.all(held.map((h) => h.run));
    }
    expect(seen).to.deep.equal([]);
    const row = await t.db('users').where({ username: p.username }).first();
    expect(Number(row.failed_logins)).to.equal(0);
    // With the slots free again, the same login goes through.
    const ok = await rawApi(
      t.url,
      'POST',
      '/api/login',
      { username: p.username, password: p.password },
      { 'x-forwarded-for': '10.2.1.1' },
    );
    expect(ok.status).to.equal(200);
  });
});

describe('security: the order of waiting password hashes (KdfGate)', () => {
  /** A task that runs until its `finish` is called, recording that it started. */
  function controlled(started: string[], name: string) {
    let finish!: () => void;
    const done = new Promise<void>((resolve) => (finish = resolve));
    return { task: () => (started.push(name), done), finish: () => finish() };
  }

  it('runs the lightest waiter first, and a full queue refuses its heaviest for a lighter newcomer', async () => {
    const gate = new KdfGate(1, 2);
    const started: string[] = [];
    const running = controlled(started, 'running');
    const heavy = controlled(started, 'heavy');
    const middle = controlled(started, 'middle');
    const light = controlled(started, 'light');
    const first = gate.run(running.task, 5);
    const heavyRun = gate.run(heavy.task, 90);
    const middleRun = gate.run(middle.task, 40);
    // The queue (2) is full: the light newcomer takes the heavy waiter's place.
    const lightRun = gate.run(light.task, 1);
    const refused = await heavyRun.then(
      () => undefined,
      (err: { code?: string; retryAfter?: number }) => err,
    );
    expect(refused?.code).to.equal('server_busy');
    expect(refused?.retryAfter).to.be.at.least(1);
    // A newcomer heavier than every waiter is itself refused.
    const late = await gate
      .run(async () => undefined, 99)
      .then(
        () => 'ran',
        (err: { code?: string }) => err.code,
      );
    expect(late).to.equal('server_busy');

    running.finish();
    await first;
    light.finish();
    await lightRun;
    middle.finish();
    await middleRun;
    expect(started).to.deep.equal(['running', 'light', 'middle']);
  });

  it('keeps one of several slots for light tasks: a flood holds all but one, a person starts at once', async () => {
    const gate = new KdfGate(2, 10);
    const started: string[] = [];
    const flood1 = controlled(started, 'flood1');
    const flood2 = controlled(started, 'flood2');
    const person = controlled(started, 'person');
    const runs = [gate.run(flood1.task, LIGHT_WEIGHT + 50), gate.run(flood2.task, LIGHT_WEIGHT + 60)];
    await new Promise((r) => setImmediate(r));
    // A slot is free, but not for a second heavy task.
    expect(started).to.deep.equal(['flood1']);
    runs.push(gate.run(person.task, LIGHT_WEIGHT));
    await new Promise((r) => setImmediate(r));
    expect(started).to.deep.equal(['flood1', 'person']);
    // Freed, the kept slot stays kept: the heavy waiter waits for the heavy one to end.
    person.finish();
    await runs[2];
    await new Promise((r) => setImmediate(r));
    expect(started).to.deep.equal(['flood1', 'person']);
    flood1.finish();
    await runs[0];
    await new Promise((r) => setImmediate(r));
    expect(started).to.deep.equal(['flood1', 'person', 'flood2']);
    flood2.finish();
    await runs[1];
  });

  it('lets light tasks use every slot, and a single slot serve heavy ones too', async () => {
    const two = new KdfGate(2, 10);
    const started: string[] = [];
    const a = controlled(started, 'a');
    const b = controlled(started, 'b');
    const both = [two.run(a.task, 1), two.run(b.task, LIGHT_WEIGHT)];
    await new Promise((r) => setImmediate(r));
    expect(started).to.deep.equal(['a', 'b']);
    a.finish();
    b.finish();
    await Promise.all(both);

    const one = new KdfGate(1, 10);
    const heavy = controlled(started, 'heavy');
    const run = one.run(heavy.task, LIGHT_WEIGHT + 100);
    await new Promise((r) => setImmediate(r));
    expect(started).to.include('heavy');
    heavy.finish();
    await run;
  });

  it('forecasts its refusal (refuseIfFull) exactly when a task of that weight would be refused', async () => {
    const gate = new KdfGate(1, 1);
    const code = (weight: number) => {
      try {
        gate.refuseIfFull(weight);
        return 'room';
      } catch (err) {
        return (err as { code?: string }).code;
      }
    };
    expect(code(50)).to.equal('room'); // a free slot
    const running = controlled([], 'running');
    const first = gate.run(running.task, 5);
    expect(code(50)).to.equal('room'); // room to wait
    const waiter = controlled([], 'waiter');
    const waiting = gate.run(waiter.task, 10);
    expect(code(10)).to.equal('server_busy'); // no lighter than the heaviest waiter
    expect(code(50)).to.equal('server_busy');
    expect(code(9)).to.equal('room'); // would take the heavier waiter's place
    running.finish();
    await first;
    waiter.finish();
    await waiting;
  });
});
