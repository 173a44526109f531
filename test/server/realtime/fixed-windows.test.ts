import { expect } from 'chai';
import { AppError } from '../../../server/errors.js';
import { FixedWindows } from '../../../server/realtime/fixed-windows.js';
import { createSocketLimits } from '../../../server/realtime/limits.js';

/** The socket budgets, counted as rate-limiter-flexible's memory limiter counted them. */
describe('Socket.IO chat: budgets in fixed windows', () => {
  it('opens a window at the first spend, counts refused spends too, and starts afresh when it ends', () => {
    const windows = new FixedWindows(2, 1000);
    expect([100, 200, 300, 400].map((at) => windows.spend('k', at))).to.deep.equal([0, 0, 800, 700]);
    expect(windows.spend('other', 400), 'each key its own window').to.equal(0);
    expect(windows.spend('k', 1099)).to.equal(1);
    expect([1100, 1100, 1100].map((at) => windows.spend('k', at))).to.deep.equal([0, 0, 1000]);
  });

  it('lets a burst of 10 messages through, refuses the 11th with retry_after_s, and keeps sockets apart', () => {
    const limits = createSocketLimits();
    for (let i = 0; i < 10; i++) limits.message('a');
    let refusal: unknown;
    try {
      limits.message('a');
    } catch (err) {
      refusal = err;
    }
    expect(refusal).to.be.instanceOf(AppError);
    expect((refusal as AppError).code).to.equal('rate_limited');
    expect((refusal as AppError).details.retry_after_s).to.equal(1);
    expect(() => limits.message('b')).not.to.throw();
    expect(limits.typing('a', 'lobby')).to.equal(true);
    expect(limits.typing('a', 'lobby')).to.equal(false);
    expect(limits.typing('a', 'other')).to.equal(true);
  });
});
