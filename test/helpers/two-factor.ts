import { expect } from 'chai';
import { Secret, TOTP } from 'otpauth';
import { api } from './server.js';
import { bearer, logIn, type Person } from './accounts.js';

/** The code an authenticator app shows for `secret` (base32) at `ms`, computed here, not by the server. */
export const totpAt = (secret: string, ms: number): string =>
  new TOTP({ secret: Secret.fromBase32(secret), algorithm: 'SHA1', digits: 6, period: 30 }).generate({
    timestamp: ms,
  });

/** Sets up and turns on two-factor sign-in for a signed-in person; returns the secret and backup codes. */
export async function turnOn(
  url: string,
  p: Person & { token: string },
  now: number,
): Promise<{ secret: string; backupCodes: string[] }> {
  const setup = await api(url, 'POST', '/api/2fa/setup', { password: p.password }, bearer(p.token));
  expect(setup.status, JSON.stringify(setup.body)).to.equal(200);
  const enable = await api(
    url,
    'POST',
    '/api/2fa/enable',
    { code: totpAt(setup.body.secret, now) },
    bearer(p.token),
  );
  expect(enable.status, JSON.stringify(enable.body)).to.equal(200);
  return { secret: setup.body.secret, backupCodes: enable.body.backup_codes };
}

/** Both steps of a login with two factors; returns the session token. */
export async function logInWithCode(url: string, p: Person, code: string): Promise<string> {
  const first = await logIn(url, p.username, p.password);
  expect(first.status, JSON.stringify(first.body)).to.equal(200);
  expect(first.body.mfa_required).to.equal(true);
  const second = await api(url, 'POST', '/api/login/2fa', { mfa_token: first.body.mfa_token, code });
  expect(second.status, JSON.stringify(second.body)).to.equal(200);
  return second.body.token;
}
