import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadServerConfig } from '../../config/index.js';

/** OIDC_PROVIDERS: a JSON array of providers, refused whole with a one-line reason naming where. */
describe('config: OIDC_PROVIDERS', () => {
  const good = {
    id: 'corp',
    name: 'Corp SSO',
    issuer: 'https://id.corp.example',
    clientId: 'mux1',
    clientSecret: 's3cret-value-never-echoed',
  };
  const fromEnv = (value: string) => loadServerConfig({ env: { OIDC_PROVIDERS: value } }).oidcProviders;
  const refusal = (value: string): string => {
    try {
      fromEnv(value);
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message, 'one line').to.not.include('\n');
      expect(message).to.match(/^invalid setting OIDC_PROVIDERS: /);
      expect(message, 'never shows the secret').to.not.include('s3cret');
      return message;
    }
    expect.fail(`accepted ${value.slice(0, 80)}`);
  };

  it('is empty by default, and reads several providers and the GitHub preset', () => {
    expect(loadServerConfig({ env: {} }).oidcProviders).to.deep.equal([]);
    const github = { id: 'github', name: 'GitHub', preset: 'github', clientId: 'Iv1.x', clientSecret: 'y' };
    const list = fromEnv(
      JSON.stringify([good, { ...good, id: 'other', issuer: 'http://127.0.0.1:9/' }, github]),
    );
    expect(list.map((p) => p.id)).to.deep.equal(['corp', 'other', 'github']);
    expect(list[2]).to.include({ preset: 'github' });
    expect(list[2]!.issuer).to.equal(undefined);
  });

  it('takes the array itself from the config file, and the environment over it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'mux1-oidc-config-'));
    try {
      const file = join(dir, 'config.json');
      writeFileSync(file, JSON.stringify({ oidcProviders: [good] }));
      expect(loadServerConfig({ configFile: file, env: {} }).oidcProviders[0]).to.include({ id: 'corp' });
      const env = { OIDC_PROVIDERS: JSON.stringify([{ ...good, id: 'fromenv' }]) };
      expect(loadServerConfig({ configFile: file, env }).oidcProviders[0]).to.include({ id: 'fromenv' });
      writeFileSync(file, JSON.stringify({ oidcProviders: { id: 'corp' } }));
      expect(() => loadServerConfig({ configFile: file, env: {} })).to.throw(ConfigError, /oidcProviders in/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses what is not a JSON array of well-formed providers, naming the provider and field', () => {
    const one = (p: Record<string, unknown>) => JSON.stringify([p]);
    const cases: [string, RegExp][] = [
      ['not json', /not valid JSON/],
      ['{"id":"corp"}', /JSON array/],
      ['[1]', /provider 1: each provider must be an object/],
      ['null', /JSON array/],
      [one({ ...good, id: 'Corp' }), /provider 1: id must be/],
      [one({ ...good, id: '../../etc' }), /provider 1: id must be/],
      [one({ ...good, id: 'x'.repeat(33) }), /provider 1: id must be/],
      [one({ ...good, name: '' }), /provider 1: name is required/],
      [one({ ...good, name: 'a\u0000b' }), /control characters/],
      [one({ ...good, name: 'n'.repeat(41) }), /at most 40/],
      [one({ ...good, issuer: 'http://id.corp.example' }), /https:\/\//],
      [one({ ...good, issuer: 'javascript:alert(1)' }), /https:\/\//],
      [one({ ...good, issuer: 'https://user:pw@id.corp.example' }), /without credentials/],
      [one({ ...good, issuer: 'https://id.corp.example/?x=1' }), /without credentials, query/],
      [one({ ...good, issuer: `https://${'a'.repeat(600)}.example` }), /at most 500/],
      [one({ ...good, issuer: undefined }), /issuer is required/],
      [one({ ...good, preset: 'github' }), /takes no issuer/],
      [one({ ...good, preset: 'gitlab', issuer: undefined }), /preset must be/],
      [one({ ...good, clientId: 42 }), /clientId must be a string/],
      [one({ ...good, clientSecret: '' }), /clientSecret is required/],
      [one({ ...good, clientSecret: 'x'.repeat(501) }), /clientSecret must be at most 500/],
      [one({ ...good, extra: true }), /provider 1: unknown field "extra"/],
      [
        '[' + JSON.stringify(good).replace('{', '{"__proto__":{"polluted":true},"constructor":1,') + ']',
        /unknown field "(__proto__|constructor)"/,
      ],
      [JSON.stringify([good, good]), /"corp" is listed twice/],
      [JSON.stringify(Array.from({ length: 21 }, (_, i) => ({ ...good, id: `p${i}` }))), /at most 20/],
      ['['.repeat(100_000), /at most 50000 characters/],
    ];
    for (const [value, expected] of cases) expect(refusal(value), value.slice(0, 80)).to.match(expected);
    expect(({} as Record<string, unknown>).polluted).to.equal(undefined);
  });

  it('names the second provider when it is the wrong one', () => {
    expect(refusal(JSON.stringify([good, { ...good, id: 'two', clientSecret: '  ' }]))).to.match(
      /provider 2: clientSecret is required/,
    );
  });
});
