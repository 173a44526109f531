import { TWO_FACTOR } from '../../../server/protocol.js';
import {
  askSecondFactor,
  checkSecondFactor,
  passwordStdinFlag,
  readPassword,
  secondFactorStdinFlag,
  stdinLines,
  THE,
} from '../../cli/input.js';
import { ServerCommand } from '../../cli/server-command.js';
import { Mux1Error } from '../../client/errors.js';
import { safeText } from '../../client/safe-text.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts, serverOr } from '../../cli/texts.js';

/** Wrong first codes a person may type before the command gives up (the setup stays pending). */
const CODE_TRIES = 3;

export default class TwoFactorEnable extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageTwoFactor');
  static override summary =
    'Turn on two-factor sign-in: scan the QR code, type the first code, keep the backup codes';
  static override description =
    'Asks for your password, then draws a QR code (and prints the otpauth:// URI and the secret) for an ' +
    'authenticator app, and asks for the 6-digit code the app shows. The 10 backup codes are printed once: ' +
    'keep them somewhere safe, each logs in once without the app. Every other session is signed out. With ' +
    '--password-stdin and --code-stdin the password is the first line of standard input and the code the ' +
    'second, read after the QR code is shown (on standard error with --json).';
  static override examples = [
    '<%= config.bin %> 2fa enable',
    '<%= config.bin %> 2fa enable --json > backup-codes.json',
  ];
  static override flags = {
    'password-stdin': passwordStdinFlag,
    'code-stdin': secondFactorStdinFlag,
  };

  async run() {
    const { flags } = await this.parse(TwoFactorEnable);
    const active = await this.requireToken(flags.server);
    const bothOnStdin = flags['password-stdin'] && flags['code-stdin'];
    const lines = bothOnStdin ? stdinLines('--password-stdin --code-stdin') : undefined;
    const password = lines
      ? await lines.next(THE.password)
      : await readPassword({ fromStdin: flags['password-stdin'] });
    const rest = await this.rest(flags.server, active.token);
    const setup = await rest.setupTwoFactor({ password });

    const { qrLines } = await import('../../client/qr.js');
    const secret = safeText(setup.secret);
    const uri = safeText(setup.otpauth_url);
    // With --json, stdout holds the one result object: the setup is for the person, on stderr.
    const show = (text: string) => (this.jsonEnabled() ? process.stderr.write(text + '\n') : this.log(text));
    const t = cliTexts();
    show(
      [
        t('twoFactor.scan'),
        '',
        ...qrLines(setup.otpauth_url),
        '',
        t('twoFactor.byHand', { uri }),
        t('twoFactor.secret', { secret }),
        '',
      ].join('\n'),
    );

    const enabled = await (async () => {
      for (let attempt = 1; ; attempt++) {
        const code = lines
          ? checkSecondFactor(await lines.next(THE.code))
          : flags['code-stdin']
            ? checkSecondFactor(await stdinLines('--code-stdin').next(THE.code))
            : await askSecondFactor(t('twoFactor.askCode', { count: TWO_FACTOR.totpDigits }));
        try {
          return await rest.enableTwoFactor({ code });
        } catch (err) {
          const interactive = !flags['code-stdin'];
          if (!interactive || attempt === CODE_TRIES || !Mux1Error.is(err) || err.code !== 'invalid_code')
            throw err;
          process.stderr.write(`${t('twoFactor.wrongCode')}\n`);
        }
      }
    })();
    lines?.close();
    const codes = enabled.backup_codes.map((c) => safeText(c));
    this.log(
      [
        serverOr(safeText(enabled.message), t('twoFactor.on')),
        '',
        t('twoFactor.backupCodes'),
        ...codes.map((c) => `  ${c}`),
      ].join('\n'),
    );
    return {
      message: enabled.message,
      server: flags.server,
      secret: setup.secret,
      otpauth_url: setup.otpauth_url,
      backup_codes: enabled.backup_codes,
    };
  }
}
