import { Args, Flags } from '@oclif/core';
import { UsageError } from '../../cli/errors.js';
import { ServerCommand } from '../../cli/server-command.js';
import { defaultPublicKeyFile, readPublicKeyFile } from '../../client/ssh-sign.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts, englishTexts } from '../../cli/texts.js';

export default class KeysAdd extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.manageSshKeys');
  static override summary = 'Add an SSH public key to log in with (mux1 login --ssh)';
  static override description =
    'Reads a .pub file (default: ~/.ssh/id_ed25519.pub, else id_ecdsa.pub, else id_rsa.pub). Accepted: ' +
    'ed25519, ECDSA P-256 and P-384, RSA of 3072 bits or more. The server mails you when a key is added.';
  static override examples = [
    '<%= config.bin %> keys add',
    '<%= config.bin %> keys add ~/.ssh/work_ed25519.pub --name work-laptop',
  ];
  static override args = {
    file: Args.string({ description: 'The public key file (.pub).', required: false }),
  };
  static override flags = {
    name: Flags.string({ summary: 'A name for the key (default: its comment).' }),
  };

  async run() {
    const { args, flags } = await this.parse(KeysAdd);
    const file = args.file ?? defaultPublicKeyFile();
    if (!file) {
      throw new UsageError((t) => t('keys.noPublicKey'), 'invalid_field', { field: 'file' });
    }
    let publicKey: string;
    try {
      publicKey = readPublicKeyFile(file);
    } catch (err) {
      throw new UsageError((err as Error).message, 'invalid_field', { field: 'file' });
    }
    const active = await this.requireToken(flags.server);
    const rest = await this.rest(flags.server, active.token);
    const key = await rest.addSshKey({
      public_key: publicKey,
      ...(flags.name !== undefined && { name: flags.name }),
    });
    const values = { id: key.id, fingerprint: key.fingerprint, bin: this.config.bin };
    const message = englishTexts('keys.added', values);
    this.log(cliTexts()('keys.added', values));
    return { message, server: flags.server, key };
  }
}
