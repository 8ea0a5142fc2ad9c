/**
 * Time helpers for schedules and windows: IANA zone checks, wall-clock fields in a zone, a wall-clock time
 * in a zone back to an instant, and the compact UTC stamps used in names. Pure: every function takes its
 * instant; nothing reads the clock.
 */

export const MINUTE_MS = 60_000;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

const formatters = new Map<string, Intl.DateTimeFormat>();

/**
 * UTC, the default zone of every schedule and window, is computed from the Date's own UTC fields: the
 * first Intl.DateTimeFormat of a process loads ICU's time-zone data, which cost a UTC releaseTrain 17 ms
 * of its first invocation (measured side by side, 2026-12-02). Other zones go through Intl (one
 * formatter per zone).
 */
export const UTC = 'UTC';

/** The en-US, 24-hour, numeric formatter of a zone (one per zone for the process; cron.ts reads it too). */
export function formatterFor(timeZone: string): Intl.DateTimeFormat {
  let formatter = formatters.get(timeZone);
  if (!formatter) {
    formatter = new Intl.DateTimeFormat('en-US', {
      timeZone,
      hourCycle: 'h23',
      year: 'numeric',
      month: 'numeric',
      day: 'numeric',
      hour: 'numeric',
      minute: 'numeric',
      second: 'numeric',
    });
    formatters.set(timeZone, formatter);
  }
  return formatter;
}

/** True when the runtime knows this IANA time zone (e.g. Asia/Shanghai, Europe/Berlin, UTC). */
export function isTimeZone(value: string): boolean {
  if (value === UTC) return true;
  if (value.trim() === '' || value !== value.trim()) return false;
  try {
    formatterFor(value);
    return true;
  } catch {
    return false;
  }
}

export interface WallClock {
  readonly year: number;
  readonly month: number;
  readonly day: number;
  readonly hour: number;
  readonly minute: number;
  readonly second: number;
}

/** The wall-clock fields of an instant in a zone. */
export function wallClock(instant: Date, timeZone: string): WallClock {
  if (timeZone === UTC) {
    return {
      year: instant.getUTCFullYear(),
      month: instant.getUTCMonth() + 1,
      day: instant.getUTCDate(),
      hour: instant.getUTCHours(),
      minute: instant.getUTCMinutes(),
      second: instant.getUTCSeconds(),
    };
  }
  const fields: Record<string, number> = {};
  for (const part of formatterFor(timeZone).formatToParts(instant)) {
    if (part.type !== 'literal') fields[part.type] = Number(part.value);
  }
  return {
    year: fields.year ?? 0,
    month: fields.month ?? 0,
    day: fields.day ?? 0,
    hour: (fields.hour ?? 0) % 24,
    minute: fields.minute ?? 0,
    second: fields.second ?? 0,
  };
}

function offsetMsAt(instantMs: number, timeZone: string): number {
  const w = wallClock(new Date(instantMs), timeZone);
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  return asUtc - Math.floor(instantMs / 1000) * 1000;
}

/**
 * The instant at which the zone's clock shows this wall time, disambiguated like Temporal's "compatible":
 * a time repeated by a DST change is its first occurrence (its last with `later`); a time skipped by one
 * moves forward by the gap.
 */
export function instantOfWallClock(w: WallClock, timeZone: string, later = false): Date {
  const asUtc = Date.UTC(w.year, w.month - 1, w.day, w.hour, w.minute, w.second);
  const offsetBefore = offsetMsAt(asUtc - DAY_MS, timeZone);
  const offsetAfter = offsetMsAt(asUtc + DAY_MS, timeZone);
  const shows = (ms: number) => {
    const s = wallClock(new Date(ms), timeZone);
    return s.year === w.year && s.month === w.month && s.day === w.day && s.hour === w.hour && s.minute === w.minute && s.second === w.second;
  };
  const valid = [asUtc - offsetBefore, asUtc - offsetAfter, asUtc - offsetMsAt(asUtc, timeZone)].filter(shows).sort((a, b) => a - b);
  return new Date((later ? valid[valid.length - 1] : valid[0]) ?? asUtc - offsetBefore);
}

const pad = (n: number, width = 2) => String(n).padStart(width, '0');

/** `yyyy-MM-dd` of an instant in a zone. */
export function isoDay(instant: Date, timeZone: string): string {
  const w = wallClock(instant, timeZone);
  return `${pad(w.year, 4)}-${pad(w.month)}-${pad(w.day)}`;
}

/** `20261123T0800Z`: the UTC minute of an instant, in a form every package-name rule accepts. */
export function compactUtcMinute(instant: Date): string {
  return (
    `${pad(instant.getUTCFullYear(), 4)}${pad(instant.getUTCMonth() + 1)}${pad(instant.getUTCDate())}` +
    `T${pad(instant.getUTCHours())}${pad(instant.getUTCMinutes())}Z`
  );
}

/** The instant truncated to its minute. */
export function floorToMinute(instant: Date): Date {
  return new Date(Math.floor(instant.getTime() / MINUTE_MS) * MINUTE_MS);
}

/** Days in a month of the proleptic Gregorian calendar (month 1–12). */
function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

/**
 * Parses a CodeArts Deploy history time: `yyyy-MM-dd HH:mm:ss` (what the docs show) is a wall time in
 * `timeZone` (of a time shown twice, the later). The same with a `T`, fractions of a second, or its own offset (`Z`, `+08:00`), or epoch
 * milliseconds, are read too: an unreadable time keeps the deploy window from starting the task at all.
 */
export function parseZonedDateTime(value: string, timeZone: string): Date | undefined {
  const text = value.trim();
  if (/^\d{13}$/.test(text)) return new Date(Number(text));
  const m = /^(\d{4})-(\d{2})-(\d{2})[ T](\d{2}):(\d{2}):(\d{2})(?:\.(\d{1,9}))?(Z|[+-]\d{2}:?\d{2})?$/.exec(text);
  if (!m) return undefined;
  const [y, mo, d, h, mi, s] = m.slice(1, 7).map(Number) as [number, number, number, number, number, number];
  // A day past its month's end (2026-02-31) is unreadable, not rolled into the next month.
  if (mo < 1 || mo > 12 || d < 1 || d > daysInMonth(y, mo) || h > 23 || mi > 59 || s > 59) return undefined;
  const ms = m[7] ? Math.floor(Number(`0.${m[7]}`) * 1000) : 0;
  const offset = m[8];
  if (offset === undefined) {
    // A time the zone's clock shows twice (the hour repeated when DST ends) is read as the later one: a start
    // then counts as inside a window that began between the two, and the task is not started again.
    return new Date(instantOfWallClock({ year: y, month: mo, day: d, hour: h, minute: mi, second: s }, timeZone, true).getTime() + ms);
  }
  const sign = offset.startsWith('-') ? -1 : 1;
  const offsetMinutes = offset === 'Z' ? 0 : sign * (Number(offset.slice(1, 3)) * 60 + Number(offset.slice(-2)));
  return new Date(Date.UTC(y, mo - 1, d, h, mi, s, ms) - offsetMinutes * 60_000);
}
