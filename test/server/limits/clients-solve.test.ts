import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { createRestClient } from '../../../tui/client/rest.js';
import { newPerson } from '../../helpers/accounts.js';
import { expectError } from '../../helpers/errors.js';
import { useServer } from '../../helpers/fixture.js';

/** The page's solver, taken from the served script and run here on Node's WebCrypto. */
function pageSolver(): (challenge: object) => Promise<string> {
  const source = readFileSync(new URL('../../../server/web/app.js', import.meta.url), 'utf8');
  const fn = /async function solveChallenge\([\s\S]*?\n}\n/.exec(source);
  if (!fn) throw new Error('solveChallenge not found in server/web/app.js');
  const window = { btoa: (s: string) => Buffer.from(s, 'binary').toString('base64') };
  return new Function('window', `return (${fn[0]})`)(window);
}

describe('clients solve the proof-of-work challenge by themselves', () => {
  const t = useServer();

  /** Three failures for the name, so the next login for it needs a challenge. */
  const suspicious = async (name: string) => {
    for (let i = 0; i < 3; i++) {
      await t.rawApi('POST', '/api/login', { username: name, password: 'wrong-password' });
    }
    expectError(
      await t.rawApi('POST', '/api/login', { username: name, password: 'wrong-password' }),
      428,
      'challenge_required',
    );
  };

  it('the CLI and TUI REST client: a challenged login is solved and sent again', async () => {
    const p = newPerson('cli');
    await suspicious(p.username);
    const client = createRestClient({ server: t.url });
    // The answer is the login's own (no such account), not the 428.
    const err = await client.login({ username: p.username, password: 'wrong-password' }).catch((e) => e);
    expect(err.code).to.equal('invalid_credentials');
    expect(err.status).to.equal(401);
  });

  it('the browser page: its crypto.subtle solver produces a solution the server accepts', async () => {
    const name = `page${Date.now()}`;
    await suspicious(name);
    const challenge = (await t.rawApi('GET', '/api/challenge')).body;
    const solved = await pageSolver()(challenge);
    const res = await t.rawApi(
      'POST',
      '/api/login',
      { username: name, password: 'wrong-password' },
      { 'x-altcha': solved },
    );
    expectError(res, 401, 'invalid_credentials');
  });
});
