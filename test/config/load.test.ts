import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { expect } from 'chai';
import { ConfigError, loadServerConfig } from '../../config/index.js';

describe('config: defaults < config file < environment < flags', () => {
  let dir: string;
  let n = 0;

  before(() => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-config-'));
  });
  after(() => {
    rmSync(dir, { recursive: true, force: true });
  });

  /** Writes a config file and returns its path. */
  const file = (content: unknown) => {
    const path = join(dir, `config-${++n}.json`);
    writeFileSync(path, typeof content === 'string' ? content : JSON.stringify(content));
    return path;
  };
  const refusal = (load: () => unknown): string => {
    try {
      load();
    } catch (err) {
      expect(err).to.be.instanceOf(ConfigError);
      const message = (err as Error).message;
      expect(message, 'one line').to.not.include('\n');
      return message;
    }
    expect.fail('the configuration was accepted');
  };

  it('uses the documented defaults when nothing is set', () => {
    const config = loadServerConfig({ env: {} });
    expect(config).to.include({
      port: 5000,
      host: '127.0.0.1',
      databaseUrl: './data/mux1.sqlite',
      scryptLogN: 17,
      limitSignupsPer10Min: 30,
      limitFailedLoginsPer10Min: 50,
      limitSocketsPerAddress: 50,
      trustProxy: false,
      logLevel: 'info',
    });
    expect(config.smtpUrl).to.equal(undefined);
    expect(config.redisUrl).to.equal(undefined);
    expect(config.publicUrl).to.equal(undefined);
    expect(config.metricsToken).to.equal(undefined);
  });

  it('lets a config file override a default', () => {
    const config = loadServerConfig({ env: {}, configFile: file({ port: 6000, scryptLogN: 12 }) });
    expect(config.port).to.equal(6000);
    expect(config.scryptLogN).to.equal(12);
    expect(config.host).to.equal('127.0.0.1');
  });

  it('lets the environment override the file', () => {
    const config = loadServerConfig({
      env: { PORT: '7000' },
      configFile: file({ port: 6000, host: '0.0.0.0' }),
    });
    expect(config.port).to.equal(7000);
    expect(config.host).to.equal('0.0.0.0');
  });

  it('lets flags override the environment', () => {
    const config = loadServerConfig({
      env: { PORT: '7000', DATABASE_URL: '/env.sqlite' },
      configFile: file({ port: 6000, databaseUrl: '/file.sqlite', host: '10.0.0.1' }),
      flags: { port: 8000 },
    });
    expect(config.port).to.equal(8000);
    expect(config.databaseUrl).to.equal('/env.sqlite');
    expect(config.host).to.equal('10.0.0.1');
  });

  it('ignores undefined flags and empty environment variables', () => {
    const config = loadServerConfig({
      env: { PORT: '', HOST: '' },
      configFile: file({ port: 6000 }),
      flags: { port: undefined, host: undefined },
    });
    expect(config.port).to.equal(6000);
    expect(config.host).to.equal('127.0.0.1');
  });

  it('reads every documented environment variable', () => {
    const config = loadServerConfig({
      env: {
        PORT: '1234',
        HOST: '0.0.0.0',
        DATABASE_URL: 'postgres://u@db/mux1',
        REDIS_URL: 'redis://cache:6379',
        SMTP_URL: 'smtp://user:pass@mail:587',
        MAIL_FROM: 'mux1 <noreply@example.test>',
        PUBLIC_URL: 'https://chat.example.test',
        CORS_ORIGINS: 'https://a.example.test, https://b.example.test',
        SCRYPT_LOG_N: '10',
        LIMIT_SIGNUPS_PER_10MIN: '3',
        LIMIT_FAILED_LOGINS_PER_10MIN: '4',
        LIMIT_SOCKETS_PER_ADDRESS: '5',
        TRUST_PROXY: 'true',
        LOG_LEVEL: 'warn',
        METRICS_TOKEN: 'a-long-enough-metrics-token',
      },
    });
    expect(config).to.deep.include({
      port: 1234,
      host: '0.0.0.0',
      databaseUrl: 'postgres://u@db/mux1',
      redisUrl: 'redis://cache:6379',
      smtpUrl: 'smtp://user:pass@mail:587',
      mailFrom: 'mux1 <noreply@example.test>',
      publicUrl: 'https://chat.example.test',
      corsOrigins: ['https://a.example.test', 'https://b.example.test'],
      scryptLogN: 10,
      limitSignupsPer10Min: 3,
      limitFailedLoginsPer10Min: 4,
      limitSocketsPerAddress: 5,
      trustProxy: true,
      logLevel: 'warn',
      metricsToken: 'a-long-enough-metrics-token',
    });
  });

  it("reads libuv's UV_THREADPOOL_SIZE, which sizes password hashing, and defaults to libuv's 4", () => {
    expect(loadServerConfig({ env: {} }).threadpoolSize).to.equal(4);
    expect(loadServerConfig({ env: { UV_THREADPOOL_SIZE: '16' } }).threadpoolSize).to.equal(16);
  });

  describe('refuses a bad value with one line naming the setting and where it came from', () => {
    it('PORT=abc in the environment', () => {
      expect(refusal(() => loadServerConfig({ env: { PORT: 'abc' } }))).to.match(/\bPORT\b/);
    });

    it('a port out of range from a flag', () => {
      expect(refusal(() => loadServerConfig({ env: {}, flags: { port: 70000 } }))).to.match(/--port/);
    });

    it('a flag named as the command line spells it, and a database URL of an unknown scheme', () => {
      const message = refusal(() =>
        loadServerConfig({
          env: {},
          flags: { databaseUrl: 'mysql://u@db/mux1' },
          flagNames: { databaseUrl: 'db' },
        }),
      );
      expect(message).to.match(/invalid setting --db: must be a file path, a sqlite: URL or a postgres/);
      expect(refusal(() => loadServerConfig({ env: { DATABASE_URL: 'notaurl://x' } }))).to.match(
        /DATABASE_URL/,
      );
      for (const fine of [
        './data/x.sqlite',
        'sqlite:./x.sqlite',
        'postgres://u@db/m',
        'C:\\data\\x.sqlite',
      ]) {
        expect(loadServerConfig({ env: { DATABASE_URL: fine } }).databaseUrl).to.equal(fine);
      }
    });

    it('a bad port in the config file, naming the key and the file', () => {
      const path = file({ port: 'abc' });
      const message = refusal(() => loadServerConfig({ env: {}, configFile: path }));
      expect(message).to.include('port').and.to.include(path);
    });

    for (const value of ['9', '23', '12.5', 'ten']) {
      it(`SCRYPT_LOG_N=${value} (10-22 only)`, () => {
        expect(refusal(() => loadServerConfig({ env: { SCRYPT_LOG_N: value } }))).to.match(/SCRYPT_LOG_N/);
      });
    }

    for (const value of ['0', '1025', '2.5', 'four', '-1', '9'.repeat(400), '4\u0000']) {
      it(`UV_THREADPOOL_SIZE=${JSON.stringify(value.slice(0, 12))} (1-1024 only)`, () => {
        expect(refusal(() => loadServerConfig({ env: { UV_THREADPOOL_SIZE: value } }))).to.match(
          /UV_THREADPOOL_SIZE/,
        );
      });
    }

    it('an SMTP_URL that is not smtp:// or smtps://', () => {
      expect(refusal(() => loadServerConfig({ env: { SMTP_URL: 'http://mail:25' } }))).to.match(/SMTP_URL/);
    });

    it('an unknown LOG_LEVEL', () => {
      expect(refusal(() => loadServerConfig({ env: { LOG_LEVEL: 'loud' } }))).to.match(/LOG_LEVEL/);
    });

    it('a TRUST_PROXY that is not a yes/no word', () => {
      expect(refusal(() => loadServerConfig({ env: { TRUST_PROXY: 'maybe' } }))).to.match(/TRUST_PROXY/);
    });

    it('a file value of the wrong JSON type, rather than coercing it', () => {
      for (const content of [
        { port: true },
        { port: [5000] },
        { scryptLogN: false },
        { sessionTtlDays: true },
        { port: '' },
      ]) {
        const path = file(content);
        expect(refusal(() => loadServerConfig({ env: {}, configFile: path }))).to.include(path);
      }
    });

    it('a bad environment value even when a flag would override it elsewhere', () => {
      expect(refusal(() => loadServerConfig({ env: { SCRYPT_LOG_N: '9' }, flags: { port: 1 } }))).to.match(
        /SCRYPT_LOG_N/,
      );
    });
  });

  describe('refuses a bad config file with one line naming it', () => {
    it('an unknown key', () => {
      const path = file({ port: 5000, prot: 5001 });
      const message = refusal(() => loadServerConfig({ env: {}, configFile: path }));
      expect(message).to.include('prot').and.to.include(path);
    });

    it('a file that does not exist or cannot be read', () => {
      for (const path of [join(dir, 'missing.json'), dir]) {
        expect(refusal(() => loadServerConfig({ env: {}, configFile: path }))).to.include(path);
      }
    });

    it('a file that is not JSON, or not a JSON object', () => {
      for (const content of ['{port: 5000}', '[1, 2]', '"text"', 'null', '']) {
        const path = file(content);
        expect(refusal(() => loadServerConfig({ env: {}, configFile: path }))).to.include(path);
      }
    });

    it('an environment variable name used as a key', () => {
      const path = file({ PORT: 5000 });
      expect(refusal(() => loadServerConfig({ env: {}, configFile: path }))).to.include('PORT');
    });
  });
});
