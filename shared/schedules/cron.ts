/**
 * Cron patterns for schedules and windows, without a dependency: a pattern is parsed once into per-field
 * sets, then matched against the wall clock of an instant in an IANA zone (`matches`), or searched
 * backwards field by field for the latest run before an instant (`previousRun`).
 *
 * It stands in for croner 11.0.1 (with `sloppyRanges: true` and its default `legacyMode`) and keeps its
 * semantics, down to what it accepts and rejects; test/unit/timers/cron.test.ts compares the two on
 * generated patterns, zones and instants. The grammar:
 *  - 5, 6 or 7 fields: [second] minute hour day-of-month month day-of-week [year]. Without seconds a
 *    pattern runs at second 0, without a year in every year. `@yearly`/`@annually`, `@monthly`,
 *    `@weekly`, `@daily`/`@midnight`, `@hourly`.
 *  - `*`, `?` (the same as `*`, in any field), values, ranges `1-5`, steps `*\/15`, `1-30/2`, `0/15`,
 *    `/15`, lists `1,5-7`; JAN-DEC and SUN-SAT. Day-of-week 0-7 (0 and 7 are Sunday), or with
 *    `alternativeWeekdays` 1-7 = SUN-SAT (AWS EventBridge, Quartz; 8 is Sunday again, as in croner).
 *  - Day-of-month `L` (the last day), `LW` (the last weekday), `15W` (the weekday nearest the 15th, in
 *    the same month); day-of-week `5L` (the last Friday), `5#2` (the second Friday).
 *  - A restricted day-of-month and a restricted day-of-week are OR-ed (Vixie cron: `0 0 13 * 5` is every
 *    13th and every Friday), AND-ed when day-of-week starts with `+`; `*` in day-of-month leaves the
 *    days to day-of-week.
 *  - Daylight saving time, in previousRun (`matches` reads the wall clock only): a pattern whose second,
 *    minute and hour are single values (a fixed time of day, `0 0 8 * * *`) runs once when its time
 *    comes twice (the first time) and, when its time is skipped, at the end of the gap (that day only);
 *    any other pattern runs both times a time comes twice, and not at all in a gap.
 *
 * One difference: croner takes a pattern holding `:` for a date to run once at; here it is an error.
 */

import { formatterFor, UTC } from './time';

export interface CronOptions {
  /** The IANA zone the pattern is read in. */
  readonly timeZone: string;
  /** Day-of-week 1-7 = SUN-SAT (AWS, Quartz) instead of 0-7 = SUN-SAT with 7 also Sunday. */
  readonly alternativeWeekdays?: boolean;
  /** Exactly 5 fields (croner's mode '5-part'). */
  readonly fiveFields?: boolean;
}

export interface CronExpression {
  readonly pattern: string;
  /** Whether the wall clock of `at` in the zone, to the second, matches the pattern. */
  matches(at: Date): boolean;
  /** The latest run strictly before `before`, or undefined when there is none. */
  previousRun(before: Date): Date | undefined;
  /**
   * How the pattern matches the hour before `at` (second 0 of each minute of [at − 1 h, at)) when that hour
   * is one whole wall-clock hour of the zone: 'all' its minutes, 'some', or 'none'. Undefined when it is
   * not (`at` is not on the hour there, or the zone's offset changes within it). Windows walk back an hour
   * at a time with it rather than a minute at a time.
   */
  hourBefore(at: Date): 'all' | 'some' | 'none' | undefined;
}

export class CronSyntaxError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'CronSyntaxError';
  }
}

const fail = (message: string): never => {
  throw new CronSyntaxError(message);
};

const SECOND = 1000;
const HOUR = 3600 * SECOND;
const DAY = 24 * HOUR;

// ---- fields --------------------------------------------------------------------------------------

const NICKNAMES: Record<string, string> = {
  '@yearly': '0 0 1 1 *',
  '@annually': '0 0 1 1 *',
  '@monthly': '0 0 1 * *',
  '@weekly': '0 0 * * SUN',
  '@daily': '0 0 * * *',
  '@midnight': '0 0 * * *',
  '@hourly': '0 * * * *',
};
const names = (list: string, first: number) => list.split(' ').map((name, i): [string, string] => [name, String(i + first)]);
const MONTHS = names('jan feb mar apr may jun jul aug sep oct nov dec', 1);
// `-sun` first: MON-SUN ends on 7 (Sunday again) instead of running backwards to 0.
const DAYS: [string, string][] = [['-sun', '-7'], ...names('sun mon tue wed thu fri sat', 0)];
const QUARTZ_DAYS = names('sun mon tue wed thu fri sat', 1);

const FIELD_NAMES = ['second', 'minute', 'hour', 'day-of-month', 'month', 'day-of-week', 'year'];

interface Field {
  readonly name: string;
  /** The value at index 0 (1 for day-of-month and month, and for day-of-week with alternativeWeekdays). */
  readonly first: number;
  /** Per index, 1 when the field matches it; for day-of-week, the occurrences the weekday matches (below). */
  readonly values: Uint8Array;
}

// Day-of-week occurrence bits: 1, 2, 4, 8, 16 for the 1st to 5th in the month, 32 for the last; 63 any.
const LAST = 32;
const ANY = 63;

const isYear = (f: Field) => f.values.length === 10000;
const isWeekday = (f: Field) => f.values.length === 7;

/** Digits only: parseInt would read `15W` as 15. */
const toNumber = (text: string) => (/^\d+$/.test(text) ? parseInt(text, 10) : NaN);

/** Names to numbers. A name has to stand alone (SUN6 and JANFEB are errors), though L may follow it (FRIL). */
function replaceNames(text: string, table: readonly [string, string][]): string {
  let out = text;
  for (const [name, value] of table) {
    out = out.replace(new RegExp(name, 'gi'), (match: string, at: number, whole: string) => {
      const i = at + match.length - 3;
      if (/[a-z\d/#]/i.test(whole.charAt(i - 1)) || /[a-km-z\d]/i.test(whole.charAt(i + 3))) fail(`a month or day name has to stand alone ("${text}")`);
      return value;
    });
  }
  return out;
}

function put(f: Field, index: number, nth: string | undefined): void {
  const v = f.values;
  const day = isWeekday(f) && index === 7 ? 0 : index;
  if (day < (isYear(f) ? 1 : 0) || day >= v.length) fail(`Invalid value for ${f.name}: ${index + f.first}`);
  if (!isWeekday(f)) v[day] = 1;
  else if (nth === undefined) v[day] = ANY;
  else if (nth.toUpperCase() === 'L') v[day] = (v[day] ?? 0) | LAST;
  else if (+nth > 0 && +nth < 6) v[day] = (v[day] ?? 0) | (1 << (+nth - 1));
  else fail(`${f.name} "#${nth}": the nth weekday is 1-5 or L`);
}

/** One field's text, as croner's partToArray reads it: `*`, a list, a range with or without a step, a step, a value. */
function part(text: string, f: Field, nearest: Field | undefined, emptyOk: boolean): void {
  const no = (why: string) => fail(`${f.name} "${text}": ${why}`);
  if (text === '') return void (emptyOk || fail(`${f.name} has an empty value`));
  if (text === '*') return void f.values.fill(isWeekday(f) ? ANY : 1);
  const items = text.split(',');
  if (items.length > 1) return items.forEach((item) => part(item, f, nearest, emptyOk));
  if (nearest && /w/i.test(text) && /[-/]/.test(text)) no('W follows a single day');
  let base = text;
  let nth: string | undefined;
  if (isWeekday(f) && text.includes('#')) {
    const pieces = text.split('#');
    if (pieces.length !== 2 || pieces[1] === '') no('not an nth weekday');
    [base, nth] = pieces as [string, string];
  } else if (isWeekday(f) && text.toUpperCase().endsWith('L')) {
    [base, nth] = [text.slice(0, -1), 'L'];
  }
  const size = f.values.length;
  const checkStep = (step: number) => (isNaN(step) || step === 0 || step > size) && no(`the step must be 1 to ${size}`);
  let [from, to, step, skipYearZero] = [0, 0, 1, false];
  if (text.includes('-') && text.includes('/')) {
    const m = /^(\d+)-(\d+)\/(\d+)$/.exec(base) ?? no('not a range with a step');
    [from, to, step] = [Number(m[1]) - f.first, Number(m[2]) - f.first, Number(m[3])];
    if (from > to) no('the range runs backwards');
    checkStep(step);
  } else if (text.includes('-')) {
    const ends = base.split('-');
    [from, to] = ends.map((end) => toNumber(end) - f.first) as [number, number];
    if (ends.length !== 2 || isNaN(from) || isNaN(to)) no('not a range');
    if (from > to) no('the range runs backwards');
  } else if (text.includes('/')) {
    const pieces = base.split('/');
    // `*/n` and (sloppily) `/n` start at the field's first index, `a/n` at a; all run to the field's end.
    from = pieces[0] === '' || pieces[0] === '*' ? 0 : toNumber(pieces[0]!) - f.first;
    if (pieces.length !== 2 || isNaN(from)) no('not a step');
    step = toNumber(pieces[1]!);
    checkStep(step);
    // Year 0 does not exist: `*/5` in years means 5, 10, …
    [to, skipYearZero] = [size - 1, isYear(f)];
  } else {
    const w = nearest !== undefined && /w/i.test(base);
    from = to = toNumber(w ? base.replace(/W$/i, '') : base) - f.first;
    if (isNaN(from)) no('not a number');
    if (w) return put(nearest!, from, undefined);
  }
  for (let i = from; i <= to; i += step) if (i !== 0 || !skipYearZero) put(f, i, nth);
}

/** For each index, the highest matching index at or below it, or -1: one step of the backward search. */
function previousTable(values: Uint8Array): Int8Array {
  const table = new Int8Array(values.length);
  let last = -1;
  values.forEach((v, i) => (table[i] = last = v ? i : last));
  return table;
}

// ---- calendar and zones --------------------------------------------------------------------------

/** A wall-clock time: [year, month 0-11, day, hour, minute, second]. */
type Wall = number[];

/** A wall time read as UTC, in ms; setUTCFullYear, unlike Date.UTC, keeps years 0-99 as they are. */
const utc = (w: Wall) => new Date(0).setUTCFullYear(w[0]!, w[1]!, w[2]!) + ((w[3]! * 60 + w[4]!) * 60 + w[5]!) * SECOND;
const civil = (ms: number): Wall => {
  const d = new Date(ms);
  return [d.getUTCFullYear(), d.getUTCMonth(), d.getUTCDate(), d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()];
};
const sameWall = (a: Wall, b: Wall, fields = 6) => a.slice(0, fields).every((v, i) => v === b[i]);
const daysIn = (y: number, mo: number) => (mo === 1 ? (y % 4 === 0 && (y % 100 !== 0 || y % 400 === 0) ? 29 : 28) : 31 - ((mo % 7) % 2));
const firstWeekday = (y: number, mo: number) => new Date(utc([y, mo, 1, 0, 0, 0])).getUTCDay();
const floorSecond = (t: number) => Math.floor(t / SECOND) * SECOND;

/** The weekday nearest day `n` of a month without leaving the month (`nW`); -1 when the month is shorter. */
function nearestWeekday(n: number, last: number, first: number): number {
  const weekday = (first + n - 1) % 7;
  if (n > last) return -1;
  if (weekday === 0) return n === last ? n - 2 : n + 1;
  if (weekday === 6) return n === 1 ? n + 2 : n - 1;
  return n;
}

interface Zone {
  readonly format: Intl.DateTimeFormat | undefined;
  /** The last hour (since the epoch) found to have one offset throughout, and that offset. */
  hour: number;
  offset: number;
}

const zones = new Map<string, Zone>();

function zoneOf(timeZone: string): Zone {
  let zone = zones.get(timeZone);
  if (!zone) {
    zone = { format: timeZone === UTC ? undefined : formatterFor(timeZone), hour: NaN, offset: 0 };
    zones.set(timeZone, zone);
  }
  return zone;
}

/** The zone's offset at `t` in ms: its wall clock read as UTC, minus the instant (to the second). */
function offsetAt(zone: Zone, t: number): number {
  if (!zone.format) return 0;
  const s = floorSecond(t);
  // format() is three times faster than formatToParts(); en-US writes month/day/year, hour:minute:second.
  const [, mo = 0, d = 0, h = 0, mi = 0, sec = 0] = (/(\d+)\D+(\d+)\D+\d+\D+(\d+)\D+(\d+)\D+(\d+)/.exec(zone.format.format(s)) ?? []).map(Number);
  // The year is the instant's (the text writes years before 1 as eras): with an offset under a day, the
  // zone's date is at most across a new year from the UTC one.
  const at = new Date(s);
  const y = at.getUTCFullYear() + (mo === 1 && at.getUTCMonth() === 11 ? 1 : mo === 12 && at.getUTCMonth() === 0 ? -1 : 0);
  return utc([y, mo - 1, d, h % 24, mi, sec]) - s;
}

/**
 * offsetAt, remembered for an hour (matches() runs for consecutive minutes): an offset seen at both ends of
 * an hour holds throughout it, because offset changes in the tz database are days apart (the closest two,
 * Africa/Freetown's in 1939, four days).
 */
function hourlyOffset(zone: Zone, t: number): number {
  const hour = Math.floor(t / HOUR);
  if (hour !== zone.hour) {
    const offset = offsetAt(zone, hour * HOUR);
    if (offset !== offsetAt(zone, (hour + 1) * HOUR - SECOND)) return offsetAt(zone, t);
    zone.hour = hour;
    zone.offset = offset;
  }
  return zone.offset;
}

// How a wall time maps to instants: once, twice (the clock was set back), never (a gap: set forward).
const SINGLE = 0;
const TWICE = 1;
const GAP = 2;

// The backward search's levels, 0 year to 5 second, and their ranges (a day 31 stands for the last day).
const LOW = [1, 0, 1, 0, 0, 0];
const TOP = [0, 11, 31, 23, 59, 59];

// ---- the pattern ---------------------------------------------------------------------------------

/** Parses a cron pattern read in a zone; throws CronSyntaxError saying what is wrong. */
export function parseCron(pattern: string, options: CronOptions): CronExpression {
  // croner takes a pattern holding ":" for a date to run once at; a schedule never is one.
  if (pattern.includes(':')) fail(`a cron pattern has no ":" ("${pattern}")`);
  let text = pattern;
  if (text.includes('@')) {
    const key = text.trim().toLowerCase();
    if (key === '@reboot') fail('@reboot is not supported');
    text = (NICKNAMES[key] ?? text).trim();
  }
  const parts = text.match(/\S+/g) ?? [''];
  if (parts.length < 5 || parts.length > 7) fail(`a cron pattern has 5, 6 or 7 fields, not ${parts.length}`);
  if (options.fiveFields && parts.length !== 5) fail(`expected 5 fields, not ${parts.length}`);
  if (parts.length === 5) parts.unshift('0');
  if (parts.length === 6) parts.push('*');
  const texts = parts.map((p) => p.replace(/\?/g, '*'));
  let [dom = '', month = '', dow = ''] = texts.slice(3);

  // Day-of-month L and LW are flags, not values; L may be in a list (`L,15`), LW only alone.
  const lastWeekday = dom.toUpperCase() === 'LW';
  const lastDay = !lastWeekday && dom.toUpperCase().includes('L');
  if (lastWeekday) dom = '';
  if (lastDay) {
    const items = dom.split(',');
    if (items.length > 1 && items.some((o) => o.toUpperCase() === 'LW')) fail(`day-of-month "${dom}": LW cannot be in a list`);
    if (items.some((o) => o === '' || (o.toUpperCase() !== 'L' && /l/i.test(o)))) fail(`day-of-month "${dom}": L has to stand alone`);
    dom = items.filter((o) => o.toUpperCase() !== 'L').join(',');
  }
  const alternative = options.alternativeWeekdays === true;
  if (month.length >= 3) month = replaceNames(month, MONTHS);
  if (dow.length >= 3) dow = replaceNames(dow, alternative ? QUARTZ_DAYS : DAYS);
  const bothDays = dow.startsWith('+');
  if (bothDays) dow = dow.slice(1);
  if (bothDays && dow === '') fail('day-of-week is empty after "+"');
  texts.splice(3, 3, dom, month, dow);
  texts.forEach((t, i) => {
    if ((i === 3 ? /[^/*\d,\-WwLl]/ : i === 5 ? /[^/*\d,\-#Ll]/ : /[^/*\d,-]/).test(t)) fail(`${FIELD_NAMES[i]} "${t}" holds a character that is not allowed`);
  });

  const sizes = [60, 60, 24, 31, 12, 7, 10000];
  const firsts = [0, 0, 0, 1, 1, alternative ? 1 : 0, 0];
  const fields = texts.map((_, i): Field => ({ name: FIELD_NAMES[i]!, first: firsts[i]!, values: new Uint8Array(sizes[i]!) }));
  const nearestField: Field = { ...fields[3]!, values: new Uint8Array(31) };
  const anyYear = texts[6] === '*';
  texts.forEach((t, i) => (i < 6 || !anyYear) && part(t, fields[i]!, i === 3 ? nearestField : undefined, i === 3 && (lastDay || lastWeekday)));

  const [seconds, minutes, hours, days, months, weekdays, yearSet] = fields.map((f) => f.values) as Uint8Array[];
  const years = anyYear ? undefined : yearSet;
  const nearest: number[] = [];
  nearestField.values.forEach((v, i) => v && nearest.push(i + 1));
  const anyDay = dom === '*';
  const anyWeekday = dow === '*';
  /** Per search level (year and day have none): the previousTable of the field. */
  const tables = [undefined, previousTable(months!), undefined, previousTable(hours!), previousTable(minutes!), previousTable(seconds!)];
  /** A field matches nothing (minute `70/5` is accepted, and empty): the pattern never runs. */
  const never = tables.some((table) => table?.[table.length - 1] === -1);
  /** Second, minute and hour are single values: the DST rules of a fixed time of day apply. */
  const fixedTime = [seconds!, minutes!, hours!].every((v, i) => !/[*/]/.test(texts[i]!) && v.reduce((n, x) => n + x, 0) === 1);
  const zone = zoneOf(options.timeZone);

  /** Day-of-month and day-of-week together: day `day` of a month of `last` days that starts on weekday `first`. */
  function dayMatches(day: number, last: number, first: number): boolean {
    const byDate =
      days![day - 1] === 1 ||
      (lastDay && day === last) ||
      (lastWeekday && day === nearestWeekday(last, last, first)) ||
      nearest.some((n) => nearestWeekday(n, last, first) === day);
    if (anyWeekday) return byDate;
    const bits = weekdays![(first + day - 1) % 7]!;
    const byWeekday = ((bits >> Math.floor((day - 1) / 7)) & 1) === 1 || ((bits & LAST) !== 0 && day + 7 > last);
    return bothDays || anyDay ? byDate && byWeekday : byDate || byWeekday;
  }

  /**
   * The days of a month that match, bit d-1 for day d. They depend on the month's length and first weekday
   * alone: 28 sets, each made when first needed.
   */
  const dayMasks: number[] = [];
  function dayMask(last: number, first: number): number {
    const key = (last - 28) * 7 + first;
    let mask = dayMasks[key];
    if (mask === undefined) {
      mask = 0;
      for (let d = 1; d <= last; d++) if (dayMatches(d, last, first)) mask |= 1 << (d - 1);
      dayMasks[key] = mask;
    }
    return mask;
  }
  const daysOf = (y: number, mo: number) => dayMask(daysIn(y, mo), firstWeekday(y, mo));

  /**
   * Whether a day can match in some month the pattern allows, of any length and first weekday: `0 0 30 2 *`
   * cannot, and then previous() need not search 400 years to find nothing (worked out when first needed).
   */
  let someDay: boolean | undefined;
  function canMatchADay(): boolean {
    if (someDay === undefined) {
      someDay = false;
      for (let mo = 0; mo < 12; mo++) {
        if (months![mo] !== 1) continue;
        for (const last of mo === 1 ? [28, 29] : [daysIn(1, mo)]) {
          for (let first = 0; first < 7; first++) if (dayMask(last, first) !== 0) someDay = true;
        }
      }
    }
    return someDay;
  }

  /** The latest matching day of the month at or before `day`, 0 when none. */
  function previousDay(y: number, mo: number, day: number): number {
    return 32 - Math.clz32(daysOf(y, mo) & (2 ** day - 1));
  }

  /**
   * The latest matching wall time at or before `from`, field by field from the year down: a level with no
   * value left steps the level above back by one (borrowing like a counter), and the levels below start
   * again from their top. With any year, it gives up 400 years back like croner (the calendar repeats
   * every 400 years, so a pattern that can match has by then).
   */
  function latest(from: Wall): Wall | undefined {
    const t = from.slice();
    const floor = years ? 1 : Math.max(1, t[0]! - 400);
    for (;;) {
      if (t[0]! < floor) return undefined;
      if (years && years[t[0]!] !== 1) {
        let y = t[0]!;
        while (--y >= 1 && years[y] !== 1);
        if (y < 1) return undefined;
        t.splice(0, 6, y, ...TOP.slice(1));
      }
      let level = 1;
      for (; level < 6; level++) {
        const have = t[level]!;
        const value = level === 2 ? previousDay(t[0]!, t[1]!, have) : tables[level]![have]!;
        if (value < LOW[level]!) break;
        if (value !== have) {
          t[level] = value;
          for (let j = level + 1; j < 6; j++) t[j] = TOP[j]!;
        }
      }
      if (level === 6) return t;
      // Nothing left at this level: it and the levels below start again from their top, and the level
      // above steps back one (and, when that runs out too, the one above it).
      for (let j = level; j < 6; j++) t[j] = TOP[j]!;
      for (let up = level - 1; --t[up]! < LOW[up]! && up > 0; up--) t[up] = TOP[up]!;
    }
  }

  /** The wall time the zone shows at `t`, to the second. */
  const wall = (t: number) => civil(floorSecond(t) + offsetAt(zone, t));

  /**
   * The instants showing wall time `w`, found as croner finds them (an offset 3 hours earlier or later
   * tells a time that comes twice): [SINGLE, t, t], [TWICE, first, second] or [gap, just before, just after].
   */
  function resolve(w: Wall): [number, number, number] {
    const e = utc(w);
    const n = e - offsetAt(zone, e);
    const shows = (t: number) => sameWall(wall(t), w);
    if (shows(n)) {
      const o = n - (offsetAt(zone, n - 3 * HOUR) - (e - n));
      if (o < n && shows(o)) return [TWICE, o, n];
      const u = n + (e - n - offsetAt(zone, n + 3 * HOUR));
      return u > n && shows(u) ? [TWICE, n, u] : [SINGLE, n, n];
    }
    const a = e - offsetAt(zone, n);
    return shows(a) ? [SINGLE, a, a] : [GAP, Math.min(n, a), Math.max(n, a)];
  }

  /** The first second after `from`, up to `to`, whose offset differs from the one at `from` (bisection). */
  function transition(from: number, to: number): number {
    const offset = offsetAt(zone, from);
    let [lo, hi] = [from, to];
    while (hi - lo > SECOND) {
      const mid = lo + Math.floor((hi - lo) / (2 * SECOND)) * SECOND;
      if (offsetAt(zone, mid) === offset) lo = mid;
      else hi = mid;
    }
    return hi;
  }

  /** Matching wall times from `from` down, each made an instant by the DST rules, until one is before `before`. */
  function walk(from: Wall, before: number): number | undefined {
    for (let w = latest(from); w; ) {
      const [kind, early, late] = resolve(w);
      let next = civil(utc(w) - SECOND);
      if (kind === SINGLE) {
        if (early < before) return early;
      } else if (kind === TWICE) {
        // A fixed time runs the first time only; anything else both times, the second nearer `before`.
        if (!fixedTime && late < before) return late;
        if (early < before) return early;
      } else {
        // A fixed time in a gap runs when the gap ends, if that is still the same day.
        const end = transition(early, late);
        if (fixedTime) {
          if (sameWall(wall(end), w, 3) && end < before) return end;
        } else {
          // No wall time in the gap runs: go on from the last second before it.
          const skip = wall(end - SECOND);
          if (utc(skip) < utc(w)) next = skip;
        }
      }
      w = latest(next);
    }
    return undefined;
  }

  /** Whether a wall time's year, month, hour and day match (the fields an hour shares). */
  function hourMatches(w: Wall): boolean {
    const [y = 0, mo = 0, d = 0, h = 0] = w;
    if (years && years[y] !== 1) return false;
    if (tables[1]![mo] !== mo || tables[3]![h] !== h) return false;
    return ((daysOf(y, mo) >> (d - 1)) & 1) === 1;
  }

  /** Fields from the wall clock, with the offset remembered per hour: windows ask for many minutes in a row. */
  function matches(at: Date): boolean {
    const t = at.getTime();
    const w = civil(floorSecond(t) + hourlyOffset(zone, t));
    return tables[4]![w[4]!] === w[4] && tables[5]![w[5]!] === w[5] && hourMatches(w);
  }

  /** Every minute of an hour matches at second 0 (the minute field is `*` or lists all 60). */
  const everyMinute = tables[4]!.every((v, i) => v === i) && tables[5]![0] === 0;
  /** Some minute of an hour matches at second 0. */
  const someMinute = tables[4]![59] !== -1 && tables[5]![0] === 0;

  function hourBefore(at: Date): 'all' | 'some' | 'none' | undefined {
    const end = at.getTime();
    const start = end - HOUR;
    if (end !== floorSecond(end)) return undefined;
    const offset = hourlyOffset(zone, start);
    const w = civil(start + offset);
    if (w[4] !== 0 || w[5] !== 0) return undefined;
    // The hour's wall clock runs 00:00 to 59:59 only if the offset holds to its last second.
    if (offsetAt(zone, end - SECOND) !== offset) return undefined;
    if (!hourMatches(w)) return 'none';
    return everyMinute ? 'all' : someMinute ? 'some' : 'none';
  }

  /** The latest run before `b` (ms), as croner's _findOccurrence finds it backwards. */
  function previous(b: number): number | undefined {
    if (never || !canMatchADay()) return undefined;
    const shown = wall(b);
    // Wall times at or before the one `b` shows: strictly before it when `b` is a whole second.
    let run = walk(b === floorSecond(b) ? civil(utc(shown) - SECOND) : shown, b);
    // `b` in the second pass of a time that comes twice follows the whole first pass, whose later wall
    // times the search from `shown` does not reach: search again from the end of the first pass.
    const [kind, , second] = resolve(shown);
    if (kind === TWICE && b >= second) {
      const end = transition(floorSecond(b) - DAY, floorSecond(b)) - SECOND;
      const first = run === undefined || run <= end ? walk(wall(end), end + 1) : undefined;
      if (first !== undefined && (run === undefined || first > run)) run = first;
    }
    return run;
  }

  const finite = (date: Date) => {
    const t = date.getTime();
    if (!Number.isFinite(t)) throw new RangeError('invalid date');
    return t;
  };

  return {
    pattern,
    matches,
    hourBefore,
    previousRun(before) {
      const run = previous(finite(before));
      return run === undefined ? undefined : new Date(run);
    },
  };
}
