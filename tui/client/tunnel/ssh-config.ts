import { readdirSync, readFileSync } from 'node:fs';
import { basename, dirname, isAbsolute, join } from 'node:path';
import { TunnelError } from './errors.js';
import { matchGlob, matchPatternList } from './patterns.js';

/**
 * The part of ~/.ssh/config a tunnel needs: HostName, User, Port, IdentityFile (and
 * IdentitiesOnly, UserKnownHostsFile, HashKnownHosts, which change which keys and which file are
 * used, and how a new host is written there). Other
 * keywords are read past, not rejected, so a real-world config never stops the tunnel.
 */
export interface SshHostSettings {
  hostName?: string;
  user?: string;
  port?: number;
  /** In the order they appear; OpenSSH tries them all. Tokens (`~`, `%h`...) not yet expanded. */
  identityFiles: string[];
  identitiesOnly?: boolean;
  userKnownHostsFile?: string;
  hashKnownHosts?: boolean;
}

/** One `keyword value` line, with the `Host` lines (own and of the including file) it sits under. */
interface Directive {
  keyword: string;
  args: string[];
  /** All must match the alias. `null` stands for a `Match` block, which this reader does not evaluate. */
  conditions: (string[] | null)[];
  where: string;
}

const MAX_INCLUDE_DEPTH = 16;

/**
 * Reads a config file and everything it `Include`s. A missing file is an empty config unless the
 * user named it, in which case its absence is worth saying. `optional`: any file that cannot be
 * read is an empty config, as ssh treats /etc/ssh/ssh_config.
 */
export function readSshConfig(
  file: string,
  options: { home: string; required?: boolean; optional?: boolean },
): Directive[] {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (err) {
    const code = (err as NodeJS.ErrnoException).code;
    if (options.optional || (code === 'ENOENT' && !options.required)) return [];
    throw new TunnelError('ssh_config_invalid', `cannot read SSH config ${file}: ${code ?? String(err)}`);
  }
  return parseSshConfig(text, file, options.home, [], 0);
}

function parseSshConfig(
  text: string,
  file: string,
  home: string,
  outer: (string[] | null)[],
  depth: number,
): Directive[] {
  const out: Directive[] = [];
  let block: string[] | null | undefined; // undefined: before the first Host/Match line
  text.split(/\r?\n/).forEach((raw, index) => {
    const where = `${file}:${index + 1}`;
    const words = splitConfigLine(raw);
    if (!words) return;
    const [keyword, args] = words;
    const conditions = block === undefined ? outer : [...outer, block];
    if (keyword === 'host') {
      block = args;
    } else if (keyword === 'match') {
      block = args.length === 1 && args[0]!.toLowerCase() === 'all' ? [] : null;
    } else if (keyword === 'include') {
      if (depth >= MAX_INCLUDE_DEPTH) {
        throw new TunnelError('ssh_config_invalid', `${where}: Include nested too deeply`);
      }
      for (const pattern of args) {
        for (const included of expandInclude(pattern, dirname(file), home)) {
          out.push(...parseSshConfig(readFileSync(included, 'utf8'), included, home, conditions, depth + 1));
        }
      }
    } else {
      out.push({ keyword, args, conditions, where });
    }
  });
  return out;
}

/**
 * Splits `Keyword value`, `Keyword=value` and `Keyword "quoted value"`; null for blank lines and
 * comments. An unquoted word starting with `#` ends the line, as in OpenSSH 9.
 */
function splitConfigLine(raw: string): [string, string[]] | null {
  const line = raw.trim();
  if (!line || line.startsWith('#')) return null;
  const head = /^([^\s=]+)\s*(?:=\s*|\s+|$)(.*)$/.exec(line);
  if (!head) return null;
  const args: string[] = [];
  const word = /"([^"]*)"|(\S+)/g;
  for (let m = word.exec(head[2]!); m; m = word.exec(head[2]!)) {
    if (m[2]?.startsWith('#')) break;
    args.push(m[1] ?? m[2]!);
  }
  return [head[1]!.toLowerCase(), args];
}

/** Include takes paths relative to ~/.ssh and globs in the file name (`config.d/*`). */
function expandInclude(pattern: string, baseDir: string, home: string): string[] {
  const expanded = pattern.startsWith('~/') ? join(home, pattern.slice(2)) : pattern;
  const path = isAbsolute(expanded) ? expanded : join(baseDir, expanded);
  const name = basename(path);
  if (!/[*?]/.test(name)) {
    try {
      readFileSync(path);
      return [path];
    } catch {
      return []; // OpenSSH skips includes that do not exist
    }
  }
  let entries: string[];
  try {
    entries = readdirSync(dirname(path));
  } catch {
    return [];
  }
  return entries
    .filter((entry) => matchGlob(name, entry))
    .sort()
    .map((entry) => join(dirname(path), entry));
}

/**
 * Settings for `alias`, first value wins (OpenSSH's rule: specific Host blocks come first in a
 * config, `Host *` defaults last), except IdentityFile which accumulates.
 */
export function settingsForHost(directives: readonly Directive[], alias: string): SshHostSettings {
  const settings: SshHostSettings = { identityFiles: [] };
  for (const d of directives) {
    const applies = d.conditions.every(
      (patterns) => patterns !== null && (patterns.length === 0 || matchPatternList(patterns, alias)),
    );
    const value = d.args[0];
    if (!applies || value === undefined) continue;
    switch (d.keyword) {
      case 'hostname':
        settings.hostName ??= value;
        break;
      case 'user':
        settings.user ??= value;
        break;
      case 'port':
        if (settings.port === undefined) {
          const port = Number(value);
          if (!/^\d+$/.test(value) || port < 1 || port > 65535) {
            throw new TunnelError('ssh_config_invalid', `${d.where}: bad Port "${value}"`);
          }
          settings.port = port;
        }
        break;
      case 'identityfile':
        if (value.toLowerCase() !== 'none') settings.identityFiles.push(value);
        break;
      case 'identitiesonly':
        settings.identitiesOnly ??= value.toLowerCase() === 'yes';
        break;
      case 'userknownhostsfile':
        settings.userKnownHostsFile ??= value;
        break;
      case 'hashknownhosts':
        settings.hashKnownHosts ??= value.toLowerCase() === 'yes';
        break;
    }
  }
  return settings;
}
