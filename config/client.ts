import { homedir } from 'node:os';
import { join } from 'node:path';

/** Client-side settings shared by the CLI and the TUI (docs/cli.md). */
export const clientDefaults = {
  serverUrl: 'http://localhost:5000',
  /** Where credentials live: MUX1_CONFIG_DIR, else $XDG_CONFIG_HOME/mux1, else ~/.config/mux1. */
  configDir(env: NodeJS.ProcessEnv = process.env): string {
    if (env.MUX1_CONFIG_DIR) return env.MUX1_CONFIG_DIR;
    if (env.XDG_CONFIG_HOME) return join(env.XDG_CONFIG_HOME, 'mux1');
    return join(homedir(), '.config', 'mux1');
  },
  serverFromEnv(env: NodeJS.ProcessEnv = process.env): string {
    return env.MUX1_SERVER || clientDefaults.serverUrl;
  },
};
