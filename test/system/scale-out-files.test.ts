import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { expect } from 'chai';
import { loadServerConfig } from '../../config/index.js';
import { repoRoot } from '../helpers/cli.js';

/**
 * No Docker engine runs here, so the images and the compose file are never started by the
 * tests. What can drift is checked instead: the server command is the one the system tests run
 * (`node bin/run.js server`, startCliServer), every server's environment is a valid mux1
 * configuration, and nginx sends traffic to the services compose defines.
 */
const read = (file: string) => readFileSync(join(repoRoot, file), 'utf8');
const SERVER_COMMAND = ['node', 'bin/run.js', 'server'];

/** The items of a one-line YAML or JSON list such as `["node", 'bin/run.js']`. */
const listItems = (text: string): string[] =>
  text
    .split(',')
    .map((item) => item.trim().replace(/^(["'])(.*)\1$/, '$2'))
    .filter(Boolean);

/**
 * The `environment:` maps of docker-compose.yml, by the service or anchor they sit in: a
 * line-based reading that is enough for this file (two-space indents, `KEY: value` entries),
 * with `${VAR:-default}` replaced by its default as compose does when VAR is unset.
 */
function environments(compose: string): Map<string, Record<string, string>> {
  const found = new Map<string, Record<string, string>>();
  let top = '';
  let owner = '';
  let env: Record<string, string> | undefined;
  let envIndent = 0;
  for (const line of compose.split('\n')) {
    const indent = line.length - line.trimStart().length;
    const text = line.trim();
    if (text === '' || text.startsWith('#')) continue;
    if (env && indent > envIndent) {
      const m = /^([A-Z0-9_]+):\s*(.*)$/.exec(text);
      if (m) {
        const value = m[2]!.replace(/^(["'])(.*)\1$/, '$2').replace(/\$\{[A-Z0-9_]+:-([^}]*)\}/g, '$1');
        env[m[1]!] = value;
      }
      continue;
    }
    env = undefined;
    const key = /^([\w-]+):/.exec(text)?.[1];
    if (key && indent === 0) top = owner = key;
    else if (key && indent === 2 && top === 'services') owner = key;
    if (key === 'environment') {
      env = {};
      envIndent = indent;
      found.set(owner, env);
    }
  }
  return found;
}

describe('system: Dockerfiles, compose file and nginx config agree with the code', () => {
  const compose = read('docker-compose.yml');

  it('runs the server with the command the system tests run, in the image and in compose', () => {
    const image = /^CMD \[(.*)\]$/m.exec(read('Dockerfile.server'))?.[1];
    expect(listItems(image ?? ''), 'Dockerfile.server CMD').to.deep.equal(SERVER_COMMAND);
    const commands = [...compose.matchAll(/^ +command: \[(.*)\]$/gm)].map((m) => listItems(m[1]!));
    expect(commands, 'compose commands').to.deep.include(SERVER_COMMAND);
    expect(read('Dockerfile.server')).to.match(/^HEALTHCHECK[\s\S]*\/api\/health/m);
    for (const file of ['Dockerfile.server', 'Dockerfile.client']) {
      const text = read(file);
      expect(text, file).to.match(/^FROM node:|^ARG NODE_IMAGE=node:2\d/m);
      expect(text, file).to.match(/^USER node$/m);
      expect(text, file).to.include('npm ci --omit=dev');
    }
    expect(read('Dockerfile.client')).to.include('ENTRYPOINT ["node", "bin/run.js"]');
  });

  it('gives every server a valid configuration: SQLite by default, PostgreSQL and Redis in the scale profile', () => {
    const envs = environments(compose);
    const single = envs.get('server');
    const scaled = envs.get('x-scaled-server');
    expect(single, 'server environment').to.not.equal(undefined);
    expect(scaled, 'x-scaled-server environment').to.not.equal(undefined);
    for (const env of [single!, scaled!]) expect(() => loadServerConfig({ env })).to.not.throw();
    expect(loadServerConfig({ env: single! }).databaseUrl).to.equal('/data/mux1.sqlite');
    const config = loadServerConfig({ env: scaled! });
    expect(config.databaseUrl).to.match(/^postgres:\/\//);
    expect(config.redisUrl).to.match(/^redis:\/\//);
    expect(config.trustProxy).to.equal(true);
    expect(config.challengeSecret, 'one CHALLENGE_SECRET for all processes').to.be.a('string');
    expect(compose).to.match(/^ {2}server-1:\n {4}<<: \*scaled-server$/m);
    expect(compose).to.match(/^ {2}server-2:\n {4}<<: \*scaled-server$/m);
  });

  it('has nginx forward WebSockets to both scaled servers, sticky for long-polling', () => {
    const nginx = read('deploy/nginx.conf');
    expect(nginx).to.include('server server-1:5000');
    expect(nginx).to.include('server server-2:5000');
    expect(nginx).to.match(/hash \$remote_addr consistent;/);
    expect(nginx).to.include('proxy_set_header Upgrade $http_upgrade;');
    expect(nginx).to.include('proxy_set_header X-Forwarded-For $proxy_add_x_forwarded_for;');
    expect(compose).to.include('./deploy/nginx.conf:/etc/nginx/conf.d/default.conf:ro');
  });
});
