import { existsSync, mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { CLIENT_CODES } from '../../tui/client/errors.js';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Config, settings as oclifSettings, type Command } from '@oclif/core';
import { expect } from 'chai';
import { io as connect } from 'socket.io-client';
import ts from 'typescript';
import { parseResults, withFigures, README_FILE, RESULTS_FILE } from '../../bench/readme.js';
import { loadServerConfig } from '../../config/index.js';
import { settings } from '../../config/settings.js';
import { systemClock } from '../../server/clock.js';
import { createHttpApp } from '../../server/http/app.js';
import { createLimits } from '../../server/limits/index.js';
import { createServer, type Mux1Server } from '../../server/main.js';
import { HANDLED_EVENTS } from '../../server/realtime/connection.js';
import { createMetrics } from '../../server/metrics/registry.js';
import { ERROR_CODES } from '../../server/protocol.js';

/*
 * The documentation names everything the code defines, so neither can move without the other:
 * every route of the Koa router and every Socket.IO event (docs/api.md), every command, flag and
 * client error code of the CLI (docs/cli.md), every setting (docs/configuration.md). Each list is
 * read from the running code - the router of a real app, the handlers on a real socket, the
 * commands as oclif loads them, the settings table - and from the wire types of protocol.ts.
 * Links between the pages, and their width, are checked too.
 */

const root = fileURLToPath(new URL('../../', import.meta.url));
const read = (file: string) => readFileSync(join(root, file), 'utf8');

/** The Markdown pages of the repository that people read. */
const PAGES = [
  'README.md',
  'bench/README.md',
  ...['api', 'cli', 'configuration', 'operations', 'architecture', 'security'].map((p) => `docs/${p}.md`),
];

interface Heading {
  level: number;
  text: string;
  /** Line index of the heading. */
  line: number;
}

/** Headings outside fenced code blocks. */
function headings(markdown: string): Heading[] {
  const found: Heading[] = [];
  let fenced = false;
  markdown.split('\n').forEach((text, line) => {
    if (/^\s*(```|~~~)/.test(text)) fenced = !fenced;
    const m = !fenced && /^(#{1,6})\s+(.*?)\s*#*\s*$/.exec(text);
    if (m) found.push({ level: m[1]!.length, text: m[2]!, line });
  });
  return found;
}

/** The text under the first heading that `matches`, down to the next heading of its level or above. */
function section(markdown: string, matches: (heading: string) => boolean): string | undefined {
  const lines = markdown.split('\n');
  const all = headings(markdown);
  const at = all.findIndex((h) => matches(h.text));
  if (at === -1) return undefined;
  const next = all.slice(at + 1).find((h) => h.level <= all[at]!.level);
  return lines.slice(all[at]!.line, next?.line ?? lines.length).join('\n');
}

/** `name` written as inline code: `` `name` ``. */
const inCode = (text: string, name: string) => text.includes('`' + name + '`');

/** GitHub's anchor for a heading. */
function slugs(markdown: string): Set<string> {
  const seen = new Map<string, number>();
  const out = new Set<string>();
  for (const h of headings(markdown)) {
    const base = h.text
      .replace(/\[([^\]]*)\]\([^)]*\)/g, '$1')
      .toLowerCase()
      .replace(/[^\p{L}\p{M}\p{N}\p{Pc} -]/gu, '')
      .replace(/ /g, '-');
    const n = seen.get(base) ?? 0;
    seen.set(base, n + 1);
    out.add(n === 0 ? base : `${base}-${n}`);
  }
  return out;
}

/** The member names of an interface, or the string literals of a union type, in a TypeScript file. */
function declaredNames(file: string, name: string): string[] {
  const source = ts.createSourceFile(file, read(file), ts.ScriptTarget.Latest, true);
  const names: string[] = [];
  const visit = (node: ts.Node) => {
    if (ts.isInterfaceDeclaration(node) && node.name.text === name) {
      for (const m of node.members)
        if (m.name) names.push(m.name.getText(source).replace(/^['"]|['"]$/g, ''));
    }
    if (ts.isTypeAliasDeclaration(node) && node.name.text === name && ts.isUnionTypeNode(node.type)) {
      for (const t of node.type.types) {
        if (ts.isLiteralTypeNode(t) && ts.isStringLiteral(t.literal)) names.push(t.literal.text);
      }
    }
    ts.forEachChild(node, visit);
  };
  visit(source);
  if (names.length === 0) throw new Error(`${file} declares no ${name} with members`);
  return names;
}

/** Every route of the Koa app, as `METHOD path`; a route for every method is `* path`. */
function routesOf(app: { middleware: unknown[] }): string[] {
  const router = app.middleware
    .map((mw) => (mw as { router?: { stack: { path: string; methods: string[] }[] } }).router)
    .find((r) => r !== undefined);
  if (!router) throw new Error('the app has no router');
  const routes = new Set<string>();
  for (const layer of router.stack) {
    const methods = layer.methods.filter((m) => m !== 'HEAD');
    // router.all() registers every method Node knows: documented as the path, whatever the method.
    if (methods.length > 10) routes.add(`* ${layer.path}`);
    else for (const m of methods) routes.add(`${m} ${layer.path}`);
  }
  return [...routes];
}

/** What a Socket.IO server answers beside the events a client sends; not part of the contract. */
const SOCKET_IO_OWN = new Set(['disconnect', 'disconnecting', 'error']);

/** The commands as oclif loads them, from the TypeScript sources (the tests run without a build). */
async function loadCommands(): Promise<Command.Loadable[]> {
  const pjson = JSON.parse(read('package.json'));
  pjson.oclif.commands = './tui/commands';
  pjson.oclif.hooks = {};
  const before = oclifSettings.enableAutoTranspile;
  // The sources load as they are (tsx is in this process); no search for compiled twins.
  oclifSettings.enableAutoTranspile = false;
  try {
    const config = await Config.load({ root, pjson });
    return config.commands.filter((c) => !c.hidden);
  } finally {
    oclifSettings.enableAutoTranspile = before;
  }
}

describe('docs: the pages name everything the code defines', function () {
  this.timeout(60_000);
  let dir: string;
  let server: Mux1Server;
  let routes: string[];
  let handledEvents: string[];
  let commands: Command.Loadable[];

  before(async () => {
    dir = mkdtempSync(join(tmpdir(), 'mux1-docs-'));
    const config = loadServerConfig({
      env: {
        PORT: '0',
        HOST: '127.0.0.1',
        DATABASE_URL: join(dir, 'mux1.sqlite'),
        SCRYPT_LOG_N: '10',
        LOG_LEVEL: 'silent',
        // /metrics is a route on the main port only with a token and no port of its own.
        METRICS_TOKEN: 'a-token-for-the-docs-test',
      },
    });
    server = createServer(config);
    const url = await server.listen();

    const limits = createLimits({ config, clock: systemClock, log: server.log });
    try {
      const app = createHttpApp({
        db: server.db,
        log: server.log,
        accounts: server.accounts,
        challenges: limits.challenges,
        serverStatusPublic: false,
        trustProxy: false,
        corsOrigins: [],
        metrics: createMetrics(() => undefined, false),
        metricsSettings: config,
        startedAt: Date.now(),
        connectedUsers: async () => 0,
        publicUrl: () => url,
      });
      routes = routesOf(app);
    } finally {
      await limits.close();
    }

    // The handlers a connection gets are registered before any listener added here runs: one
    // listener for every event (HANDLED_EVENTS names what it answers), and any others by name.
    // Most come from the table every socket shares (server/realtime/shared-listeners.ts), its
    // listener table's prototype, which eventNames() (own keys only) does not list: for-in does.
    const listenedTo = (socket: { _events?: object }) => {
      const names: string[] = [];
      for (const name in socket._events) names.push(name);
      return names;
    };
    const connected = new Promise<string[]>((done) =>
      server.realtime.io.once('connection', (socket) =>
        done([
          ...(socket.listenersAny().length > 0 ? HANDLED_EVENTS : []),
          ...listenedTo(socket as unknown as { _events?: object }).filter((e) => !SOCKET_IO_OWN.has(e)),
        ]),
      ),
    );
    const client = connect(url, { transports: ['websocket'], reconnection: false });
    try {
      handledEvents = await connected;
    } finally {
      client.close();
    }

    commands = await loadCommands();
  });

  after(async () => {
    await server?.close();
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  describe('docs/api.md', () => {
    const api = read('docs/api.md');
    const headingTexts = () => headings(api).map((h) => h.text);

    it('has a heading for every route of the router', () => {
      expect(routes.length, 'routes read from the router').to.be.greaterThan(15);
      const named = (route: string) => {
        const [method, path] = route.split(' ') as [string, string];
        const after = `(?![\\w/.:-])`;
        const escaped = path.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&');
        const pattern = new RegExp(method === '*' ? `${escaped}${after}` : `\\b${method} ${escaped}${after}`);
        return headingTexts().some((h) => pattern.test(h));
      };
      const missing = routes.filter((r) => !named(r));
      expect(missing, `routes without a heading in docs/api.md`).to.deep.equal([]);
    });

    it('has a heading for every event a client may send, under "Client to server"', () => {
      const declared = declaredNames('server/protocol.ts', 'ClientToServerEvents');
      const events = [...new Set([...declared, ...handledEvents])];
      expect(handledEvents, 'handlers on a connected socket').to.include('message');
      const part = section(api, (h) => /client to server/i.test(h)) ?? '';
      const missing = events.filter((e) => !headings(part).some((h) => inCode(h.text, e)));
      expect(missing, 'client events without a heading under "Client to server"').to.deep.equal([]);
      const undeclared = handledEvents.filter((e) => !declared.includes(e));
      expect(undeclared, 'socket handlers missing from ClientToServerEvents').to.deep.equal([]);
    });

    it('has a heading for every event the server sends, under "Server to client"', () => {
      const events = declaredNames('server/protocol.ts', 'ServerToClientEvents');
      const part = section(api, (h) => /server to client/i.test(h)) ?? '';
      const missing = events.filter((e) => !headings(part).some((h) => inCode(h.text, e)));
      expect(missing, 'server events without a heading under "Server to client"').to.deep.equal([]);
    });

    it('lists every error code of ERROR_CODES with its status, under "Error codes"', () => {
      const part = section(api, (h) => /^error codes$/i.test(h)) ?? '';
      const lines = part.split('\n');
      const missing = Object.entries(ERROR_CODES)
        .filter(([code, { status }]) => !lines.some((l) => inCode(l, code) && l.includes(`(${status})`)))
        .map(([code, { status }]) => `${code} (${status})`);
      expect(missing, 'error codes missing from "Error codes" in docs/api.md').to.deep.equal([]);
    });
  });

  describe('docs/cli.md', () => {
    const cli = read('docs/cli.md');
    const globals = () => section(cli, (h) => /^global flags$/i.test(h)) ?? '';
    const flagNamed = (text: string, flag: string) => new RegExp(`--${flag}(?![\\w-])`).test(text);

    it('has a section for every command, naming its arguments and flags', () => {
      expect(commands.length, 'commands oclif found').to.be.greaterThan(20);
      const missing: string[] = [];
      for (const command of commands) {
        const usage = `mux1 ${command.id.replaceAll(':', ' ')}`;
        const part = section(cli, (h) => inCode(h, usage));
        if (!part) {
          missing.push(`a heading naming \`${usage}\``);
          continue;
        }
        for (const arg of Object.keys(command.args ?? {})) {
          if (!part.includes(arg.toUpperCase())) missing.push(`${usage}: argument ${arg.toUpperCase()}`);
        }
        for (const [name, flag] of Object.entries(command.flags)) {
          if (flag.hidden) continue;
          const where = flag.helpGroup === 'GLOBAL' ? globals() : part;
          if (!flagNamed(where, name)) {
            missing.push(
              `${usage}: --${name}${flag.helpGroup === 'GLOBAL' ? ' (under "Global flags")' : ''}`,
            );
          }
          if (flag.char && !part.includes(`-${flag.char}`)) missing.push(`${usage}: -${flag.char}`);
        }
      }
      expect(missing, 'missing from docs/cli.md').to.deep.equal([]);
    });

    it('names every environment variable a flag reads, under "Environment"', () => {
      const part = section(cli, (h) => /^environment$/i.test(h)) ?? '';
      const envs = new Set(
        commands.flatMap((c) => Object.values(c.flags).flatMap((f) => ('env' in f && f.env ? [f.env] : []))),
      );
      expect(envs.size, 'flags read from the environment').to.be.greaterThan(0);
      const missing = [...envs].filter((e) => !inCode(part, e));
      expect(missing, 'environment variables missing from docs/cli.md').to.deep.equal([]);
    });

    it('lists every client-side error code, under "Error codes"', () => {
      const part = section(cli, (h) => /^error codes$/i.test(h)) ?? '';
      const codes = [...CLIENT_CODES, ...declaredNames('tui/client/tunnel/errors.ts', 'TunnelErrorCode')];
      const missing = [...new Set(codes)].filter((c) => !inCode(part, c));
      expect(missing, 'client error codes missing from docs/cli.md').to.deep.equal([]);
    });
  });

  describe('docs/configuration.md', () => {
    const page = read('docs/configuration.md');

    it('has a section for every setting with its file key and default', () => {
      const missing: string[] = [];
      for (const [key, setting] of Object.entries(settings)) {
        const part = section(page, (h) => inCode(h, setting.env));
        if (!part) {
          missing.push(`a heading naming \`${setting.env}\``);
          continue;
        }
        if (!inCode(part, key)) missing.push(`${setting.env}: its file key \`${key}\``);
        const value: unknown = setting.default;
        const shown = typeof value === 'number' || typeof value === 'string' || typeof value === 'boolean';
        if (!/Default:/.test(part)) missing.push(`${setting.env}: "Default:"`);
        else if (shown && !inCode(part, String(value))) missing.push(`${setting.env}: default \`${value}\``);
      }
      expect(missing, 'missing from docs/configuration.md').to.deep.equal([]);
    });
  });

  describe('every page', () => {
    it('links only to files and headings that exist', () => {
      const broken: string[] = [];
      for (const page of PAGES) {
        const text = read(page);
        const body = text.replace(/^(```|~~~)[\s\S]*?^\1/gm, '');
        for (const [, target] of body.matchAll(/\]\(([^)\s]+)\)/g)) {
          if (/^[a-z][a-z0-9+.-]*:/i.test(target!)) continue;
          const [file, anchor] = target!.split('#') as [string, string | undefined];
          const path = file ? resolve(root, dirname(page), file) : join(root, page);
          // The pages stand on their own: nothing outside the repository is theirs to point at.
          if (!path.startsWith(root) || !existsSync(path)) {
            broken.push(`${page}: ${target}`);
            continue;
          }
          if (
            anchor !== undefined &&
            path.endsWith('.md') &&
            !slugs(readFileSync(path, 'utf8')).has(anchor)
          ) {
            broken.push(`${page}: ${target} (no such heading)`);
          }
        }
      }
      expect(broken, 'broken links').to.deep.equal([]);
    });

    it('fits in 100 columns, tables aside', () => {
      const problems: string[] = [];
      for (const page of PAGES) {
        read(page)
          .split('\n')
          .forEach((line, i) => {
            if ([...line].length > 100 && !line.startsWith('|'))
              problems.push(`${page}:${i + 1} is too wide`);
          });
      }
      expect(problems).to.deep.equal([]);
    });
  });

  describe('bench/README.md', () => {
    const sample = () => JSON.parse(readFileSync(RESULTS_FILE, 'utf8')) as { figures: { name: string }[] };

    it('shows the figures of bench/results.json (npm run bench:docs writes them)', async () => {
      const readme = readFileSync(README_FILE, 'utf8');
      const expected = await withFigures(readme, parseResults(readFileSync(RESULTS_FILE, 'utf8')));
      expect(readme === expected, 'bench/README.md is stale: run npm run bench:docs').to.equal(true);
    });

    it('refuses a results file that is not JSON, of the wrong shape, or with huge text', () => {
      expect(() => parseResults('{"startedAt":', 'r.json')).to.throw(/r\.json is not JSON/);
      expect(() => parseResults('[]', 'r.json')).to.throw(/r\.json: the top level/);
      const missing = { ...sample(), figures: [{ name: 'no value' }] };
      expect(() => parseResults(JSON.stringify(missing), 'r.json')).to.throw(/r\.json: figures\.0\.id/);
      const huge = sample();
      huge.figures[0]!.name = 'x'.repeat(100_000);
      expect(() => parseResults(JSON.stringify(huge), 'r.json')).to.throw(/figures\.0\.name/);
    });

    it('writes hostile names as text, and refuses a page without its markers', async () => {
      const hostile = sample();
      hostile.figures[0]!.name = '<script>x</script> | **bold** [link](http://e) `code`\n# heading';
      const page = await withFigures(
        readFileSync(README_FILE, 'utf8'),
        parseResults(JSON.stringify(hostile)),
      );
      const line = page.split('\n').find((l) => l.includes('script'))!;
      expect(line).to.include('\\<script\\>').and.include('\\[link\\]').and.not.include('\n#');
      expect(headings(page).map((h) => h.text)).to.not.include('heading');
      await withFigures('# no markers\n', parseResults(JSON.stringify(sample()))).then(
        () => expect.fail('a page without markers was accepted'),
        (err: Error) => expect(err.message).to.match(/must hold "<!-- figures:start/),
      );
    });
  });
});
