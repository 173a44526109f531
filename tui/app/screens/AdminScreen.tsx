import { useCallback, useEffect, useState } from 'react';
import { Box, Text, useStdout } from 'ink';
import type { Role } from '../../../server/protocol.js';
import { ADMIN_LIMITS, type AdminUser, type AdminUserBody } from '../../client/admin.js';
import { Mux1Error } from '../../client/errors.js';
import { describeFailure, textsOf } from '../../client/language.js';
import { safeText } from '../../client/safe-text.js';
import { EditText } from '../components/EditText.js';
import { wrapLines } from '../components/wrap-lines.js';
import { Busy } from '../components/Form.js';
import { applyEdit, EMPTY, type Draft } from '../components/line-editor.js';
import { dayOf, minuteOf } from '../dates.js';
import { useEditKeys } from '../hooks/useEditKeys.js';
import type { TuiServices } from '../services.js';

const t = textsOf('tui');

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

/** A role as shown; the letters that choose one (ROLE_KEYS) stay the same in every language. */
const roleName = (role: Role): string =>
  role === 'admin'
    ? t('admin.roles.admin')
    : role === 'moderator'
      ? t('admin.roles.moderator')
      : t('admin.roles.user');
const stateOf = (u: AdminUser) =>
  u.disabled
    ? t('admin.states.disabled')
    : u.deactivated
      ? t('admin.states.deactivated')
      : u.verified
        ? t('admin.states.active')
        : t('admin.states.unverified');
const named = (u: AdminUser) => t('admin.named', { username: safeText(u.username), id: u.id });

/** A refusal, said as what it means here. */
function explain(err: unknown): string {
  const e = Mux1Error.from(err);
  if (e.code === 'forbidden') return t('admin.notAdmin');
  if (e.code === 'insufficient_scope') return t('admin.needsSession');
  return describeFailure(e);
}

function question(user: AdminUser, action: Action): string {
  switch (action.kind) {
    case 'disable':
      return t('admin.confirmDisable', { user: named(user) });
    case 'enable':
      return t('admin.confirmEnable', { user: named(user) });
    case 'role':
      return t('admin.confirmRole', {
        user: named(user),
        role: roleName(action.role),
        now: roleName(user.role),
      });
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
    setBusy(t('admin.saving'));
    setMessage(undefined);
    try {
      const patch = action.kind === 'role' ? { role: action.role } : { disabled: action.kind === 'disable' };
      const { user: changed } = await admin().updateUser(user.id, patch);
      setMessage({
        text:
          action.kind === 'role'
            ? t('admin.nowRole', { user: named(changed), role: roleName(changed.role) })
            : action.kind === 'disable'
              ? t('admin.disabled', { user: named(changed) })
              : t('admin.enabled', { user: named(changed) }),
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
          <Text bold>{t('admin.accountTitle')}</Text>
          {message ? footer : <Busy label={t('admin.loadingAccount')} />}
          <Text dimColor>{t('admin.back')}</Text>
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
          {roleName(u.role)} · {stateOf(u)} ·{' '}
          {u.two_factor ? t('admin.twoFactorOn') : t('admin.twoFactorOff')} ·{' '}
          {t('admin.lastLogin', { when: minuteOf(u.last_login_at, t('admin.never')) })}
        </Text>
        <Text wrap="truncate-end">
          {t('admin.sessions', { count: shown.sessions.length })}
          {sessions.length < shown.sessions.length ? ` ${t('admin.shown', { count: sessions.length })}` : ''}
        </Text>
        {sessions.map((s) => (
          <Text key={s.id} dimColor wrap="truncate-end">
            {'  '}
            {minuteOf(s.last_seen_at)} · {safeText(s.ip ?? '?')} ·{' '}
            {safeText(s.user_agent ?? t('admin.unknownClient'))}
          </Text>
        ))}
        <Text wrap="truncate-end">{t('admin.tokens', { count: shown.tokens.length })}</Text>
        {tokens.map((token) => (
          <Text key={token.id} dimColor wrap="truncate-end">
            {'  '}
            {safeText(token.name)} · {token.scopes.join(' ')} ·{' '}
            {t('admin.used', { when: dayOf(token.last_used_at, t('admin.never')) })}
          </Text>
        ))}
        {step.name === 'confirm' ? (
          <Text color="yellow" wrap="wrap">
            {question(step.user, step.action)}
          </Text>
        ) : null}
        {step.name === 'role' ? (
          <Text color="yellow" wrap="wrap">
            {t('admin.chooseRole', {
              user: named(u),
              userRole: roleName('user'),
              moderatorRole: roleName('moderator'),
              adminRole: roleName('admin'),
            })}
          </Text>
        ) : null}
        {footer}
        <Text dimColor wrap="wrap">
          {u.disabled ? t('admin.detailHelpEnable') : t('admin.detailHelpDisable')}
        </Text>
      </Box>
    );
  }

  const list = users ?? [];
  const nameWidth = Math.max(8, Math.min(20, Math.floor((columns - 4) / 3)));
  const wide = columns >= 60;
  // Columns as wide as the longest role and state in this language.
  const roleWidth = Math.max(...(['user', 'moderator', 'admin'] as const).map((r) => roleName(r).length));
  const stateWidth = Math.max(
    ...[
      t('admin.states.disabled'),
      t('admin.states.deactivated'),
      t('admin.states.active'),
      t('admin.states.unverified'),
    ].map((s) => s.length),
  );
  return (
    <Box flexDirection="column" paddingX={1}>
      <Text bold wrap="truncate-end">
        {t('admin.listTitle')}
        {pages.length > 1 ? ` · ${t('admin.page', { page: pages.length })}` : ''}
      </Text>
      <Box>
        <Text>{t('admin.search')} </Text>
        <EditText
          draft={search}
          width={Math.max(8, columns - t('admin.search').length - 4)}
          placeholder={t('admin.searchHint')}
        />
      </Box>
      {users === undefined ? <Busy label={t('admin.loadingAccounts')} /> : null}
      {users && list.length === 0 && !message ? <Text dimColor>{t('admin.noMatch')}</Text> : null}
      {list.map((u, i) => (
        <Text key={u.id} color={i === index ? 'cyan' : u.disabled ? 'gray' : undefined} wrap="truncate-end">
          {i === index ? '›' : ' '} {safeText(u.username).padEnd(nameWidth)}{' '}
          {roleName(u.role).padEnd(roleWidth)} {stateOf(u).padEnd(stateWidth)}
          {wide ? ` ${safeText(u.email)}` : ''}
        </Text>
      ))}
      {footer}
      <Text dimColor>
        {wrapLines(
          [
            t('admin.listHelpStart'),
            ...(next !== null ? [t('admin.listHelpMore')] : []),
            ...(pages.length > 1 ? [t('admin.listHelpBack')] : []),
            t('admin.listHelpEnd'),
          ].join(' · '),
          columns - 2,
        ).join('\n')}
      </Text>
    </Box>
  );
}
