/**
 * A timer function's schedule, and the window of time one firing covers, derived from the schedule and
 * the event's time alone (no database): a firing at T covers [previous scheduled time, T). Two deliveries
 * of the same firing, or a retry hours later, carry the same event time and so cover the same window.
 *
 * Accepted schedule expressions (the same value goes to serverless.yml and to the function):
 *  - AWS EventBridge:     `rate(15 minutes)`, `rate(1 hour)`, `rate(1 day)`,
 *                         `cron(0/15 * * * ? *)` (minute hour day-of-month month day-of-week year, UTC,
 *                         day-of-week 1-7 = SUN-SAT)
 *  - FunctionGraph timer: `15m`, `1h`, `1d` (rate); `0 0/15 * * * ?` (6 fields, seconds first)
 *  - plain cron:          `*\/15 * * * *` (5 fields, day-of-week 0-6 = SUN-SAT)
 * A cron expression may start with `CRON_TZ=<IANA zone> ` (default UTC).
 *
 * Rate windows are aligned to the UTC epoch (a 15-minute rate covers :00–:15, :15–:30, …): a rate timer
 * that fires at an offset (say :07) covers the last whole period before it.
 */
import { parseCron, type CronExpression } from './cron';
import { isTimeZone, MINUTE_MS } from './time';

export type Schedule =
  | { readonly kind: 'rate'; readonly expression: string; readonly periodMs: number }
  | { readonly kind: 'cron'; readonly expression: string; readonly timeZone: string; readonly cron: CronExpression };

export interface TimeWindow {
  /** Inclusive. */
  readonly start: Date;
  /** Exclusive. */
  readonly end: Date;
}

export class ScheduleSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ScheduleSyntaxError';
  }
}

/**
 * A firing with no scheduled run before the one it stands for: the first run of a schedule bounded by a year
 * field, or an invocation before the schedule's first run. Its window would start at a run that does not
 * exist, so it covers none; the timer acknowledges it and does nothing (a redelivery would not change that).
 */
export class NoWindowError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'NoWindowError';
  }
}

/** How far an event's time may fall before the scheduled time it stands for (clock jitter). */
export const DEFAULT_FIRING_TOLERANCE_MS = 60_000;
const MAX_PERIOD_MS = 366 * 24 * 60 * MINUTE_MS;

const UNIT_MS: Record<string, number> = { minute: MINUTE_MS, hour: 60 * MINUTE_MS, day: 24 * 60 * MINUTE_MS };

function rate(expression: string, amount: number, unit: string): Schedule {
  const unitMs = UNIT_MS[unit];
  if (!unitMs) throw new ScheduleSyntaxError(`unknown rate unit "${unit}"`);
  if (!Number.isSafeInteger(amount) || amount < 1) throw new ScheduleSyntaxError('a rate must be a whole number of at least 1');
  const periodMs = amount * unitMs;
  if (periodMs > MAX_PERIOD_MS) throw new ScheduleSyntaxError('a rate must be at most 366 days');
  return { kind: 'rate', expression, periodMs };
}

function cron(expression: string, pattern: string, timeZone: string, options: { alternativeWeekdays: boolean; fields: readonly number[] }): Schedule {
  const fields = pattern.trim().split(/\s+/);
  const count = fields.length;
  if (!options.fields.includes(count)) throw new ScheduleSyntaxError(`expected ${options.fields.join(' or ')} cron fields, got ${count}`);
  // A window is [previous run, this run) and a train is named by its minute: more than one run a minute
  // would give windows that start after their firing and trains with one name.
  if (count >= 6 && !/^[0-5]?[0-9]$/.test(fields[0] as string)) throw new ScheduleSyntaxError(`a timer runs at most once a minute: the seconds field must be one second, not "${fields[0]}"`);
  if (!isTimeZone(timeZone)) throw new ScheduleSyntaxError(`unknown time zone "${timeZone}"`);
  let job: CronExpression;
  try {
    job = parseCron(pattern, { timeZone, alternativeWeekdays: options.alternativeWeekdays });
  } catch (error) {
    throw new ScheduleSyntaxError(error instanceof Error ? error.message : 'invalid cron pattern');
  }
  return { kind: 'cron', expression, timeZone, cron: job };
}

/** Parses a schedule expression; throws ScheduleSyntaxError saying what is wrong. */
export function parseSchedule(expression: string): Schedule {
  const text = expression.trim();
  const awsRate = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/i.exec(text);
  if (awsRate) return rate(text, Number(awsRate[1]), (awsRate[2] as string).toLowerCase().replace(/s$/, ''));
  const fgRate = /^(\d+)\s*([mhd])$/i.exec(text);
  if (fgRate) {
    const unit = { m: 'minute', h: 'hour', d: 'day' }[(fgRate[2] as string).toLowerCase()] as string;
    return rate(text, Number(fgRate[1]), unit);
  }
  const zoned = /^CRON_TZ=(\S+)\s+(.*)$/.exec(text);
  const timeZone = zoned ? (zoned[1] as string) : 'UTC';
  const body = zoned ? (zoned[2] as string).trim() : text;
  const awsCron = /^cron\((.*)\)$/i.exec(body);
  if (awsCron) {
    // EventBridge: minute hour day-of-month month day-of-week year → seconds-first 7 fields.
    const fields = (awsCron[1] as string).trim().split(/\s+/);
    if (fields.length !== 6) throw new ScheduleSyntaxError(`expected 6 fields in cron(...), got ${fields.length}`);
    return cron(text, `0 ${fields.join(' ')}`, timeZone, { alternativeWeekdays: true, fields: [7] });
  }
  if (/^[0-9*?/,\-A-Za-z#@ ]+$/.test(body) && body.split(/\s+/).length >= 5) {
    return cron(text, body, timeZone, { alternativeWeekdays: false, fields: [5, 6] });
  }
  if (/^@(hourly|daily|midnight|weekly|monthly|yearly|annually)$/i.test(body)) {
    return cron(text, body.toLowerCase(), timeZone, { alternativeWeekdays: false, fields: [1] });
  }
  throw new ScheduleSyntaxError('must be rate(N minutes|hours|days), Nm/Nh/Nd, cron(6 fields) or a 5- or 6-field cron pattern');
}

/** How close to the edge between two rate windows a firing must come to be ambiguous (platform jitter). */
export const RATE_EDGE_MARGIN_MS = 5_000;

/**
 * Whether this rate firing sits on the edge where `firingWindow` turns from one window to the next: a timer
 * that fires every period about `toleranceMs` before an epoch-aligned boundary (a FunctionGraph rate timer
 * created at such an offset) may, with a second of jitter, cover one window twice and skip the next. Cron
 * schedules, and rate timers at any other offset, never are. Undefined when not ambiguous; else what to do.
 */
export function rateFiringAmbiguity(schedule: Schedule, firedAt: Date, toleranceMs = DEFAULT_FIRING_TOLERANCE_MS): string | undefined {
  if (schedule.kind !== 'rate') return undefined;
  const tolerance = Math.min(toleranceMs, Math.floor(schedule.periodMs / 2));
  const phase = (firedAt.getTime() + tolerance) % schedule.periodMs;
  if (phase >= RATE_EDGE_MARGIN_MS && phase <= schedule.periodMs - RATE_EDGE_MARGIN_MS) return undefined;
  return `the timer fires ${Math.round(tolerance / 1000)} s before a ${schedule.expression} window boundary, within a few seconds: with platform jitter consecutive firings may cover one window twice and skip the next; use a cron schedule, or re-create the rate timer at another offset`;
}

/**
 * The window one firing covers: it ends at the latest scheduled time at or before the event's time
 * (allowing `toleranceMs` of jitter before it) and starts at the scheduled time before that.
 */
export function firingWindow(schedule: Schedule, firedAt: Date, toleranceMs = DEFAULT_FIRING_TOLERANCE_MS): TimeWindow {
  if (schedule.kind === 'rate') {
    const tolerance = Math.min(toleranceMs, Math.floor(schedule.periodMs / 2));
    const end = Math.floor((firedAt.getTime() + tolerance) / schedule.periodMs) * schedule.periodMs;
    return { start: new Date(end - schedule.periodMs), end: new Date(end) };
  }
  const noWindow = (run: Date) => new NoWindowError(`the schedule ${schedule.expression} has no run before ${run.toISOString()}, so the firing at ${firedAt.toISOString()} covers no window`);
  const end = schedule.cron.previousRun(new Date(firedAt.getTime() + toleranceMs + 1));
  if (!end) throw noWindow(firedAt);
  const start = schedule.cron.previousRun(end);
  if (!start) throw noWindow(end);
  if (end.getTime() - firedAt.getTime() > (end.getTime() - start.getTime()) / 2) {
    // The tolerance reached past half a period: the event stands for the previous run.
    const earlier = schedule.cron.previousRun(start);
    if (!earlier) throw noWindow(start);
    return { start: earlier, end: start };
  }
  return { start, end };
}

/** `firingWindow`, warning (once per firing) when a rate firing is ambiguous: see `rateFiringAmbiguity`. */
export function windowOfFiring(schedule: Schedule, firedAt: Date, logger: { warn(message: string, fields?: Record<string, unknown>): void }): TimeWindow {
  const ambiguity = rateFiringAmbiguity(schedule, firedAt);
  if (ambiguity) logger.warn('Rate timer firing on a window edge', { reason: ambiguity, fired_at: firedAt.toISOString() });
  return firingWindow(schedule, firedAt);
}
