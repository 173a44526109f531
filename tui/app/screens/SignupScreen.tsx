import { useState } from 'react';
import { Form } from '../components/Form.js';
import { useSubmit } from '../hooks/useSubmit.js';
import type { TuiServices } from '../services.js';

interface Props {
  services: TuiServices;
  onSignedUp: (email: string, message: string) => void;
  onBack: () => void;
}

export function SignupScreen({ services, onSignedUp, onBack }: Props) {
  const [values, setValues] = useState({ username: '', email: '', password: '' });
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const values = { ...{ username: '', email: '', password: '' }, ...typed };
    for (const [name, label] of [
      ['username', 'choose a username'],
      ['email', 'enter your email'],
      ['password', 'choose a password'],
    ] as const) {
      if (!values[name].trim()) return submit.fail(name, label);
    }
    const email = values.email.trim().toLowerCase();
    const result = await submit.run('Creating your account…', () =>
      services.rest.signup({ username: values.username.trim(), email, password: values.password }),
    );
    if (result) onSignedUp(email, result.message);
  };
  return (
    <Form
      title="Sign up"
      fields={[
        { name: 'username', label: 'Username', placeholder: '3-32 of a-z 0-9 _ . -' },
        { name: 'email', label: 'Email' },
        { name: 'password', label: 'Password', secret: true, placeholder: '8-128 characters' },
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
