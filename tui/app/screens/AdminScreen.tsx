import { useCallback, useEffect, useState } from 'react';
import { Box, Text, useStdout } from 'ink';
import type { Role } from '../../../server/protocol.js';
import { ADMIN_LIMITS, type AdminUser, type AdminUserBody } from '../../client/admin.js';
import { Mux1Error } from '../../client/errors.js';
import { safeText } from '../../client/safe-text.js';
import { EditText } from '../components/EditText.js';
import { Busy } from '../components/Form.js';
import { applyEdit, EMPTY, type Draft } from '../components/line-editor.js';
import { useEditKeys } from '../hooks/useEditKeys.js';
import type { TuiServices } from '../services.js';

/*
 * Administration in the TUI, from /settings (a) or /admin in the chat: the accounts, newest first,
 * narrowed by typing the start of a username or email, a page at a time (the server's keyset
 * paging: the ids each page started after are kept to go back); an account's details (sessions,
 * tokens, two-factor, last login); and disable, enable or a new role, each after a y/n question.
 * The server decides who may: a non-admin sees its refusal, said plainly.
 */

interface Props {
  services: TuiServices;
  token: string;
  /** Back to where the screen was opened from, with what happened. */
  onDone: (text?: string) => void;
}

type Action = { kind: 'disable' } | { kind: 'enable' } | { kind: 'role'; role: Role };

type Step =
  | { name: 'list' }
  | { name: 'detail'; id: number }
  | { name: 'role'; user: AdminUser }
  | { name: 'confirm'; user: AdminUser; action: Action };

/** How long typing may pause before the search is sent: one request per word, not per key. */
const SEARCH_DELAY_MS = 250;

const ROLE_KEYS: Record<string, Role> = { u: 'user', m: 'moderator', a: 'admin' };

const day = (iso: string | null, none = '-') => (iso ? iso.slice(0, 10) : none);
const minute = (iso: string | null, none = '-') => (iso ? iso.slice(0, 16).replace('T', ' ') : none);
const stateOf = (u: AdminUser) =>
  u.disabled ? 'disabled' : u.deactivated ? 'deactivated' : u.verified ? 'active' : 'unverified';
const named = (u: AdminUser) => `${safeText(u.username)} (id ${u.id})`;

/** A refusal, said as what it means here. */
function explain(err: unknown): string {
  const e = Mux1Error.from(err);
  if (e.code === 'forbidden') return 'Administration is for admins: your account is not an admin.';
  if (e.code === 'insufficient_scope')
    return 'Administration needs a signed-in session, not an access token.';
  return e.message;
}

function question(user: AdminUser, action: Action): string {
  switch (action.kind) {
    case 'disable':
      return `Disable ${named(user)}? Every session and token of it ends at once. y/n`;
    case 'enable':
      return `Enable ${named(user)}? Its owner can sign in again. y/n`;
    case 'role':
      return `Make ${named(user)} ${action.role} (now ${user.role})? y/n`;
  }
}

export function AdminScreen({ services, token, onDone }: Props) {
  const { stdout } = useStdout();
  const columns = stdout.columns ?? 80;
  const rows = stdout.rows ?? 24;
  // Title, search, a message line and the footer (which may wrap once): the rest is the page.
  const pageSize = Math.max(2, Math.min(ADMIN_LIMITS.pageMax, rows - 5));
  const admin = useCallback(() => services.rest(token).admin, [services, token]);

  const [step, setStep] = useState<Step>({ name: 'list' });
  const [search, setSearch] = useState<Draft>(EMPTY);
  const [query, setQuery] = useState('');
  /** `before` of each page shown so far: the last is this page's, undefined for the first. */
  const [pages, setPages] = useState<(number | undefined)[]>([undefined]);
  const [users, setUsers] = useState<AdminUser[]>();
  const [next, setNext] = useState<number | null>(null);
  const [index, setIndex] = useState(0);
  const [detail, setDetail] = useState<AdminUserBody>();
  const [message, setMessage] = useState<{ text: string; error?: boolean }>();
  const [busy, setBusy] = useState<string>();
  const before = pages[pages.length - 1];

  // The typed prefix becomes the query after a pause; a new query starts from the first page.
  useEffect(() => {
    const value = search.value.trim().slice(0, ADMIN_LIMITS.queryMax);
    if (value === query) return;
    const timer = setTimeout(() => {
      setQuery(value);
      setPages([undefined]);
    }, SEARCH_DELAY_MS);
    return () => clearTimeout(timer);
  }, [search.value, query]);

  const reload = useCallback(async () => {
    try {
      const page = await admin().users({ query: query || undefined, limit: pageSize, before });
      setUsers(page.users);
      setNext(page.next_before);
      setIndex((i) => Math.max(0, Math.min(i, page.users.length - 1)));
    } catch (err) {
      setUsers((u) => u ?? []);
      setMessage({ text: explain(err), error: true });
    }
  }, [admin, query, pageSize, before]);
  useEffect(() => void reload(), [reload]);

  const detailId = step.name === 'detail' ? step.id : undefined;
  const loadDetail = useCallback(async () => {
    if (detailId === undefined) return;
    try {
      setDetail(await admin().user(detailId));
    } catch (err) {
      setMessage({ text: explain(err), error: true });
    }
  }, [admin, detailId]);
  useEffect(() => void loadDetail(), [loadDetail]);

  const perform = async (user: AdminUser, action: Action) => {
    setStep({ name: 'detail', id: user.id });
    setBusy('Saving…');
    setMessage(undefined);
    try {
      const patch = action.kind === 'role' ? { role: action.role } : { disabled: action.kind === 'disable' };
      const { user: changed } = await admin().updateUser(user.id, patch);
      setMessage({
        text:
          action.kind === 'role'
            ? `${named(changed)} is now ${changed.role}.`
            : action.kind === 'disable'
              ? `${named(changed)} is disabled: signed out everywhere, its owner mailed.`
              : `${named(changed)} is enabled.`,
      });
    } catch (err) {
      setMessage({ text: explain(err), error: true });
    } finally {
      setBusy(undefined);
      // This render's loadDetail knew no account (the step was the question): name it.
      await Promise.all([
        admin()
          .user(user.id)
          .then(setDetail, (err: unknown) => setMessage({ text: explain(err), error: true })),
        reload(),
      ]);
    }
  };

  useEditKeys((keys) => {
    for (const key of keys) {
      const letter = key.name === 'insert' ? key.text.toLowerCase() : undefined;
      if (step.name === 'confirm') {
        if (letter === 'y') return void perform(step.user, step.action);
        if (letter === 'n' || key.name === 'escape') return setStep({ name: 'detail', id: step.user.id });
        continue;
      }
      if (step.name === 'role') {
        const role = letter ? ROLE_KEYS[letter] : undefined;
        if (role) return setStep({ name: 'confirm', user: step.user, action: { kind: 'role', role } });
        if (key.name === 'escape') return setStep({ name: 'detail', id: step.user.id });
        continue;
      }
      if (busy) return;
      if (step.name === 'detail') {
        const user = detail?.user.id === step.id ? detail.user : undefined;
        if (key.name === 'escape') {
          setDetail(undefined);
          setMessage(undefined);
          return setStep({ name: 'list' });
        }
        if (!user) continue;
        if (letter === 'd' && !user.disabled)
          return setStep({ name: 'confirm', user, action: { kind: 'disable' } });
        if (letter === 'e' && user.disabled)
          return setStep({ name: 'confirm', user, action: { kind: 'enable' } });
        if (letter === 'r') return setStep({ name: 'role', user });
        continue;
      }
      // The list: arrows and pages move, Enter opens, everything else edits the search.
      const list = users ?? [];
      if (key.name === 'escape' || key.name === 'interrupt') return onDone();
      if (key.name === 'up') setIndex((i) => Math.max(0, i - 1));
      else if (key.name === 'down') setIndex((i) => Math.min(list.length - 1, i + 1));
      else if (key.name === 'pageDown') {
        if (next !== null) {
          setPages((p) => [...p, next]);
          setIndex(0);
        }
      } else if (key.name === 'pageUp') {
        if (pages.length > 1) {
          setPages((p) => p.slice(0, -1));
          setIndex(0);
        }
      } else if (key.name === 'enter') {
        const chosen = list[index];
        if (chosen) {
          setMessage(undefined);
          return setStep({ name: 'detail', id: chosen.id });
        }
      } else {
        const edited = applyEdit(search, key);
        if (edited) setSearch(edited);
      }
    }
  });

  const footer = (
    <Box flexDirection="column">
      {busy ? <Busy label={busy} /> : null}
      {message ? (
        <Text color={message.error ? 'red' : 'green'} wrap="wrap">
          {message.error ? `✗ ${message.text}` : message.text}
        </Text>
      ) : null}
    </Box>
  );

  if (step.name !== 'list') {
    const shown =
      detail && detail.user.id === (step.name === 'detail' ? step.id : step.user.id) ? detail : undefined;
    if (!shown) {
      return (
        <Box flexDirection="column" paddingX={1}>
          <Text bold>Administration · account</Text>
          {message ? footer : <Busy label="Loading the account…" />}
          <Text dimColor>Esc back</Text>
        </Box>
      );
    }
    const u = shown.user;
    // Room for sessions and tokens: what is left after the account's own lines.
    const room = Math.max(1, rows - 10);
    const sessions = shown.sessions.slice(0, Math.ceil(room / 2));
    const tokens = shown.tokens.slice(0, Math.max(0, room - sessions.length));
    return (
      <Box flexDirection="column" paddingX={1}>
        <Text bold wrap="truncate-end">
          {named(u)} &lt;{safeText(u.email)}&gt;
        </Text>
        <Text wrap="truncate-end">
          {u.role} · {stateOf(u)} · 2FA {u.two_factor ? 'on' : 'off'} · last login{' '}
          {minute(u.last_login_at, 'never')}
        </Text>
        <Text wrap="truncate-end">
          Sessions {shown.sessions.length}
          {sessions.length < shown.sessions.length ? ` (${sessions.length} shown)` : ''}
        </Text>
        {sessions.map((s) => (
          <Text key={s.id} dimColor wrap="truncate-end">
            {'  '}
            {minute(s.last_seen_at)} · {safeText(s.ip ?? '?')} · {safeText(s.user_agent ?? 'unknown client')}
          </Text>
        ))}
        <Text wrap="truncate-end">Tokens {shown.tokens.length}</Text>
        {tokens.map((t) => (
          <Text key={t.id} dimColor wrap="truncate-end">
            {'  '}
            {safeText(t.name)} · {t.scopes.join(' ')} · used {day(t.last_used_at, 'never')}
          </Text>
        ))}
        {step.name === 'confirm' ? (
          <Text color="yellow" wrap="wrap">
            {question(step.user, step.action)}
          </Text>
        ) : null}
        {step.name === 'role' ? (
          <Text color="yellow" wrap="wrap">
            New role for {named(u)}: u user · m moderator · a admin · Esc cancel
          </Text>
        ) : null}
        {footer}
        <Text dimColor wrap="wrap">
          {u.disabled ? 'e enable' : 'd disable'} · r role · Esc back
        </Text>
      </Box>
    );
  }

  const list = users ?? [];
  const nameWidth = Math.max(8, Math.min(20, Math.floor((columns - 4) / 3)));
  const wide = columns >= 60;
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold wrap="truncate-end">
        Administration · accounts{pages.length > 1 ? ` · page ${pages.length}` : ''}
      </Text>
      <Box>
        <Text>Search </Text>
        <EditText draft={search} width={Math.max(8, columns - 10)} placeholder="start of a name or email" />
      </Box>
      {users === undefined ? <Busy label="Loading accounts…" /> : null}
      {users && list.length === 0 && !message ? <Text dimColor>No account matches.</Text> : null}
      {list.map((u, i) => (
        <Text key={u.id} color={i === index ? 'cyan' : u.disabled ? 'gray' : undefined} wrap="truncate-end">
          {i === index ? '›' : ' '} {safeText(u.username).padEnd(nameWidth)} {u.role.padEnd(9)}{' '}
          {stateOf(u).padEnd(11)}
          {wide ? ` ${safeText(u.email)}` : ''}
        </Text>
      ))}
      {footer}
      <Text dimColor wrap="wrap">
        ↑↓ choose · Enter details{next !== null ? ' · PgDn more' : ''}
        {pages.length > 1 ? ' · PgUp back' : ''} · type to search · Esc back
      </Text>
    </Box>
  );
}
