import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { copyFileSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { request } from 'node:https';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TLSSocket } from 'node:tls';
import { io } from 'socket.io-client';
import { startTestServer, type TestServer } from '../../helpers/server.js';
import { startQuietServerProcess, type QuietServerProcess } from '../../helpers/server-process.js';
import { eventually } from '../../helpers/wait.js';
import { newPerson } from '../../helpers/accounts.js';
import { runCli } from '../../helpers/cli.js';

/** A private CA and a certificate it signed for 127.0.0.1 and localhost, made with openssl. */
function makeCertificates(dir: string, name: string) {
  const at = (f: string) => join(dir, `${name}-${f}`);
  const ssl = (...args: string[]) => execFileSync('openssl', args, { stdio: 'pipe' });
  ssl(
    'req',
    '-x509',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-days',
    '2',
    '-subj',
    `/CN=mux1 test CA ${name}`,
    '-keyout',
    at('ca.key'),
    '-out',
    at('ca.pem'),
  );
  ssl(
    'req',
    '-newkey',
    'ec',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-nodes',
    '-subj',
    '/CN=localhost',
    '-keyout',
    at('key.pem'),
    '-out',
    at('csr.pem'),
  );
  writeFileSync(at('ext.cnf'), 'subjectAltName=IP:127.0.0.1,DNS:localhost\n');
  ssl(
    'x509',
    '-req',
    '-in',
    at('csr.pem'),
    '-CA',
    at('ca.pem'),
    '-CAkey',
    at('ca.key'),
    '-CAcreateserial',
    '-days',
    '2',
    '-extfile',
    at('ext.cnf'),
    '-out',
    at('cert.pem'),
  );
  return { ca: at('ca.pem'), cert: at('cert.pem'), key: at('key.pem') };
}

interface TlsAnswer {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  body: string;
  /** The serial number of the certificate the server presented. */
  serial: string;
}

/** GET over HTTPS trusting `ca` only, on a connection of its own. */
function getTls(
  url: string,
  ca: string | undefined,
  headers: Record<string, string> = {},
): Promise<TlsAnswer> {
  return new Promise((resolve, reject) => {
    const req = request(url, { ca: ca ? readFileSync(ca) : undefined, agent: false, headers }, (res) => {
      const serial = (res.socket as TLSSocket).getPeerCertificate().serialNumber;
      let body = '';
      res.setEncoding('utf8').on('data', (c) => (body += c));
      res.on('end', () => resolve({ status: res.statusCode!, headers: res.headers, body, serial }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('TLS_CERT / TLS_KEY: HTTPS and WSS from the server itself', function () {
  this.timeout(60_000);
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  let t: TestServer;

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-tls-'));
    certs = makeCertificates(dir, 'one');
    t = await startTestServer({ env: { TLS_CERT: certs.cert, TLS_KEY: certs.key } });
  });
  after(async () => {
    await t?.close();
    rmSync(dir, { recursive: true, force: true });
  });

  it('serves the API over HTTPS with HSTS, and a client without the CA is refused', async () => {
    expect(t.url).to.match(/^https:\/\/127\.0\.0\.1:\d+$/);
    const res = await getTls(`${t.url}/api/health`, certs.ca);
    expect(res.status).to.equal(200);
    expect(JSON.parse(res.body).status).to.equal('healthy');
    expect(res.headers['strict-transport-security']).to.match(/^max-age=\d+/);
    const page = await getTls(`${t.url}/`, certs.ca);
    expect(page.headers['strict-transport-security']).to.match(/^max-age=\d+/);
    let failure: (Error & { code?: string }) | undefined;
    await getTls(`${t.url}/api/health`, undefined).catch((err) => (failure = err));
    expect(failure?.code).to.match(/UNABLE_TO_VERIFY|SELF_SIGNED|UNABLE_TO_GET_ISSUER/);
  });

  it('plain HTTP on the TLS port gets no answer of the API', async () => {
    const plain = await fetch(t.url.replace('https:', 'http:') + '/api/health').then(
      (r) => r.status,
      () => 'refused',
    );
    expect(plain).to.not.equal(200);
  });

  it('chat over WSS with the CA trusted', async () => {
    const socket = io(t.url, {
      transports: ['websocket'],
      ca: readFileSync(certs.ca, 'utf8'),
      forceNew: true,
      reconnection: false,
    });
    try {
      const hello = await new Promise<{ user: unknown }>((resolve, reject) => {
        socket.once('connected', resolve);
        socket.once('connect_error', reject);
      });
      expect(hello).to.have.property('user', null);
    } finally {
      socket.disconnect();
    }
  });

  it('the CLI: refused without the CA, served with --ca FILE or NODE_EXTRA_CA_CERTS, over REST and WSS', async () => {
    const without = await runCli(['health', '--server', t.url, '--json']);
    expect(without.code).to.equal(1);
    expect(without.json().code).to.equal('unreachable');

    const withFlag = await runCli(['health', '--server', t.url, '--ca', certs.ca, '--json']);
    expect(withFlag.code, withFlag.stdout + withFlag.stderr).to.equal(0);
    expect(withFlag.json().status).to.equal('healthy');
    const withEnv = await runCli(['health', '--server', t.url, '--json'], {
      env: { NODE_EXTRA_CA_CERTS: certs.ca },
    });
    expect(withEnv.code, withEnv.stdout).to.equal(0);

    // A whole flow over TLS: signup and login over HTTPS, a message over WSS.
    const p = newPerson('tls');
    const config = join(dir, 'cli-config');
    const env = { MUX1_CONFIG_DIR: config };
    const common = ['--server', t.url, '--ca', certs.ca, '--json'];
    const signup = await runCli(
      ['signup', '--username', p.username, '--email', p.email, '--password-stdin', ...common],
      { env, input: p.password + '\n', timeoutMs: 40_000 },
    );
    expect(signup.code, signup.stdout + signup.stderr).to.equal(0);
    await t.server.db('users').where({ username: p.username }).update({ email_verified_at: Date.now() });
    const login = await runCli(['login', '--username', p.username, '--password-stdin', ...common], {
      env,
      input: p.password + '\n',
      timeoutMs: 40_000,
    });
    expect(login.code, login.stdout + login.stderr).to.equal(0);
    const send = await runCli(['send', 'over wss', ...common], { env, timeoutMs: 40_000 });
    expect(send.code, send.stdout + send.stderr).to.equal(0);
    const stored = await t.server.db('messages').where({ text: 'over wss' }).first();
    expect(stored, 'the message sent over WSS').to.not.equal(undefined);
  });

  it('--ca refuses a file that is missing, not PEM, or hostile, with exit 2', async () => {
    const garbage = join(dir, 'garbage.pem');
    writeFileSync(
      garbage,
      '-----BEGIN CERTIFICATE-----\n<script>alert(1)</script>\n-----END CERTIFICATE-----\n',
    );
    const huge = join(dir, 'huge.pem');
    writeFileSync(huge, '-----BEGIN CERTIFICATE-----\n' + 'A'.repeat(2_000_000));
    for (const file of [join(dir, 'missing.pem'), garbage, huge, certs.key, dir]) {
      const r = await runCli(['health', '--server', t.url, '--ca', file, '--json']);
      expect(r.code, file).to.equal(2);
      expect(r.json().code, file).to.equal('usage');
      expect(r.json().error, file).to.include('--ca');
    }
  });
});

describe('mux1 server with TLS as a process: SIGHUP renewals and settings it refuses', function () {
  this.timeout(60_000);
  let dir: string;
  let certs: ReturnType<typeof makeCertificates>;
  let other: ReturnType<typeof makeCertificates>;
  const servers: QuietServerProcess[] = [];

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-tls-bad-'));
    certs = makeCertificates(dir, 'one');
    other = makeCertificates(dir, 'two');
  });
  after(async () => {
    await Promise.all(servers.map((s) => s.stop()));
    rmSync(dir, { recursive: true, force: true });
  });

  const start = async (env: Record<string, string>) => {
    const s = await startQuietServerProcess({ DATABASE_URL: join(dir, 'mux1.sqlite'), ...env });
    servers.push(s);
    return s;
  };

  it('SIGHUP serves a renewed certificate to new connections; a bad renewal keeps the old one', async () => {
    const cert = join(dir, 'live-cert.pem');
    const key = join(dir, 'live-key.pem');
    copyFileSync(certs.cert, cert);
    copyFileSync(certs.key, key);
    const s = await start({ TLS_CERT: cert, TLS_KEY: key });
    const url = `https://127.0.0.1:${s.port}`;
    const first = await eventually(() => getTls(`${url}/api/health`, certs.ca).catch(() => undefined), {
      timeoutMs: 40_000,
      what: 'the HTTPS server',
    });
    // An open WebSocket from before the renewal must survive it.
    const socket = io(url, {
      transports: ['websocket'],
      ca: readFileSync(certs.ca, 'utf8'),
      forceNew: true,
      reconnection: false,
    });
    let dropped = false;
    socket.on('disconnect', () => (dropped = true));
    await new Promise((resolve, reject) => {
      socket.once('connected', resolve);
      socket.once('connect_error', reject);
    });
    try {
      copyFileSync(other.cert, cert);
      copyFileSync(other.key, key);
      s.proc.kill('SIGHUP');
      const renewed = await eventually(
        async () => {
          const r = await getTls(`${url}/api/health`, other.ca).catch(() => undefined);
          return r && r.serial !== first.serial && r;
        },
        { timeoutMs: 10_000, what: 'the renewed certificate' },
      );
      expect(renewed.status).to.equal(200);
      expect(dropped, 'the open WebSocket stays').to.equal(false);

      writeFileSync(cert, 'not a certificate');
      s.proc.kill('SIGHUP');
      await eventually(() => s.stdout().includes('TLS certificate not reloaded'), { what: 'the error line' });
      const still = await getTls(`${url}/api/health`, other.ca);
      expect(still.serial).to.equal(renewed.serial);
      expect(s.proc.exitCode).to.equal(null);
    } finally {
      socket.disconnect();
    }
  });

  for (const [name, env] of [
    ['TLS_CERT without TLS_KEY', () => ({ TLS_CERT: certs.cert })],
    ['TLS_KEY without TLS_CERT', () => ({ TLS_KEY: certs.key })],
    ['a file that does not exist', () => ({ TLS_CERT: join(dir, 'nope.pem'), TLS_KEY: certs.key })],
    ['a key of another certificate', () => ({ TLS_CERT: certs.cert, TLS_KEY: other.key })],
    ['a file that is not PEM', () => ({ TLS_CERT: join(dir, 'one-ext.cnf'), TLS_KEY: certs.key })],
  ] as const) {
    it(`${name}: exit 2 naming the setting`, async () => {
      const s = await start(env());
      const { code } = await s.exited;
      expect(code, s.stderr()).to.equal(2);
      expect(s.stderr()).to.match(/TLS_(CERT|KEY)/);
    });
  }
});
