import type { TunnelPrompt, UnknownHost } from '../client/tunnel/index.js';
import { cliTexts } from './texts.js';

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
  const message = cliTexts()('tunnel.passphrase', { file });
  const { passwordTheme } = await import('./input.js');
  return password({ message, theme: passwordTheme() }, { output: process.stderr });
}

/** ssh's own question, with what is needed to check the key against the host's. */
async function askTrustHost(host: UnknownHost): Promise<boolean> {
  const { createInterface } = await import('node:readline/promises');
  const t = cliTexts();
  process.stderr.write(
    `${t('tunnel.unknownHost', { host: host.host })}\n` +
      `${t('tunnel.fingerprint', { keyType: host.keyType, fingerprint: host.fingerprint })}\n`,
  );
  const rl = createInterface({ input: process.stdin, output: process.stderr });
  // In raw mode Ctrl+C reaches readline rather than the process; treat it as "no".
  const cancel = new AbortController();
  rl.once('SIGINT', () => cancel.abort());
  try {
    const answer = await rl.question(`${t('tunnel.trustHost', { file: host.knownHostsFile })} `, {
      signal: cancel.signal,
    });
    // "yes" always, as ssh asks; the language's own yes too.
    return new RegExp(`^(y(es)?|${t('admin.yesPattern')})$`, 'i').test(answer.trim());
  } catch {
    process.stderr.write('\n');
    return false;
  } finally {
    rl.close();
  }
}
