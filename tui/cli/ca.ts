import { spawn } from 'node:child_process';
import { X509Certificate } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { constants } from 'node:os';
import { resolve } from 'node:path';
import { Flags } from '@oclif/core';
import { UsageError } from './errors.js';
import { terminal } from '../client/language.js';

export const caFlag = Flags.string({
  summary: 'PEM file of a private certificate authority to trust for an https:// server.',
  helpGroup: 'GLOBAL',
});

/** The first certificate of a PEM file, or a usage error saying what is wrong with the file. */
function checkCaFile(file: string): void {
  let pem: Buffer;
  try {
    pem = readFileSync(file);
  } catch (err) {
    const reason = (err as NodeJS.ErrnoException).code ?? 'error';
    throw new UsageError((t) => t('ca.unreadable', { file, reason }));
  }
  if (pem.length > 1_000_000 || !pem.includes('-----BEGIN CERTIFICATE-----')) {
    throw new UsageError((t) => t('ca.notPem', { file }));
  }
  try {
    new X509Certificate(pem);
  } catch (err) {
    const reason = (err as Error).message;
    throw new UsageError((t) => t('ca.badPem', { file, reason }));
  }
}

/**
 * `--ca FILE` is NODE_EXTRA_CA_CERTS=FILE: Node reads that variable once, when it starts, and
 * then trusts the file for every TLS connection of the process - fetch, the WebSocket, polling -
 * beside the usual roots. So the command runs once more in a child process with the variable
 * set, its terminal and exit status passed through; undefined when this process already trusts
 * FILE (it is that child, or the variable was set by hand).
 */
export async function rerunTrusting(file: string): Promise<number | undefined> {
  const path = resolve(file);
  if (process.env.NODE_EXTRA_CA_CERTS && resolve(process.env.NODE_EXTRA_CA_CERTS) === path) return undefined;
  checkCaFile(path);
  const child = spawn(process.execPath, [...process.execArgv, ...process.argv.slice(1)], {
    stdio: 'inherit',
    // The language as chosen here: a MUX1_LANG mux1 does not speak has been said once already.
    env: { ...process.env, NODE_EXTRA_CA_CERTS: path, MUX1_LANG: terminal.language },
  });
  // Ctrl+C on a terminal reaches both processes; a signal sent to this one alone is passed on.
  const forward = (signal: NodeJS.Signals) => child.kill(signal);
  const signals = ['SIGINT', 'SIGTERM', 'SIGHUP'] as const;
  for (const s of signals) process.on(s, forward);
  try {
    return await new Promise<number>((done, fail) => {
      child.once('error', fail);
      child.once('exit', (code, signal) => done(code ?? 128 + (signal ? constants.signals[signal] : 1)));
    });
  } finally {
    for (const s of signals) process.off(s, forward);
  }
}
