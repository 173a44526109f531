import { useState } from 'react';
import {
  secondFactorProblem,
  TWO_FACTOR,
  type LoginBody,
  type MfaRequiredBody,
} from '../../../server/protocol.js';
import { Mux1Error } from '../../client/errors.js';
import { textsOf } from '../../client/language.js';
import { Form, useSubmit } from '../components/Form.js';
import type { TuiServices } from '../services.js';

const t = textsOf('tui');

interface Props {
  services: TuiServices;
  notice?: string;
  onLoggedIn: (result: LoginBody) => void;
  onBack: () => void;
  /** The account needs its email verified first. */
  onNeedsVerification: (email?: string) => void;
  /** Log in with a key from the ssh-agent: the username alone, no password. */
  withSshKey?: boolean;
}

/**
 * The password, then, for an account with two-factor sign-in, the code (SecondStep). A second
 * step that ended (too slow, too many wrong codes) comes back here saying why, with the username
 * kept.
 */
export function LoginScreen(props: Props) {
  const [pending, setPending] = useState<{ body: MfaRequiredBody; username: string } | undefined>();
  const [back, setBack] = useState<{ username: string; why?: string }>({ username: '' });
  const toPassword = (why?: string) => {
    setBack({ username: pending?.username ?? '', why });
    setPending(undefined);
  };
  return pending ? (
    <SecondStep {...props} pending={pending.body} onBack={() => toPassword()} onEnded={toPassword} />
  ) : (
    <PasswordStep
      {...props}
      username={back.username}
      problem={back.why}
      onSecondStep={(body, username) => setPending({ body, username })}
    />
  );
}

function PasswordStep({
  services,
  notice,
  onLoggedIn,
  onBack,
  onNeedsVerification,
  onSecondStep,
  username: typedBefore,
  problem,
  withSshKey,
}: Props & {
  onSecondStep: (pending: MfaRequiredBody, username: string) => void;
  username: string;
  /** Why the form is shown again, e.g. an ended second step. */
  problem?: string;
}) {
  const [values, setValues] = useState({ username: typedBefore, password: '' });
  const submit = useSubmit();
  // Shown from the first frame until the form is sent again.
  const [why, setWhy] = useState(problem);
  const onSubmit = async (typed: Record<string, string>) => {
    setWhy(undefined);
    const values = { ...{ username: '', password: '' }, ...typed };
    const username = values.username.trim();
    const ok = submit.check([
      ['username', username ? undefined : t('login.enterUsername')],
      ['password', values.password || withSshKey ? undefined : t('login.enterPassword')],
    ]);
    if (!ok) return;
    const agent = services.sshAgent;
    if (withSshKey && agent) {
      const result = await submit.run(
        t('login.signingWithKey'),
        async () => (await agent.login(username)) ?? null,
      );
      if (result && 'mfa_required' in result) onSecondStep(result, username);
      else if (result) onLoggedIn(result);
      // No key of the agent's is the account's: said with the way to add one, in every language.
      else if (result === null) submit.fail(undefined, t('login.noKeyFits'));
      return;
    }
    let notVerified = false;
    const result = await submit.run(t('login.loggingIn'), () =>
      services
        .rest()
        .login({ username, password: values.password })
        .catch((err: unknown) => {
          notVerified = Mux1Error.is(err) && err.code === 'email_not_verified';
          throw err;
        }),
    );
    if (result && 'mfa_required' in result) onSecondStep(result, username);
    else if (result) onLoggedIn(result);
    else if (notVerified) onNeedsVerification(username.includes('@') ? username : undefined);
  };
  return (
    <Form
      title={withSshKey ? t('login.sshTitle') : t('login.title')}
      fields={
        withSshKey
          ? [{ name: 'username', label: t('login.username') }]
          : [
              { name: 'username', label: t('login.username') },
              { name: 'password', label: t('login.password'), secret: true },
            ]
      }
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={onBack}
      submitLabel={t('login.submit')}
      notice={submit.busy || submit.error || why ? undefined : notice}
      // Straight to the password when the username is known already.
      initialFocus={typedBefore && !withSshKey ? 1 : 0}
      {...submit}
      error={submit.error ?? (submit.busy ? undefined : why)}
    />
  );
}

/** Why a second step ended, said on the password form it returns to. */
export const secondStepEnded = {
  wrongCodes: t('login.endedWrongCodes', { count: TWO_FACTOR.mfaTokenTries }),
  expired: t('login.endedExpired', { count: TWO_FACTOR.mfaTokenMinutes }),
};

/**
 * The code from the authenticator app, or ("Use a backup code") one of the backup codes. An
 * expired or spent pending login goes back to the password, saying which.
 */
function SecondStep({
  services,
  pending,
  onLoggedIn,
  onBack,
  onEnded,
}: Props & { pending: MfaRequiredBody; onEnded: (why: string) => void }) {
  const [backup, setBackup] = useState(false);
  const [values, setValues] = useState({ code: '' });
  // Wrong codes this step took: the server ends it at TWO_FACTOR.mfaTokenTries.
  const [wrong, setWrong] = useState(0);
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const code = (typed.code ?? '').trim();
    const shape = backup
      ? secondFactorProblem(code) && t('login.backupShape')
      : /^\d{6}$/.test(code)
        ? undefined
        : t('login.appShape');
    if (!submit.check([['code', shape || undefined]])) return;
    let refusal: string | undefined;
    const result = await submit.run(t('login.checkingCode'), () =>
      services
        .rest()
        .loginSecondStep({ mfa_token: pending.mfa_token, code })
        .catch((err: unknown) => {
          refusal = Mux1Error.is(err) ? err.code : undefined;
          throw err;
        }),
    );
    if (result) return onLoggedIn(result);
    const wrongSoFar = wrong + (refusal === 'invalid_code' ? 1 : 0);
    setWrong(wrongSoFar);
    // The wrong code that reaches the limit ended the step already: no use typing another.
    if (wrongSoFar >= TWO_FACTOR.mfaTokenTries) onEnded(secondStepEnded.wrongCodes);
    else if (refusal === 'invalid_mfa_token') onEnded(secondStepEnded.expired);
  };
  return (
    <Form
      // A new form for the other kind of code, so focus starts again on its field.
      key={backup ? 'backup' : 'app'}
      title={t('login.secondStepTitle')}
      fields={[
        backup
          ? { name: 'code', label: t('login.backupCode'), placeholder: 'xxxx-xxxx-xxxx' }
          : { name: 'code', label: t('login.appCode'), placeholder: t('login.sixDigits') },
      ]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={onBack}
      submitLabel={t('login.submit')}
      actions={[
        {
          label: backup ? t('login.useApp') : t('login.useBackup'),
          run: () => {
            setBackup((b) => !b);
            setValues({ code: '' });
          },
        },
      ]}
      notice={submit.busy || submit.error ? undefined : t('login.passwordWasRight')}
      {...submit}
    />
  );
}
