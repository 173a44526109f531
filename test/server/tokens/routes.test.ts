import { expect } from 'chai';
import { TOKENS } from '../../../server/protocol.js';
import { auditTypes } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';

const DAY = 86_400_000;

describe('personal access tokens: POST/GET/DELETE /api/tokens', () => {
  const t = useServer();

  const create = (session: string, body: unknown) => t.as(session)('POST', '/api/tokens', body);

  it('makes a token shown once, lists it without the token, and revokes it', async () => {
    const p = await t.chatPerson('maker');
    const made = await create(p.token, { name: 'ci bot', scopes: ['chat:read', 'profile:read'] });
    expect(made.status, JSON.stringify(made.body)).to.equal(201);
    expect(made.headers.get('cache-control')).to.equal('no-store');
    expect(made.body.token).to.match(/^mux1_pat_[0-9A-Za-z]{49}$/);
    // Stored in one order, whatever order they were asked in.
    expect(made.body.scopes).to.deep.equal(['profile:read', 'chat:read']);
    expect(made.body.name).to.equal('ci bot');

    const me = await t.as(made.body.token)('GET', '/api/me');
    expect(me.status).to.equal(200);
    expect(me.body.user.username).to.equal(p.username);
    expect(me.body.credential).to.deep.include({ type: 'token', id: made.body.id, name: 'ci bot' });
    expect(me.body.credential.scopes).to.deep.equal(['profile:read', 'chat:read']);
    expect((await t.as(p.token)('GET', '/api/me')).body.credential).to.deep.equal({ type: 'session' });

    const list = await t.as(p.token)('GET', '/api/tokens');
    expect(list.status).to.equal(200);
    expect(list.body.tokens).to.have.length(1);
    const [info] = list.body.tokens;
    expect(Object.keys(info).sort()).to.deep.equal(
      ['created_at', 'expires_at', 'id', 'last_used_at', 'name', 'scopes'].sort(),
    );
    expect(info.last_used_at, 'the /api/me above used it').to.be.a('string');
    expect(JSON.stringify(list.body)).not.to.include(made.body.token);

    const gone = await t.as(p.token)('DELETE', `/api/tokens/${made.body.id}`);
    expect(gone.status).to.equal(204);
    expectError(await t.as(made.body.token)('GET', '/api/me'), 401, 'unauthorized');
    expect((await t.as(p.token)('GET', '/api/tokens')).body.tokens).to.deep.equal([]);
    expectError(await t.as(p.token)('DELETE', `/api/tokens/${made.body.id}`), 404, 'not_found');
    expect(await auditTypes(t, p.id)).to.include.members([
      'token_created',
      'token_first_used',
      'token_revoked',
    ]);
  });

  it('expires in 90 days when no expiry is given; null never; 1-365 otherwise', async () => {
    const p = await t.chatPerson('expiry');
    const before = Date.now();
    const byDefault = await create(p.token, { name: 'a', scopes: ['chat:read'] });
    const at = Date.parse(byDefault.body.expires_at);
    expect(at).to.be.within(before + 90 * DAY - 5000, Date.now() + 90 * DAY + 5000);
    const never = await create(p.token, { name: 'b', scopes: ['chat:read'], expires_in_days: null });
    expect(never.body.expires_at).to.equal(null);
    const oneDay = await create(p.token, { name: 'c', scopes: ['chat:read'], expires_in_days: 1 });
    expect(Date.parse(oneDay.body.expires_at) - Date.parse(byDefault.body.expires_at)).to.be.below(-88 * DAY);
    for (const bad of [0, 366, 1.5, -1, '30', true, [], {}, 1e300]) {
      const res = await create(p.token, { name: 'd', scopes: ['chat:read'], expires_in_days: bad });
      expectError(res, 400, 'invalid_field');
      expect(res.body.field).to.equal('expires_in_days');
    }
  });

  it('refuses an unknown scope by name, and wrong names and scope lists', async () => {
    const p = await t.chatPerson('scopes');
    const res = await create(p.token, { name: 'x', scopes: ['chat:read', 'admin:all'] });
    expectError(res, 400, 'invalid_field');
    expect(res.body.field).to.equal('scopes');
    expect(res.body.error).to.include('admin:all');
    for (const body of [
      { name: 'x', scopes: [] },
      { name: 'x', scopes: 'chat:read' },
      { name: 'x', scopes: [null] },
      { name: 'x', scopes: ['CHAT:READ'] },
      { name: 'x', scopes: Array(50).fill('chat:read') },
      { name: '', scopes: ['chat:read'] },
      { name: '   ', scopes: ['chat:read'] },
      { name: 'x'.repeat(TOKENS.nameMax + 1), scopes: ['chat:read'] },
      { name: 'bell\u0007', scopes: ['chat:read'] },
      { name: 'nul\u0000', scopes: ['chat:read'] },
      { name: 42, scopes: ['chat:read'] },
      { scopes: ['chat:read'] },
      { name: 'x' },
    ]) {
      expectError(await create(p.token, body), 400, 'invalid_field');
    }
    expect((await t.as(p.token)('GET', '/api/tokens')).body.tokens).to.deep.equal([]);
  });

  it('refuses the 51st live token with 409 too_many_tokens; a revoked one frees a place', async () => {
    const p = await t.chatPerson('many');
    const ids: string[] = [];
    for (let i = 0; i < TOKENS.maxLive; i++) {
      const res = await create(p.token, { name: `t${i}`, scopes: ['chat:read'] });
      expect(res.status).to.equal(201);
      ids.push(res.body.id);
    }
    expectError(await create(p.token, { name: 'one more', scopes: ['chat:read'] }), 409, 'too_many_tokens');
    expect((await t.as(p.token)('DELETE', `/api/tokens/${ids[0]}`)).status).to.equal(204);
    expect((await create(p.token, { name: 'one more', scopes: ['chat:read'] })).status).to.equal(201);
  });

  it("answers another user's token, and made-up ids, like one that does not exist", async () => {
    const a = await t.chatPerson('owner');
    const b = await t.chatPerson('prober');
    const made = await create(a.token, { name: 'mine', scopes: ['profile:read'] });
    expectError(await t.as(b.token)('DELETE', `/api/tokens/${made.body.id}`), 404, 'not_found');
    for (const id of ['x', 'tok_', `tok_${'0'.repeat(32)}`, '%00', 'a'.repeat(5000), '..%2F..%2Fme']) {
      expectError(await t.as(a.token)('DELETE', `/api/tokens/${id}`), 404, 'not_found');
    }
    expect((await t.as(made.body.token)('GET', '/api/me')).status, 'still live').to.equal(200);
  });

  it('needs a session: no caller is 401, a token is 403 whatever its scopes', async () => {
    const p = await t.chatPerson('tokenmgr');
    const made = await create(p.token, {
      name: 'all',
      scopes: ['profile:read', 'chat:read', 'chat:write'],
    });
    expectError(await t.api('GET', '/api/tokens'), 401, 'unauthorized');
    const token = t.as(made.body.token);
    for (const [method, path, body] of [
      ['POST', '/api/tokens', { name: 'child', scopes: ['chat:read'] }],
      ['GET', '/api/tokens', undefined],
      ['DELETE', `/api/tokens/${made.body.id}`, undefined],
    ] as const) {
      const res = await token(method, path, body);
      expectError(res, 403, 'insufficient_scope');
      expect(res.body.scope).to.equal('session');
    }
  });
});
