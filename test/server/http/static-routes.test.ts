import { expect } from 'chai';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Koa, { type Context, type Next } from 'koa';
import Router from '@koa/router';
import { routeDispatch } from '../../../server/http/static-routes.js';

/** What a route sees of how it was reached: the fields the router's dispatch sets. */
function seen(ctx: Context, where: string) {
  const c = ctx as Context & Record<string, unknown>;
  const layers = (c.matched as Router['stack'] | undefined) ?? [];
  return {
    where,
    matched: layers.map((l) => `${l.methods.join(',')} ${String(l.path)}`),
    matchedRoute: c._matchedRoute,
    matchedRouteName: c._matchedRouteName ?? null,
    routeMatched: c.routeMatched,
    routerPath: c.routerPath,
    routerName: c.routerName ?? null,
    captures: c.captures,
    params: c.params,
    requestParams: (ctx.request as { params?: unknown }).params,
    isRouter: c.router instanceof Router,
  };
}

function sampleRouter(): Router {
  const router = new Router();
  const trail = (name: string) => async (ctx: Context, next: Next) => {
    (ctx.state.trail ??= []).push(`${name} at ${String((ctx as { routerPath?: unknown }).routerPath)}`);
    await next();
  };
  router.use(trail('use'));
  router.get('/api/health', (ctx) => {
    ctx.body = seen(ctx, 'health');
  });
  router.get('named', '/api/me', trail('me'), (ctx) => {
    ctx.body = { ...seen(ctx, 'me'), trail: ctx.state.trail };
  });
  router.post('/api/logout', (ctx) => {
    ctx.status = 204;
  });
  // A route that passes the request on: what follows the router answers.
  router.get('/api/pass', (_ctx, next) => next());
  router.get('/api/sessions/:id', (ctx) => {
    ctx.body = seen(ctx, 'session');
  });
  router.delete('/api/sessions/:id', (ctx) => {
    ctx.status = 204;
  });
  const admin = new Router({ prefix: '/api/admin' });
  admin.use(trail('admin'));
  admin.get('/users', (ctx) => {
    ctx.body = { ...seen(ctx, 'users'), trail: ctx.state.trail };
  });
  router.use(admin.routes());
  return router;
}

async function serve(dispatch: (router: Router) => Koa.Middleware): Promise<{ url: string; server: Server }> {
  const app = new Koa();
  const router = sampleRouter();
  app.use(dispatch(router));
  app.use(router.allowedMethods());
  app.use((ctx) => {
    ctx.body = { ...seen(ctx, 'after the router'), trail: ctx.state.trail ?? [] };
  });
  const server = createServer(app.callback());
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`, server };
}

const requests: [string, string][] = [
  ['GET', '/api/health'],
  ['HEAD', '/api/health'],
  ['POST', '/api/health'],
  ['GET', '/api/health/'],
  ['GET', '/API/HEALTH'],
  ['GET', '/api/me'],
  ['GET', '/api/me?x=1'],
  ['GET', '/api/logout'],
  ['POST', '/api/logout'],
  ['GET', '/api/pass'],
  ['GET', '/api/sessions/abc'],
  ['DELETE', '/api/sessions/abc'],
  ['GET', '/api/admin/users'],
  ['GET', '/api/nothing'],
  ['OPTIONS', '/api/me'],
  ['GET', '/'],
];

describe('routeDispatch', () => {
  let plain: { url: string; server: Server };
  let fast: { url: string; server: Server };
  before(async () => {
    plain = await serve((router) => router.routes() as Koa.Middleware);
    fast = await serve(routeDispatch);
  });
  after(() => {
    for (const s of [plain, fast]) s.server.close();
  });

  it('answers every request exactly as the router itself does', async () => {
    const answer = async (base: string, method: string, path: string) => {
      const res = await fetch(base + path, { method });
      return { status: res.status, allow: res.headers.get('allow'), body: await res.text() };
    };
    for (const [method, path] of requests) {
      const expected = await answer(plain.url, method, path);
      expect(await answer(fast.url, method, path), `${method} ${path}`).to.deep.equal(expected);
    }
  });

  it('answers a remembered route with the route itself and the fields the router sets', async () => {
    const body = (await (await fetch(`${fast.url}/api/me`)).json()) as ReturnType<typeof seen>;
    expect(body).to.include({ where: 'me', matchedRoute: '/api/me', matchedRouteName: 'named' });
    expect(body).to.include({ routerPath: '/api/me', routerName: 'named', isRouter: true });
    expect(body.params).to.deep.equal({});
  });

  it("names its router, as the router's own middleware does, for what walks the app's routes", () => {
    const router = sampleRouter();
    expect((routeDispatch(router) as { router?: unknown }).router).to.equal(router);
  });

  it('hands each request fresh lists, so a request that adds to its own does not change the next', async () => {
    const app = new Koa();
    const router = new Router();
    router.get('/api/me', (ctx) => {
      const c = ctx as Context & { matched: unknown[]; params: Record<string, string> };
      ctx.body = { matched: c.matched.length, params: { ...c.params } };
      c.matched.push(...c.matched);
      c.params.added = 'yes';
    });
    app.use(routeDispatch(router));
    const server = createServer(app.callback());
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/api/me`;
    try {
      const first = await (await fetch(url)).json();
      expect(await (await fetch(url)).json()).to.deep.equal(first);
    } finally {
      server.close();
    }
  });
});
