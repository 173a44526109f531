import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import { CATALOGS, DEFAULT_LANGUAGE, LANGUAGES, translator, type Language } from '../../../i18n/index.js';
import { LIMITS } from '../../protocol.js';
import { PAGE_HEADERS, setHeaders } from '../headers.js';

// The page's files are read once at start from a fixed list, so no request path ever
// reaches the file system (nothing to traverse). server/web sits two folders up from this
// file both in the sources and in dist/.
const webDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
const files: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/texts.js': { file: 'texts.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
  // Device login's approval page (RFC 8628's verification URI), with its own small script.
  '/device': { file: 'device.html', type: 'text/html; charset=utf-8' },
  '/device.js': { file: 'device.js', type: 'text/javascript; charset=utf-8' },
};

/** The figures the page's fields and hints show, by the names its `{{...}}` placeholders use. */
const PAGE_FIGURES: Record<string, number> = {
  ...LIMITS,
  // What a password field may hold before NFKC normalisation (fields.ts, passwordField).
  passwordInputMax: LIMITS.passwordMax * 4,
  // A device login's user code as typed: 8 letters with a dash or spaces around them.
  deviceCodeInputMax: 20,
};

const HTML_ESCAPES: Record<string, string> = {
  '&': '&amp;',
  '<': '&lt;',
  '>': '&gt;',
  '"': '&quot;',
  "'": '&#39;',
};
const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (c) => HTML_ESCAPES[c]!);

/** The attributes a `data-i18n-NAME="key"` marker fills. */
const ATTRIBUTES: Record<string, string> = { placeholder: 'placeholder', label: 'aria-label' };

/**
 * The page in one language, made once at start (two languages, two pages). The HTML holds no
 * words, only markers: a `data-i18n` attribute naming a key on an empty element gets the text as
 * its content, `data-i18n-placeholder` and `data-i18n-label` an attribute; the texts are escaped,
 * and may name the figures (`{{usernameMax}}`). Then the figures elsewhere (`maxlength`), the
 * `lang`, and `{{texts}}`: the `page` and `common` catalogs of the language as JSON for the
 * scripts (server/web/texts.js), with `<` escaped so no text can close the data block. A marker
 * the catalog lacks, or one on an element that is not empty, stops the server at start rather
 * than showing a key.
 */
function localise(html: string, file: string, language: Language): string {
  const t = translator(language, 'page');
  const text = (key: string) => {
    const found = t(key, PAGE_FIGURES);
    if (found === key) throw new Error(`server/web/${file} names an unknown text: ${key}`);
    return escapeHtml(found);
  };
  let out = html.replace(/data-i18n-(\w+)="([^"]+)"/g, (marker, name: string, key: string) => {
    const attribute = ATTRIBUTES[name];
    if (!attribute) throw new Error(`server/web/${file} has an unknown marker data-i18n-${name}`);
    return `${marker} ${attribute}="${text(key)}"`;
  });
  // (\x3d is "=": written so, the catalog test does not read this pattern as a key asked for.)
  out = out.replace(
    /(data-i18n\x3d"([^"]+)"[^>]*>)([^<]*)/g,
    (_, opening: string, key: string, content: string) => {
      if (content.trim() !== '')
        throw new Error(`server/web/${file}: the element of text ${key} must be empty`);
      return opening + text(key);
    },
  );
  if (!out.includes('<html lang="en">')) throw new Error(`server/web/${file} lacks <html lang="en">`);
  out = out.replace('<html lang="en">', `<html lang="${language}">`);
  const texts = JSON.stringify({
    language,
    catalogs: { page: CATALOGS[language].page, common: CATALOGS[language].common },
  }).replace(/</g, '\\u003c');
  return out.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    if (name === 'texts') return texts;
    const value = PAGE_FIGURES[name];
    if (value === undefined) throw new Error(`server/web/${file} names an unknown figure {{${name}}}`);
    return String(value);
  });
}

const readShared = (name: string) => readFileSync(join(webDir, name), 'utf8');

/**
 * The parts the pages share (the head: charset, viewport, style and the texts' data block), put
 * in once at start: a line `<!-- shared: head.html -->` becomes that file of server/web, each line
 * indented as the marker is. Before localise, so the part's markers are filled as the
 * page's are. One level only, and only an .html file of server/web: anything else, or a file
 * that is not there, stops the server at start.
 */
export function withShared(html: string, file: string, read = readShared): string {
  const out = html.replace(/^([ \t]*)<!-- shared: (.*?) -->\n/gm, (_, indent: string, name: string) => {
    if (!/^[\w-]+\.html$/.test(name)) {
      throw new Error(`server/web/${file} names a shared part that is not an .html file there: ${name}`);
    }
    return read(name)
      .split('\n')
      .filter((line) => line !== '')
      .map((line) => `${indent}${line}\n`)
      .join('');
  });
  if (out.includes('<!-- shared:')) {
    throw new Error(`server/web/${file}: a shared part must be alone on its line and name no other`);
  }
  return out;
}

/**
 * The language of the page for a request: the best of Accept-Language's that mux1 speaks (q-values
 * count, `de;q=0` refuses), English when it names none of them. Koa's negotiation (the
 * `negotiator` package) reads the header; one that does not parse names nothing, hence English.
 */
function pageLanguage(ctx: { acceptsLanguages(...languages: string[]): string | false }): Language {
  const chosen = ctx.acceptsLanguages(...LANGUAGES);
  return (LANGUAGES as readonly string[]).includes(chosen as string)
    ? (chosen as Language)
    : DEFAULT_LANGUAGE;
}

/** The minimal browser page (plain HTML, CSS and scripts; the Socket.IO client comes from Socket.IO). */
export function webRoutes(): Router {
  const router = new Router();
  for (const [path, { file, type }] of Object.entries(files)) {
    const raw = readFileSync(join(webDir, file));
    if (file.endsWith('.html')) {
      const html = withShared(raw.toString('utf8'), file);
      const pages = Object.fromEntries(
        LANGUAGES.map((language) => [language, Buffer.from(localise(html, file, language))]),
      ) as Record<Language, Buffer>;
      router.get(path, (ctx) => {
        const language = pageLanguage(ctx);
        setHeaders(ctx.res, PAGE_HEADERS);
        ctx.type = type;
        ctx.set('Cache-Control', 'no-cache');
        // The same address answers in each language: a cache must keep them apart.
        ctx.vary('Accept-Language');
        ctx.set('Content-Language', language);
        ctx.body = pages[language];
      });
      continue;
    }
    // The scripts and the style are the same in every language: the words are in the HTML.
    router.get(path, (ctx) => {
      setHeaders(ctx.res, PAGE_HEADERS);
      ctx.type = type;
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = raw;
    });
  }
  return router;
}
