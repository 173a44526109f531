import { terminal } from '../client/language.js';

/*
 * Dates and times as the account screens show them, in the terminal's language and time zone
 * (Intl): "2026-11-30, 14:05" in English (ISO's order, as en-CA writes it: no reader takes
 * 03/04 for the wrong month, and it is what the account screens showed before they spoke German),
 * "30.11.2026, 14:05" in German. A 24-hour clock and two-digit fields keep the columns of a list
 * the same width on every row.
 */

const LOCALE = terminal.language === 'en' ? 'en-CA' : terminal.language;

const DAY: Intl.DateTimeFormatOptions = { year: 'numeric', month: '2-digit', day: '2-digit' };
const CLOCK: Intl.DateTimeFormatOptions = { hour: '2-digit', minute: '2-digit', hourCycle: 'h23' };

const formats = {
  day: new Intl.DateTimeFormat(LOCALE, DAY),
  clock: new Intl.DateTimeFormat(LOCALE, CLOCK),
  minute: new Intl.DateTimeFormat(LOCALE, { ...DAY, ...CLOCK }),
};

/** An ISO time as a day, a clock time or both; `none` when there is none, the text as is when unreadable. */
function shown(kind: keyof typeof formats, iso: string | null | undefined, none: string): string {
  if (!iso) return none;
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : formats[kind].format(date);
}

export const dayOf = (iso: string | null | undefined, none = '-') => shown('day', iso, none);
export const minuteOf = (iso: string | null | undefined, none = '-') => shown('minute', iso, none);

/** Today's times as the clock alone, older ones with their day: a list row must fit 80 columns. */
export function recently(iso: string): string {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return iso;
  return date.toDateString() === new Date().toDateString()
    ? shown('clock', iso, '')
    : shown('minute', iso, '');
}
