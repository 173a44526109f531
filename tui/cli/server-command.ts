import { Flags } from '@oclif/core';
import { clientDefaults } from '../../config/client.js';
import type { ActiveToken } from '../client/credentials.js';
import type { RestClient } from '../client/rest.js';
import { normalizeServerUrl } from '../client/server-url.js';
import { jsonFlag, Mux1Command } from './base-command.js';
import { CliError } from './errors.js';

export const serverFlag = Flags.string({
  summary: 'URL of the mux1 server.',
  env: 'MUX1_SERVER',
  default: clientDefaults.serverUrl,
  helpGroup: 'GLOBAL',
  parse: async (input) => normalizeServerUrl(input),
});

/**
 * A command that talks to a mux1 server: `--server` on top of `--json`, and the REST client and
 * credential store, both imported on first use so `mux1 --help` never loads them.
 */
export abstract class ServerCommand extends Mux1Command {
  static override baseFlags = { json: jsonFlag, server: serverFlag };

  protected async rest(server: string, token?: string): Promise<RestClient> {
    const { createRestClient } = await import('../client/rest.js');
    return createRestClient({ server, token, userAgent: this.config.userAgent });
  }

  protected credentials(): Promise<typeof import('../client/credentials.js')> {
    return import('../client/credentials.js');
  }

  /** The token to act with: MUX1_TOKEN, else the stored session for this server. */
  protected async requireToken(server: string): Promise<ActiveToken> {
    const { activeToken } = await this.credentials();
    const active = await activeToken(server);
    if (!active) {
      throw new CliError(
        'not_logged_in',
        `Not logged in to ${server}: run '${this.config.bin} login --username NAME' or set MUX1_TOKEN`,
      );
    }
    return active;
  }
}
