import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { startTestServer } from '../../helpers/server.js';
import { logIn, verifiedPerson } from '../../helpers/accounts.js';

describe('accounts: raising SCRYPT_LOG_N keeps existing passwords working', () => {
  let smtp: TestSmtp;
  let dir: string;

  before(async () => {
    smtp = await startSmtp();
    dir = mkdtempSync(join(tmpdir(), 'mux1-cost-'));
  });
  after(async () => {
    await smtp.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('logs in after a restart at a higher cost, and again after that', async () => {
    const cheap = await startTestServer({ dir, env: { SMTP_URL: smtp.url, SCRYPT_LOG_N: '10' } });
    const p = await verifiedPerson(cheap.url, smtp, 'cost');
    await cheap.close();

    const dearer = await startTestServer({ dir, env: { SMTP_URL: smtp.url, SCRYPT_LOG_N: '11' } });
    try {
      // The first login re-hashes at the new cost; the second checks the new hash.
      expect((await logIn(dearer.url, p.username, p.password)).status).to.equal(200);
      expect((await logIn(dearer.url, p.username, p.password)).status).to.equal(200);
      expect((await logIn(dearer.url, p.username, 'not the password')).status).to.equal(401);
    } finally {
      await dearer.close();
    }
  });
});
