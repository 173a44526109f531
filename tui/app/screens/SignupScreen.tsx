import { useState } from 'react';
import { emailProblem, LIMITS, passwordProblem, usernameProblem } from '../../../server/protocol.js';
import { Form, useSubmit } from '../components/Form.js';
import type { TuiServices } from '../services.js';

interface Props {
  services: TuiServices;
  onSignedUp: (email: string, message: string) => void;
  onBack: () => void;
}

export function SignupScreen({ services, onSignedUp, onBack }: Props) {
  const [values, setValues] = useState({ username: '', email: '', password: '', again: '' });
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const values = { ...{ username: '', email: '', password: '', again: '' }, ...typed };
    const username = values.username.trim();
    const email = values.email.trim().toLowerCase();
    // The server checks again; these catch a typo before a round trip, worded as it would word it.
    const ok = submit.check([
      ['username', username ? usernameProblem(username) : 'choose a username'],
      ['email', email ? emailProblem(email) : 'enter your email'],
      ['password', values.password ? passwordProblem(values.password) : 'choose a password'],
      // A password typed blind is typed twice: a typo here would lock the account out at once.
      ['again', values.again === values.password ? undefined : 'the two passwords differ; type it again'],
    ]);
    if (!ok) return;
    const result = await submit.run('Creating your account…', () =>
      services.rest().signup({ username, email, password: values.password }),
    );
    if (result) onSignedUp(email, result.message);
  };
  return (
    <Form
      title="Sign up"
      fields={[
        {
          name: 'username',
          label: 'Username',
          placeholder: `${LIMITS.usernameMin}-${LIMITS.usernameMax} of a-z 0-9 _ . -`,
        },
        { name: 'email', label: 'Email' },
        {
          name: 'password',
          label: 'Password',
          secret: true,
          placeholder: `${LIMITS.passwordMin}-${LIMITS.passwordMax} characters`,
        },
        { name: 'again', label: 'Password again', secret: true, placeholder: 'the same, to be sure' },
      ]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={onBack}
      submitLabel="Sign up"
      {...submit}
    />
  );
}
