import { useState } from 'react';
import { codeProblem, emailProblem, LIMITS } from '../../../server/protocol.js';
import { Form, useSubmit } from '../components/Form.js';
import type { TuiServices } from '../services.js';

interface Props {
  services: TuiServices;
  email?: string;
  /** Shown above the form, e.g. the signup confirmation. */
  intro?: string;
  onVerified: (message: string) => void;
  onBack: () => void;
}

const MISSING_EMAIL = 'enter the email you signed up with';

export function VerifyScreen({ services, email, intro, onVerified, onBack }: Props) {
  const [values, setValues] = useState({ email: email ?? '', code: '' });
  const [notice, setNotice] = useState(intro);
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const values = { email: '', code: '', ...typed };
    const address = values.email.trim();
    const code = values.code.replace(/\s+/g, '');
    const ok = submit.check([
      ['email', address ? emailProblem(address) : MISSING_EMAIL],
      ['code', codeProblem(code)],
    ]);
    if (!ok) return;
    setNotice(undefined);
    const result = await submit.run('Verifying…', () =>
      services.rest().verifyEmail({ email: address, code }),
    );
    if (result) onVerified(result.message);
  };
  const resend = async () => {
    const address = values.email.trim();
    if (!submit.check([['email', address ? emailProblem(address) : MISSING_EMAIL]])) return;
    setNotice(undefined);
    const result = await submit.run('Asking for a new code…', () =>
      services.rest().resendVerification({ email: address }),
    );
    if (result) setNotice(result.message);
  };
  return (
    <Form
      title="Verify your email"
      fields={[
        { name: 'email', label: 'Email' },
        { name: 'code', label: 'Code', placeholder: `${LIMITS.codeDigits} digits from the mail` },
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
