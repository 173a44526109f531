import * as audit from '../store/audit.js';
import { readerOf } from '../store/db.js';
import { countUsers } from '../store/users.js';
import { DAY_MS, dayOf, dayStartOf, daysBetween, type DayRow } from '../store/daily-stats.js';
import { countTotals } from '../store/admin-totals.js';
import type { AuditFilter, NamedAuditEvent } from '../store/audit.js';
import type { AccountsDeps } from './index.js';

/*
 * What an admin reads about the whole server: the audit log of every account, and usage
 * statistics. Both read through indexes or per-day rows only, so their cost follows the page or
 * the days asked, not the number of accounts (bench/admin-at-size.ts holds that).
 */

export interface AuditPage {
  events: NamedAuditEvent[];
  nextBefore: number | null;
}

export async function adminListAudit(deps: AccountsDeps, filter: AuditFilter): Promise<AuditPage> {
  const rows = await audit.listAll(readerOf(deps.db), { ...filter, limit: filter.limit + 1 });
  const events = rows.slice(0, filter.limit);
  return { events, nextBefore: rows.length > filter.limit ? events.at(-1)!.id : null };
}

export interface Stats {
  days: DayRow[];
  totals: {
    users: number;
    verified_users: number;
    disabled_users: number;
    admins: number;
    moderators: number;
    messages: number;
    live_sessions: number;
  };
}

/** The last `days` UTC days, today included, oldest first (days with nothing counted as zeros). */
export async function adminStats(deps: AccountsDeps, days: number): Promise<Stats> {
  const reader = readerOf(deps.db);
  const now = deps.clock.now();
  const today = dayStartOf(now);
  const first = today - (days - 1) * DAY_MS;
  const stored = new Map((await daysBetween(reader, dayOf(first), dayOf(today))).map((r) => [r.day, r]));
  const rows: DayRow[] = [];
  for (let at = first; at <= today; at += DAY_MS) {
    const day = dayOf(at);
    rows.push(
      stored.get(day) ?? {
        day,
        signups: 0,
        verifications: 0,
        active_users: 0,
        logins: 0,
        failed_logins: 0,
        messages: 0,
      },
    );
  }
  const totals = await countTotals(reader, now);
  return { days: rows, totals: { users: await countUsers(reader), ...totals } };
}
