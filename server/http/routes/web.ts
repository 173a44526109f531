import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import { LIMITS } from '../../protocol.js';
import { PAGE_HEADERS, setHeaders } from '../headers.js';

// The page's files are read once at start from a fixed list, so no request path ever
// reaches the file system (nothing to traverse). server/web sits two folders up from this
// file both in the sources and in dist/.
const webDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
const files: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
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

/**
 * Writes the shared limits into the page where it names them (`{{usernameMax}}`), once at start:
 * the page shows the figures the server enforces, with no copy of them to keep in step and no
 * build step. A placeholder that names no figure stops the server at start rather than showing.
 */
function fillFigures(html: string): string {
  return html.replace(/\{\{(\w+)\}\}/g, (_, name: string) => {
    const value = PAGE_FIGURES[name];
    if (value === undefined) throw new Error(`server/web/index.html names an unknown figure {{${name}}}`);
    return String(value);
  });
}

/** The minimal browser page (plain HTML, CSS and a script; the Socket.IO client comes from Socket.IO). */
export function webRoutes(): Router {
  const router = new Router();
  for (const [path, { file, type }] of Object.entries(files)) {
    const raw = readFileSync(join(webDir, file));
    const body = file.endsWith('.html') ? Buffer.from(fillFigures(raw.toString('utf8'))) : raw;
    router.get(path, (ctx) => {
      setHeaders(ctx.res, PAGE_HEADERS);
      ctx.type = type;
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = body;
    });
  }
  return router;
}
