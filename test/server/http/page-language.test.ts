import { connect } from 'node:net';
import { expect } from 'chai';
import { CATALOGS } from '../../../i18n/index.js';
import { expectNoBug } from '../../helpers/hostile-inputs.js';
import { rawRequest } from '../../helpers/raw-http.js';
import { useServer } from '../../helpers/fixture.js';

/** The catalogs the page's scripts read, from the served HTML's data block. */
function textsOf(html: string): { language: string; catalogs: Record<string, unknown> } {
  const block = /<script type="application\/json" id="mux1-texts">([\s\S]*?)<\/script>/.exec(html);
  expect(block, 'the data block #mux1-texts').to.not.equal(null);
  return JSON.parse(block![1]!);
}

/** A GET written byte for byte, so a header can hold bytes no HTTP client would send. */
function rawGet(base: string, path: string, header: Buffer): Promise<string> {
  const { hostname, port } = new URL(base);
  return new Promise((resolve, reject) => {
    const socket = connect(Number(port), hostname, () => {
      socket.write(
        Buffer.concat([
          Buffer.from(`GET ${path} HTTP/1.1\r\nHost: ${hostname}\r\nConnection: close\r\nAccept-Language: `),
          header,
          Buffer.from('\r\n\r\n'),
        ]),
      );
    });
    let data = '';
    socket.on('data', (c) => (data += c.toString('latin1')));
    socket.on('error', reject);
    socket.on('end', () => resolve(data));
  });
}

/**
 * The page answers in the language Accept-Language asks for, of those mux1 speaks, and in English
 * when it names none: the words, `<html lang>`, Content-Language and the catalogs its scripts read,
 * with `Vary: Accept-Language` so no cache hands one person's language to another.
 */
describe('the browser page in the language the browser asks for', () => {
  const t = useServer();

  const get = (path: string, language?: string) =>
    rawRequest(t.url, {
      method: 'GET',
      path,
      headers: language === undefined ? {} : { 'Accept-Language': language },
    });

  it('Accept-Language: de gives the page in German, said in its headers', async () => {
    const res = await get('/', 'de');
    expect(res.status).to.equal(200);
    expect(String(res.headers.vary)).to.match(/\bAccept-Language\b/i);
    expect(res.headers['content-language']).to.equal('de');
    const html = String(res.body);
    expect(html).to.include('<html lang="de">');
    expect(html).to.match(/<h2 data-i18n="login.title">Anmelden<\/h2>/);
    expect(html).to.include('>Benutzername oder E-Mail</label>');
    expect(html).to.include('placeholder="Benutzername"');
    expect(html).to.include('aria-label="Konto"');
    expect(html).to.not.include('>Log in<');
    const texts = textsOf(html);
    expect(texts.language).to.equal('de');
    expect(texts.catalogs).to.deep.equal({ page: CATALOGS.de.page, common: CATALOGS.de.common });
  });

  it('no Accept-Language gives English, with the same headers', async () => {
    const res = await get('/');
    expect(res.status).to.equal(200);
    expect(String(res.headers.vary)).to.match(/\bAccept-Language\b/i);
    expect(res.headers['content-language']).to.equal('en');
    const html = String(res.body);
    expect(html).to.include('<html lang="en">');
    expect(html).to.match(/<h2 data-i18n="login.title">Log in<\/h2>/);
    expect(textsOf(html).catalogs.page).to.deep.equal(CATALOGS.en.page);
  });

  it('the device login page likewise; the scripts and the style are the same in every language', async () => {
    const device = await get('/device', 'de-AT,de;q=0.9');
    expect(device.headers['content-language']).to.equal('de');
    expect(String(device.headers.vary)).to.match(/\bAccept-Language\b/i);
    expect(String(device.body)).to.include(
      '<title data-i18n="device.title">mux1 - ein Terminal anmelden</title>',
    );
    for (const path of ['/app.js', '/texts.js', '/device.js', '/style.css']) {
      const [en, de] = [await get(path, 'en'), await get(path, 'de')];
      expect(de.status, path).to.equal(200);
      expect(de.body, path).to.equal(en.body);
      expect(de.headers['content-language'], path).to.equal(undefined);
    }
  });

  it('fills every text and leaves no key unfilled, in each language', async () => {
    for (const language of ['en', 'de']) {
      for (const path of ['/', '/device']) {
        const html = String((await get(path, language)).body);
        // An element marked with a key has its text; an attribute marker has its attribute.
        const empty = [...html.matchAll(/data-i18n="([^"]+)"[^>]*><\//g)].map((m) => m[1]);
        expect(empty, `${language} ${path}`).to.deep.equal([]);
        for (const [, name, key] of html.matchAll(/data-i18n-(\w+)="([^"]+)"/g)) {
          const attribute = name === 'label' ? 'aria-label' : name;
          expect(html, `${language} ${path} ${key}`).to.match(
            new RegExp(`data-i18n-${name}="${key}" ${attribute}="[^"]+"`),
          );
        }
      }
    }
  });

  it('the best language by q-value, English when none is spoken, and sane answers to hostile headers', async () => {
    const cases: [header: string, language: 'en' | 'de'][] = [
      ['', 'en'],
      ['*', 'en'],
      ['de;q=0, en', 'en'],
      ['de;q=0', 'en'],
      ['*;q=0, de', 'de'],
      ['en;q=0.1, de;q=0.9', 'de'],
      ['de-DE,de;q=0.9,en;q=0.8', 'de'],
      ['DE', 'de'],
      ['fr, *;q=0.5', 'en'],
      ['fr-FR, de;q=0.2', 'de'],
      ['fr, ja, zh-Hant', 'en'],
      [';;;,,,', 'en'],
      ['q=1', 'en'],
      ['de;q=abc', 'en'],
      ['de;q=-1', 'en'],
      ['de;q=0.5;q=0', 'en'],
      ['__proto__', 'en'],
      ['constructor, toString', 'en'],
      ['<script>alert(1)</script>', 'en'],
      ['de"><script>', 'en'],
      ['x-'.repeat(4000) + ', de', 'de'],
      ['fr;q=0.1,'.repeat(900) + 'de', 'de'],
      [', , de', 'de'],
    ];
    for (const [header, language] of cases) {
      const res = await get('/', header);
      const what = JSON.stringify(header.slice(0, 60));
      expect(res.status, what).to.equal(200);
      expect(res.headers['content-language'], what).to.equal(language);
      expect(String(res.body), what).to.include(`<html lang="${language}">`);
    }
    expectNoBug(t);
  });

  it('bytes no client should send and a header past the size limit break nothing', async () => {
    for (const bytes of [
      Buffer.from([0xe9, 0x64, 0x65]),
      Buffer.from([0xff, 0xfe, 0x2c, 0x64, 0x65]),
      Buffer.alloc(300, 0x80),
    ]) {
      const answer = await rawGet(t.url, '/', bytes);
      const status = Number(/^HTTP\/1\.1 (\d{3})/.exec(answer)?.[1]);
      expect(status, bytes.toString('hex').slice(0, 20)).to.be.oneOf([200, 400]);
      if (status === 200) expect(answer).to.match(/<html lang="(en|de)">/);
    }
    // Node refuses headers past its limit (16 KiB) before the server sees them.
    const huge = await get('/', 'de,'.repeat(10_000));
    expect(huge.status).to.equal(431);
    expect((await get('/', 'de')).status).to.equal(200);
    expectNoBug(t);
  });
});
