import { expect } from 'chai';
import type { TokenScope } from '../../server/protocol.js';
import type { TestServer } from './server.js';
import { api } from './server.js';
import { bearer } from './accounts.js';

/** Makes a personal access token for the holder of `session`; returns its token and id. */
export async function makeToken(
  t: TestServer,
  session: string,
  scopes: TokenScope[],
  extra: { name?: string; expires_in_days?: number | null } = {},
): Promise<{ token: string; id: string }> {
  const res = await api(
    t.url,
    'POST',
    '/api/tokens',
    { name: extra.name ?? `token ${scopes.join(' ')}`, scopes, ...extra },
    bearer(session),
  );
  expect(res.status, JSON.stringify(res.body)).to.equal(201);
  return { token: res.body.token, id: res.body.id };
}
