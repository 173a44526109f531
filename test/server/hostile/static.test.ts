import { connect } from 'node:net';
import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { expectNoBug } from '../../helpers/hostile-inputs.js';
import { useServer } from '../../helpers/fixture.js';

/** One request written byte for byte, so no client library tidies the path first. */
function rawGet(base: string, target: string): Promise<{ status: number; text: string }> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(`GET ${target} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\n\r\n`);
    });
    let data = '';
    socket.on('data', (c) => (data += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () =>
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(data)?.[1] ?? 0), text: data }),
    );
  });
}

const TRAVERSALS = [
  '/../package.json',
  '/..%2fpackage.json',
  '/..%2f..%2f..%2fetc%2fpasswd',
  '/%2e%2e/%2e%2e/etc/passwd',
  '/%2e%2e%2f%2e%2e%2fetc%2fpasswd',
  '/%252e%252e%252fetc%252fpasswd',
  '/..%5c..%5cpackage.json',
  '/..\\..\\package.json',
  '/%c0%ae%c0%ae/%c0%ae%c0%ae/etc/passwd',
  '/app.js/../../package.json',
  '/app.js%00.html',
  '/style.css/..%2f..%2fserver%2fmain.ts',
  '//etc/passwd',
  '/./././app.js/..',
  '/static/../../config/settings.ts',
  '/socket.io/../package.json',
  '/socket.io/..%2f..%2fpackage.json',
  '/socket.io/socket.io.min.js/../../../package.json',
  '/api/..%2f..%2fpackage.json',
  '/index.html',
  '/head.html',
  '/server/web/app.js',
  '/.env',
  '/.git/config',
  '/data/mux1.sqlite',
];

/**
 * The page is three files read into memory at start, so no request path reaches the file
 * system; Socket.IO serves its own client the same way. Every traversal spelling is a 4xx
 * and no file outside the page leaks.
 */
describe('hostile input: path traversal on static files', () => {
  const secrets = [
    readFileSync(new URL('../../../package.json', import.meta.url), 'utf8').slice(0, 60),
    'root:x:0:0',
    '[core]',
    'SQLite format 3',
    'createServer',
  ];

  const t = useServer();

  it('answers every traversal with 4xx and leaks no file', async () => {
    for (const target of TRAVERSALS) {
      const res = await rawGet(t.url, target);
      expect(res.status, `${target}: ${res.text.slice(0, 200)}`).to.be.within(400, 499);
      for (const secret of secrets)
        expect(res.text.includes(secret), `${target} leaked ${secret}`).to.equal(false);
    }
    // The page's own files are still served.
    for (const target of ['/', '/app.js', '/style.css', '/socket.io/socket.io.min.js']) {
      expect((await rawGet(t.url, target)).status, target).to.equal(200);
    }
    expectNoBug(t);
  });
});
