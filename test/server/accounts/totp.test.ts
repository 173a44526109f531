import { expect } from 'chai';
import { Secret } from 'otpauth';
import {
  newBackupCode,
  newTotpSecret,
  normaliseBackupCode,
  otpauthUrl,
  stepOf,
  totpStep,
} from '../../../server/accounts/totp.js';

describe('TOTP and backup codes', () => {
  // RFC 6238 appendix B, SHA-1 with the ASCII secret "12345678901234567890": the 8-digit values,
  // of which a 6-digit code is the last six digits (the same truncation, modulo 10^6).
  const rfcSecret = Secret.fromLatin1('12345678901234567890').base32;
  const vectors: [number, string][] = [
    [59, '94287082'],
    [1111111109, '07081804'],
    [1111111111, '14050471'],
    [1234567890, '89005924'],
    [2000000000, '69279037'],
    [20000000000, '65353130'],
  ];

  for (const [seconds, eight] of vectors) {
    it(`accepts the RFC 6238 vector at T=${seconds}`, () => {
      const code = eight.slice(2);
      expect(totpStep(rfcSecret, code, seconds * 1000)).to.equal(stepOf(seconds * 1000));
    });
  }

  it('accepts one step of skew either way, not two', () => {
    const now = 1111111111 * 1000;
    const code = '050471';
    expect(totpStep(rfcSecret, code, now + 30_000)).to.equal(stepOf(now));
    expect(totpStep(rfcSecret, code, now - 30_000)).to.equal(stepOf(now));
    expect(totpStep(rfcSecret, code, now + 60_000)).to.equal(undefined);
    expect(totpStep(rfcSecret, code, now - 60_000)).to.equal(undefined);
  });

  it('refuses anything that is not six digits without computing', () => {
    for (const bad of ['', '05047', '0504710', '05047a', ' 050471', '０５０４７１', '050471\n']) {
      expect(totpStep(rfcSecret, bad, 1111111111 * 1000), JSON.stringify(bad)).to.equal(undefined);
    }
  });

  it('makes 160-bit base32 secrets and an otpauth URI an app reads', () => {
    const secret = newTotpSecret();
    expect(secret).to.match(/^[A-Z2-7]{32}$/);
    const url = new URL(otpauthUrl(secret, 'alice'));
    expect(url.protocol).to.equal('otpauth:');
    expect(url.host).to.equal('totp');
    expect(decodeURIComponent(url.pathname)).to.equal('/mux1:alice');
    expect(url.searchParams.get('secret')).to.equal(secret);
    expect(url.searchParams.get('issuer')).to.equal('mux1');
    expect(url.searchParams.get('digits')).to.equal('6');
    expect(url.searchParams.get('period')).to.equal('30');
    expect(url.searchParams.get('algorithm')).to.equal('SHA1');
  });

  it('makes backup codes of 60 bits in groups of four, all different', () => {
    const codes = Array.from({ length: 2000 }, newBackupCode);
    for (const code of codes)
      expect(code).to.match(/^[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}-[0-9a-hjkmnp-tv-z]{4}$/);
    expect(new Set(codes).size).to.equal(codes.length);
    // 32 letters, 12 of them: 60 bits, above the 50 the contract asks for.
    expect(12 * Math.log2(32)).to.be.at.least(50);
  });

  it('reads a typed backup code whatever its case, spaces, dashes and look-alike letters', () => {
    expect(normaliseBackupCode('7K2M X9QA-4HBN')).to.equal('7k2mx9qa4hbn');
    expect(normaliseBackupCode('o0il-1111-0000')).to.equal('001111110000');
    for (const bad of [
      '',
      '7k2m-x9qa',
      '7k2m-x9qa-4hbn-1',
      '7k2m-x9qa-4hbu',
      '7k2m-x9qa-4hb!',
      '１２３４５６７８９０１２',
    ]) {
      expect(normaliseBackupCode(bad), bad).to.equal(undefined);
    }
  });
});
