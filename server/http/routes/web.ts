import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import Router from '@koa/router';
import { PAGE_HEADERS, setHeaders } from '../headers.js';

// The page's files are read once at start from a fixed list, so no request path ever
// reaches the file system (nothing to traverse). server/web sits two folders up from this
// file both in the sources and in dist/.
const webDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', 'web');
const files: Record<string, { file: string; type: string }> = {
  '/': { file: 'index.html', type: 'text/html; charset=utf-8' },
  '/app.js': { file: 'app.js', type: 'text/javascript; charset=utf-8' },
  '/style.css': { file: 'style.css', type: 'text/css; charset=utf-8' },
};

/** The minimal browser page (plain HTML, CSS and a script; the Socket.IO client comes from Socket.IO). */
export function webRoutes(): Router {
  const router = new Router();
  for (const [path, { file, type }] of Object.entries(files)) {
    const body = readFileSync(join(webDir, file));
    router.get(path, (ctx) => {
      setHeaders(ctx.res, PAGE_HEADERS);
      ctx.type = type;
      ctx.set('Cache-Control', 'no-cache');
      ctx.body = body;
    });
  }
  return router;
}
