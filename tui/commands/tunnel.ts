import { Args, Errors, Flags, type Interfaces } from '@oclif/core';
import { clientDefaults } from '../../config/client.js';
import { jsonFlag, Mux1Command } from '../cli/base-command.js';
import { isTunnelFailure, reportTunnelFailure } from '../cli/errors.js';
import { identityFlag, knownHostsFlag, parseSshTarget } from '../cli/via.js';
import type { Tunnel as OpenTunnel, TunnelError } from '../client/tunnel/index.js';
import { recordOpenTunnel } from '../client/tunnel/open-tunnels.js';
import { cliTexts } from '../cli/texts.js';

const port = (summary: string, extra: { default?: number } = {}) =>
  Flags.integer({ summary, min: 1, max: 65535, ...extra });

export default class Tunnel extends Mux1Command {
  static override summary = 'Reach a remote mux1 server through an SSH tunnel';
  static override description =
    'Opens an SSH local forward, like `ssh -N -L`, to REMOTE-HOST:REMOTE-PORT as seen from USER@HOST, ' +
    'prints the local URL to use as --server, and runs until interrupted (Ctrl+C, SIGTERM). ' +
    'Logs in with the SSH agent, then --identity, then the keys of ~/.ssh/config or ~/.ssh/id_*; ' +
    'checks the host key against known_hosts. When the link drops it reconnects, keeping the local ' +
    'port open. A login through the tunnel belongs to the server behind it, so the next tunnel to that ' +
    'server, on whatever port, is signed in. Like `ssh -L`, any local user can connect to that port on 127.0.0.1.';
  static override examples = [
    '<%= config.bin %> tunnel alice@chat.example.com',
    '<%= config.bin %> tunnel chat-box --identity ~/.ssh/id_ed25519',
    {
      description: 'A server on port 8080 of the remote machine, on a fixed local port:',
      command: '<%= config.bin %> tunnel alice@chat.example.com --remote-port 8080 --local-port 5050',
    },
    {
      description: 'For one command only, without a separate tunnel:',
      command: '<%= config.bin %> whoami --via alice@chat.example.com --via-identity ~/.ssh/id_chat',
    },
  ];
  static override args = {
    'user@host': Args.string({
      description:
        'SSH login and host of the machine the server runs on: USER@HOST, HOST or a ~/.ssh/config alias.',
      required: true,
      parse: parseSshTarget,
    }),
  };
  static override baseFlags = { json: jsonFlag };
  static override flags = {
    'ssh-port': port("SSH port (default: the target's :PORT, else ~/.ssh/config's Port, else 22)."),
    'local-port': port('Local port on 127.0.0.1 (default: a free one).'),
    'remote-host': Flags.string({
      summary: 'Where the server listens, as seen from the remote machine.',
      default: '127.0.0.1',
    }),
    'remote-port': port('Port the server listens on, on the remote side.', { default: 5000 }),
    identity: identityFlag({
      summary: 'Private key file, tried after the SSH agent and before ~/.ssh keys.',
    }),
    'known-hosts': knownHostsFlag({
      summary: 'known_hosts file to check the host key against (default ~/.ssh/known_hosts).',
    }),
    'accept-new': Flags.boolean({
      summary:
        'Trust a host seen for the first time and add it to known_hosts; a changed key is still refused.',
    }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parse(Tunnel);
    // ssh2 and the tunnel load here only, so every other command starts without them.
    const { openTunnel, formatStatus } = await import('../client/tunnel/index.js');
    const { terminalPrompts } = await import('../cli/tunnel-prompts.js');
    let stopping = false;
    const tunnel = await openTunnel({
      target: args['user@host'],
      sshPort: flags['ssh-port'],
      localPort: flags['local-port'],
      remoteHost: flags['remote-host'],
      remotePort: flags['remote-port'],
      identity: flags.identity,
      knownHostsFile: flags['known-hosts'],
      acceptNew: flags['accept-new'],
      prompt: terminalPrompts(),
      // Status goes to stderr so stdout stays the URL (or the one JSON object). A final failure is
      // reported once, as the command's error; once stopping, a check still under way would
      // report the link's end as its failure, so only "tunnel closed" is said.
      onStatus: (event) => {
        if (event.type === 'failed' || (stopping && event.type !== 'closed')) return;
        process.stderr.write(formatStatus(event) + '\n');
      },
    });
    // The port is recorded, and the signals handled, before the URL goes out: whoever reads it may
    // use the tunnel, or stop it, at once.
    const forget = recordTunnel(tunnel);
    try {
      const error = await untilStopped(tunnel, {
        ready: () =>
          this.result(
            {
              url: tunnel.url,
              local_port: tunnel.localPort,
              ssh_host: tunnel.sshHost,
              remote: tunnel.remote,
            },
            [
              cliTexts()('tunnel.forwarding', {
                url: tunnel.url,
                remote: tunnel.remote,
                sshHost: tunnel.sshHost,
              }),
              cliTexts()('tunnel.useIt', { url: tunnel.url }),
            ],
          ),
        stop: () => (stopping = true),
      });
      if (error) throw error;
    } finally {
      forget();
    }
  }

  protected override async catch(err: Interfaces.CommandError): Promise<never> {
    if (!(err instanceof Errors.ExitError) && isTunnelFailure(err))
      reportTunnelFailure(err, this.jsonEnabled());
    return super.catch(err);
  }
}

/**
 * Says which server is behind the tunnel's port, so sessions are filed under that server and the
 * next tunnel to it finds them (see credentials.ts). Without the record the tunnel still works;
 * logins through it are then filed under its URL, as for any server.
 */
function recordTunnel(tunnel: OpenTunnel): () => void {
  try {
    return recordOpenTunnel(clientDefaults.configDir(), tunnel);
  } catch (err) {
    const values = { dir: clientDefaults.configDir(), reason: (err as Error).message, url: tunnel.url };
    process.stderr.write(`${cliTexts()('tunnel.notRecorded', values)}\n`);
    return () => {};
  }
}

/**
 * Waits for SIGINT, SIGTERM or SIGHUP, then closes the tunnel; or for the tunnel to give up on its
 * own, and returns why. `ready` runs once the signals are handled. A second Ctrl+C while closing
 * finds no handler and ends the process at once.
 */
async function untilStopped(
  tunnel: OpenTunnel,
  on: { ready: () => void; stop: () => void },
): Promise<TunnelError | undefined> {
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  let stop!: () => void;
  const stopped = new Promise<'signal'>((resolve) => (stop = () => resolve('signal')));
  for (const signal of signals) process.once(signal, stop);
  try {
    on.ready();
    const outcome = await Promise.race([tunnel.closed, stopped]);
    if (outcome !== 'signal') return outcome;
    on.stop();
    await tunnel.close();
    return undefined;
  } finally {
    for (const signal of signals) process.off(signal, stop);
  }
}
