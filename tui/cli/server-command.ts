import { Errors, Flags, type Interfaces } from '@oclif/core';
import { clientDefaults } from '../../config/client.js';
import type { ActiveToken, SessionStore } from '../client/credentials.js';
import type { RestClient } from '../client/rest.js';
import { normalizeServerUrl } from '../client/server-url.js';
import { jsonFlag, Mux1Command } from './base-command.js';
import { caFlag, rerunTrusting } from './ca.js';
import { Mux1Error } from '../client/errors.js';
import { isPersonalAccessToken, tokenShapeProblem } from '../client/tokens.js';
import { CliError, isTunnelFailure, reportTunnelFailure, UsageError } from './errors.js';
import { englishTexts, type Words } from './texts.js';
import { describeFailure } from '../client/language.js';
import {
  openVia,
  renameTunnelUrl,
  viaFlags,
  viaRemote,
  viaSettings,
  viaSshHost,
  type Via,
  type ViaSettings,
} from './via.js';

export const serverFlag = Flags.string({
  summary: 'URL of the mux1 server.',
  env: 'MUX1_SERVER',
  default: clientDefaults.serverUrl,
  helpGroup: 'GLOBAL',
  parse: async (input) => normalizeServerUrl(input),
});

// oclif's own FlagOutput/ArgOutput, which its index does not export.
// eslint-disable-next-line @typescript-eslint/no-explicit-any
type Parsed = { [name: string]: any };

/**
 * A command that talks to a mux1 server: `--server` and `--via` on top of `--json`, and the REST
 * client and credential store, both imported on first use so `mux1 --help` never loads them.
 *
 * With `--via`, everything that connects goes through dial(), which opens the SSH tunnel on first
 * use and closes it when the command ends; everything that names the server - results, messages -
 * keeps using --server, and sessions are filed under --server as the SSH host reaches it, so
 * `login --via` and `whoami --via` share a session.
 */
export abstract class ServerCommand extends Mux1Command {
  static override baseFlags = { json: jsonFlag, server: serverFlag, ca: caFlag, ...viaFlags };

  /**
   * What the command does, for a command no personal access token may ever do (the server refuses
   * it whatever the token's scopes): said before asking for passwords or sending anything.
   */
  static tokenForbidden: Words | undefined;

  /** Where the token in use came from, so a refusal of MUX1_TOKEN is not blamed on a login. */
  private tokenSource: 'env' | 'file' | undefined;

  private viaSettings: ViaSettings | undefined;
  private viaOpening: Promise<Via> | undefined;
  private via: Via | undefined;

  protected override async parse<F extends Parsed, B extends Parsed, A extends Parsed>(
    options?: Interfaces.Input<F, B, A>,
    argv: string[] = this.argv,
  ): Promise<Interfaces.ParserOutput<F, B, A>> {
    const parsed = await super.parse(options, argv);
    const { ca } = parsed.flags as { ca?: string };
    if (ca) {
      const status = await rerunTrusting(ca);
      // The child did the work and printed its result: this process only passes its status on.
      if (status !== undefined) throw new Errors.ExitError(status);
    }
    const via = viaSettings(parsed.flags);
    const { server } = parsed.flags as { server?: string };
    if (via && server) {
      viaRemote(server); // an https server is refused here, before anything is opened
      this.viaSettings = via;
    }
    return parsed;
  }

  /** The URL to connect to for `server`: itself, or with --via the local end of the tunnel. */
  protected async dial(server: string): Promise<string> {
    if (!this.viaSettings) return server;
    this.viaOpening ??= openVia(this.viaSettings, server).then((via) => (this.via = via));
    return (await this.viaOpening).url;
  }

  protected async rest(server: string, token?: string): Promise<RestClient> {
    const { createRestClient } = await import('../client/rest.js');
    return createRestClient({ server: await this.dial(server), token, userAgent: this.config.userAgent });
  }

  /** Sessions of --server; with --via, of the server behind the tunnel, not of a local one. */
  protected async credentials(): Promise<SessionStore> {
    const { sessionStore } = await import('../client/credentials.js');
    return sessionStore(this.viaSettings && (await viaSshHost(this.viaSettings)));
  }

  /** The token to act with: MUX1_TOKEN, else the stored session for this server. */
  protected async requireToken(server: string): Promise<ActiveToken> {
    const { activeToken } = await this.credentials();
    const active = await activeToken(server);
    if (!active) {
      const bin = this.config.bin;
      throw new CliError('not_logged_in', (t) => t('session.notLoggedIn', { server, bin }));
    }
    if (active.source === 'env') {
      const wrong = tokenShapeProblem(active.token);
      if (wrong) throw new UsageError(wrong, 'bad_token');
      const doing = (this.constructor as typeof ServerCommand).tokenForbidden;
      if (doing && isPersonalAccessToken(active.token)) {
        const bin = this.config.bin;
        throw new UsageError(
          (t) => t('session.tokenNeverAllowed', { doing: doing(t), bin }),
          'token_not_allowed',
        );
      }
    }
    this.tokenSource = active.source;
    return active;
  }

  protected override async catch(err: Interfaces.CommandError): Promise<never> {
    if (this.tokenSource === 'env')
      err = blameTheEnvironment(err, this.config.bin) as Interfaces.CommandError;
    if (!(err instanceof Errors.ExitError)) {
      if (isTunnelFailure(err)) reportTunnelFailure(err, this.jsonEnabled());
      if (this.via) renameTunnelUrl(err, this.via);
    }
    return super.catch(err);
  }

  /** The tunnel ends with the command, whether it succeeded or not. */
  protected override async finally(err: Error | undefined): Promise<void> {
    const opening = this.viaOpening;
    this.viaOpening = undefined;
    await opening?.then((via) => via.close()).catch(() => {});
    await super.finally(err);
  }
}

/**
 * A refusal of MUX1_TOKEN: the hint for a stored session ("log in again") would send the person to
 * the wrong place, so the sentence names the variable and what a token can and cannot do.
 */
function blameTheEnvironment(err: unknown, bin: string): unknown {
  if (!Mux1Error.is(err)) return err;
  if (err.code === 'unauthorized') {
    return new CliError('unauthorized', (t) => t('session.tokenRefused', { bin }));
  }
  if (err.code === 'insufficient_scope') {
    const refusal = err;
    return new CliError('insufficient_scope', (t) =>
      t('session.tokenLacksScope', {
        refusal: t === englishTexts ? refusal.message : describeFailure(refusal),
        bin,
      }),
    );
  }
  return err;
}
