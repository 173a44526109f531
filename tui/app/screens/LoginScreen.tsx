import { useState } from 'react';
import { Form } from '../components/Form.js';
import { useSubmit } from '../hooks/useSubmit.js';
import type { LoginBody } from '../../../server/protocol.js';
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
    if (!values.username.trim()) return submit.fail('username', 'enter your username or email');
    if (!values.password) return submit.fail('password', 'enter your password');
    let notVerified = false;
    const result = await submit.run('Logging in…', () =>
      services.rest.login({ username: values.username.trim(), password: values.password }).catch((err) => {
        notVerified = (err as { code?: string }).code === 'email_not_verified';
        throw err;
      }),
    );
    if (result) onLoggedIn(result);
    else if (notVerified)
      onNeedsVerification(values.username.includes('@') ? values.username.trim() : undefined);
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
