import { expect } from 'chai';
import { createAbuseLimits } from '../../../server/limits/abuse.js';
import { createLimiterStore } from '../../../server/limits/store.js';
import { createLogger } from '../../../server/log.js';

/**
 * The weight a hash waits with in the hashing queue (KdfGate, lightest first): the address's
 * hashes in the window that did not end in a right password. The budget itself
 * (LIMIT_KDF_PER_10MIN) still counts every hash.
 */
describe('limits: the weight of an address in the hashing queue', () => {
  const limits = () =>
    createAbuseLimits(createLimiterStore({ keyPrefix: 'test:', log: createLogger('silent') }), {
      limitSignupsPer10Min: 30,
      limitFailedLoginsPer10Min: 50,
      limitMailsPerHourPerEmail: 5,
      limitMailsPerHourPerAddress: 20,
      limitKdfPer10Min: 6,
      limitCodeFailuresPer10Min: 10,
    });

  it('stays light for a person whose checks prove right passwords, and grows for one that fails', async () => {
    const l = limits();
    const person: number[] = [];
    const flood: number[] = [];
    for (let i = 0; i < 4; i++) {
      expect(await l.kdfWeight('192.0.2.1')).to.equal(1);
      person.push(await l.kdf('192.0.2.1'));
      await l.kdfPaidOff('192.0.2.1');
      flood.push(await l.kdf('192.0.2.2'));
    }
    expect(person).to.deep.equal([1, 1, 1, 1]);
    expect(flood).to.deep.equal([1, 2, 3, 4]);
    expect(await l.kdfWeight('192.0.2.2')).to.equal(5);
  });

  it('still spends the budget on right passwords: the 7th check of the window is refused', async () => {
    const l = limits();
    for (let i = 0; i < 6; i++) {
      await l.kdf('192.0.2.3');
      await l.kdfPaidOff('192.0.2.3');
    }
    const refused = await l.kdf('192.0.2.3').then(
      () => 'taken',
      (err: { code?: string }) => err.code,
    );
    expect(refused).to.equal('rate_limited');
  });
});
