/**
 * Our cron module (shared/schedules/cron.ts): examples of parsing, matching and runs, then differential
 * property tests against croner 11.0.1, the library it replaced in the bundles (now a devDependency): the
 * same patterns accepted and rejected, the same matches and the same previous runs, in zones with and
 * without daylight saving time and at their transitions.
 */
import fc from 'fast-check';
import { Cron } from 'croner';
import { CronSyntaxError, parseCron, type CronExpression, type CronOptions } from '../../../shared/schedules/cron';
import { nextRuns } from '../../helpers/cron-runs';

const SEED = 20261123;
const at = (s: string) => new Date(s);
const iso = (d: Date | undefined) => d?.toISOString();
const runs = (cron: CronExpression, from: string, count: number) => nextRuns(cron, count, at(from)).map((d) => d.toISOString());
/** The minutes of the hour starting at `hour` that the pattern matches. */
const minutesMatched = (cron: CronExpression, hour: string) =>
  Array.from({ length: 60 }, (_, m) => m).filter((m) => cron.matches(new Date(at(hour).getTime() + m * 60_000)));

describe('Cron: fields', () => {
  it('reads minute, hour and weekday ranges on the wall clock of the zone', () => {
    // Prepare: Monday to Friday, 09:00 to 17:59 in Shanghai (UTC+8)
    const cron = parseCron('0-59 9-17 * * 1-5', { timeZone: 'Asia/Shanghai', fiveFields: true });

    // Act: Monday 09:00, Monday 08:59, Friday 17:59, Saturday 10:00 (Shanghai)
    const matched = ['2026-11-23T01:00:00Z', '2026-11-23T00:59:00Z', '2026-11-27T09:59:00Z', '2026-11-28T02:00:00Z'].map((s) => cron.matches(at(s)));

    // Assess
    expect(matched).toStrictEqual([true, false, true, false]);
  });

  it('reads seconds in a 6-field pattern and years in a 7-field one', () => {
    // Prepare
    const halfPast = parseCron('30 0 8 * * *', { timeZone: 'UTC' });
    const in2027 = parseCron('0 0 8 * * * 2027', { timeZone: 'UTC' });

    // Act
    const result = {
      matches: [halfPast.matches(at('2026-11-23T08:00:30Z')), halfPast.matches(at('2026-11-23T08:00:00Z'))],
      before2027: iso(in2027.previousRun(at('2026-12-31T23:59:59Z'))),
      after2027: iso(in2027.previousRun(at('2028-03-01T00:00:00Z'))),
    };

    // Assess
    expect(result).toStrictEqual({ matches: [true, false], before2027: undefined, after2027: '2027-12-31T08:00:00.000Z' });
  });

  it('reads day names, Sunday-first numbers and AWS (Quartz) numbers 1-7 = SUN-SAT the same way', () => {
    // Prepare: weekdays at 08:00, four ways; 2026-11-20 is a Friday
    const patterns: [string, CronOptions][] = [
      ['0 8 * * MON-FRI', { timeZone: 'UTC' }],
      ['0 8 * * 1-5', { timeZone: 'UTC' }],
      ['0 0 8 ? * MON-FRI *', { timeZone: 'UTC', alternativeWeekdays: true }],
      ['0 0 8 ? * 2-6 *', { timeZone: 'UTC', alternativeWeekdays: true }],
    ];

    // Act
    const next = patterns.map(([pattern, options]) => runs(parseCron(pattern, options), '2026-11-20T09:00:00Z', 2));

    // Assess
    const monday = ['2026-11-23T08:00:00.000Z', '2026-11-24T08:00:00.000Z'];
    expect(next).toStrictEqual([monday, monday, monday, monday]);
  });

  it('steps from the field start, from a value or through a range', () => {
    // Prepare
    const patterns = ['*/20 * * * *', '0/20 * * * *', '/20 * * * *', '10-50/20 * * * *', '50/20 * * * *', '5,7-9 * * * *'];

    // Act
    const minutes = patterns.map((p) => minutesMatched(parseCron(p, { timeZone: 'UTC' }), '2026-11-23T08:00:00Z'));

    // Assess
    expect(minutes).toStrictEqual([[0, 20, 40], [0, 20, 40], [0, 20, 40], [10, 30, 50], [50], [5, 7, 8, 9]]);
  });

  it('reads L, LW and W in day-of-month, L and # in day-of-week', () => {
    // Prepare
    const patterns = ['0 12 L * *', '0 12 LW * *', '0 12 15W * *', '0 12 * * 5L', '0 12 * * 5#2'];

    // Act
    const next = patterns.map((p) => runs(parseCron(p, { timeZone: 'UTC' }), '2026-01-01T00:00:00Z', 3));

    // Assess
    expect(next).toStrictEqual([
      // the last day
      ['2026-01-31T12:00:00.000Z', '2026-02-28T12:00:00.000Z', '2026-03-31T12:00:00.000Z'],
      // the last weekday: 2026-01-31 and 2026-02-28 are Saturdays
      ['2026-01-30T12:00:00.000Z', '2026-02-27T12:00:00.000Z', '2026-03-31T12:00:00.000Z'],
      // the weekday nearest the 15th: the 15th of January is a Thursday, of February and March a Sunday
      ['2026-01-15T12:00:00.000Z', '2026-02-16T12:00:00.000Z', '2026-03-16T12:00:00.000Z'],
      // the last Friday
      ['2026-01-30T12:00:00.000Z', '2026-02-27T12:00:00.000Z', '2026-03-27T12:00:00.000Z'],
      // the second Friday
      ['2026-01-09T12:00:00.000Z', '2026-02-13T12:00:00.000Z', '2026-03-13T12:00:00.000Z'],
    ]);
  });

  it('keeps 1W in its month: 2026-08-01 is a Saturday, so the Monday after, not the Friday before', () => {
    // Prepare
    const cron = parseCron('0 12 1W * *', { timeZone: 'UTC' });

    // Act
    const next = runs(cron, '2026-07-02T00:00:00Z', 2);

    // Assess
    expect(next).toStrictEqual(['2026-08-03T12:00:00.000Z', '2026-09-01T12:00:00.000Z']);
  });

  it('ORs a day-of-month and a day-of-week, and ANDs them after "+"', () => {
    // Prepare
    const either = parseCron('0 12 13 * 5', { timeZone: 'UTC' });
    const both = parseCron('0 12 13 * +5', { timeZone: 'UTC' });

    // Act
    const next = { either: runs(either, '2026-02-01T00:00:00Z', 4), both: runs(both, '2026-02-01T00:00:00Z', 3) };

    // Assess: every Friday and the 13th; Friday the 13th only
    expect(next).toStrictEqual({
      either: ['2026-02-06T12:00:00.000Z', '2026-02-13T12:00:00.000Z', '2026-02-20T12:00:00.000Z', '2026-02-27T12:00:00.000Z'],
      both: ['2026-02-13T12:00:00.000Z', '2026-03-13T12:00:00.000Z', '2026-11-13T12:00:00.000Z'],
    });
  });

  it('reads nicknames', () => {
    // Act
    const next = ['@weekly', '@HOURLY', ' @midnight '].map((p) => runs(parseCron(p, { timeZone: 'UTC' }), '2026-11-23T00:30:00Z', 2));

    // Assess
    expect(next).toStrictEqual([
      ['2026-11-29T00:00:00.000Z', '2026-12-06T00:00:00.000Z'],
      ['2026-11-23T01:00:00.000Z', '2026-11-23T02:00:00.000Z'],
      ['2026-11-24T00:00:00.000Z', '2026-11-25T00:00:00.000Z'],
    ]);
  });

  it('finds the previous run strictly before the instant, to the millisecond', () => {
    // Prepare
    const cron = parseCron('0 8 * * *', { timeZone: 'UTC' });

    // Act
    const previous = ['2026-11-23T08:00:00.000Z', '2026-11-23T08:00:00.001Z'].map((s) => iso(cron.previousRun(at(s))));

    // Assess
    expect(previous).toStrictEqual(['2026-11-22T08:00:00.000Z', '2026-11-23T08:00:00.000Z']);
  });

  it('accepts a step that starts past the end of its field, as croner does, and never runs it', () => {
    // Prepare
    const cron = parseCron('70/5 * * * *', { timeZone: 'UTC' });

    // Act
    const result = { previous: cron.previousRun(at('2026-11-23T08:00:00Z')), minutes: minutesMatched(cron, '2026-11-23T08:00:00Z') };

    // Assess
    expect(result).toStrictEqual({ previous: undefined, minutes: [] });
  });
});

describe('Cron: daylight saving time', () => {
  it('runs a fixed time skipped by the spring change at the end of the gap, and skips the gap otherwise', () => {
    // Prepare: Europe/Berlin, 2026-03-29 02:00 CET → 03:00 CEST (01:00Z)
    const fixed = parseCron('30 2 * * *', { timeZone: 'Europe/Berlin' });
    const every30 = parseCron('*/30 * * * *', { timeZone: 'Europe/Berlin' });

    // Act
    const next = { fixed: runs(fixed, '2026-03-28T12:00:00Z', 2), every30: runs(every30, '2026-03-29T00:15:00Z', 3) };

    // Assess: 03:00 CEST, then 02:30 CEST; 01:30 CET, then 03:00 and 03:30 CEST
    expect(next).toStrictEqual({
      fixed: ['2026-03-29T01:00:00.000Z', '2026-03-30T00:30:00.000Z'],
      every30: ['2026-03-29T00:30:00.000Z', '2026-03-29T01:00:00.000Z', '2026-03-29T01:30:00.000Z'],
    });
  });

  it('runs a fixed time repeated by the autumn change once, and other patterns on both passes', () => {
    // Prepare: Europe/Berlin, 2026-10-25 03:00 CEST → 02:00 CET (01:00Z)
    const fixed = parseCron('30 2 * * *', { timeZone: 'Europe/Berlin' });
    const hourly = parseCron('30 * * * *', { timeZone: 'Europe/Berlin' });

    // Act
    const next = { fixed: runs(fixed, '2026-10-24T12:00:00Z', 2), hourly: runs(hourly, '2026-10-24T23:45:00Z', 3) };

    // Assess: 02:30 CEST only; 02:30 CEST, 02:30 CET, 03:30 CET
    expect(next).toStrictEqual({
      fixed: ['2026-10-25T00:30:00.000Z', '2026-10-26T01:30:00.000Z'],
      hourly: ['2026-10-25T00:30:00.000Z', '2026-10-25T01:30:00.000Z', '2026-10-25T02:30:00.000Z'],
    });
  });

  it('finds the first pass of a repeated time from inside the second pass', () => {
    // Prepare: 02:10 CET on 2026-10-25 comes after 02:30 CEST (00:30Z)
    const cron = parseCron('0 30 2 * * *', { timeZone: 'Europe/Berlin' });

    // Act
    const previous = cron.previousRun(at('2026-10-25T01:10:00Z'));

    // Assess
    expect(iso(previous)).toStrictEqual('2026-10-25T00:30:00.000Z');
  });

  it('follows half-hour and quarter-hour changes (Lord Howe Island, Nepal in 1986)', () => {
    // Prepare: Lord Howe 2026-10-04 02:00 → 02:30 (+10:30 → +11); Kathmandu 1986-01-01 00:00 → 00:15 (+05:30 → +05:45)
    const lordHowe = parseCron('15 2 * * *', { timeZone: 'Australia/Lord_Howe' });
    const kathmandu = parseCron('0 0 * * *', { timeZone: 'Asia/Kathmandu' });

    // Act
    const next = { lordHowe: runs(lordHowe, '2026-10-02T12:00:00Z', 2), kathmandu: runs(kathmandu, '1985-12-30T00:00:00Z', 3) };

    // Assess: the skipped 02:15 and 00:00 run when their gaps end
    expect(next).toStrictEqual({
      lordHowe: ['2026-10-02T15:45:00.000Z', '2026-10-03T15:30:00.000Z'],
      kathmandu: ['1985-12-30T18:30:00.000Z', '1985-12-31T18:30:00.000Z', '1986-01-01T18:15:00.000Z'],
    });
  });

  it('matches the wall clock: both passes of a repeated hour, nothing in a skipped one', () => {
    // Prepare
    const cron = parseCron('* 2 * * *', { timeZone: 'Europe/Berlin', fiveFields: true });

    // Act: 02:30 CEST and 02:30 CET on 2026-10-25; 01:30 CET and 03:30 CEST on 2026-03-29
    const matched = ['2026-10-25T00:30:00Z', '2026-10-25T01:30:00Z', '2026-03-29T00:30:00Z', '2026-03-29T01:30:00Z'].map((s) => cron.matches(at(s)));

    // Assess
    expect(matched).toStrictEqual([true, true, false, false]);
  });
});

describe('Cron: errors', () => {
  it.each<[string, CronOptions, string]>([
    ['61 * * * *', { timeZone: 'UTC' }, 'Invalid value for minute: 61'],
    ['* 24 * * *', { timeZone: 'UTC' }, 'Invalid value for hour: 24'],
    ['0 0 32 * *', { timeZone: 'UTC' }, 'Invalid value for day-of-month: 32'],
    ['0 0 * 13 *', { timeZone: 'UTC' }, 'Invalid value for month: 13'],
    ['0 0 * * 8', { timeZone: 'UTC' }, 'Invalid value for day-of-week: 8'],
    ['0 0 0 ? * 0 *', { timeZone: 'UTC', alternativeWeekdays: true }, 'Invalid value for day-of-week: 0'],
    ['0 0 0 1 1 ? 0-5', { timeZone: 'UTC' }, 'Invalid value for year: 0'],
    ['* * * *', { timeZone: 'UTC' }, 'a cron pattern has 5, 6 or 7 fields, not 4'],
    ['0 * * * * *', { timeZone: 'UTC', fiveFields: true }, 'expected 5 fields, not 6'],
    ['5-1 * * * *', { timeZone: 'UTC' }, 'minute "5-1": the range runs backwards'],
    ['*/0 * * * *', { timeZone: 'UTC' }, 'minute "*/0": the step must be 1 to 60'],
    ['0 */25 * * *', { timeZone: 'UTC' }, 'hour "*/25": the step must be 1 to 24'],
    ['1,,2 * * * *', { timeZone: 'UTC' }, 'minute has an empty value'],
    ['0 0 1-5W * *', { timeZone: 'UTC' }, 'day-of-month "1-5W": W follows a single day'],
    ['0 0 L,LW * *', { timeZone: 'UTC' }, 'day-of-month "L,LW": LW cannot be in a list'],
    ['0 0 L5 * *', { timeZone: 'UTC' }, 'day-of-month "L5": L has to stand alone'],
    ['0 0 * * 5#6', { timeZone: 'UTC' }, 'day-of-week "#6": the nth weekday is 1-5 or L'],
    ['0 0 * * MONDAY', { timeZone: 'UTC' }, 'a month or day name has to stand alone ("MONDAY")'],
    ['0 0 * * +', { timeZone: 'UTC' }, 'day-of-week is empty after "+"'],
    ['0 0 * * 1%', { timeZone: 'UTC' }, 'day-of-week "1%" holds a character that is not allowed'],
    ['@reboot', { timeZone: 'UTC' }, '@reboot is not supported'],
    // croner would take this for a date and run it once.
    ['0 8:30 * * *', { timeZone: 'UTC' }, 'a cron pattern has no ":" ("0 8:30 * * *")'],
  ])('refuses %j', (pattern, options, message) => {
    // Act
    const act = () => parseCron(pattern, options);

    // Assess
    expect(act).toThrow(new CronSyntaxError(message));
  });
});

// ---- against croner ----------------------------------------------------------------------------------

const ZONES = [
  'UTC',
  'Asia/Shanghai',
  'Europe/Berlin',
  'America/New_York',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'America/Santiago',
  'Pacific/Chatham',
  'Europe/London',
  'Pacific/Apia',
] as const;

/** The instants at which a zone's offset changes in the given years (daily samples, then bisection). */
function transitionsOf(timeZone: string, years: readonly number[]): number[] {
  const format = new Intl.DateTimeFormat('en-US', { timeZone, timeZoneName: 'longOffset' });
  const offset = (t: number) => format.formatToParts(t).find((p) => p.type === 'timeZoneName')?.value;
  const found: number[] = [];
  for (const year of years) {
    for (let t = Date.UTC(year, 0, 1); t < Date.UTC(year + 1, 0, 1); t += 86_400_000) {
      let [lo, hi] = [t, t + 86_400_000];
      if (offset(lo) === offset(hi)) continue;
      while (hi - lo > 1000) {
        const mid = lo + Math.floor((hi - lo) / 2000) * 1000;
        if (offset(mid) === offset(lo)) lo = mid;
        else hi = mid;
      }
      found.push(hi);
    }
  }
  return found;
}

const TRANSITIONS = new Map<string, number[]>(ZONES.map((zone) => [zone, transitionsOf(zone, [1985, 2011, 2025, 2026])]));

// Patterns from the grammar schedule.ts and windows.ts hand to the module, and near misses.
interface FieldGrammar {
  readonly lo: number;
  readonly hi: number;
  /** Values favoured: the hours and minutes at which zones change their clocks. */
  readonly likely?: readonly number[];
  readonly names?: readonly string[];
}
const MONTH_NAMES = ['JAN', 'feb', 'Mar', 'APR', 'MAY', 'JUN', 'JUL', 'AUG', 'SEP', 'OCT', 'NOV', 'DEC'];
const DAY_NAMES = ['SUN', 'mon', 'Tue', 'WED', 'THU', 'FRI', 'SAT'];

function valueOf(g: FieldGrammar): fc.Arbitrary<string> {
  const options = [fc.integer({ min: g.lo, max: g.hi }).map(String)];
  if (g.likely) options.push(fc.constantFrom(...g.likely).map(String));
  if (g.names) options.push(fc.constantFrom(...g.names));
  return fc.oneof(...options);
}

function elementOf(g: FieldGrammar): fc.Arbitrary<string> {
  const value = valueOf(g);
  const number = fc.integer({ min: g.lo, max: g.hi });
  const step = fc.oneof(fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: g.hi - g.lo + 1 }));
  return fc.oneof(
    { arbitrary: value, weight: 4 },
    { arbitrary: fc.tuple(number, number).map(([a, b]) => `${Math.min(a, b)}-${Math.max(a, b)}`), weight: 2 },
    // Either way round, with names too (FRI-MON runs backwards).
    { arbitrary: fc.tuple(value, value).map(([a, b]) => `${a}-${b}`), weight: 1 },
    { arbitrary: fc.tuple(number, number, step).map(([a, b, s]) => `${Math.min(a, b)}-${Math.max(a, b)}/${s}`), weight: 1 },
    { arbitrary: step.map((s) => `*/${s}`), weight: 1 },
    { arbitrary: fc.tuple(value, step).map(([a, s]) => `${a}/${s}`), weight: 1 },
    { arbitrary: step.map((s) => `/${s}`), weight: 1 },
  );
}

/**
 * A field: `*`, `?`, a list of elements, extras (L, W, #), or a near miss both libraries should refuse.
 * No step starts past a field's end in seconds, minutes or hours: croner searches 400 years for such a
 * pattern, which never runs (see the example above).
 */
function fieldOf(g: FieldGrammar, extras: readonly string[], misses: readonly string[]): fc.Arbitrary<string> {
  const list = fc.array(elementOf(g), { minLength: 1, maxLength: 3 }).map((items) => items.join(','));
  return fc.oneof(
    { arbitrary: fc.constant('*'), weight: 8 },
    { arbitrary: fc.constant('?'), weight: 2 },
    { arbitrary: list, weight: 16 },
    ...(extras.length > 0 ? [{ arbitrary: fc.constantFrom(...extras), weight: 4 }] : []),
    { arbitrary: fc.constantFrom(...misses), weight: 1 },
  );
}

const COMMON_MISSES = ['', ',1', '1,', '1-', '-1', '*/0', '1-2-3', '1/2/3', '**', 'x', '1.5', '5-1', 'L', 'W', '#'];
const second = fieldOf({ lo: 0, hi: 59, likely: [0, 30] }, [], [...COMMON_MISSES, '60', '*/61']);
const minute = fieldOf({ lo: 0, hi: 59, likely: [0, 15, 30, 45, 59] }, [], [...COMMON_MISSES, '60', '0-60']);
const hour = fieldOf({ lo: 0, hi: 23, likely: [0, 1, 2, 3, 23] }, [], [...COMMON_MISSES, '24', '*/25']);
const dayOfMonth = fieldOf(
  { lo: 1, hi: 31, likely: [1, 15, 28, 29, 30, 31] },
  ['L', 'LW', 'lw', '1W', '15W', '30W', '31w', 'L,15', '15,L', '1,15W', '29,30,31'],
  [...COMMON_MISSES, '0', '32', '0W', '32W', '1-5W', 'L-5', 'LW,1', 'L5', '*/32'],
);
const month = fieldOf({ lo: 1, hi: 12, likely: [2, 3, 10, 11], names: MONTH_NAMES }, [], [...COMMON_MISSES, '0', '13', 'JANFEB', 'JA', '*/13']);
const year = fieldOf({ lo: 1990, hi: 2040, likely: [2024, 2026] }, ['*/2', '2024/4', '0/5', '*/1'], ['0', '10000', '0-5', '99999', '*/10001', 'x']);
function dayOfWeek(alternative: boolean): fc.Arbitrary<string> {
  const g: FieldGrammar = { lo: alternative ? 1 : 0, hi: 7, likely: [0, 1, 5, 6, 7], names: DAY_NAMES };
  const nth = fc.tuple(valueOf(g), fc.constantFrom('#1', '#2', '#3', '#5', 'L', '#L', '#0', '#6')).map(([d, n]) => `${d}${n}`);
  const field = fc.oneof({ arbitrary: fieldOf(g, ['MON-FRI', 'SAT,SUN', 'MON-SUN', 'sun-sat'], [...COMMON_MISSES, '8', '9', 'SUNMON', 'MO', '1#']), weight: 6 }, { arbitrary: nth, weight: 2 });
  return fc.tuple(field, fc.integer({ min: 0, max: 19 })).map(([f, plus]) => (plus === 0 ? `+${f}` : f));
}

interface Case {
  readonly pattern: string;
  readonly options: CronOptions;
}

/** Schedules (5, 6 and 7 fields, AWS weekdays on and off), window patterns (5 fields only), nicknames. */
const caseArb: fc.Arbitrary<Case> = fc
  .record({ alternative: fc.boolean(), fields: fc.constantFrom(5, 6, 7), fiveFields: fc.integer({ min: 0, max: 4 }), zone: fc.constantFrom(...ZONES) })
  .chain(({ alternative, fields, fiveFields, zone }) =>
    fc
      .oneof(
        { arbitrary: fc.tuple(second, minute, hour, dayOfMonth, month, dayOfWeek(alternative), year), weight: 30 },
        { arbitrary: fc.constantFrom('@hourly', '@daily', '@weekly', '@monthly', '@yearly', '@annually', '@midnight', '@reboot', '@Daily', '@often').map((n) => [n]), weight: 1 },
      )
      .map((parts): Case => {
        const chosen = parts.length === 1 ? parts : fields === 5 ? parts.slice(1, 6) : parts.slice(0, fields);
        return { pattern: chosen.join(' '), options: { timeZone: zone, alternativeWeekdays: alternative, fiveFields: fiveFields === 0 } };
      }),
  );

/** An instant: near one of the zone's transitions (seconds either side) or anywhere from 1995 to 2040. */
interface InstantSpec {
  readonly near: boolean;
  readonly which: number;
  readonly offsetSeconds: number;
  readonly anywhere: number;
  readonly wholeMinute: boolean;
  readonly ms: number;
}
const instantArb: fc.Arbitrary<InstantSpec> = fc.record({
  near: fc.boolean(),
  which: fc.nat(),
  offsetSeconds: fc.integer({ min: -26 * 3600, max: 26 * 3600 }),
  anywhere: fc.integer({ min: Date.UTC(1995, 0, 1) / 1000, max: Date.UTC(2040, 0, 1) / 1000 }),
  wholeMinute: fc.boolean(),
  ms: fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 999 })),
});
function instantIn(zone: string, spec: InstantSpec): Date {
  const transitions = TRANSITIONS.get(zone) ?? [];
  let seconds = spec.anywhere;
  if (spec.near && transitions.length > 0) seconds = transitions[spec.which % transitions.length]! / 1000 + spec.offsetSeconds;
  if (spec.wholeMinute) seconds -= ((seconds % 60) + 60) % 60;
  return new Date(seconds * 1000 + spec.ms);
}

function croner(c: Case): Cron {
  const { timeZone, alternativeWeekdays, fiveFields } = c.options;
  return new Cron(c.pattern, { timezone: timeZone, alternativeWeekdays, sloppyRanges: true, paused: true, ...(fiveFields ? { mode: '5-part' as const } : {}) });
}

const attempt = <T,>(make: () => T): T | undefined => {
  try {
    return make();
  } catch {
    return undefined;
  }
};

describe('Cron: the same as croner 11.0.1', () => {
  it('accepts and refuses the same patterns, and matches and finds previous runs the same', () => {
    fc.assert(
      fc.property(caseArb, fc.array(instantArb, { minLength: 4, maxLength: 4 }), (c, specs) => {
        // Prepare
        const instants = specs.map((spec) => instantIn(c.options.timeZone, spec));
        const theirs = attempt(() => croner(c));
        const ours = attempt(() => parseCron(c.pattern, c.options));

        // Act
        const outcome = <T,>(cron: T | undefined, matches: (cron: T, t: Date) => boolean, previous: (cron: T, t: Date) => Date | undefined) =>
          cron === undefined ? 'refused' : instants.map((t) => ({ at: t.toISOString(), matches: matches(cron, t), previous: iso(previous(cron, t)) }));
        const expected = outcome(theirs, (cron, t) => cron.match(t), (cron, t) => cron.previousRuns(1, t)[0]);
        const actual = outcome(ours, (cron, t) => cron.matches(t), (cron, t) => cron.previousRun(t));

        // Assess
        expect({ ...c, outcome: actual }).toStrictEqual({ ...c, outcome: expected });
      }),
      { seed: SEED, numRuns: 700 },
    );
  });

  it('finds the same previous runs around clock changes, for fixed times and intervals', () => {
    // Patterns near the hours zones change their clocks at, fixed times (single second, minute and hour)
    // among them, which random patterns seldom are; instants within a day of a change.
    const dstCase = fc.record({
      second: fc.constantFrom('0', '30'),
      minute: fc.constantFrom('0', '15', '30', '45', '59', '*/15', '*', '0,30'),
      hour: fc.constantFrom('0', '1', '2', '3', '23', '1-3', '2,4', '*', '*/2'),
      days: fc.constantFrom('* * *', '* * ?', 'L * ?', '? * 0', '1-7 * *', '* 3,4,9,10 *', '? * SUN#1'),
      zone: fc.constantFrom(...ZONES.filter((zone) => (TRANSITIONS.get(zone) ?? []).length > 0)),
    });
    fc.assert(
      fc.property(dstCase, fc.array(instantArb, { minLength: 4, maxLength: 4 }), (d, specs) => {
        // Prepare
        const c: Case = { pattern: `${d.second} ${d.minute} ${d.hour} ${d.days}`, options: { timeZone: d.zone } };
        const instants = specs.map((spec) => instantIn(d.zone, { ...spec, near: true }));
        const theirs = croner(c);
        const ours = parseCron(c.pattern, c.options);

        // Act
        const expected = instants.map((t) => ({ at: t.toISOString(), previous: iso(theirs.previousRuns(1, t)[0]) }));
        const actual = instants.map((t) => ({ at: t.toISOString(), previous: iso(ours.previousRun(t)) }));

        // Assess
        expect({ ...c, outcome: actual }).toStrictEqual({ ...c, outcome: expected });
      }),
      { seed: SEED, numRuns: 400 },
    );
  });

  it('matches the same minutes of a window pattern through a day with a clock change', () => {
    const windowCase = caseArb.filter((c) => c.options.fiveFields === true);
    fc.assert(
      fc.property(windowCase, instantArb, (c, spec) => {
        // Prepare: the 120 minutes from an hour before the instant
        const theirs = attempt(() => croner(c));
        const ours = attempt(() => parseCron(c.pattern, c.options));
        const start = Math.floor(instantIn(c.options.timeZone, { ...spec, near: true }).getTime() / 60_000) * 60_000 - 3_600_000;
        const minutes = Array.from({ length: 120 }, (_, i) => new Date(start + i * 60_000));

        // Act
        const expected = theirs ? minutes.filter((m) => theirs.match(m)).map(iso) : 'refused';
        const actual = ours ? minutes.filter((m) => ours.matches(m)).map(iso) : 'refused';

        // Assess
        expect({ ...c, matched: actual }).toStrictEqual({ ...c, matched: expected });
      }),
      { seed: SEED, numRuns: 200 },
    );
  });

  it('lists the same next runs (found with previousRun alone)', () => {
    fc.assert(
      fc.property(caseArb, instantArb, (c, spec) => {
        // Prepare
        const from = instantIn(c.options.timeZone, spec);
        const theirs = attempt(() => croner(c));
        const ours = attempt(() => parseCron(c.pattern, c.options));

        // Act
        const expected = theirs ? theirs.nextRuns(3, from).map(iso) : 'refused';
        const actual = ours ? nextRuns(ours, 3, from).map(iso) : 'refused';

        // Assess
        expect({ ...c, from: from.toISOString(), next: actual }).toStrictEqual({ ...c, from: from.toISOString(), next: expected });
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});
