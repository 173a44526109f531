import { expect } from 'chai';
import { pacedReading } from '../../../server/metrics/paced-reading.js';

/*
 * A scrape-time count: exact while it is small, reused for 100 times its duration once it is
 * large, and then refreshed behind the scrape that finds it stale.
 */
describe('metrics: paced readings', () => {
  // A clock the reading itself moves: each reading "takes" `cost` ms.
  const counting = (cost: () => number) => {
    let clock = 0;
    let reads = 0;
    const read = async () => {
      clock += cost();
      return ++reads;
    };
    return { read, now: () => clock, advance: (ms: number) => (clock += ms), reads: () => reads };
  };

  // Here the figure is the number of readings so far: from 1000 on it is large.
  const isLarge = (n: number) => n >= 1000;

  it('takes a reading at every call while the figure is small, however slow', async () => {
    const c = counting(() => 500);
    const get = pacedReading(c.read, { now: c.now, isLarge });
    expect([await get(), await get(), await get()]).to.deep.equal([1, 2, 3]);
  });

  it('reuses a large figure for 100 times its duration, then refreshes it without waiting', async () => {
    const c = counting(() => 500);
    const get = pacedReading(c.read, { now: c.now, isLarge: () => true });
    expect(await get()).to.equal(1);
    c.advance(49_000);
    expect(await get()).to.equal(1);
    expect(c.reads()).to.equal(1);
    c.advance(1_000);
    // Stale: this call answers the last figure and starts a reading behind it.
    expect(await get()).to.equal(1);
    await new Promise((r) => setImmediate(r));
    expect(c.reads()).to.equal(2);
    expect(await get()).to.equal(2);
  });

  it('shares one reading between calls at the same moment', async () => {
    const c = counting(() => 1);
    const get = pacedReading(c.read, { now: c.now, isLarge });
    expect(await Promise.all([get(), get()])).to.deep.equal([1, 1]);
    expect(c.reads()).to.equal(1);
  });

  it('keeps the last figure when a refresh fails', async () => {
    let fail = false;
    const c = counting(() => 500);
    const get = pacedReading(
      async () => {
        const v = await c.read();
        if (fail) throw new Error('database gone');
        return v;
      },
      { now: c.now, isLarge: () => true },
    );
    expect(await get()).to.equal(1);
    fail = true;
    c.advance(60_000);
    expect(await get()).to.equal(1);
    await new Promise((r) => setImmediate(r));
    expect(await get()).to.equal(1);
  });
});
