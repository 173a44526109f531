import { Args, Flags } from '@oclif/core';
import { jsonFlag, Mux1Command } from '../cli/base-command.js';
import { CliError } from '../cli/errors.js';

const port = (summary: string, extra: { default?: number } = {}) =>
  Flags.integer({ summary, min: 1, max: 65535, ...extra });

export default class Tunnel extends Mux1Command {
  static override summary = 'Reach a remote mux1 server through an SSH tunnel';
  static override description =
    'Opens an SSH local forward to REMOTE-HOST:REMOTE-PORT as seen from USER@HOST, prints the local URL ' +
    'to use as --server, and runs until interrupted. Not available in this version yet: the command and ' +
    'its flags are in place, the tunnel itself comes in a later release.';
  static override examples = [
    '<%= config.bin %> tunnel alice@chat.example.com',
    '<%= config.bin %> tunnel alice@chat.example.com --local-port 5050 --identity ~/.ssh/id_ed25519',
  ];
  static override args = {
    'user@host': Args.string({
      description: 'SSH login and host of the machine the server runs on.',
      required: true,
      parse: async (input) => {
        if (!/^[^@\s]+@[^@\s]+$/.test(input)) throw new Error(`expected USER@HOST, got "${input}"`);
        return input;
      },
    }),
  };
  static override baseFlags = { json: jsonFlag };
  static override flags = {
    'ssh-port': port('SSH port of the remote machine.', { default: 22 }),
    'local-port': port('Local port to listen on (default: a free one).'),
    'remote-host': Flags.string({
      summary: 'Where the server listens, as seen from the remote machine.',
      default: '127.0.0.1',
    }),
    'remote-port': port('Port the server listens on, on the remote side.', { default: 5000 }),
    identity: Flags.string({ summary: 'Private key file (default: the SSH agent, then ~/.ssh keys).' }),
    'known-hosts': Flags.string({ summary: 'known_hosts file to check the host key against.' }),
  };

  async run(): Promise<void> {
    await this.parse(Tunnel);
    throw new CliError(
      'not_available',
      `The SSH tunnel is not available in this version of ${this.config.bin} yet; ` +
        'until then, forward the port yourself: ssh -N -L 5000:127.0.0.1:5000 USER@HOST',
    );
  }
}
