import { useCallback, useEffect, useState } from 'react';
import { Box, Text, useInput, useStdout } from 'ink';
import { LIMITS, passwordProblem, type SessionInfo } from '../../../server/protocol.js';
import { Mux1Error } from '../../client/errors.js';
import { describeFailure, textsOf } from '../../client/language.js';
import { safeText } from '../../client/safe-text.js';
import { Busy, Form, inOurWords, problemIn, useSubmit } from '../components/Form.js';
import { wrapLines } from '../components/wrap-lines.js';
import { recently } from '../dates.js';
import type { ChatSession, TuiServices } from '../services.js';
import { AdminScreen } from './AdminScreen.js';
import { TokensScreen } from './TokensScreen.js';
import { TwoFactorScreen } from './TwoFactorScreen.js';

interface Props {
  services: TuiServices;
  session: ChatSession & { email?: string };
  onBack: () => void;
  /** Every session ended, this one included. */
  onLoggedOut: (why: string) => void;
}

const t = textsOf('tui');

/** The account: its sessions (revoke one with a key), a password change, and log out everywhere. */
export function SettingsScreen({ services, session, onBack, onLoggedOut }: Props) {
  const [sessions, setSessions] = useState<SessionInfo[]>();
  const [index, setIndex] = useState(0);
  const [mode, setMode] = useState<'list' | 'password' | 'deactivate' | 'two-factor' | 'tokens' | 'admin'>(
    'list',
  );
  const [message, setMessage] = useState<{ text: string; error?: boolean }>();
  const [busy, setBusy] = useState<string>();
  const columns = useStdout().stdout.columns || 80;

  const reload = useCallback(async () => {
    try {
      setSessions(await services.rest(session.token).allSessions());
    } catch (err) {
      setMessage({ text: describeFailure(Mux1Error.from(err)), error: true });
    }
  }, [services, session.token]);
  useEffect(() => void reload(), [reload]);

  const act = async (label: string, action: () => Promise<string | void>) => {
    if (busy) return;
    setBusy(label);
    setMessage(undefined);
    try {
      const done = await action();
      if (done) setMessage({ text: done });
      await reload();
    } catch (err) {
      setMessage({ text: describeFailure(Mux1Error.from(err)), error: true });
    } finally {
      setBusy(undefined);
    }
  };

  useInput(
    (input, key) => {
      const list = sessions ?? [];
      if (key.escape) return onBack();
      if (key.upArrow) return setIndex((i) => Math.max(0, i - 1));
      if (key.downArrow) return setIndex((i) => Math.min(list.length - 1, i + 1));
      const chosen = list[index];
      if (input === 'r' && chosen) {
        if (chosen.current) return setMessage({ text: t('settings.thisOne'), error: true });
        return void act(t('settings.revoking'), async () => {
          await services.rest(session.token).revokeSession(chosen.id);
          setIndex(0);
          return t('settings.revoked');
        });
      }
      if (input === 'o') {
        return void act(t('settings.revokingOthers'), async () => {
          await services.rest(session.token).revokeOtherSessions();
          return t('settings.othersOut');
        });
      }
      if (input === 'x') {
        return void act(t('settings.loggingOutAll'), async () => {
          const rest = services.rest(session.token);
          await rest.revokeOtherSessions();
          await rest.logout();
          onLoggedOut(t('settings.loggedOutAll'));
        });
      }
      if (input === 'p') return setMode('password');
      if (input === 'd') return setMode('deactivate');
      if (input === 't') return setMode('two-factor');
      if (input === 'k') return setMode('tokens');
      if (input === 'a') return setMode('admin');
    },
    { isActive: mode === 'list' },
  );

  if (mode === 'two-factor') {
    return (
      <TwoFactorScreen
        services={services}
        token={session.token}
        onDone={(text) => {
          setMode('list');
          setMessage(text ? { text } : undefined);
          // Turning it on signs the other sessions out.
          void reload();
        }}
      />
    );
  }

  if (mode === 'tokens') {
    return (
      <TokensScreen
        services={services}
        token={session.token}
        onDone={(text) => {
          setMode('list');
          setMessage(text ? { text } : undefined);
        }}
      />
    );
  }

  if (mode === 'admin') {
    return (
      <AdminScreen
        services={services}
        token={session.token}
        onDone={(text) => {
          setMode('list');
          setMessage(text ? { text } : undefined);
        }}
      />
    );
  }

  if (mode === 'deactivate') {
    return (
      <DeactivateForm
        services={services}
        token={session.token}
        onDone={() => onLoggedOut(t('settings.deactivated'))}
        onBack={() => setMode('list')}
      />
    );
  }

  if (mode === 'password') {
    return (
      <PasswordForm
        services={services}
        token={session.token}
        onDone={(text) => {
          setMode('list');
          setMessage({ text });
          void reload();
        }}
        onBack={() => setMode('list')}
      />
    );
  }

  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold>
        {t('settings.title', { username: session.user.username })}
        {session.email ? ` <${session.email}>` : ''}
      </Text>
      <Box marginTop={1} flexDirection="column">
        <Text bold>{t('settings.sessions')}</Text>
        {sessions === undefined ? (
          <Busy label={t('settings.loadingSessions')} />
        ) : (
          sessions.map((s, i) => (
            <Text key={s.id} color={i === index ? 'cyan' : undefined} wrap="truncate-end">
              {i === index ? '›' : ' '} {s.current ? `${t('settings.thisSession')} ` : ''}
              {t('settings.lastSeen', { when: recently(s.last_seen_at) })} · {safeText(s.ip ?? '?')} ·{' '}
              {safeText(s.user_agent ?? t('settings.unknownClient'))}
            </Text>
          ))
        )}
      </Box>
      <Box marginTop={1} flexDirection="column">
        {busy ? <Busy label={busy} /> : null}
        {message ? (
          <Text color={message.error ? 'red' : 'green'}>
            {message.error ? `✗ ${message.text}` : message.text}
          </Text>
        ) : null}
        {/* Cut here so a wrapped line starts flush left (wrap-lines.ts says why). */}
        <Text dimColor>{wrapLines(t('settings.help'), columns - 2).join('\n')}</Text>
      </Box>
    </Box>
  );
}

function PasswordForm(props: {
  services: TuiServices;
  token: string;
  onDone: (text: string) => void;
  onBack: () => void;
}) {
  const [values, setValues] = useState({ current_password: '', password: '', confirm: '' });
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const v = { current_password: '', password: '', confirm: '', ...typed };
    const ok = submit.check([
      ['current_password', v.current_password ? undefined : t('settings.enterCurrent')],
      [
        'password',
        v.password
          ? problemIn(passwordProblem(v.password), () =>
              t('form.rules.password', { min: LIMITS.passwordMin, max: LIMITS.passwordMax }),
            )
          : t('settings.chooseNew'),
      ],
      ['confirm', v.password === v.confirm ? undefined : t('settings.newDiffer')],
    ]);
    if (!ok) return;
    const result = await submit.run(t('settings.changing'), () =>
      props.services
        .rest(props.token)
        .changePassword({ current_password: v.current_password, password: v.password }),
    );
    if (result) props.onDone(inOurWords(result.message, () => t('settings.changed')));
  };
  return (
    <Form
      title={t('settings.changeTitle')}
      fields={[
        { name: 'current_password', label: t('settings.current'), secret: true },
        {
          name: 'password',
          label: t('settings.new'),
          secret: true,
          placeholder: t('form.passwordHint', { min: LIMITS.passwordMin, max: LIMITS.passwordMax }),
        },
        { name: 'confirm', label: t('settings.newAgain'), secret: true },
      ]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={props.onBack}
      submitLabel={t('settings.changeSubmit')}
      {...submit}
    />
  );
}

/**
 * The owner's pause (POST /api/account/deactivate): the password, then every session ends, this one
 * too, and the app goes back to the start; the next login reactivates the account.
 */
function DeactivateForm(props: {
  services: TuiServices;
  token: string;
  onDone: () => void;
  onBack: () => void;
}) {
  const [values, setValues] = useState({ password: '' });
  const submit = useSubmit();
  const onSubmit = async (typed: Record<string, string>) => {
    const password = typed.password ?? '';
    if (!submit.check([['password', password ? undefined : t('settings.enterToDeactivate')]])) return;
    const result = await submit.run(t('settings.deactivating'), () =>
      props.services.rest(props.token).deactivateAccount({ password }),
    );
    if (result) props.onDone();
  };
  return (
    <Form
      title={t('settings.deactivateTitle')}
      fields={[{ name: 'password', label: t('settings.password'), secret: true }]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={props.onBack}
      submitLabel={t('settings.deactivate')}
      {...submit}
    />
  );
}
