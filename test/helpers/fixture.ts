import { join } from 'node:path';
import type { ServerConfig } from '../../config/index.js';
import type { Mux1Server, ServerOverrides } from '../../server/main.js';
import {
  bearer,
  loggedInPerson,
  logIn,
  logOut,
  newPerson,
  signUp,
  verifiedPerson,
  type Person,
} from './accounts.js';
import { runCli, tempDir, type CliOptions, type CliResult } from './cli.js';
import { api, rawApi, startTestServer, type TestServer } from './server.js';
import { startSmtp, type TestSmtp } from './smtp.js';
import {
  chatPerson,
  connect,
  connectAs,
  disconnectAll,
  type ChatPerson,
  type ConnectOptions,
} from './sockets.js';

export interface UseServerOptions {
  /** A real SMTP server whose inbox is `mail`; the server sends its mail there. */
  mail?: boolean | { delayMs?: number };
  /** Settings on top of the test defaults (see startTestServer); a function when they need awaiting. */
  env?: Record<string, string> | (() => Promise<Record<string, string>>);
  overrides?: ServerOverrides;
  /**
   * A folder for the CLI's saved sessions: `cli()` runs the built CLI against this server with
   * MUX1_CONFIG_DIR at `configDir` inside it (default `config`), which does not exist until used.
   */
  cliHome?: boolean | { configDir: string };
  /**
   * A fresh server (and inbox and CLI folder) for every test instead of one for the describe:
   * for tests whose state (limits, counters, logs) would let one pass or fail because of another.
   */
  each?: boolean;
}

/**
 * The signup budget of a suite that makes many accounts from one address (loopback): far above
 * what its tests sign up, so no signup of theirs meets the limit or a challenge.
 */
export const MANY_SIGNUPS: Readonly<Record<string, string>> = { LIMIT_SIGNUPS_PER_10MIN: '1000' };

type Call = (
  method: string,
  path: string,
  body?: unknown,
  headers?: Record<string, string>,
) => ReturnType<typeof api>;

/**
 * A mux1 server for the tests of the describe it is called in: it registers the mocha hooks that
 * start it (with its SMTP inbox and CLI folder) and stop it, and returns a handle whose fields are
 * read inside tests and hooks. The handle is a TestServer, so helpers that take one take it too.
 */
export function useServer(options: UseServerOptions = {}): ServerFixture {
  const fixture = new ServerFixture(options);
  const [setUp, tearDown] = options.each ? [beforeEach, afterEach] : [before, after];
  setUp(async function () {
    await fixture.start();
  });
  // Sockets a test opened end with it, so the next test starts with none.
  afterEach(disconnectAll);
  tearDown(async function () {
    await fixture.finish();
  });
  return fixture;
}

export class ServerFixture implements TestServer {
  #running?: { server: TestServer; smtp?: TestSmtp; home?: { path: string; remove(): void } };

  constructor(private readonly options: UseServerOptions) {}

  async start(): Promise<void> {
    const { mail, env, overrides, cliHome } = this.options;
    const smtp = mail ? await startSmtp(0, typeof mail === 'object' ? mail : {}) : undefined;
    try {
      const settings = typeof env === 'function' ? await env() : env;
      const server = await startTestServer({
        env: { ...(smtp && { SMTP_URL: smtp.url }), ...settings },
        overrides,
      });
      this.#running = { server, smtp, home: cliHome ? tempDir() : undefined };
    } catch (err) {
      await smtp?.close();
      throw err;
    }
  }

  async finish(): Promise<void> {
    const running = this.#running;
    this.#running = undefined;
    if (!running) return;
    try {
      await running.server.close();
    } finally {
      await running.smtp?.close();
      running.home?.remove();
    }
  }

  private get running() {
    if (!this.#running) throw new Error('useServer: the server runs only inside tests and hooks');
    return this.#running;
  }

  get url(): string {
    return this.running.server.url;
  }
  get server(): Mux1Server {
    return this.running.server.server;
  }
  get config(): ServerConfig {
    return this.running.server.config;
  }
  get dir(): string {
    return this.running.server.dir;
  }
  get dbFile(): string {
    return this.running.server.dbFile;
  }
  get database(): TestServer['database'] {
    return this.running.server.database;
  }
  get logs(): string[] {
    return this.running.server.logs;
  }
  /** The database the server uses, for reading (or marking) what a test cannot see through the API. */
  get db(): Mux1Server['db'] {
    return this.server.db;
  }

  /** The SMTP inbox: every mail the server sent. */
  get mail(): TestSmtp {
    const { smtp } = this.running;
    if (!smtp) throw new Error('useServer: pass { mail: true } for an inbox');
    return smtp;
  }

  /**
   * Stops the server early, keeping its files until the describe (or test, with `each`) ends: for
   * tests of what a stopped server leaves behind. The hooks stop it anyway.
   */
  stop(): Promise<void> {
    return this.running.server.stop();
  }
  close(): Promise<void> {
    return this.stop();
  }

  /** A JSON request; proof-of-work challenges are solved as the clients do. */
  api: Call = (method, path, body, headers) => api(this.url, method, path, body, headers);
  /** A JSON request that returns a 428 challenge as it is. */
  rawApi: Call = (method, path, body, headers) => rawApi(this.url, method, path, body, headers);
  /** Requests as the holder of `token`. */
  as =
    (token: string): Call =>
    (method, path, body, headers = {}) =>
      this.api(method, path, body, { ...bearer(token), ...headers });

  newPerson = newPerson;
  signUp = (p: Person) => signUp(this.url, p);
  logIn = (username: string, password: string) => logIn(this.url, username, password);
  logOut = (token: string) => logOut(this.url, token);
  /** Signed up and verified through the mailed code. */
  verifiedPerson = (prefix?: string) => verifiedPerson(this.url, this.mail, prefix);
  /** Verified through the mailed code and logged in. */
  loggedInPerson = (prefix?: string) => loggedInPerson(this.url, this.mail, prefix);
  /** Logged in, verification marked in the database: many accounts quickly, no inbox needed. */
  chatPerson = (prefix?: string): Promise<ChatPerson> => chatPerson(this, prefix);
  /** One chatPerson per prefix, made one after another, so their ids rise in the order given. */
  chatPeople = async <P extends string[]>(...prefixes: P): Promise<{ [K in keyof P]: ChatPerson }> => {
    const people: ChatPerson[] = [];
    for (const prefix of prefixes) people.push(await this.chatPerson(prefix));
    return people as { [K in keyof P]: ChatPerson };
  };

  /** A socket.io-client connection, closed after the test. */
  connect = (options?: ConnectOptions) => connect(this.url, options);
  connectAs = (person: ChatPerson, options?: ConnectOptions) => connectAs(this.url, person, options);

  /** What the CLI needs to reach this server and keep its session in the test's folder. */
  get cliEnv(): Record<string, string> {
    const { home } = this.running;
    if (!home) throw new Error('useServer: pass { cliHome: true } for the CLI');
    const { cliHome } = this.options;
    const configDir = typeof cliHome === 'object' ? cliHome.configDir : 'config';
    return { MUX1_SERVER: this.url, MUX1_CONFIG_DIR: join(home.path, configDir) };
  }
  /** The CLI's own folder (its HOME for tests that need one). */
  get cliHome(): string {
    const { home } = this.running;
    if (!home) throw new Error('useServer: pass { cliHome: true } for the CLI');
    return home.path;
  }
  /** Logs `p` in through the CLI (password on stdin), so later `cli()` calls are signed in. */
  cliLogIn = (p: { username: string; password: string }) =>
    this.cli(['login', '--username', p.username, '--password-stdin'], { input: p.password });
  /** The built CLI against this server; `options.env` adds to (or, with undefined, removes from) cliEnv. */
  cli = (args: string[], options: CliOptions = {}): Promise<CliResult> =>
    runCli(args, { ...options, env: { ...this.cliEnv, ...options.env } });
}
