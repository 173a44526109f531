import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { withShared } from '../../../server/http/routes/web.js';
import { useServer } from '../../helpers/fixture.js';

/** The shared head as a page carries it: each line of server/web/head.html, indented as in <head>. */
const HEAD = readFileSync(new URL('../../../server/web/head.html', import.meta.url), 'utf8')
  .split('\n')
  .filter((line) => line !== '')
  .map((line) => `    ${line}`);

/**
 * The pages' shared head (charset, viewport, style, the texts' data block) is written once, in
 * server/web/head.html, and put into each page at start; a page naming anything but an .html file
 * of server/web stops the server there rather than serving a page without its head.
 */
describe('the parts the pages share', () => {
  const t = useServer();

  it('every page carries the shared head once, filled, in each language', async () => {
    for (const path of ['/', '/device']) {
      for (const language of ['en', 'de']) {
        const res = await fetch(`${t.url}${path}`, { headers: { 'accept-language': language } });
        const html = await res.text();
        const head = /<head>\n([\s\S]*?)<\/head>/.exec(html)?.[1] ?? '';
        const what = `${path} ${language}`;
        // The charset first, as a browser reads it within the first bytes.
        expect(head.split('\n')[0], what).to.equal(HEAD[0]);
        for (const line of HEAD.filter((l) => !l.includes('{{texts}}'))) {
          expect(head.split(line).length - 1, `${what}: ${line.trim()}`).to.equal(1);
        }
        expect(html, what).to.not.include('<!-- shared:');
        expect(html.match(/id="mux1-texts"/g), what).to.have.length(1);
        expect(html, what).to.include(`"language":"${language}"`);
      }
    }
  });

  it('indents each line of the part as its marker is, and leaves the rest of the page alone', () => {
    const read = () => 'one\n  two\n';
    expect(
      withShared('<head>\n    <!-- shared: part.html -->\n  <title>x</title>\n', 'p.html', read),
    ).to.equal('<head>\n    one\n      two\n  <title>x</title>\n');
    expect(withShared('<!-- shared: a-b_c.html -->\n', 'p.html', () => 'x')).to.equal('x\n');
    expect(withShared('no marker here\n', 'p.html', () => 'x')).to.equal('no marker here\n');
  });

  it('refuses at start a part that is not an .html file of server/web, or is missing', () => {
    const hostile = [
      '../package.json',
      '../../../etc/passwd',
      '/etc/passwd',
      'head.html/..',
      '..\\head.html',
      'head.js',
      'head.html\u0000.js',
      '',
      ' ',
      'a'.repeat(100_000) + '.htm',
      'head.html --><script>alert(1)</script><!-- x',
    ];
    for (const name of hostile) {
      let read = 0;
      expect(
        () =>
          withShared(`<head>\n  <!-- shared: ${name} -->\n`, 'p.html', () => {
            read++;
            return '';
          }),
        JSON.stringify(name.slice(0, 40)),
      ).to.throw(/server\/web\/p\.html/);
      expect(read, 'no file read for a refused name').to.equal(0);
    }
    // A name of the right form that is not there: the real reader fails, and the server with it.
    expect(() => withShared('<!-- shared: no-such-part.html -->\n', 'p.html')).to.throw(/ENOENT/);
  });

  it('refuses a part that names another, and a marker that is not alone on its line', () => {
    const nested = () => '<!-- shared: head.html -->\n';
    expect(() => withShared('<!-- shared: outer.html -->\n', 'p.html', nested)).to.throw(/name no other/);
    expect(() => withShared('<head><!-- shared: head.html --></head>\n', 'p.html', () => 'x')).to.throw(
      /alone on its line/,
    );
    expect(() => withShared('<!-- shared: head.html -->', 'p.html', () => 'x')).to.throw(/alone on its line/);
  });
});
