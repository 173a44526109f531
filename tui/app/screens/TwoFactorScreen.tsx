import { useCallback, useEffect, useState } from 'react';
import { Box, Text } from 'ink';
import { useEditKeys } from '../hooks/useEditKeys.js';
import {
  secondFactorProblem,
  TWO_FACTOR,
  type TwoFactorSetupBody,
  type TwoFactorStatusBody,
} from '../../../server/protocol.js';
import { Mux1Error } from '../../client/errors.js';
import { describeFailure, textsOf } from '../../client/language.js';
import { qrLines } from '../../client/qr.js';
import { safeText } from '../../client/safe-text.js';
import { Busy, Form, inOurWords, problemIn, useSubmit } from '../components/Form.js';
import { minuteOf } from '../dates.js';
import type { TuiServices } from '../services.js';

const t = textsOf('tui');

/*
 * Two-factor sign-in in /settings: the password, then the QR code beside the field for the first
 * code (side by side, so a 45-column code and the form fit an 80x24 terminal), then the backup
 * codes once, which stay until the person says they saved them. While it is on: turn it off, or
 * new backup codes, each with the password and a code.
 */

interface Props {
  services: TuiServices;
  token: string;
  /** Back to the account screen, with what happened. */
  onDone: (text?: string) => void;
}

type Step =
  | { name: 'status' }
  | { name: 'password' }
  | { name: 'scan'; setup: TwoFactorSetupBody }
  | { name: 'codes'; codes: string[]; done: string }
  | { name: 'prove'; action: 'disable' | 'backup-codes' };

export function TwoFactorScreen({ services, token, onDone }: Props) {
  const [status, setStatus] = useState<TwoFactorStatusBody>();
  const [error, setError] = useState<string>();
  const [step, setStep] = useState<Step>({ name: 'status' });
  const rest = useCallback(() => services.rest(token), [services, token]);

  useEffect(() => {
    rest()
      .twoFactorStatus()
      .then(setStatus, (err: unknown) => setError(describeFailure(Mux1Error.from(err))));
  }, [rest]);

  // The keyboard as the forms read it (useEditKeys), so a key in a burst is not lost or misread.
  useEditKeys(
    (keys) => {
      for (const key of keys) {
        if (key.name === 'escape') return onDone();
        if (!status) return;
        for (const input of key.name === 'insert' ? [...key.text] : key.name === 'enter' ? ['\r'] : []) {
          if (!status.enabled && (input === 'e' || input === '\r')) return setStep({ name: 'password' });
          if (status.enabled && input === 'd') return setStep({ name: 'prove', action: 'disable' });
          if (status.enabled && input === 'b') return setStep({ name: 'prove', action: 'backup-codes' });
        }
      }
    },
    { isActive: step.name === 'status' },
  );

  if (step.name === 'password') {
    return (
      <PasswordStep
        rest={rest}
        onSetup={(setup) => setStep({ name: 'scan', setup })}
        onBack={() => setStep({ name: 'status' })}
      />
    );
  }
  if (step.name === 'scan') {
    return (
      <ScanStep
        rest={rest}
        setup={step.setup}
        onEnabled={(codes) => setStep({ name: 'codes', codes, done: t('twoFactor.isOn') })}
        onBack={() => setStep({ name: 'status' })}
      />
    );
  }
  if (step.name === 'codes') {
    return <BackupCodes codes={step.codes} onSaved={() => onDone(step.done)} />;
  }
  if (step.name === 'prove') {
    return (
      <ProveStep
        rest={rest}
        action={step.action}
        onDone={(text, codes) =>
          codes ? setStep({ name: 'codes', codes, done: t('twoFactor.newCodesDone') }) : onDone(text)
        }
        onBack={() => setStep({ name: 'status' })}
      />
    );
  }
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold>{t('twoFactor.title')}</Text>
      <Box marginTop={1} flexDirection="column">
        {error ? <Text color="red">✗ {error}</Text> : null}
        {!status && !error ? <Busy label={t('twoFactor.loading')} /> : null}
        {status?.enabled ? (
          <>
            <Text>
              {t('twoFactor.onSince', {
                when: minuteOf(status.enabled_at),
                count: status.backup_codes_left,
              })}
            </Text>
            <Text dimColor>{t('twoFactor.onHelp')}</Text>
          </>
        ) : status ? (
          <>
            <Text>{t('twoFactor.off')}</Text>
            <Text>{t('twoFactor.offExplain')}</Text>
            <Text dimColor>{t('twoFactor.offHelp')}</Text>
          </>
        ) : null}
      </Box>
    </Box>
  );
}

type Rest = () => ReturnType<TuiServices['rest']>;

function PasswordStep(props: {
  rest: Rest;
  onSetup: (setup: TwoFactorSetupBody) => void;
  onBack: () => void;
}) {
  const [values, setValues] = useState({ password: '' });
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const password = typed.password ?? '';
    if (!submit.check([['password', password ? undefined : t('twoFactor.enterPassword')]])) return;
    const setup = await submit.run(t('twoFactor.makingSecret'), () =>
      props.rest().setupTwoFactor({ password }),
    );
    if (setup) props.onSetup(setup);
  };
  return (
    <Form
      title={t('twoFactor.turnOnTitle')}
      fields={[{ name: 'password', label: t('twoFactor.password'), secret: true }]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={props.onBack}
      submitLabel={t('twoFactor.next')}
      notice={t('twoFactor.passwordFirst')}
      {...submit}
    />
  );
}

function ScanStep(props: {
  rest: Rest;
  setup: TwoFactorSetupBody;
  onEnabled: (codes: string[]) => void;
  onBack: () => void;
}) {
  const [values, setValues] = useState({ code: '' });
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const code = (typed.code ?? '').trim();
    const shape = /^\d{6}$/.test(code)
      ? undefined
      : t('twoFactor.codeShape', { digits: TWO_FACTOR.totpDigits });
    if (!submit.check([['code', shape]])) return;
    const done = await submit.run(t('twoFactor.checking'), () => props.rest().enableTwoFactor({ code }));
    if (done) props.onEnabled(done.backup_codes);
  };
  // Grouped by four, as apps that take it by hand show it, four groups to a line.
  const groups = safeText(props.setup.secret).match(/.{1,4}/g) ?? [];
  const secretLines = [groups.slice(0, 4).join(' '), groups.slice(4).join(' ')].filter(Boolean);
  return (
    <Box flexDirection="row">
      <Box flexDirection="column" flexShrink={0}>
        {qrLines(props.setup.otpauth_url).map((line, i) => (
          <Text key={i}>{line}</Text>
        ))}
      </Box>
      <Box flexDirection="column" flexShrink={1} marginLeft={1}>
        <Text>{t('twoFactor.scan')}</Text>
        <Text>{t('twoFactor.orType')}</Text>
        {secretLines.map((line) => (
          <Text key={line} bold>
            {line}
          </Text>
        ))}
        <Form
          title={t('twoFactor.thenCode')}
          fields={[{ name: 'code', label: t('twoFactor.code'), placeholder: t('twoFactor.sixDigits') }]}
          values={values}
          onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
          onSubmit={(v) => void onSubmit(v)}
          onBack={props.onBack}
          submitLabel={t('twoFactor.turnOn')}
          {...submit}
        />
      </Box>
    </Box>
  );
}

/** Shown once: they cannot be read again, so it waits until the person says they kept them. */
function BackupCodes(props: { codes: string[]; onSaved: () => void }) {
  useEditKeys((keys) => {
    if (keys.some((k) => k.name === 'enter' || (k.name === 'insert' && k.text.includes('s'))))
      props.onSaved();
  });
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold>{t('twoFactor.backupTitle')}</Text>
      <Text>{t('twoFactor.backupExplain')}</Text>
      <Box marginY={1} flexDirection="column">
        {props.codes.map((c) => (
          <Text key={c}> {safeText(c)}</Text>
        ))}
      </Box>
      <Text inverse color="cyan">
        [ {t('twoFactor.saved')} ]
      </Text>
      <Text dimColor>{t('twoFactor.savedHelp')}</Text>
    </Box>
  );
}

function ProveStep(props: {
  rest: Rest;
  action: 'disable' | 'backup-codes';
  onDone: (text: string, codes?: string[]) => void;
  onBack: () => void;
}) {
  const [values, setValues] = useState({ password: '', code: '' });
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const v = { password: '', code: '', ...typed };
    const ok = submit.check([
      ['password', v.password ? undefined : t('twoFactor.enterPassword')],
      [
        'code',
        problemIn(secondFactorProblem(v.code.trim()), () =>
          t('form.rules.secondFactor', { digits: TWO_FACTOR.totpDigits }),
        ),
      ],
    ]);
    if (!ok) return;
    const proof = { password: v.password, code: v.code.trim() };
    if (props.action === 'disable') {
      const done = await submit.run(t('twoFactor.turningOff'), () => props.rest().disableTwoFactor(proof));
      if (done) props.onDone(inOurWords(done.message, () => t('twoFactor.isOff')));
    } else {
      const done = await submit.run(t('twoFactor.makingCodes'), () =>
        props.rest().regenerateBackupCodes(proof),
      );
      if (done) props.onDone(done.message, done.backup_codes);
    }
  };
  return (
    <Form
      title={props.action === 'disable' ? t('twoFactor.turnOffTitle') : t('twoFactor.newCodesTitle')}
      fields={[
        { name: 'password', label: t('twoFactor.password'), secret: true },
        { name: 'code', label: t('twoFactor.code'), placeholder: t('twoFactor.codeHint') },
      ]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={props.onBack}
      submitLabel={props.action === 'disable' ? t('twoFactor.turnOff') : t('twoFactor.makeCodes')}
      {...submit}
    />
  );
}
