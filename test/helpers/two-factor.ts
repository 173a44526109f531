import { expect } from 'chai';
import jsQRModule from 'jsqr';
import { Secret, TOTP } from 'otpauth';
import { matrixFromLines } from '../../tui/client/qr.js';

// jsqr is CommonJS with an ES-style default: its types see the module, Node the function.
const jsQR = (jsQRModule as unknown as { default: (typeof jsQRModule)['default'] }).default;
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

/**
 * Reads a QR code drawn with half blocks (tui/client/qr.ts) the way a camera would: the modules
 * become pixels, and jsQR finds and decodes the code. Returns its text, or undefined.
 */
export function decodeDrawnQr(screen: string): string | undefined {
  const lines = screen.split('\n').filter((l) => /[█▀▄]/.test(l));
  if (lines.length === 0) return undefined;
  // Only the drawing's columns: from the first cell with a block to the widest line's end.
  const start = Math.min(...lines.map((l) => [...l].findIndex((c) => /[█▀▄]/.test(c))));
  const width = Math.max(...lines.map((l) => [...l].length)) - start;
  const rows = matrixFromLines(lines.map((l) => [...l].slice(start).join('').padEnd(width, ' ')));
  // A light frame around it, as the margin the terminal's background would not give.
  const scale = 4;
  const pad = 4;
  const w = (width + 2 * pad) * scale;
  const h = (rows.length + 2 * pad) * scale;
  const pixels = new Uint8ClampedArray(w * h * 4).fill(255);
  rows.forEach((row, y) =>
    row.forEach((dark, x) => {
      if (!dark) return;
      for (let dy = 0; dy < scale; dy++) {
        for (let dx = 0; dx < scale; dx++) {
          const i = (((y + pad) * scale + dy) * w + (x + pad) * scale + dx) * 4;
          pixels[i] = pixels[i + 1] = pixels[i + 2] = 0;
        }
      }
    }),
  );
  return jsQR(pixels, w, h)?.data;
}
