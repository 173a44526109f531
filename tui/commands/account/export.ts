import { chmod, writeFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { ServerCommand } from '../../cli/server-command.js';
import { CliError } from '../../cli/errors.js';
import type { Words } from '../../cli/texts.js';
import { cliTexts, englishTexts } from '../../cli/texts.js';

export default class AccountExport extends ServerCommand {
  static override tokenForbidden: Words = (t) => t('forbidden.exportAccount');
  static override summary = 'Download everything the server stores about you, as JSON';
  static override description =
    'Profile, sessions (without their tokens), codes (without the codes), messages and activity. ' +
    'Printed on stdout, or written to --output FILE readable only by you.';
  static override examples = [
    '<%= config.bin %> account export > my-mux1-data.json',
    '<%= config.bin %> account export --output my-mux1-data.json',
  ];
  static override flags = {
    output: Flags.string({ char: 'o', summary: 'Write the export to this file instead of stdout.' }),
  };

  async run() {
    const { flags } = await this.parse(AccountExport);
    const active = await this.requireToken(flags.server);
    const rest = await this.rest(flags.server, active.token);
    const data = await rest.exportAccount();
    if (!flags.output) {
      // The export is the result: one object with --json, indented for reading otherwise.
      this.log(JSON.stringify(data, null, 2));
      return data;
    }
    const file = resolve(flags.output);
    try {
      await writeFile(file, JSON.stringify(data, null, 2) + '\n', { mode: 0o600 });
      // An existing file keeps its mode through writeFile; the export is private either way.
      await chmod(file, 0o600);
    } catch (err) {
      const reason = (err as Error).message;
      throw new CliError('write_failed', (t) => t('account.cannotWrite', { file, reason }));
    }
    const values = { username: data.user.username, file };
    const message = englishTexts('account.exported', values);
    this.log(cliTexts()('account.exported', values));
    return { message, server: flags.server, file, exported_at: data.exported_at };
  }
}
