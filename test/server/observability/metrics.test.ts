import { expect } from 'chai';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { eventually } from '../../helpers/wait.js';
import { freePort } from '../../helpers/ports.js';
import { ask } from '../../helpers/sockets.js';
import { useServer } from '../../helpers/fixture.js';
import { logInWithCode, turnOn } from '../../helpers/two-factor.js';

const TOKEN = 'metrics-token-for-tests-0123456789';

/** The value of one series in the exposition text (0 when absent). */
function value(text: string, series: string): number {
  const line = text.split('\n').find((l) => l.startsWith(series + ' '));
  return line ? Number(line.slice(series.length + 1)) : 0;
}

async function scrape(url: string, token = TOKEN): Promise<string> {
  const res = await fetch(url, { headers: { authorization: `Bearer ${token}` } });
  expect(res.status, await res.clone().text()).to.equal(200);
  expect(res.headers.get('content-type')).to.match(/^text\/plain/);
  return res.text();
}

describe('metrics (Prometheus)', () => {
  describe('by default', () => {
    const t = useServer();

    it('are off: /metrics is an unknown path', async () => {
      expect((await fetch(`${t.url}/metrics`)).status).to.equal(404);
      expect(t.server.metricsUrl).to.equal(undefined);
    });
  });

  describe('with METRICS_TOKEN', () => {
    const t = useServer({ mail: true, env: { METRICS_TOKEN: TOKEN, LIMIT_FAILED_LOGINS_PER_10MIN: '1000' } });

    it('asks for the bearer token, compared whole', async () => {
      for (const authorization of [undefined, 'Bearer wrong', `Bearer ${TOKEN}x`, TOKEN]) {
        const res = await t.api('GET', '/metrics', undefined, authorization ? { authorization } : {});
        expectError(res, 401, 'unauthorized');
      }
      expect(await scrape(`${t.url}/metrics`)).to.include('mux1_http_requests_total');
    });

    it('counts requests by route pattern and status, with latency histograms', async () => {
      const before = await scrape(`${t.url}/metrics`);
      const series = 'mux1_http_requests_total{method="GET",route="/api/health",status="200"}';
      for (let i = 0; i < 3; i++) await t.api('GET', '/api/health');
      await t.api('GET', '/api/no/such/path/42');
      const after = await scrape(`${t.url}/metrics`);
      expect(value(after, series) - value(before, series)).to.equal(3);
      expect(
        value(
          after,
          'mux1_http_request_duration_seconds_count{method="GET",route="/api/health",status="200"}',
        ),
      ).to.be.at.least(3);
      // Unknown paths share one label, so a scanner cannot grow the series without bound.
      expect(after).to.not.include('/api/no/such/path/42');
      expect(after).to.include('route="unmatched",status="404"');
    });

    it('counts signups, logins, lockouts, mail and chat', async () => {
      const before = await scrape(`${t.url}/metrics`);
      const p = await t.verifiedPerson('metered');
      expect((await t.logIn(p.username, p.password)).status).to.equal(200);
      await t.signUp({ ...newPerson('again'), email: p.email });
      const victim = await t.verifiedPerson('locked');
      for (let i = 0; i < 5; i++) await t.logIn(victim.username, 'wrong-password');
      expectError(await t.logIn(victim.username, victim.password), 429, 'too_many_attempts');
      const talker = await t.chatPerson('talker');
      const socket = await t.connectAs(talker);
      for (let i = 0; i < 3; i++) expect((await ask(socket, 'message', `hello ${i}`)).ok).to.equal(true);
      await eventually(() => t.mail.messages.length >= 3, { what: 'mail sent' });

      // A mail the SMTP server has received may still be on its way to being counted as sent.
      const sent = 'mux1_mails_total{event="sent"}';
      const after = await eventually(async () => {
        const text = await scrape(`${t.url}/metrics`);
        const settled = value(text, 'mux1_outbox_depth{state="pending"}') === 0;
        return settled && value(text, sent) - value(before, sent) >= 4 && text;
      });
      const delta = (s: string) => value(after, s) - value(before, s);
      expect(delta('mux1_signups_total{outcome="created"}')).to.equal(3);
      expect(delta('mux1_signups_total{outcome="existing_email"}')).to.equal(1);
      expect(delta('mux1_logins_total{result="ok"}')).to.equal(2);
      expect(delta('mux1_logins_total{result="failed"}')).to.equal(5);
      expect(delta('mux1_logins_total{result="locked"}')).to.equal(1);
      expect(delta('mux1_lockouts_total')).to.equal(1);
      expect(delta('mux1_mails_total{event="queued"}')).to.equal(4);
      expect(delta('mux1_mails_total{event="sent"}')).to.equal(4);
      expect(value(after, 'mux1_sockets_open')).to.equal(1);
      expect(value(after, 'mux1_chat_messages_stored_total')).to.be.at.least(3);
      expect(after).to.include('process_cpu_user_seconds_total');
    });
    it('counts a sign-in with two factors once, when its second step gives the session', async () => {
      const p = await t.verifiedPerson('twosteps');
      const first = await t.logIn(p.username, p.password);
      expect(first.status).to.equal(200);
      const { backupCodes } = await turnOn(t.url, { ...p, token: first.body.token }, Date.now());
      const before = await scrape(`${t.url}/metrics`);
      await logInWithCode(t.url, p, backupCodes[0]!);
      const after = await scrape(`${t.url}/metrics`);
      const ok = 'mux1_logins_total{result="ok"}';
      expect(value(after, ok) - value(before, ok)).to.equal(1);
    });
  });

  describe('with METRICS_PORT', () => {
    const t = useServer({
      // SMTP that refuses connections: every send attempt fails and the mail waits.
      env: async () => ({ METRICS_PORT: '0', SMTP_URL: `smtp://127.0.0.1:${await freePort()}` }),
      overrides: { mailBackoffMs: () => 60_000 },
    });

    it('serves /metrics on its own listener only, and counts failed mail sends and the outbox', async () => {
      const url = t.server.metricsUrl!;
      expect(url).to.match(/^http:\/\/127\.0\.0\.1:\d+\/metrics$/);
      expect(new URL(url).port).to.not.equal(new URL(t.url).port);
      const text = await (await fetch(url)).text();
      expect(text).to.include('mux1_outbox_depth');
      expect((await fetch(`${t.url}/metrics`)).status).to.equal(404);
      expect((await fetch(url.replace('/metrics', '/other'))).status).to.equal(404);

      expect((await t.signUp(newPerson('unmailed'))).status).to.equal(201);
      const after = await eventually(async () => {
        const text = await (await fetch(url)).text();
        return value(text, 'mux1_mails_total{event="failed"}') >= 1 && text;
      });
      expect(value(after, 'mux1_mails_total{event="sent"}')).to.equal(0);
      expect(value(after, 'mux1_outbox_depth{state="pending"}')).to.equal(1);
    });
  });

  describe('with METRICS_PORT and METRICS_TOKEN', () => {
    const t = useServer({ env: { METRICS_PORT: '0', METRICS_TOKEN: TOKEN } });

    it('asks the token on the metrics port, and serves nothing on the main one', async () => {
      expect((await fetch(t.server.metricsUrl!)).status).to.equal(401);
      expect(await scrape(t.server.metricsUrl!)).to.include('mux1_logins_total');
      expect(
        (await fetch(`${t.url}/metrics`, { headers: { authorization: `Bearer ${TOKEN}` } })).status,
      ).to.equal(404);
    });
  });
});
