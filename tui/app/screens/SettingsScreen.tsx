import { useCallback, useEffect, useState } from 'react';
import { Box, Text, useInput } from 'ink';
import { LIMITS, passwordProblem, type SessionInfo } from '../../../server/protocol.js';
import { Mux1Error } from '../../client/errors.js';
import { safeText } from '../../client/safe-text.js';
import { Busy, Form, useSubmit } from '../components/Form.js';
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

/** Today's times as HH:MM, older ones with their date: the list must fit 80 columns. */
const when = (iso: string) => {
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const hm = `${String(d.getHours()).padStart(2, '0')}:${String(d.getMinutes()).padStart(2, '0')}`;
  return d.toDateString() === new Date().toDateString() ? hm : `${d.toISOString().slice(0, 10)} ${hm}`;
};

/** The account: its sessions (revoke one with a key), a password change, and log out everywhere. */
export function SettingsScreen({ services, session, onBack, onLoggedOut }: Props) {
  const [sessions, setSessions] = useState<SessionInfo[]>();
  const [index, setIndex] = useState(0);
  const [mode, setMode] = useState<'list' | 'password' | 'deactivate' | 'two-factor' | 'tokens' | 'admin'>(
    'list',
  );
  const [message, setMessage] = useState<{ text: string; error?: boolean }>();
  const [busy, setBusy] = useState<string>();

  const reload = useCallback(async () => {
    try {
      setSessions(await services.rest(session.token).allSessions());
    } catch (err) {
      setMessage({ text: Mux1Error.from(err).message, error: true });
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
      setMessage({ text: Mux1Error.from(err).message, error: true });
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
        if (chosen.current)
          return setMessage({ text: 'that is this session: use /logout in the chat', error: true });
        return void act('Revoking…', async () => {
          await services.rest(session.token).revokeSession(chosen.id);
          setIndex(0);
          return 'Session revoked; its connections were closed.';
        });
      }
      if (input === 'o') {
        return void act('Revoking the other sessions…', async () => {
          await services.rest(session.token).revokeOtherSessions();
          return 'Every other session is logged out.';
        });
      }
      if (input === 'x') {
        return void act('Logging out everywhere…', async () => {
          const rest = services.rest(session.token);
          await rest.revokeOtherSessions();
          await rest.logout();
          onLoggedOut('Logged out everywhere.');
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
        onDone={() =>
          onLoggedOut('Account deactivated: every session is signed out. Log in to reactivate it.')
        }
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
        Account · {session.user.username}
        {session.email ? ` <${session.email}>` : ''}
      </Text>
      <Box marginTop={1} flexDirection="column">
        <Text bold>Sessions</Text>
        {sessions === undefined ? (
          <Busy label="Loading sessions…" />
        ) : (
          sessions.map((s, i) => (
            <Text key={s.id} color={i === index ? 'cyan' : undefined} wrap="truncate-end">
              {i === index ? '›' : ' '} {s.current ? '(this session) ' : ''}last seen {when(s.last_seen_at)} ·{' '}
              {safeText(s.ip ?? '?')} · {safeText(s.user_agent ?? 'unknown client')}
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
        <Text dimColor>
          ↑↓ choose · r revoke · o log out other sessions · x log out everywhere · p change password · t
          two-factor sign-in · k access tokens · d deactivate the account · a administration (admins) · Esc
          back
        </Text>
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
      ['current_password', v.current_password ? undefined : 'enter your current password'],
      ['password', v.password ? passwordProblem(v.password) : 'choose a new password'],
      ['confirm', v.password === v.confirm ? undefined : 'the two new passwords differ'],
    ]);
    if (!ok) return;
    const result = await submit.run('Changing your password…', () =>
      props.services
        .rest(props.token)
        .changePassword({ current_password: v.current_password, password: v.password }),
    );
    if (result) props.onDone(result.message);
  };
  return (
    <Form
      title="Change password"
      fields={[
        { name: 'current_password', label: 'Current password', secret: true },
        {
          name: 'password',
          label: 'New password',
          secret: true,
          placeholder: `${LIMITS.passwordMin}-${LIMITS.passwordMax} characters`,
        },
        { name: 'confirm', label: 'New password again', secret: true },
      ]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={props.onBack}
      submitLabel="Change password"
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
    if (!submit.check([['password', password ? undefined : 'enter your password to deactivate']])) return;
    const result = await submit.run('Deactivating your account…', () =>
      props.services.rest(props.token).deactivateAccount({ password }),
    );
    if (result) props.onDone();
  };
  return (
    <Form
      title="Deactivate the account: sign out everywhere until you log in again (nothing is deleted)"
      fields={[{ name: 'password', label: 'Password', secret: true }]}
      values={values}
      onChange={(name, v) => setValues((s) => ({ ...s, [name]: v }))}
      onSubmit={(v) => void onSubmit(v)}
      onBack={props.onBack}
      submitLabel="Deactivate"
      {...submit}
    />
  );
}
