import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { newPerson } from '../../helpers/accounts.js';
import { useServer } from '../../helpers/fixture.js';

const packageVersion = JSON.parse(
  readFileSync(new URL('../../../package.json', import.meta.url), 'utf8'),
).version;

describe('GET /api/health and /api/server-status', () => {
  const t = useServer({ mail: true, env: { SERVER_STATUS_PUBLIC: '1' } });

  it('health answers 200 healthy with the database state, version and uptime', async () => {
    const res = await t.api('GET', '/api/health');
    expect(res.status).to.equal(200);
    expect(res.body).to.include({ status: 'healthy', database: 'healthy', version: packageVersion });
    expect(res.body.uptime_s).to.be.a('number').and.to.be.at.least(0);
  });

  it('server-status answers online with uptime, connected and total users', async () => {
    const res = await t.api('GET', '/api/server-status');
    expect(res.status).to.equal(200);
    expect(res.body.status).to.equal('online');
    expect(res.body.uptime_s).to.be.a('number').and.to.be.at.least(0);
    expect(res.body.connected_users).to.equal(0);
    expect(res.body.total_users).to.be.a('number');
  });

  it('server-status counts each new account once', async () => {
    const before = (await t.api('GET', '/api/server-status')).body.total_users;
    const p = newPerson('status');
    await t.signUp(p);
    await t.signUp({ ...newPerson('status'), email: p.email });
    expect((await t.api('GET', '/api/server-status')).body.total_users).to.equal(before + 1);
  });
});

describe('GET /api/health when the database is gone', () => {
  const t = useServer();

  it('answers 503 unhealthy, quickly, and never a stack trace', async () => {
    // Closing the server's connection pool is what a lost database looks like from inside.
    await t.server.db.destroy();
    const started = Date.now();
    const res = await t.api('GET', '/api/health');
    expect(res.status).to.equal(503);
    expect(res.body.status).to.equal('unhealthy');
    expect(res.body.database).to.be.a('string').and.not.equal('healthy');
    expect(JSON.stringify(res.body)).to.not.match(/ at |Error:|knex/i);
    expect(Date.now() - started).to.be.below(3000);
  });

  it('answers other routes with a JSON 5xx without details', async () => {
    const res = await t.api('POST', '/api/login', { username: 'someone', password: 'whatever1' });
    expect(res.status).to.be.within(500, 599);
    expect(res.body.code).to.be.a('string');
    expect(JSON.stringify(res.body)).to.not.match(/ at |knex|sqlite|pool/i);
  });
});
