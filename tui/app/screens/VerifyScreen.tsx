import { useState } from 'react';
import { Form } from '../components/Form.js';
import { useSubmit } from '../hooks/useSubmit.js';
import type { TuiServices } from '../services.js';

interface Props {
  services: TuiServices;
  email?: string;
  /** Shown above the form, e.g. the signup confirmation. */
  intro?: string;
  onVerified: (message: string) => void;
  onBack: () => void;
}

export function VerifyScreen({ services, email, intro, onVerified, onBack }: Props) {
  const [values, setValues] = useState({ email: email ?? '', code: '' });
  const [notice, setNotice] = useState(intro);
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const values = { email: '', code: '', ...typed };
    if (!values.email.trim()) return submit.fail('email', 'enter the email you signed up with');
    if (!/^\d{6}$/.test(values.code.trim())) return submit.fail('code', 'the code is 6 digits');
    setNotice(undefined);
    const result = await submit.run('Verifying…', () =>
      services.rest.verifyEmail({ email: values.email.trim(), code: values.code.trim() }),
    );
    if (result) onVerified(result.message);
  };
  const resend = async () => {
    if (!values.email.trim()) return submit.fail('email', 'enter the email you signed up with');
    setNotice(undefined);
    const result = await submit.run('Asking for a new code…', () =>
      services.rest.resendVerification(values.email.trim()),
    );
    if (result) setNotice(result.message);
  };
  return (
    <Form
      title="Verify your email"
      fields={[
        { name: 'email', label: 'Email' },
        { name: 'code', label: 'Code', placeholder: '6 digits from the mail' },
      ]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={onBack}
      submitLabel="Verify"
      actions={[{ label: 'Resend code', run: () => void resend() }]}
      initialFocus={email ? 1 : 0}
      notice={notice}
      {...submit}
    />
  );
}
