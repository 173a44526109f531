import type { LoginResult as LoginResultLabel } from '../metrics/registry.js';
import type { AccountsDeps, RequestMeta } from './index.js';

/*
 * The client address's budget of failed sign-ins (LIMIT_FAILED_LOGINS_PER_10MIN), shared by every
 * door that proves an account: a password (login.ts), a second factor (two-factor-login.ts), an
 * SSH key (ssh-login.ts), a passkey (passkey-login.ts). Each attempt takes a point first and gives
 * it back unless it failed, so a burst of parallel guesses is counted in full.
 */

/** How one door counts its refusals. */
export interface AddressCharge {
  /** Whether a refusal was a failure of the sign-in (a wrong secret, a locked account): those keep the point. */
  charged(err: unknown): boolean;
  /** The refusal's label in mux1_logins_total, or undefined when it is not counted there. */
  label(err: unknown): LoginResultLabel | undefined;
}

/** Whether a door's answer asks for a second factor (two-factor-login.ts SecondStepRequired). */
const secondStepNext = (result: unknown): boolean =>
  (result as { mfaRequired?: unknown } | null | undefined)?.mfaRequired === true;

export const codeOf = (err: unknown): string | undefined => {
  const code = (err as { code?: unknown } | null | undefined)?.code;
  return typeof code === 'string' ? code : undefined;
};

/** Refusals charged when their code is one of `codes`. */
export const chargedCodes =
  (...codes: string[]) =>
  (err: unknown): boolean =>
    codes.includes(codeOf(err) ?? '');

/** Refusals labelled by their code. */
export const labelsByCode =
  (labels: Record<string, LoginResultLabel | undefined>) =>
  (err: unknown): LoginResultLabel | undefined => {
    const code = codeOf(err);
    return code !== undefined && Object.hasOwn(labels, code) ? labels[code] : undefined;
  };

/**
 * Runs one sign-in attempt `check` (told how many failures the address had before this one)
 * against the address's budget: a budget already spent refuses it (rate_limited) before it runs;
 * a success and every refusal that is not `charged` give the point back. The outcome is counted
 * in mux1_logins_total, a refusal only when `label` names it. A right password that asks for a
 * second factor next is not counted as a sign-in: the second step counts it, so a sign-in with
 * two factors is one `ok`, as with one.
 */
export async function chargedToAddress<T>(
  deps: AccountsDeps,
  meta: RequestMeta,
  charge: AddressCharge,
  check: (addressFailures: number) => Promise<T>,
): Promise<T> {
  try {
    const fromAddress = await deps.limits.login(meta.ip);
    try {
      const result = await check(fromAddress.before);
      await fromAddress.refund();
      if (!secondStepNext(result)) deps.metrics.login('ok');
      return result;
    } catch (err) {
      if (!charge.charged(err)) await fromAddress.refund();
      throw err;
    }
  } catch (err) {
    const label = charge.label(err);
    if (label) deps.metrics.login(label);
    throw err;
  }
}
