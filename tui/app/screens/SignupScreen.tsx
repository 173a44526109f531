import { useState } from 'react';
import { emailProblem, LIMITS, passwordProblem, usernameProblem } from '../../../server/protocol.js';
import { textsOf } from '../../client/language.js';
import { Form, inOurWords, problemIn, useSubmit } from '../components/Form.js';
import type { TuiServices } from '../services.js';

const t = textsOf('tui');

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
      [
        'username',
        username
          ? problemIn(usernameProblem(username), () =>
              t('form.rules.username', { min: LIMITS.usernameMin, max: LIMITS.usernameMax }),
            )
          : t('signup.chooseUsername'),
      ],
      [
        'email',
        email
          ? problemIn(emailProblem(email), () => t('form.rules.email', { max: LIMITS.emailMax }))
          : t('signup.enterEmail'),
      ],
      [
        'password',
        values.password
          ? problemIn(passwordProblem(values.password), () =>
              t('form.rules.password', { min: LIMITS.passwordMin, max: LIMITS.passwordMax }),
            )
          : t('signup.choosePassword'),
      ],
      // A password typed blind is typed twice: a typo here would lock the account out at once.
      ['again', values.again === values.password ? undefined : t('signup.differ')],
    ]);
    if (!ok) return;
    const result = await submit.run(t('signup.creating'), () =>
      services.rest().signup({ username, email, password: values.password }),
    );
    if (result)
      onSignedUp(
        email,
        inOurWords(result.message, () => t('signup.created', { email })),
      );
  };
  return (
    <Form
      title={t('signup.title')}
      fields={[
        {
          name: 'username',
          label: t('signup.username'),
          placeholder: t('signup.usernameHint', { min: LIMITS.usernameMin, max: LIMITS.usernameMax }),
        },
        { name: 'email', label: t('signup.email') },
        {
          name: 'password',
          label: t('signup.password'),
          secret: true,
          placeholder: t('form.passwordHint', { min: LIMITS.passwordMin, max: LIMITS.passwordMax }),
        },
        { name: 'again', label: t('signup.again'), secret: true, placeholder: t('signup.againHint') },
      ]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={onBack}
      submitLabel={t('signup.submit')}
      {...submit}
    />
  );
}
