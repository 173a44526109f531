import { Config, Help } from '@oclif/core';
import { repoRoot } from './cli.js';

/**
 * Every help page of the command line, drawn in this process as `mux1 ... --help` draws it: the
 * root, each command and each topic. Spawning the CLI once per page costs a minute on a busy
 * machine; this costs a second. A fresh Config per page, as oclif's help changes the ids of the
 * commands it lists (':' to ' ') and a later page would see them changed.
 */

type HelpClass = new (config: Config, opts?: object) => Help;

/** The subjects of help, as people type them: '' for the root, then `db migrate`, `sessions`. */
export async function helpSubjects(): Promise<string[]> {
  const config = await Config.load({ root: repoRoot });
  const ids = [...config.commands.map((c) => c.id), ...config.topics.map((t) => t.name)];
  return ['', ...[...new Set(ids)].sort()].map((id) => id.replaceAll(':', ' '));
}

/** One page, in the language the environment asks for (MUX1_LANG and the POSIX variables). */
export async function helpPage(
  HelpClass: HelpClass,
  subject: string,
  env: Record<string, string | undefined> = {},
): Promise<string> {
  const config = await Config.load({ root: repoRoot });
  const saved = new Map(Object.keys(env).map((k) => [k, process.env[k]]));
  const write = process.stdout.write;
  let out = '';
  for (const [k, v] of Object.entries(env)) {
    if (v === undefined) delete process.env[k];
    else process.env[k] = v;
  }
  process.stdout.write = ((chunk: string | Uint8Array) => {
    out += String(chunk);
    return true;
  }) as typeof process.stdout.write;
  try {
    // No colour and oclif's width off a terminal, whatever the terminal running the tests.
    const help = new HelpClass(config, { stripAnsi: true, maxWidth: 80 });
    await help.showHelp([...subject.split(' ').filter(Boolean), '--help']);
  } finally {
    process.stdout.write = write;
    for (const [k, v] of saved) {
      if (v === undefined) delete process.env[k];
      else process.env[k] = v;
    }
  }
  return out;
}
