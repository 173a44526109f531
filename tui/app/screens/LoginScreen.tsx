import { useState } from 'react';
import type { LoginBody } from '../../../server/protocol.js';
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

export function LoginScreen({ services, notice, onLoggedIn, onBack, onNeedsVerification }: Props) {
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
    if (result) onLoggedIn(result);
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
