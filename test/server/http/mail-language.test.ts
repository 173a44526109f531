import { expect } from 'chai';
import { createRestClient } from '../../../tui/client/rest.js';
import { bearer, newPerson, resetCode, type Person } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';
import { SQL_INJECTION, WRONG_VALUES, expectNoBug } from '../../helpers/hostile-inputs.js';
import { startSmtp, type TestSmtp } from '../../helpers/smtp.js';
import { api, startTestServer, type TestServer } from '../../helpers/server.js';
import { freePort } from '../../helpers/ports.js';
import { eventually } from '../../helpers/wait.js';
import { providerEntry, startOidcProvider, type TestProvider } from '../../helpers/oidc-provider.js';
import { signInThroughProvider } from '../../helpers/oidc-signin.js';

/*
 * The language of an account's mails: stored at signup (the body's `locale`, else the request's
 * Accept-Language when it names a language mux1 speaks), changed or forgotten with PATCH /api/me,
 * and read when a mail is queued. Real SMTP, real database.
 */

const GERMAN_CODE_SUBJECT = /^Dein mux1-Bestätigungscode: \d{6}$/;
const ENGLISH_CODE_SUBJECT = /^Your mux1 verification code: \d{6}$/;

describe('mail language: signup, PATCH /api/me {locale}, and the mails that follow', () => {
  const t = useServer({ mail: true, env: { LIMIT_SIGNUPS_PER_10MIN: '1000' } });

  const codeMail = (p: Person) => t.mail.waitFor((m) => m.to === p.email && /\d{6}/.test(m.subject));
  const localeOf = async (username: string) =>
    (await t.db('users').where({ username }).first('locale')).locale as string | null;

  /** Verifies `p` with the code of its mail and logs in: a session token. */
  async function logInVerified(p: Person): Promise<string> {
    const code = await t.mail.codeFor(p.email);
    expect((await t.api('POST', '/api/verify-email', { email: p.email, code })).status).to.equal(200);
    const login = await t.logIn(p.username, p.password);
    expect(login.status).to.equal(200);
    return login.body.token as string;
  }

  it('a signup from a German client (Accept-Language: de-DE) gets a German code; after PATCH {locale: "en"} the next mail is English', async () => {
    const p = newPerson('deutsch');
    const signup = await t.api('POST', '/api/signup', p, { 'accept-language': 'de-DE,de;q=0.9,en;q=0.5' });
    expect(signup.status).to.equal(201);
    const mail = await codeMail(p);
    expect(mail.subject).to.match(GERMAN_CODE_SUBJECT);
    const code = /(\d{6})$/.exec(mail.subject)![1]!;
    expect(mail.text).to.include(`Hallo ${p.username},`);
    expect(mail.text).to.include(`Dein mux1-Bestätigungscode ist ${code}. Er läuft in 15 Minuten ab`);
    // Commands are typed, not read: the same in every language.
    expect(mail.text).to.include(`mux1 verify --email ${p.email} --server `);
    expect(mail.html).to.include('Bestätigungscode');
    expect(mail.html).to.include(code);
    expect(await localeOf(p.username)).to.equal('de');

    const token = await logInVerified(p);
    const me = await t.api('GET', '/api/me', undefined, bearer(token));
    expect(me.body.user.locale).to.equal('de');

    const changed = await t.api('PATCH', '/api/me', { locale: 'en' }, bearer(token));
    expect(changed.status).to.equal(200);
    expect(changed.body.user).to.include({ username: p.username, locale: 'en' });
    expect((await t.api('GET', '/api/me', undefined, bearer(token))).body.user.locale).to.equal('en');

    const resetBefore = t.mail.codeCount(p.email);
    await resetCode(t, t.mail, p.email);
    const reset = t.mail.messages.filter((m) => m.to === p.email && /\d{6}/.test(m.subject))[resetBefore]!;
    expect(reset.subject).to.match(/^Your mux1 password reset code: \d{6}$/);
    expect(reset.text).to.include(`Hello ${p.username},`);
    expect(reset.text).to.match(/expires in 15 minutes and works once/);
  });

  it('the body`s locale wins over Accept-Language; a German account gets its security notices in German', async () => {
    const p = newPerson('bodywins');
    const signup = await t.api('POST', '/api/signup', { ...p, locale: 'de' }, { 'accept-language': 'en-US' });
    expect(signup.status).to.equal(201);
    expect((await codeMail(p)).subject).to.match(GERMAN_CODE_SUBJECT);
    const token = await logInVerified(p);

    const newPassword = 'a brand new pass phrase';
    const change = await t.api(
      'POST',
      '/api/password/change',
      { current_password: p.password, password: newPassword },
      bearer(token),
    );
    expect(change.status).to.equal(200);
    const notice = await t.mail.waitFor((m) => m.to === p.email && /Passwort/.test(m.subject));
    expect(notice.subject).to.equal('Dein mux1-Passwort wurde geändert');
    // The moment in German form, still in UTC, and the address it came from.
    expect(notice.text).to.match(
      /wurde am \d\d\.\d\d\.\d{4}, \d\d:\d\d UTC von der Adresse 127\.0\.0\.1 aus geändert\./,
    );
    expect(notice.text).to.include(`mux1 password forgot --email ${p.email}`);
  });

  it('an Accept-Language naming no language mux1 speaks, or none, stores no language: the mails are English', async () => {
    const headers: Record<string, string>[] = [
      {},
      { 'accept-language': '*' },
      { 'accept-language': 'fr-FR, fr;q=0.9, *;q=0.5' },
      { 'accept-language': 'de;q=0, fr' },
      { 'accept-language': '__proto__' },
      { 'accept-language': "de' OR '1'='1" },
      { 'accept-language': 'x'.repeat(8000) },
      { 'accept-language': ',,;;q=,=de' },
    ];
    for (const header of headers) {
      const p = newPerson('nolang');
      const res = await t.api('POST', '/api/signup', p, header);
      expect(res.status, JSON.stringify(header).slice(0, 60)).to.equal(201);
      expect((await codeMail(p)).subject, JSON.stringify(header).slice(0, 60)).to.match(ENGLISH_CODE_SUBJECT);
      expect(await localeOf(p.username)).to.equal(null);
    }
    // And the other way: a German language named anywhere in the list, by its quality.
    const p = newPerson('deweit');
    await t.api('POST', '/api/signup', p, { 'accept-language': 'fr-CH, fr;q=0.9, de-AT;q=0.5' });
    expect((await codeMail(p)).subject).to.match(GERMAN_CODE_SUBJECT);
    expectNoBug(t);
  });

  it('PATCH /api/me {locale: null} forgets the choice: GET /api/me says null, the mails are English', async () => {
    const p = newPerson('forget');
    await t.api('POST', '/api/signup', { ...p, locale: 'de' });
    const token = await logInVerified(p);
    const forgotten = await t.api('PATCH', '/api/me', { locale: null }, bearer(token));
    expect(forgotten.status).to.equal(200);
    expect(forgotten.body.user.locale).to.equal(null);
    expect((await t.api('GET', '/api/me', undefined, bearer(token))).body.user.locale).to.equal(null);
    expect(await localeOf(p.username)).to.equal(null);
    const before = t.mail.codeCount(p.email);
    await resetCode(t, t.mail, p.email);
    const reset = t.mail.messages.filter((m) => m.to === p.email && /\d{6}/.test(m.subject))[before]!;
    expect(reset.subject).to.match(/^Your mux1 password reset code/);
  });

  it('the notice to an address that already has an account is in that account`s language, not the signup`s', async () => {
    const owner = newPerson('owner');
    await t.api('POST', '/api/signup', { ...owner, locale: 'de' });
    await logInVerified(owner);
    const intruder = { ...newPerson('intruder'), email: owner.email };
    expect((await t.api('POST', '/api/signup', { ...intruder, locale: 'en' })).status).to.equal(201);
    const notice = await t.mail.waitFor((m) => m.to === owner.email && !/\d{6}/.test(m.subject));
    expect(notice.subject).to.equal('Jemand wollte sich mit deiner Adresse bei mux1 registrieren');
    expect(notice.text).to.include('mux1 password forgot --email');
  });

  it('refuses every locale that is not a language mux1 speaks (or null) with 400 invalid_field locale, and keeps the stored one', async () => {
    const p = newPerson('hostile');
    await t.api('POST', '/api/signup', { ...p, locale: 'de' });
    const token = await logInVerified(p);
    const wrong: unknown[] = [
      ...WRONG_VALUES.filter((v) => v !== null),
      ...SQL_INJECTION,
      'fr',
      'de-DE',
      'DE',
      'de_DE.UTF-8',
      ' de',
      'EN',
      'C',
      '__proto__',
      'constructor',
      'toString',
      ['de'],
      { locale: 'de' },
      { __proto__: 'de' },
      // Under the body limit (16 KiB), so the field rule answers, not the size.
      'x'.repeat(15_000),
    ];
    for (const locale of wrong) {
      const res = await t.api('PATCH', '/api/me', { locale }, bearer(token));
      expectError(res, 400, 'invalid_field', 'locale');
      // The refusal does not echo the value back (a huge string, a script).
      expect(JSON.stringify(res.body).length, JSON.stringify(locale).slice(0, 40)).to.be.below(300);
    }
    expectError(await t.api('PATCH', '/api/me', {}, bearer(token)), 400, 'invalid_field', 'locale');
    // A misspelt field must not look like a change that was made.
    expectError(
      await t.api('PATCH', '/api/me', { locale: 'en', langauge: 'en' }, bearer(token)),
      400,
      'invalid_field',
    );
    expectError(await t.api('PATCH', '/api/me', { language: 'en' }, bearer(token)), 400, 'invalid_field');
    for (const body of ['[]', 'null', '"de"', '{"locale":"de"']) {
      const res = await t.api('PATCH', '/api/me', body, bearer(token));
      expect(res.status, body).to.equal(400);
    }
    expect(await localeOf(p.username)).to.equal('de');
    expect(({} as { locale?: unknown }).locale, 'Object.prototype polluted').to.equal(undefined);

    // Signed out, the route does not exist for you.
    expectError(await t.api('PATCH', '/api/me', { locale: 'en' }), 401, 'unauthorized');
    expect(await localeOf(p.username)).to.equal('de');
    expectNoBug(t);
  });

  it('refuses a wrong locale at signup with 400 invalid_field locale, and creates no account', async () => {
    for (const locale of ['fr', 'de-DE', 42, true, ['de'], { de: 1 }, '__proto__', 'x'.repeat(15_000)]) {
      const p = newPerson('badsignup');
      const res = await t.api('POST', '/api/signup', { ...p, locale }, { 'accept-language': 'de' });
      expectError(res, 400, 'invalid_field', 'locale');
      expect(await t.db('users').where({ username: p.username }).first()).to.equal(undefined);
    }
    expectNoBug(t);
  });

  it('the TUI`s REST client sends the terminal`s language: a German terminal signs up German', async () => {
    const german = newPerson('terminal');
    await createRestClient({ server: t.url, language: 'de' }).signup(german);
    expect((await codeMail(german)).subject).to.match(GERMAN_CODE_SUBJECT);
    // Tests run with MUX1_LANG=en (test/helpers/english.ts): the terminal's language is English.
    const english = newPerson('terminal');
    await createRestClient({ server: t.url }).signup(english);
    expect((await codeMail(english)).subject).to.match(ENGLISH_CODE_SUBJECT);
    expect(await localeOf(english.username)).to.equal('en');
  });
});

describe('mail language: a queued mail keeps the language it was queued in', () => {
  let t: TestServer | undefined;
  let smtp: TestSmtp | undefined;

  afterEach(async () => {
    await t?.close();
    await smtp?.close();
    t = smtp = undefined;
  });

  it('written when queued: a German mail waiting for SMTP stays German after the account switches to English', async () => {
    const port = await freePort();
    t = await startTestServer({
      env: { SMTP_URL: `smtp://127.0.0.1:${port}` },
      overrides: { mailBackoffMs: () => 200, mailPollMs: 50 },
    });
    const p = newPerson('queued');
    const call = (method: string, path: string, body?: unknown, headers?: Record<string, string>) =>
      api(t!.url, method, path, body, headers);
    expect((await call('POST', '/api/signup', { ...p, locale: 'de' })).status).to.equal(201);
    // Verified by hand (the code is stuck in the outbox), then signed in to switch the language.
    await t.server.db('users').where({ username: p.username }).update({ email_verified_at: Date.now() });
    const login = await call('POST', '/api/login', { username: p.username, password: p.password });
    expect((await call('PATCH', '/api/me', { locale: 'en' }, bearer(login.body.token))).status).to.equal(200);
    expect((await call('POST', '/api/password/forgot', { email: p.email })).status).to.equal(200);
    await eventually(() => t!.logs.filter((l) => l.includes('will retry')).length >= 1, {
      what: 'a failed send attempt',
    });

    smtp = await startSmtp(port);
    const german = await smtp.waitFor((m) => m.to === p.email && GERMAN_CODE_SUBJECT.test(m.subject));
    const english = await smtp.waitFor(
      (m) => m.to === p.email && /^Your mux1 password reset code/.test(m.subject),
    );
    expect(german.text).to.include('Hallo');
    expect(english.text).to.include('Hello');
  });
});

describe('mail language: an account made through an identity provider', function () {
  this.timeout(60_000);
  let idp: TestProvider;
  const t = useServer({
    mail: true,
    env: async () => {
      const port = await freePort();
      const url = `http://127.0.0.1:${port}`;
      idp = await startOidcProvider({
        port: await freePort(),
        redirectUris: [`${url}/api/oidc/testid/callback`],
      });
      return {
        PORT: String(port),
        PUBLIC_URL: url,
        OIDC_PROVIDERS: JSON.stringify([providerEntry(idp)]),
      };
    },
  });
  after(async () => idp?.close());

  it('takes the language of the Accept-Language of its signup request, for its mails from then on', async () => {
    const made: Record<string, string | null> = {};
    for (const [login, header] of [
      ['dora-de', 'de-CH, en;q=0.5'],
      ['emil-fr', 'fr'],
    ] as const) {
      const signIn = await signInThroughProvider(t.url, idp, 'testid', login);
      expect(signIn.ticket, signIn.location).to.be.a('string');
      const username = login.replace('-', '_');
      const res = await t.api(
        'POST',
        '/api/oidc/signup',
        { ticket: signIn.ticket, username },
        { cookie: signIn.cookie, 'accept-language': header },
      );
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      made[login] = (await t.db('users').where({ username }).first('locale')).locale;
    }
    expect(made).to.deep.equal({ 'dora-de': 'de', 'emil-fr': null });
    // Its first mail, a reset code (it has no password anyone knows), is German.
    await t.api('POST', '/api/password/forgot', { email: 'dora-de@example.test' });
    const mail = await t.mail.waitFor((m) => m.to === 'dora-de@example.test');
    expect(mail.subject).to.match(/^Dein Code zum Zurücksetzen des mux1-Passworts: \d{6}$/);
  });
});
