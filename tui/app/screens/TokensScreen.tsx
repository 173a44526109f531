import { useCallback, useEffect, useState } from 'react';
import { Box, Text, useInput, useStdout } from 'ink';
import { Mux1Error } from '../../client/errors.js';
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
import { Busy, Form, useSubmit } from '../components/Form.js';
import type { TuiServices } from '../services.js';

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

const day = (iso: string | null, none: string) => (iso ? iso.slice(0, 10) : none);

export function TokensScreen({ services, token, onDone }: Props) {
  const [tokens, setTokens] = useState<TokenInfo[]>();
  const [index, setIndex] = useState(0);
  const [step, setStep] = useState<Step>({ name: 'list' });
  const [message, setMessage] = useState<{ text: string; error?: boolean }>();
  const [busy, setBusy] = useState<string>();
  const rest = useCallback(() => services.rest(token), [services, token]);
  const rows = useStdout().stdout.rows ?? 24;

  const reload = useCallback(async () => {
    try {
      const list = (await rest().listTokens()).tokens;
      setTokens(list);
      setIndex((i) => Math.max(0, Math.min(i, list.length - 1)));
    } catch (err) {
      setMessage({ text: Mux1Error.from(err).message, error: true });
    }
  }, [rest]);
  useEffect(() => void reload(), [reload]);

  const revoke = async (chosen: TokenInfo) => {
    setStep({ name: 'list' });
    setBusy(`Revoking ${safeText(chosen.name)}…`);
    setMessage(undefined);
    try {
      await rest().revokeToken(chosen.id);
      setMessage({ text: `Token '${safeText(chosen.name)}' revoked; whatever used it is disconnected.` });
    } catch (err) {
      setMessage({ text: Mux1Error.from(err).message, error: true });
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
    const expiry = created.expires_at ? `expires ${day(created.expires_at, '')}` : 'never expires';
    // A small terminal keeps what matters on screen: the token, that it is shown once, and the key.
    if (rows < 16) {
      return (
        <Box flexDirection="column" paddingX={1}>
          <Text bold>Token &apos;{safeText(created.name)}&apos; created</Text>
          <Text color="yellow">{created.token}</Text>
          <Text>Shown only now: copy it (select it with the mouse).</Text>
          <Text dimColor>Enter: I saved it</Text>
        </Box>
      );
    }
    return (
      <Box flexDirection="column" paddingX={1}>
        <Text bold>Token &apos;{safeText(created.name)}&apos; created</Text>
        <Text>
          {created.scopes.join(' ')} · {expiry}
        </Text>
        <Box marginY={1}>
          <Text color="yellow">{created.token}</Text>
        </Box>
        <Text>It will not be shown again: copy it now.</Text>
        <Text dimColor>
          Select it with the mouse (in tmux: prefix [ to copy), and keep it in your secrets store. Use it as
          MUX1_TOKEN.
        </Text>
        <Text dimColor>Enter: I saved it</Text>
      </Box>
    );
  }

  const list = tokens ?? [];
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold>Personal access tokens</Text>
      {tokens === undefined && !message ? <Busy label="Loading tokens…" /> : null}
      {tokens && list.length === 0 ? (
        <Text dimColor>None yet: n makes one for a script or a bot.</Text>
      ) : null}
      {list.map((t, i) => (
        <Text key={t.id} color={i === index ? 'cyan' : undefined} wrap="truncate-end">
          {i === index ? '›' : ' '} {safeText(t.name)} · {t.scopes.join(' ')} · expires{' '}
          {day(t.expires_at, 'never')} · used {day(t.last_used_at, 'never')}
        </Text>
      ))}
      <Box marginTop={1} flexDirection="column">
        {step.name === 'confirm' ? (
          <Text color="yellow">
            Revoke &apos;{safeText(step.token.name)}&apos;? Scripts using it stop at once. y/n
          </Text>
        ) : null}
        {busy ? <Busy label={busy} /> : null}
        {message ? (
          <Text color={message.error ? 'red' : 'green'}>
            {message.error ? `✗ ${message.text}` : message.text}
          </Text>
        ) : null}
        <Text dimColor>↑↓ choose · n new · r revoke · Esc back</Text>
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
      ['name', tokenNameProblem(v.name)],
      [
        'scopes',
        scopes.length
          ? scopes.map(scopeProblem).find(Boolean)
          : `name one or more of: ${TOKEN_SCOPES.join(' ')}`,
      ],
      ['expires_in_days', days === 'never' ? undefined : expiryDaysProblem(days)],
    ]);
    if (!ok) return;
    const created = await submit.run('Creating the token…', () =>
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
      title="New personal access token"
      fields={[
        { name: 'name', label: 'Name', placeholder: 'what uses it, e.g. deploy-bot' },
        { name: 'scopes', label: 'Scopes', placeholder: TOKEN_SCOPES.join(' ') },
        {
          name: 'expires_in_days',
          label: 'Expires in days',
          placeholder: `1-${TOKEN_LIMITS.daysMax}, or never`,
        },
      ]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={props.onBack}
      submitLabel="Create token"
      {...submit}
    />
  );
}
