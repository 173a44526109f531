import { expect } from 'chai';
import Router from '@koa/router';
import { rememberStaticRoutes } from '../../../server/http/static-routes.js';

/** The layers a match names, by path and methods, so two matches can be compared. */
const described = (router: Router, path: string, method: string) => {
  const m = router.match(path, method);
  const names = (layers: typeof m.path) => layers.map((l) => `${l.methods.join(',')} ${l.path}`);
  return { path: names(m.path), pathAndMethod: names(m.pathAndMethod), route: m.route };
};

function sampleRouter(): Router {
  const router = new Router();
  router.use(async (_ctx, next) => next());
  router.get('/api/health', () => {});
  router.get('/api/me', () => {});
  router.post('/api/logout', () => {});
  router.get('/api/sessions/:id', () => {});
  router.delete('/api/sessions/:id', () => {});
  const admin = new Router({ prefix: '/api/admin' });
  admin.use(async (_ctx, next) => next());
  admin.get('/users', () => {});
  router.use(admin.routes());
  return router;
}

const requests: [string, string][] = [
  ['/api/health', 'GET'],
  ['/api/health', 'HEAD'],
  ['/api/health', 'POST'],
  ['/api/health/', 'GET'],
  ['/API/HEALTH', 'GET'],
  ['/api/me', 'GET'],
  ['/api/logout', 'GET'],
  ['/api/logout', 'POST'],
  ['/api/sessions/abc', 'GET'],
  ['/api/sessions/abc', 'DELETE'],
  ['/api/admin/users', 'GET'],
  ['/api/nothing', 'GET'],
  ['/', 'GET'],
];

describe('rememberStaticRoutes', () => {
  it('matches every request exactly as the router itself does', () => {
    const plain = sampleRouter();
    const remembered = sampleRouter();
    rememberStaticRoutes(remembered);
    for (const [path, method] of requests) {
      expect(described(remembered, path, method), `${method} ${path}`).to.deep.equal(
        described(plain, path, method),
      );
    }
  });

  it('hands out fresh lists, so a request that adds to its match does not change the next one', () => {
    const router = sampleRouter();
    rememberStaticRoutes(router);
    const first = router.match('/api/me', 'GET');
    const count = first.path.length;
    first.path.push(...first.path);
    first.pathAndMethod.length = 0;
    const second = router.match('/api/me', 'GET');
    expect(second.path).to.have.length(count);
    expect(second.pathAndMethod).to.have.length.greaterThan(0);
  });
});
