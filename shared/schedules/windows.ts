/**
 * Allow and deny windows: cron-style minute patterns read in one IANA time zone. A minute is inside when
 * an allow pattern matches it and no deny pattern does (deny wins). Patterns have 5 fields (minute hour
 * day-of-month month day-of-week, day-of-week 0-6 = SUN-SAT or names), several separated by `;`:
 *
 *   `0-59 9-17 * * 1-5`           every minute from 09:00 to 17:59, Monday to Friday
 *   `* 22-23 * * *; * 0-5 * * *`  overnight, 22:00 to 05:59
 *
 * A window is a maximal run of inside minutes: deny minutes split an allow window in two. "At most once
 * per window" uses the first minute of the current run as the window's identity.
 */
import { parseCron, type CronExpression } from './cron';
import { floorToMinute, HOUR_MS, isTimeZone, MINUTE_MS } from './time';

export interface WindowPattern {
  readonly pattern: string;
  readonly cron: CronExpression;
}

export interface WindowSet {
  readonly timeZone: string;
  readonly allow: readonly WindowPattern[];
  readonly deny: readonly WindowPattern[];
}

export class WindowSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WindowSyntaxError';
  }
}

/**
 * A window open longer is cut here (see currentWindowStart): at most one start per task per 25 hours. Not 24:
 * a window open all day but for a deny lasts up to 25 hours on the day daylight saving time ends, and must
 * stay one window (cut at 24 hours, its last hour was a new window, and the task started twice).
 */
export const MAX_WINDOW_LOOKBACK_MS = 25 * 60 * MINUTE_MS;

function parsePatterns(value: string | undefined, timeZone: string): WindowPattern[] {
  if (value === undefined) return [];
  const out: WindowPattern[] = [];
  for (const raw of value.split(';')) {
    const pattern = raw.trim().replace(/\s+/g, ' ');
    if (pattern === '') continue;
    if (pattern.split(' ').length !== 5) throw new WindowSyntaxError(`"${pattern}" must have 5 fields (minute hour day-of-month month day-of-week)`);
    try {
      out.push({ pattern, cron: parseCron(pattern, { timeZone, fiveFields: true }) });
    } catch (error) {
      throw new WindowSyntaxError(`"${pattern}": ${error instanceof Error ? error.message : 'invalid pattern'}`);
    }
  }
  return out;
}

/** Parses allow and deny pattern lists; throws WindowSyntaxError naming the bad pattern. */
export function parseWindowSet(input: { allow: string; deny?: string | undefined; timeZone: string }): WindowSet {
  if (!isTimeZone(input.timeZone)) throw new WindowSyntaxError(`unknown time zone "${input.timeZone}"`);
  const allow = parsePatterns(input.allow, input.timeZone);
  if (allow.length === 0) throw new WindowSyntaxError('at least one allow pattern is required');
  return { timeZone: input.timeZone, allow, deny: parsePatterns(input.deny, input.timeZone) };
}

export type WindowCheck =
  | { readonly inside: true; readonly allow: string }
  | { readonly inside: false; readonly reason: string; readonly deny?: string };

/** Whether the minute holding `at` is inside the windows, and why not. */
export function checkWindow(set: WindowSet, at: Date): WindowCheck {
  const minute = floorToMinute(at);
  const deny = set.deny.find((p) => p.cron.matches(minute));
  const allow = set.allow.find((p) => p.cron.matches(minute));
  if (deny) return { inside: false, reason: `inside the deny window "${deny.pattern}" (${set.timeZone})`, deny: deny.pattern };
  if (!allow) return { inside: false, reason: `outside every allow window (${set.timeZone})` };
  return { inside: true, allow: allow.pattern };
}

function insideMinute(set: WindowSet, minute: Date): boolean {
  return set.allow.some((p) => p.cron.matches(minute)) && !set.deny.some((p) => p.cron.matches(minute));
}

/** Every minute of the whole wall-clock hour before `minute` is inside: an allow pattern matches them all, no deny pattern any. */
function insideHourBefore(set: WindowSet, minute: Date): boolean {
  return set.deny.every((p) => p.cron.hourBefore(minute) === 'none') && set.allow.some((p) => p.cron.hourBefore(minute) === 'all');
}

/**
 * The first minute of the window holding `at` (undefined when `at` is outside). A window open for longer
 * than `maxLookbackMs` is treated as starting `maxLookbackMs` ago (at most once per that span).
 *
 * The walk goes back a minute at a time to the hour, then an hour at a time while whole hours are inside,
 * then by minutes again: about 150 steps for a window a day long instead of 1440, which at a cold start
 * is the difference between an interpreted loop and one hot enough for V8 to optimise (deployWindow's
 * first invocation: bench/experiments/INSTRUCTIONS.md).
 */
export function currentWindowStart(set: WindowSet, at: Date, maxLookbackMs = MAX_WINDOW_LOOKBACK_MS): Date | undefined {
  let minute = floorToMinute(at);
  if (!insideMinute(set, minute)) return undefined;
  const limit = minute.getTime() - maxLookbackMs;
  while (minute.getTime() - MINUTE_MS >= limit) {
    const hourEarlier = minute.getTime() - HOUR_MS;
    if (hourEarlier >= limit && insideHourBefore(set, minute)) {
      minute = new Date(hourEarlier);
      continue;
    }
    const previous = new Date(minute.getTime() - MINUTE_MS);
    if (!insideMinute(set, previous)) break;
    minute = previous;
  }
  return minute;
}
