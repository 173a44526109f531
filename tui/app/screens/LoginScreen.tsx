import { useState } from 'react';
import { secondFactorProblem, type LoginBody, type MfaRequiredBody } from '../../../server/protocol.js';
import { Mux1Error } from '../../client/errors.js';
import { Form, useSubmit } from '../components/Form.js';
import type { TuiServices } from '../services.js';

interface Props {
  services: TuiServices;
  notice?: string;
  onLoggedIn: (result: LoginBody) => void;
  onBack: () => void;
  /** The account needs its email verified first. */
  onNeedsVerification: (email?: string) => void;
}

/** The password, then, for an account with two-factor sign-in, the code (SecondStep). */
export function LoginScreen(props: Props) {
  const [pending, setPending] = useState<MfaRequiredBody | undefined>();
  return pending ? (
    <SecondStep {...props} pending={pending} onBack={() => setPending(undefined)} />
  ) : (
    <PasswordStep {...props} onSecondStep={setPending} />
  );
}

function PasswordStep({
  services,
  notice,
  onLoggedIn,
  onBack,
  onNeedsVerification,
  onSecondStep,
}: Props & { onSecondStep: (pending: MfaRequiredBody) => void }) {
  const [values, setValues] = useState({ username: '', password: '' });
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const values = { ...{ username: '', password: '' }, ...typed };
    const username = values.username.trim();
    const ok = submit.check([
      ['username', username ? undefined : 'enter your username or email'],
      ['password', values.password ? undefined : 'enter your password'],
    ]);
    if (!ok) return;
    let notVerified = false;
    const result = await submit.run('Logging in…', () =>
      services
        .rest()
        .login({ username, password: values.password })
        .catch((err: unknown) => {
          notVerified = Mux1Error.is(err) && err.code === 'email_not_verified';
          throw err;
        }),
    );
    if (result && 'mfa_required' in result) onSecondStep(result);
    else if (result) onLoggedIn(result);
    else if (notVerified) onNeedsVerification(username.includes('@') ? username : undefined);
  };
  return (
    <Form
      title="Log in"
      fields={[
        { name: 'username', label: 'Username or email' },
        { name: 'password', label: 'Password', secret: true },
      ]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={onBack}
      submitLabel="Log in"
      notice={submit.busy || submit.error ? undefined : notice}
      {...submit}
    />
  );
}

/**
 * The code from the authenticator app, or ("Use a backup code") one of the backup codes. An
 * expired or spent pending login goes back to the password.
 */
function SecondStep({ services, pending, onLoggedIn, onBack }: Props & { pending: MfaRequiredBody }) {
  const [backup, setBackup] = useState(false);
  const [values, setValues] = useState({ code: '' });
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const code = (typed.code ?? '').trim();
    const shape = backup
      ? secondFactorProblem(code) && 'enter one of your backup codes, like 7k2m-x9qa-4hbn'
      : /^\d{6}$/.test(code)
        ? undefined
        : 'enter the 6 digits your authenticator app shows';
    if (!submit.check([['code', shape || undefined]])) return;
    let expired = false;
    const result = await submit.run('Checking the code…', () =>
      services
        .rest()
        .loginSecondStep({ mfa_token: pending.mfa_token, code })
        .catch((err: unknown) => {
          expired = Mux1Error.is(err) && err.code === 'invalid_mfa_token';
          throw err;
        }),
    );
    if (result) onLoggedIn(result);
    else if (expired) onBack();
  };
  return (
    <Form
      title="Two-factor sign-in"
      fields={[
        backup
          ? { name: 'code', label: 'Backup code', placeholder: 'xxxx-xxxx-xxxx' }
          : { name: 'code', label: 'Code from your app', placeholder: '6 digits' },
      ]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={onBack}
      submitLabel="Log in"
      actions={[
        {
          label: backup ? 'Use the app instead' : 'Use a backup code',
          run: () => {
            setBackup((b) => !b);
            setValues({ code: '' });
          },
        },
      ]}
      notice={
        submit.busy || submit.error
          ? undefined
          : 'Your password was right. The code proves it is you; it changes every 30 seconds.'
      }
      {...submit}
    />
  );
}
