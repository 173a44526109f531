import { readFileSync } from 'node:fs';
import { Flags } from '@oclif/core';
import { Mux1Error } from '../client/errors.js';
import type { SshSigner } from '../client/ssh-sign.js';
import type { RestClient } from '../client/rest.js';
import { CliError, UsageError } from '../cli/errors.js';
import type { LoginBody, MfaRequiredBody } from '../../server/protocol.js';
import {
  askKeyPassphrase,
  askSecondFactor,
  checkSecondFactor,
  nextCommand,
  passwordStdinFlag,
  readPassword,
  secondFactorStdinFlag,
  stdinLines,
  THE,
} from '../cli/input.js';
import { ServerCommand } from '../cli/server-command.js';
import { cliTexts, englishTexts, serverOr } from '../cli/texts.js';
import { describeFailure } from '../client/language.js';

export default class Login extends ServerCommand {
  static override summary = 'Log in and keep the session in the credential file';
  static override description =
    'The session token goes to a file readable only by you, in MUX1_CONFIG_DIR, else $XDG_CONFIG_HOME/mux1, ' +
    'else ~/.config/mux1 - one file per server URL. The password is never stored.';
  static override examples = [
    '<%= config.bin %> login --username alice',
    '<%= config.bin %> login --username alice@example.com --server https://chat.example.com',
    {
      description: 'From a script, with the password on standard input:',
      command: '<%= config.bin %> login --username alice --password-stdin --json <<< "$PASSWORD"',
    },
    {
      description: 'Through a browser where you are signed in (it shows a code to approve at /device):',
      command: '<%= config.bin %> login --web',
    },
    {
      description: 'With an SSH key registered by `keys add`, signed by your ssh-agent (or a key file):',
      command: '<%= config.bin %> login --ssh --username alice [--identity ~/.ssh/id_ed25519]',
    },
    {
      description: 'With two-factor sign-in on: the password, then the code, one per line:',
      command: `printf '%s\\n%s\\n' "$PASSWORD" "$CODE" | <%= config.bin %> login --username alice --password-stdin --code-stdin`,
    },
  ];
  static override flags = {
    username: Flags.string({ summary: 'Your username or email address.', exactlyOne: ['username', 'web'] }),
    'password-stdin': passwordStdinFlag,
    'code-stdin': secondFactorStdinFlag,
    web: Flags.boolean({
      summary: 'Log in through a browser where you are signed in: approve the code shown at /device.',
      description:
        'Prints a code, the page to approve it on and a QR code of that page, opens a browser when there ' +
        'is a display (never in CI or when the output is not a terminal), and waits up to 10 minutes.',
      exactlyOne: ['username', 'web'],
      exclusive: ['password-stdin', 'code-stdin'],
    }),
    browser: Flags.boolean({
      summary: 'With --web: open a browser when there is a display (--no-browser: never).',
      allowNo: true,
      default: true,
    }),
    ssh: Flags.boolean({
      summary: 'Log in with an SSH key (keys add) instead of the password: the ssh-agent signs.',
      description:
        'Each key the agent at SSH_AUTH_SOCK holds is tried in turn until one is registered for the account. ' +
        'The key never leaves this machine, --via or not.',
      exclusive: ['password-stdin', 'web'],
    }),
    identity: Flags.string({
      summary: 'With --ssh, sign with this private key file instead of the agent (asks for its passphrase).',
      dependsOn: ['ssh'],
    }),
  };

  async run() {
    const { flags } = await this.parse(Login);
    if (flags.web) return this.webLogin(flags);
    // Without --web, --username is there (exactlyOne above).
    const username = flags.username!;
    if (flags.ssh) return this.keep(flags.server, await this.sshLogin({ ...flags, username }));
    // Both on stdin: a line at a time, so an account without two factors needs only the first.
    const lines = flags['password-stdin'] && flags['code-stdin'] ? stdinLines('--code-stdin') : undefined;
    const password = lines
      ? await lines.next(THE.password)
      : await readPassword({ fromStdin: flags['password-stdin'] });
    const rest = await this.rest(flags.server);
    const first = await rest.login({ username, password }).catch((err: unknown) => {
      if (Mux1Error.is(err) && err.code === 'email_not_verified') {
        const email = username.includes('@') ? username : 'EMAIL';
        const run = (...words: string[]) => `'${nextCommand(this.config.bin, words, flags)}'`;
        const verify = run('verify', '--email', email);
        const resend = run('resend', '--email', email);
        throw new CliError('email_not_verified', err.message, 1, {
          hint: (t) => t('login.verifyFirst', { verify, resend }),
        });
      }
      throw err;
    });
    const login = 'mfa_required' in first ? await this.secondStep(first, flags, lines) : first;
    lines?.close();
    return this.keep(flags.server, login);
  }

  /** Keeps a session, whichever way it was got, in the credential file. */
  private async keep(server: string, login: LoginBody) {
    const { saveLogin } = await this.credentials();
    const file = await saveLogin(server, login);
    // The token stays out of the output: stdout of scripts tends to end up in CI logs.
    const t = cliTexts();
    const done = serverOr(login.message, t('login.loggedIn', { username: login.user.username }));
    this.log(`${done} ${t('login.saved', { server, expires: login.expires_at })}`);
    return {
      message: login.message,
      server,
      user: login.user,
      expires_at: login.expires_at,
      file,
    };
  }

  /**
   * Device login (RFC 8628): the code and the page to approve it on, a QR code of the page with
   * the code filled in (for a phone), a browser when there is a display, then polls until the
   * code is approved there.
   */
  private async webLogin(flags: { server: string; browser: boolean }) {
    const { deviceLogin, deviceClientName, canOpenBrowser, openBrowser } =
      await import('../client/device-login.js');
    const { qrLines } = await import('../client/qr.js');
    const rest = await this.rest(flags.server);
    // With --json, stdout is for the result alone: the instructions go to stderr.
    const say = (line: string) => (this.jsonEnabled() ? process.stderr.write(line + '\n') : this.log(line));
    const controller = new AbortController();
    const stop = () => controller.abort();
    process.once('SIGINT', stop);
    try {
      const login = await deviceLogin(rest, {
        clientName: deviceClientName(),
        signal: controller.signal,
        onCode: (codes) => {
          const t = cliTexts();
          say(t('login.web.openPage'));
          say(`    ${codes.verification_uri}`);
          say(t('login.web.enterCode'));
          say('');
          say(`    ${codes.user_code}`);
          say('');
          say(t('login.web.scan', { url: codes.verification_uri_complete }));
          for (const line of qrLines(codes.verification_uri_complete)) say(line);
          const minutes = Math.round(codes.expires_in / 60);
          if (flags.browser && canOpenBrowser()) {
            openBrowser(codes.verification_uri_complete);
            say(t('login.web.openedBrowser', { count: minutes }));
          } else say(t('login.web.waiting', { count: minutes }));
        },
      });
      return await this.keep(flags.server, login);
    } catch (err) {
      if (Mux1Error.is(err) && err.code === 'access_denied') {
        throw new CliError('access_denied', (t) => t('login.web.denied'));
      }
      if (Mux1Error.is(err) && err.code === 'expired_token') {
        const expired = err;
        const bin = this.config.bin;
        throw new CliError(
          'expired_token',
          (t) =>
            t('login.web.expired', {
              reason: t === englishTexts ? expired.message : describeFailure(expired),
            }),
          1,
          { hint: (t) => t('login.web.again', { bin }) },
        );
      }
      throw err;
    } finally {
      process.off('SIGINT', stop);
    }
  }

  /**
   * Signs a fresh challenge with each key in turn (the agent's, or the one file) until the server
   * takes one. A key the account does not have is refused without counting toward its lockout.
   */
  private async sshLogin(flags: {
    server: string;
    username: string;
    identity?: string;
    'code-stdin': boolean;
  }): Promise<LoginBody> {
    // ssh2 is loaded only for an SSH-key login: a password login starts as fast as before.
    const { loginWithSshKeys } = await import('../client/ssh-sign.js');
    const signers = await this.sshSigners(flags.identity);
    const rest: RestClient = await this.rest(flags.server);
    // The namespace names the server the person asked for (--server), never what a server says.
    const first = await loginWithSshKeys(rest, {
      username: flags.username,
      serverUrl: flags.server,
      signers,
    });
    if (first) return 'mfa_required' in first ? this.secondStep(first, flags, undefined) : first;
    const values = {
      username: flags.username,
      server: flags.server,
      identity: flags.identity,
      count: signers.length,
    };
    const bin = this.config.bin;
    throw new CliError(
      'invalid_credentials',
      (t) => (flags.identity ? t('login.ssh.fileRefused', values) : t('login.ssh.agentRefused', values)),
      1,
      { hint: (t) => t('login.ssh.addKey', { bin }) },
    );
  }

  private async sshSigners(identity: string | undefined): Promise<SshSigner[]> {
    const { agentSigners, fileSigner, keyFileIsEncrypted } = await import('../client/ssh-sign.js');
    if (identity !== undefined) {
      let text: string;
      try {
        text = readFileSync(identity, 'utf8');
      } catch (err) {
        const reason = (err as Error).message;
        throw new UsageError((t) => t('login.ssh.unreadable', { file: identity, reason }), 'invalid_field', {
          field: 'identity',
        });
      }
      const passphrase = keyFileIsEncrypted(text) ? await askKeyPassphrase(identity) : undefined;
      const signer = fileSigner(text, passphrase);
      if (signer instanceof Error) {
        throw new UsageError(`${identity}: ${signer.message}`, 'invalid_field', { field: 'identity' });
      }
      return [signer];
    }
    const socket = process.env.SSH_AUTH_SOCK;
    if (!socket) {
      throw new UsageError((t) => t('login.ssh.noAgent'), 'no_agent');
    }
    let signers: SshSigner[];
    try {
      signers = await agentSigners(socket);
    } catch (err) {
      throw new UsageError((err as Error).message, 'no_agent');
    }
    if (signers.length === 0) {
      throw new UsageError((t) => t('login.ssh.noUsableKey'), 'no_agent');
    }
    return signers;
  }

  /** Two-factor sign-in: the code from stdin (--code-stdin) or a hidden prompt, for the session. */
  private async secondStep(
    pending: MfaRequiredBody,
    flags: { server: string; 'code-stdin': boolean },
    lines: ReturnType<typeof stdinLines> | undefined,
  ): Promise<LoginBody> {
    let code: string;
    if (lines) code = checkSecondFactor(await lines.next(THE.secondFactor));
    else if (flags['code-stdin']) code = checkSecondFactor(await stdinLines('--code-stdin').next(THE.code));
    else {
      if (!process.stdin.isTTY) {
        throw new UsageError((t) => t('login.secondFactorNeedsStdin'), 'no_terminal');
      }
      code = await askSecondFactor();
    }
    const rest = await this.rest(flags.server);
    return rest.loginSecondStep({ mfa_token: pending.mfa_token, code });
  }
}
