import { readFileSync } from 'node:fs';
import { settings, type ServerConfig, type SettingName } from './settings.js';

/** A configuration problem the operator must fix; its message is one line naming the setting. */
export class ConfigError extends Error {
  override name = 'ConfigError';
}

export interface ConfigSources {
  /** Path of a JSON file whose keys are the setting names (`port`, `databaseUrl`, ...). */
  configFile?: string;
  env?: NodeJS.ProcessEnv;
  /** Values from command-line flags, highest precedence; undefined entries are ignored. */
  flags?: Partial<Record<SettingName, unknown>>;
  /** The command line's name for a flag where it differs from the setting's (`databaseUrl` is `--db`). */
  flagNames?: Partial<Record<SettingName, string>>;
}

function readConfigFile(path: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (err) {
    throw new ConfigError(
      `config file ${path}: cannot be read (${(err as NodeJS.ErrnoException).code ?? 'error'})`,
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch (err) {
    throw new ConfigError(`config file ${path}: not valid JSON (${(err as Error).message})`);
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new ConfigError(`config file ${path}: must hold a JSON object`);
  }
  const unknown = Object.keys(parsed).filter((k) => !Object.hasOwn(settings, k));
  if (unknown.length > 0) {
    throw new ConfigError(`config file ${path}: unknown setting "${unknown[0]}"`);
  }
  return parsed as Record<string, unknown>;
}

/** Resolves defaults < config file < environment < flags, validating each value where it came from. */
export function loadServerConfig(sources: ConfigSources = {}): ServerConfig {
  const env = sources.env ?? process.env;
  const file = sources.configFile ? readConfigFile(sources.configFile) : {};
  const out: Record<string, unknown> = {};
  for (const [name, setting] of Object.entries(settings)) {
    const candidates: [unknown, string][] = [
      [sources.flags?.[name as SettingName], `--${sources.flagNames?.[name as SettingName] ?? name}`],
      [env[setting.env] === '' ? undefined : env[setting.env], setting.env],
      [file[name], `${name} in ${sources.configFile}`],
    ];
    const found = candidates.find(([value]) => value !== undefined && value !== null);
    if (!found) {
      out[name] = setting.default;
      continue;
    }
    const result = setting.schema.safeParse(found[0]);
    if (!result.success) {
      const problem = result.error.issues[0]?.message ?? 'invalid value';
      throw new ConfigError(`invalid setting ${found[1]}: ${problem.replace(/\s+/g, ' ')}`);
    }
    out[name] = result.data;
  }
  return out as ServerConfig;
}
