import { useState } from 'react';
import { codeProblem, emailProblem, LIMITS } from '../../../server/protocol.js';
import { textsOf } from '../../client/language.js';
import { Form, inOurWords, problemIn, useSubmit } from '../components/Form.js';
import type { TuiServices } from '../services.js';

const t = textsOf('tui');

interface Props {
  services: TuiServices;
  email?: string;
  /** Shown above the form, e.g. the signup confirmation. */
  intro?: string;
  onVerified: (message: string) => void;
  onBack: () => void;
}

/** The email's problem, if any: missing, or not an address. */
const addressProblem = (address: string) =>
  address
    ? problemIn(emailProblem(address), () => t('form.rules.email', { max: LIMITS.emailMax }))
    : t('verify.missingEmail');

export function VerifyScreen({ services, email, intro, onVerified, onBack }: Props) {
  const [values, setValues] = useState({ email: email ?? '', code: '' });
  const [notice, setNotice] = useState(intro);
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const values = { email: '', code: '', ...typed };
    const address = values.email.trim();
    const code = values.code.replace(/\s+/g, '');
    const ok = submit.check([
      ['email', addressProblem(address)],
      ['code', problemIn(codeProblem(code), () => t('form.rules.emailCode', { digits: LIMITS.codeDigits }))],
    ]);
    if (!ok) return;
    setNotice(undefined);
    const result = await submit.run(t('verify.verifying'), () =>
      services.rest().verifyEmail({ email: address, code }),
    );
    if (result) onVerified(inOurWords(result.message, () => t('verify.verified')));
  };
  const resend = async () => {
    const address = values.email.trim();
    if (!submit.check([['email', addressProblem(address)]])) return;
    setNotice(undefined);
    const result = await submit.run(t('verify.asking'), () =>
      services.rest().resendVerification({ email: address }),
    );
    if (result) setNotice(inOurWords(result.message, () => t('verify.resent', { email: address })));
  };
  return (
    <Form
      title={t('verify.title')}
      fields={[
        { name: 'email', label: t('verify.email') },
        {
          name: 'code',
          label: t('verify.code'),
          placeholder: t('verify.codeHint', { digits: LIMITS.codeDigits }),
        },
      ]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={onBack}
      submitLabel={t('verify.submit')}
      actions={[{ label: t('verify.resend'), run: () => void resend() }]}
      initialFocus={email ? 1 : 0}
      notice={notice}
      {...submit}
    />
  );
}
