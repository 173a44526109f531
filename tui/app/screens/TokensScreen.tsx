import { useCallback, useEffect, useState } from 'react';
import { Box, Text, useInput, useStdout } from 'ink';
import { Mux1Error } from '../../client/errors.js';
import { describeFailure, textsOf } from '../../client/language.js';
import { safeText } from '../../client/safe-text.js';
import {
  expiryDaysProblem,
  scopeProblem,
  TOKEN_LIMITS,
  TOKEN_SCOPES,
  tokenNameProblem,
  type CreatedToken,
  type TokenInfo,
  type TokenScope,
} from '../../client/tokens.js';
import { Busy, Form, problemIn, useSubmit } from '../components/Form.js';
import { wrapLines } from '../components/wrap-lines.js';
import { dayOf } from '../dates.js';
import type { TuiServices } from '../services.js';

const t = textsOf('tui');

/*
 * Personal access tokens in /settings: the list (never the tokens themselves), revoking one after
 * a y/n question, and a form that creates one and shows it once, until the person says it is saved.
 */

interface Props {
  services: TuiServices;
  token: string;
  /** Back to the account screen, with what happened. */
  onDone: (text?: string) => void;
}

type Step =
  | { name: 'list' }
  | { name: 'confirm'; token: TokenInfo }
  | { name: 'create' }
  | { name: 'created'; created: CreatedToken };

export function TokensScreen({ services, token, onDone }: Props) {
  const [tokens, setTokens] = useState<TokenInfo[]>();
  const [index, setIndex] = useState(0);
  const [step, setStep] = useState<Step>({ name: 'list' });
  const [message, setMessage] = useState<{ text: string; error?: boolean }>();
  const [busy, setBusy] = useState<string>();
  const rest = useCallback(() => services.rest(token), [services, token]);
  const { rows = 24, columns = 80 } = useStdout().stdout;

  const reload = useCallback(async () => {
    try {
      const list = (await rest().listTokens()).tokens;
      setTokens(list);
      setIndex((i) => Math.max(0, Math.min(i, list.length - 1)));
    } catch (err) {
      setMessage({ text: describeFailure(Mux1Error.from(err)), error: true });
    }
  }, [rest]);
  useEffect(() => void reload(), [reload]);

  const revoke = async (chosen: TokenInfo) => {
    setStep({ name: 'list' });
    setBusy(t('tokens.revoking', { name: safeText(chosen.name) }));
    setMessage(undefined);
    try {
      await rest().revokeToken(chosen.id);
      setMessage({ text: t('tokens.revoked', { name: safeText(chosen.name) }) });
    } catch (err) {
      setMessage({ text: describeFailure(Mux1Error.from(err)), error: true });
    } finally {
      setBusy(undefined);
      await reload();
    }
  };

  useInput(
    (input, key) => {
      const list = tokens ?? [];
      if (step.name === 'confirm') {
        if (input === 'y') return void revoke(step.token);
        if (input === 'n' || key.escape) return setStep({ name: 'list' });
        return;
      }
      if (step.name === 'created') {
        if (key.return || key.escape) {
          setStep({ name: 'list' });
          return void reload();
        }
        return;
      }
      if (busy) return;
      if (key.escape) return onDone();
      if (key.upArrow) return setIndex((i) => Math.max(0, i - 1));
      if (key.downArrow) return setIndex((i) => Math.min(list.length - 1, i + 1));
      if (input === 'n') return setStep({ name: 'create' });
      const chosen = list[index];
      if (input === 'r' && chosen) return setStep({ name: 'confirm', token: chosen });
    },
    { isActive: step.name !== 'create' },
  );

  if (step.name === 'create') {
    return (
      <CreateTokenForm
        services={services}
        token={token}
        onCreated={(created) => setStep({ name: 'created', created })}
        onBack={() => setStep({ name: 'list' })}
      />
    );
  }

  if (step.name === 'created') {
    const { created } = step;
    const expiry = created.expires_at
      ? t('tokens.expiresOn', { day: dayOf(created.expires_at) })
      : t('tokens.neverExpires');
    // A small terminal keeps what matters on screen: the token, that it is shown once, and the key.
    if (rows < 16) {
      return (
        <Box flexDirection="column" paddingX={1}>
          <Text bold>{t('tokens.created', { name: safeText(created.name) })}</Text>
          <Text color="yellow">{created.token}</Text>
          <Text>{t('tokens.shownOnce')}</Text>
          <Text dimColor>{t('tokens.savedKey')}</Text>
        </Box>
      );
    }
    return (
      <Box flexDirection="column" paddingX={1}>
        <Text bold>{t('tokens.created', { name: safeText(created.name) })}</Text>
        <Text>
          {created.scopes.join(' ')} · {expiry}
        </Text>
        <Box marginY={1}>
          <Text color="yellow">{created.token}</Text>
        </Box>
        <Text>{t('tokens.notAgain')}</Text>
        <Text dimColor>{t('tokens.howToKeep')}</Text>
        <Text dimColor>{t('tokens.savedKey')}</Text>
      </Box>
    );
  }

  const list = tokens ?? [];
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold>{t('tokens.title')}</Text>
      {tokens === undefined && !message ? <Busy label={t('tokens.loading')} /> : null}
      {tokens && list.length === 0 ? <Text dimColor>{t('tokens.none')}</Text> : null}
      {list.map((token, i) => (
        <Text key={token.id} color={i === index ? 'cyan' : undefined} wrap="truncate-end">
          {i === index ? '›' : ' '}{' '}
          {t('tokens.row', {
            name: safeText(token.name),
            scopes: token.scopes.join(' '),
            expires: dayOf(token.expires_at, t('tokens.never')),
            used: dayOf(token.last_used_at, t('tokens.never')),
          })}
        </Text>
      ))}
      <Box marginTop={1} flexDirection="column">
        {step.name === 'confirm' ? (
          <Text color="yellow">{t('tokens.confirm', { name: safeText(step.token.name) })}</Text>
        ) : null}
        {busy ? <Busy label={busy} /> : null}
        {message ? (
          <Text color={message.error ? 'red' : 'green'}>
            {message.error ? `✗ ${message.text}` : message.text}
          </Text>
        ) : null}
        <Text dimColor>{wrapLines(t('tokens.help'), columns - 2).join('\n')}</Text>
      </Box>
    </Box>
  );
}

/** Name, scopes (words) and days ("never" for no expiry), checked as the CLI checks its flags. */
function CreateTokenForm(props: {
  services: TuiServices;
  token: string;
  onCreated: (created: CreatedToken) => void;
  onBack: () => void;
}) {
  const [values, setValues] = useState({
    name: '',
    scopes: 'chat:read chat:write',
    expires_in_days: String(TOKEN_LIMITS.defaultDays),
  });
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const v = { ...values, ...typed };
    const scopes = [...new Set(v.scopes.split(/[\s,]+/).filter(Boolean))];
    const days = v.expires_in_days.trim().toLowerCase();
    const ok = submit.check([
      [
        'name',
        problemIn(tokenNameProblem(v.name), () => t('form.rules.tokenName', { max: TOKEN_LIMITS.nameMax })),
      ],
      [
        'scopes',
        scopes.length
          ? problemIn(scopes.map(scopeProblem).find(Boolean), () =>
              t('form.rules.scopes', { scopes: TOKEN_SCOPES.join(' ') }),
            )
          : t('tokens.nameScopes', { scopes: TOKEN_SCOPES.join(' ') }),
      ],
      [
        'expires_in_days',
        days === 'never'
          ? undefined
          : problemIn(expiryDaysProblem(days), () =>
              t('form.rules.days', { min: TOKEN_LIMITS.daysMin, max: TOKEN_LIMITS.daysMax }),
            ),
      ],
    ]);
    if (!ok) return;
    const created = await submit.run(t('tokens.creating'), () =>
      props.services.rest(props.token).createToken({
        name: v.name.trim(),
        scopes: scopes as TokenScope[],
        expires_in_days: days === 'never' ? null : Number(days),
      }),
    );
    if (created) props.onCreated(created);
  };
  return (
    <Form
      title={t('tokens.newTitle')}
      fields={[
        { name: 'name', label: t('tokens.name'), placeholder: t('tokens.nameHint') },
        { name: 'scopes', label: t('tokens.scopes'), placeholder: TOKEN_SCOPES.join(' ') },
        {
          name: 'expires_in_days',
          label: t('tokens.days'),
          // "never" is typed as it is in every language, like the CLI's --expires never.
          placeholder: t('tokens.daysHint', { max: TOKEN_LIMITS.daysMax }),
        },
      ]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={props.onBack}
      submitLabel={t('tokens.create')}
      {...submit}
    />
  );
}
