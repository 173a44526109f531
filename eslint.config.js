import js from '@eslint/js';
import tseslint from 'typescript-eslint';
import prettier from 'eslint-config-prettier';

/*
 * The import rules of docs/architecture.md, one entry per folder. ESLint's own
 * no-restricted-imports matches an import as written, relative paths included ("../http/app.js"
 * matches "**\/http/**"); no-restricted-syntax does the same for import(), whose source a regular
 * expression matches (written with \x2F for "/", which a selector's regex cannot hold). A folder's
 * entry repeats its parent's bans, because a later entry replaces a rule's options.
 */
const ban = (group, dynamic, message) => ({ group, dynamic, message });
const folder = (name) => String.raw`(^|\x2F)${name}\x2F`;
const bans = {
  tui: ban(['**/tui/**'], folder('tui'), 'The server never imports the TUI.'),
  server: ban(
    [
      '**/server/*.js',
      '**/server/*/**',
      '!**/server/protocol.js',
      '!**/server/run.js',
      '!**/server/store/admin.js',
      '!**/server/operator.js',
    ],
    folder('server') + String.raw`(?!(protocol|run|store\x2Fadmin|operator)\.js$)`,
    'The TUI imports from server/ only protocol.ts (wire types) and the entry points run.ts, store/admin.ts and operator.ts.',
  ),
  serverAtAll: ban(
    ['**/server/**'],
    folder('server'),
    'config/ and i18n/ are read by the server and the TUI, and import neither.',
  ),
  tuiAtAll: ban(
    ['**/tui/**'],
    folder('tui'),
    'config/ and i18n/ are read by the server and the TUI, and import neither.',
  ),
  http: ban(['**/http/**'], folder('http'), 'The rules and the store know no HTTP: the doors call them.'),
  realtime: ban(
    ['**/realtime/**'],
    folder('realtime'),
    'The rules and the store know no Socket.IO: the doors call them.',
  ),
  accounts: ban(
    ['**/accounts/**'],
    folder('accounts'),
    'The store reads and writes rows; the rules live above it.',
  ),
  frameworks: ban(
    ['koa', 'koa-*', '@koa/*', 'socket.io', 'socket.io-*', '@socket.io/*'],
    String.raw`^(koa|koa-.*|@koa\x2F.*|socket\.io|socket\.io-.*|@socket\.io\x2F.*)$`,
    'accounts/ holds the same rules for every door: no Koa, no Socket.IO.',
  ),
  httpDoor: ban(
    ['**/http/**'],
    folder('http'),
    'The two doors share through accounts/ or server/*.ts, not each other.',
  ),
  realtimeDoor: ban(
    ['**/realtime/**'],
    folder('realtime'),
    'The two doors share through accounts/ or server/*.ts, not each other.',
  ),
};

/** `files` may import nothing the bans name, with import or import(). */
const restrict = (files, ...list) => ({
  files,
  rules: {
    'no-restricted-imports': ['error', { patterns: list.map(({ group, message }) => ({ group, message })) }],
    'no-restricted-syntax': [
      'error',
      ...list.map(({ dynamic, message }) => ({
        selector: `ImportExpression[source.value=/${dynamic}/]`,
        message,
      })),
    ],
  },
});

const layering = () => [
  restrict(['server/**/*.ts'], bans.tui),
  restrict(['server/accounts/**/*.ts'], bans.tui, bans.http, bans.realtime, bans.frameworks),
  restrict(['server/store/**/*.ts'], bans.tui, bans.http, bans.realtime, bans.accounts),
  restrict(['server/http/**/*.ts'], bans.tui, bans.realtimeDoor),
  restrict(['server/realtime/**/*.ts'], bans.tui, bans.httpDoor),
  restrict(['tui/**/*.ts', 'tui/**/*.tsx'], bans.server),
  restrict(['config/**/*.ts', 'i18n/**/*.ts'], bans.serverAtAll, bans.tuiAtAll),
];

export default tseslint.config(
  { ignores: ['dist/', 'node_modules/', 'data/', 'test-artifacts/'] },
  js.configs.recommended,
  ...tseslint.configs.recommended,
  prettier,
  {
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
    },
  },
  ...layering(),
  {
    // Tests read arbitrary JSON answers; typing each one would add noise, not safety.
    files: ['test/**/*.ts', 'bench/**/*.ts'],
    rules: { '@typescript-eslint/no-explicit-any': 'off' },
  },
  {
    // The browser page: plain script, the Socket.IO client's `io` loaded before it.
    files: ['server/web/**/*.js'],
    languageOptions: {
      sourceType: 'script',
      globals: Object.fromEntries(
        [
          'window',
          'document',
          'fetch',
          'sessionStorage',
          'CSS',
          'FormData',
          'setInterval',
          'setTimeout',
          'console',
          'crypto',
          'TextEncoder',
          'URLSearchParams',
          'location',
          'io',
        ].map((name) => [name, 'readonly']),
      ),
    },
  },
  {
    files: ['bin/**/*.js', 'scripts/**/*.js'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
  {
    // Examples people run with plain `node` and copy into their own projects.
    files: ['examples/**/*.mjs'],
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
  },
);
