import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { expect } from 'chai';
import {
  CATALOGS,
  LANGUAGES,
  NAMESPACES,
  languageFromEnv,
  languageOf,
  translator,
  type Catalog,
  type Namespace,
} from '../../i18n/index.js';
import { ERROR_CODES, FIELD_RULES } from '../../server/protocol.js';
import { CLIENT_CODES } from '../../tui/client/errors.js';

/**
 * The catalogs against the code: every key in every language, every key used, every key the code
 * asks for present. A file's `t('key')` looks in the namespace of its folder (FOLDERS); another
 * namespace's key is written with its prefix, `t('common:errors.rate_limited')`.
 */
const FOLDERS: [string, Namespace][] = [
  ['tui/app', 'tui'],
  ['tui/commands', 'cli'],
  ['tui/cli', 'cli'],
  ['tui/client', 'common'],
  ['server/web', 'page'],
  ['server/http', 'page'],
  ['server/mail', 'mail'],
];

/**
 * Keys the code builds rather than writes out, e.g. an error's text from its code: each prefix
 * with the whole list of what may follow it, so a key under it is neither missing nor left over.
 */
const DYNAMIC: { namespace: Namespace; prefix: string; endings: () => string[] }[] = [
  // describeFailure (tui/client/language.ts) and the page: a failure's text by its code.
  { namespace: 'common', prefix: 'errors.', endings: () => [...Object.keys(ERROR_CODES), ...CLIENT_CODES] },
  // ruleText (tui/cli/texts.ts): a shared field rule's text by its name.
  { namespace: 'cli', prefix: 'rules.', endings: () => Object.keys(FIELD_RULES) },
];

const PLURAL = /_(zero|one|two|few|many|other)$/;

function flatten(catalog: Catalog, prefix = ''): Map<string, string> {
  const out = new Map<string, string>();
  for (const [key, value] of Object.entries(catalog)) {
    const path = prefix + key;
    if (typeof value === 'string') out.set(path, value);
    else for (const [k, v] of flatten(value, `${path}.`)) out.set(k, v);
  }
  return out;
}

const keysOf = (language: (typeof LANGUAGES)[number], namespace: Namespace) =>
  flatten(CATALOGS[language][namespace]);

/** A key as the code writes it: plural forms under their base. */
const base = (key: string) => key.replace(PLURAL, '');

function sourcesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of readdirSync(dir)) {
    const path = join(dir, name);
    if (statSync(path).isDirectory()) out.push(...sourcesUnder(path));
    else if (/\.(ts|tsx|js|html)$/.test(name)) out.push(path);
  }
  return out;
}

const SOURCES = FOLDERS.flatMap(([dir, namespace]) =>
  sourcesUnder(dir).map((path) => ({
    path: relative('.', path),
    namespace,
    text: readFileSync(path, 'utf8'),
  })),
);

/** Every `t('...')` call and `data-i18n="..."` attribute with a literal key, as [namespace, key]. */
function askedFor(source: (typeof SOURCES)[number]): [Namespace, string][] {
  const found: [Namespace, string][] = [];
  const calls = /\bt\(\s*(['"`])([^'"`$]+)\1|data-i18n(?:-[a-z]+)?="([^"]+)"/g;
  for (const match of source.text.matchAll(calls)) {
    const written = match[2] ?? match[3]!;
    const colon = written.indexOf(':');
    const prefixed = colon > 0 && (NAMESPACES as readonly string[]).includes(written.slice(0, colon));
    found.push(
      prefixed
        ? [written.slice(0, colon) as Namespace, written.slice(colon + 1)]
        : [source.namespace, written],
    );
  }
  return found;
}

const variables = (text: string) =>
  [...new Set([...text.matchAll(/\{\{\s*([\w.]+)[^}]*\}\}/g)].map((m) => m[1]!))]
    .filter((v) => v !== 'count')
    .sort();

describe('i18n: the message catalogs', () => {
  for (const namespace of NAMESPACES) {
    it(`${namespace}: every key in every language, with the same {{values}} and each language's plural forms`, () => {
      const english = keysOf('en', namespace);
      for (const language of LANGUAGES) {
        const keys = keysOf(language, namespace);
        const bases = new Set([...english.keys()].map(base));
        expect([...new Set([...keys.keys()].map(base))].sort(), `${language} ${namespace}`).to.deep.equal(
          [...bases].sort(),
        );
        const categories = new Intl.PluralRules(language).resolvedOptions().pluralCategories;
        for (const key of keys.keys()) {
          if (!PLURAL.test(key)) continue;
          for (const category of categories) {
            if (category === 'zero' || category === 'two') continue;
            expect(
              keys.has(`${base(key)}_${category}`),
              `${language} ${namespace}:${base(key)}_${category}`,
            ).to.equal(true);
          }
        }
        for (const [key, text] of keys) {
          const englishText = english.get(key) ?? english.get(`${base(key)}_other`) ?? '';
          // {{count}} may be left out of a singular ("eine Nachricht"); every other value is kept.
          expect(variables(text), `${language} ${namespace}:${key}`).to.deep.equal(variables(englishText));
          expect(text.trim(), `${language} ${namespace}:${key} is empty`).to.not.equal('');
        }
      }
    });
  }

  it('every key the code asks for is in the catalog', () => {
    const missing: string[] = [];
    for (const source of SOURCES) {
      for (const [namespace, key] of askedFor(source)) {
        const keys = keysOf('en', namespace);
        const found = keys.has(key) || [...keys.keys()].some((k) => base(k) === key);
        if (!found) missing.push(`${source.path}: ${namespace}:${key}`);
      }
    }
    expect(missing).to.deep.equal([]);
  });

  it('every key in the catalog is used by the code', () => {
    const unused: string[] = [];
    for (const namespace of NAMESPACES) {
      for (const key of keysOf('en', namespace).keys()) {
        const written = base(key);
        const dynamic = DYNAMIC.find((d) => d.namespace === namespace && written.startsWith(d.prefix));
        if (dynamic) continue;
        const used = SOURCES.some(
          (source) =>
            (source.namespace === namespace &&
              new RegExp(`['"\`]${escape(written)}['"\`]`).test(source.text)) ||
            new RegExp(`['"\`]${namespace}:${escape(written)}['"\`]`).test(source.text),
        );
        if (!used) unused.push(`${namespace}:${key}`);
      }
    }
    expect(unused).to.deep.equal([]);
  });

  for (const { namespace, prefix, endings } of DYNAMIC) {
    it(`${namespace}:${prefix}* holds exactly the texts the code may build`, () => {
      const present = [...keysOf('en', namespace).keys()]
        .filter((k) => k.startsWith(prefix))
        .map((k) => base(k).slice(prefix.length));
      expect([...new Set(present)].sort()).to.deep.equal([...new Set(endings())].sort());
    });
  }
});

describe('i18n: choosing the language', () => {
  it('reads BCP 47 tags and POSIX locale names by their language, and nothing else', () => {
    expect(languageOf('de')).to.equal('de');
    expect(languageOf('de-AT')).to.equal('de');
    expect(languageOf('de_CH.UTF-8@euro')).to.equal('de');
    expect(languageOf(' EN_us ')).to.equal('en');
    for (const other of [
      'C',
      'POSIX',
      'fr_FR.UTF-8',
      '',
      'd',
      'deu',
      '__proto__',
      'x'.repeat(10_000),
      null,
      undefined,
    ])
      expect(languageOf(other as string), String(other).slice(0, 20)).to.equal(undefined);
  });

  it('MUX1_LANG first, then LC_ALL, LC_MESSAGES and LANG in the POSIX order; English when none is spoken', () => {
    expect(languageFromEnv({})).to.deep.equal({ language: 'en' });
    expect(languageFromEnv({ LANG: 'de_DE.UTF-8' })).to.deep.equal({ language: 'de' });
    expect(languageFromEnv({ LANG: 'de_DE.UTF-8', LC_ALL: 'C' })).to.deep.equal({ language: 'en' });
    expect(languageFromEnv({ LANG: 'en_US.UTF-8', LC_MESSAGES: 'de_AT' })).to.deep.equal({ language: 'de' });
    expect(languageFromEnv({ LC_ALL: 'de_DE', MUX1_LANG: 'en' })).to.deep.equal({ language: 'en' });
    expect(languageFromEnv({ LANG: 'fr_FR.UTF-8' })).to.deep.equal({ language: 'en' });
  });

  it('a MUX1_LANG mux1 does not speak is reported (cut short) and the POSIX variables decide', () => {
    expect(languageFromEnv({ MUX1_LANG: 'klingon', LANG: 'de_DE' })).to.deep.equal({
      language: 'de',
      unsupported: 'klingon',
    });
    expect(languageFromEnv({ MUX1_LANG: 'z'.repeat(5000) }).unsupported).to.have.length(40);
    expect(languageFromEnv({ MUX1_LANG: '   ', LANG: 'de' })).to.deep.equal({ language: 'de' });
  });

  it('looks texts up with values and plurals, and answers an unknown key with the key', () => {
    const t = translator('de', 'common');
    expect(t('no.such.key')).to.equal('no.such.key');
    expect(t('no.such.key', { count: 2, name: '<b>' })).to.equal('no.such.key');
  });
});

function escape(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
