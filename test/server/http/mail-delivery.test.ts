import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { logIn, newPerson, signUp } from '../../helpers/accounts.js';
import { freePort } from '../../helpers/ports.js';
import { eventually } from '../../helpers/wait.js';

// Short retry delays so a test sees several attempts in well under a second.
const fastMail = { mailBackoffMs: () => 200, mailPollMs: 50 };

describe('mail: a signup never waits for SMTP, and its mail is not lost', () => {
  let t: TestServer | undefined;
  let smtp: TestSmtp | undefined;

  let dir: string | undefined;

  afterEach(async () => {
    await t?.close();
    await smtp?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
    t = smtp = dir = undefined;
  });

  it('answers 201 quickly while SMTP is down, and delivers the code once SMTP is up', async () => {
    const port = await freePort();
    t = await startTestServer({ env: { SMTP_URL: `smtp://127.0.0.1:${port}` }, overrides: fastMail });
    const p = newPerson('down');
    const started = Date.now();
    const res = await signUp(t.url, p);
    expect(res.status).to.equal(201);
    // A bound with room for a loaded machine (this file also runs on PostgreSQL beside the system
    // tests); a signup that waited on the mail would wait for the worker's retries, seconds more.
    expect(Date.now() - started).to.be.below(3000);

    // Let the worker fail a few times before the mail server exists.
    await eventually(() => t!.logs.filter((l) => l.includes('will retry')).length >= 2, {
      what: 'two failed send attempts',
    });
    smtp = await startSmtp(port);
    const code = await smtp.codeFor(p.email, { timeoutMs: 5000 });
    expect((await api(t.url, 'POST', '/api/verify-email', { email: p.email, code })).status).to.equal(200);
    expect((await logIn(t.url, p.username, p.password)).status).to.equal(200);

    // Delivered once, not once per attempt: a later mail arriving proves the queue moved on.
    const later = newPerson('later');
    await signUp(t.url, later);
    await smtp.codeFor(later.email);
    expect(smtp.codeCount(p.email)).to.equal(1);
  });

  it('answers 201 quickly while SMTP is slow', async () => {
    // Each mail takes the SMTP server 1.5 s to accept: three signups that waited on their mail
    // would take 4.5 s at least, so 3 s tells them apart with room for a loaded machine.
    smtp = await startSmtp(0, { delayMs: 1500 });
    t = await startTestServer({ env: { SMTP_URL: smtp.url }, overrides: fastMail });
    const started = Date.now();
    for (let i = 0; i < 3; i++) expect((await signUp(t.url, newPerson('slow'))).status).to.equal(201);
    expect(Date.now() - started).to.be.below(3000);
  });

  it('sends the code in a plain-text and an HTML body, from MAIL_FROM', async () => {
    smtp = await startSmtp();
    t = await startTestServer({ env: { SMTP_URL: smtp.url, MAIL_FROM: 'Chat Desk <desk@example.test>' } });
    const p = newPerson('bodies');
    await signUp(t.url, p);
    const code = await smtp.codeFor(p.email);
    const mail = smtp.messages.find((m) => m.to === p.email)!;
    expect(mail.from).to.include('desk@example.test');
    expect(mail.text).to.include(code);
    expect(mail.html).to.include(code);
    expect(mail.html).to.match(/<html/i);
  });

  it('without SMTP_URL writes the mail, code included, to the server log (the development mailbox)', async () => {
    t = await startTestServer({ overrides: fastMail });
    const p = newPerson('devbox');
    expect((await signUp(t.url, p)).status).to.equal(201);
    const line = await eventually(() => t!.logs.find((l) => l.includes(p.email) && /\b\d{6}\b/.test(l)), {
      what: 'the mail in the log',
    });
    const code = /\b(\d{6})\b/.exec(JSON.parse(line).msg)![1]!;
    expect((await api(t.url, 'POST', '/api/verify-email', { email: p.email, code })).status).to.equal(200);
  });

  it('keeps queued mail across a restart and sends it then', async () => {
    const port = await freePort();
    dir = mkdtempSync(join(tmpdir(), 'mux1-restart-'));
    const first = await startTestServer({
      dir,
      env: { SMTP_URL: `smtp://127.0.0.1:${port}` },
      overrides: fastMail,
    });
    const p = newPerson('restart');
    expect((await signUp(first.url, p)).status).to.equal(201);
    // Stopped right after the signup, as a deploy would; then the same database, and a mail server.
    await first.close();
    smtp = await startSmtp(port);
    t = await startTestServer({ dir, env: { SMTP_URL: smtp.url }, overrides: fastMail });
    const code = await smtp.codeFor(p.email, { timeoutMs: 5000 });
    expect((await api(t.url, 'POST', '/api/verify-email', { email: p.email, code })).status).to.equal(200);
  });
});
