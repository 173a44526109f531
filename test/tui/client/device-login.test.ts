import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { expect } from 'chai';
import { deviceLogin } from '../../../tui/client/device-login.js';
import { createRestClient } from '../../../tui/client/rest.js';
import type { DeviceCodeBody } from '../../../server/protocol.js';

/*
 * The client's side of device login against a server that is not mux1: a real HTTP server on
 * loopback answers what a test gives it. What the server says is printed and may be opened in a
 * browser, so a hostile answer must reach neither the screen raw nor the opener as a non-web URL;
 * and the polling follows authorization_pending and slow_down as RFC 8628 says.
 */
describe('device login client: hostile servers and polling', function () {
  this.timeout(20_000);
  let server: Server;
  let url: string;
  let codeBody: unknown;
  let answers: { status: number; body: unknown }[];
  let polls: number;

  before(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        const reply = (status: number, body: unknown) => {
          res.writeHead(status, { 'content-type': 'application/json' });
          res.end(JSON.stringify(body));
        };
        if (req.url === '/api/device/code') return reply(200, codeBody);
        polls += 1;
        const next = answers.shift() ?? { status: 400, body: { error: 'gone', code: 'expired_token' } };
        reply(next.status, next.body);
      });
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  beforeEach(() => {
    answers = [];
    polls = 0;
  });
  after(() => new Promise((r) => server.close(r)));

  const good = (): DeviceCodeBody => ({
    device_code: 'd'.repeat(43),
    user_code: 'BCDF-GHJK',
    verification_uri: `${url}/device`,
    verification_uri_complete: `${url}/device?code=BCDF-GHJK`,
    expires_in: 600,
    interval: 5,
  });
  const run = (waits: number[] = []) => {
    let shown: DeviceCodeBody | undefined;
    const done = deviceLogin(createRestClient({ server: url }), {
      clientName: 'test',
      onCode: (c) => (shown = c),
      wait: async (ms) => {
        waits.push(ms);
      },
    });
    return { done, shown: () => shown };
  };
  const login = { message: 'Logged in as x.', token: 't', expires_at: '2030-01-01T00:00:00Z', user: {} };

  it('refuses a verification URI that is not http(s), before showing or opening anything', async () => {
    for (const uri of ['file:///etc/passwd', 'javascript:alert(1)', '--help', '', 42, 'x'.repeat(3000)]) {
      codeBody = { ...good(), verification_uri: uri, verification_uri_complete: uri };
      const r = run();
      const err = await r.done.then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      expect(err?.code, String(uri)).to.equal('unexpected_response');
      expect(r.shown(), String(uri)).to.equal(undefined);
    }
  });

  it('strips escape sequences and control characters from what it shows', async () => {
    codeBody = {
      ...good(),
      user_code: '\u001b[2J\u001b]0;pwned\u0007BCDF-GHJK\r\nfake line',
      verification_uri_complete: `${url}/device?code=\u001b[31mX`,
    };
    answers = [{ status: 200, body: login }];
    const r = run();
    await r.done;
    const shown = r.shown()!;
    expect(shown.user_code).to.equal('BCDF-GHJK  fake line');
    expect(JSON.stringify(shown)).not.to.match(/\\u001b|\\u0007|\\r|\\n/);
  });

  it('polls after each interval, 5 seconds slower after every slow_down, and rides out a busy server', async () => {
    codeBody = good();
    const pending = { status: 400, body: { error: 'wait', code: 'authorization_pending' } };
    const slow = { status: 400, body: { error: 'slower', code: 'slow_down' } };
    const busy = { status: 503, body: { error: 'busy', code: 'service_unavailable' } };
    answers = [pending, slow, pending, slow, busy, { status: 200, body: login }];
    const waits: number[] = [];
    const result = await run(waits).done;
    expect(result.token).to.equal('t');
    expect(waits).to.deep.equal([5000, 5000, 10_000, 10_000, 15_000, 15_000]);
    expect(polls).to.equal(6);
  });

  it("stops at access_denied and expired_token with the server's code", async () => {
    for (const code of ['access_denied', 'expired_token']) {
      codeBody = good();
      answers = [{ status: 400, body: { error: 'no', code } }];
      const err = await run().done.then(
        () => undefined,
        (e: unknown) => e as { code?: string },
      );
      expect(err?.code).to.equal(code);
    }
  });

  it('keeps a hostile interval within bounds: never a busy loop, never a day between polls', async () => {
    for (const [interval, expected] of [
      [0, 1000],
      [-5, 1000],
      [86_400, 60_000],
    ] as const) {
      codeBody = { ...good(), interval };
      answers = [{ status: 200, body: login }];
      const waits: number[] = [];
      await run(waits).done;
      expect(waits, String(interval)).to.deep.equal([expected]);
    }
  });
});
