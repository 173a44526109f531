import type { TunnelPrompt, UnknownHost } from '../client/tunnel/index.js';

/**
 * The questions a tunnel may ask, only where a person can answer them: standard input and standard
 * error both terminals (stderr, because stdout may be piped for --json). Without a terminal there
 * are no prompts, and the tunnel's answer is "no" - an encrypted key is skipped, an unknown host is
 * refused unless --accept-new - as ssh does in batch mode: a script never hangs on a question.
 */
export function terminalPrompts(): TunnelPrompt | undefined {
  if (!process.stdin.isTTY || !process.stderr.isTTY) return undefined;
  return { passphrase: askPassphrase, confirmHost: askTrustHost };
}

async function askPassphrase(file: string): Promise<string> {
  const { default: password } = await import('@inquirer/password');
  return password({ message: `Passphrase for ${file} (empty to skip this key)` }, { output: process.stderr });
}

/** ssh's own question, with what is needed to check the key against the host's. */
async function askTrustHost(host: UnknownHost): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  process.stderr.write(
    `The authenticity of host ${host.host} can't be established.\n` +
      `${host.keyType} key fingerprint is ${host.fingerprint}.\n`,
  );
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // In raw mode Ctrl+C reaches readline rather than the process; treat it as "no".
  const cancel = new AbortController();
  rl.once('SIGINT', () => cancel.abort());
  try {
    const answer = await rl.question(`Trust it and add it to ${host.knownHostsFile}? (yes/no) `, {
      signal: cancel.signal,
    });
    return /^y(es)?$/i.test(answer.trim());
  } catch {
    process.stderr.write('\n');
    return false;
  } finally {
    rl.close();
  }
}
