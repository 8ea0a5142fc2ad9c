/** Allow and deny windows: deny wins, time zones (Asia/Shanghai date change, Europe/Berlin DST), window starts. */
import { checkWindow, currentWindowStart, parseWindowSet, WindowSyntaxError } from '../../../shared/schedules/windows';
import fc from 'fast-check';
import { instantOfWallClock, isoDay, parseZonedDateTime, wallClock } from '../../../shared/schedules/time';

const at = (s: string) => new Date(s);
const startOf = (set: ReturnType<typeof parseWindowSet>, s: string, lookbackMs?: number) => currentWindowStart(set, at(s), lookbackMs)?.toISOString();

describe('Windows: parsing', () => {
  it('reads several patterns separated by ";" and drops empty ones', () => {
    // Act
    const set = parseWindowSet({ allow: ' 0-59 9-17 * * 1-5 ;; * 22-23  * * * ', deny: '', timeZone: 'Asia/Shanghai' });
    // Assess
    expect({ zone: set.timeZone, allow: set.allow.map((p) => p.pattern), deny: set.deny.map((p) => p.pattern) }).toStrictEqual({
      zone: 'Asia/Shanghai',
      allow: ['0-59 9-17 * * 1-5', '* 22-23 * * *'],
      deny: [],
    });
  });

  it.each([
    [{ allow: '* 9-17 * *', timeZone: 'UTC' }, '"* 9-17 * *" must have 5 fields (minute hour day-of-month month day-of-week)'],
    [{ allow: '* 25 * * *', timeZone: 'UTC' }, '"* 25 * * *": Invalid value for hour: 25'],
    [{ allow: ' ; ', timeZone: 'UTC' }, 'at least one allow pattern is required'],
    [{ allow: '* * * * *', timeZone: 'Asia/Beijing' }, 'unknown time zone "Asia/Beijing"'],
    [{ allow: '* * * * *', deny: '0 0 0 * * *', timeZone: 'UTC' }, '"0 0 0 * * *" must have 5 fields (minute hour day-of-month month day-of-week)'],
  ])('refuses %j', (input, message) => {
    expect(() => parseWindowSet(input)).toThrow(new WindowSyntaxError(message));
  });
});

describe('Windows: deny over allow across time zones', () => {
  // Weekdays in Shanghai, except 12:00–12:59 and the whole of Friday evening from 18:00.
  const shanghai = parseWindowSet({ allow: '* * * * 1-5', deny: '* 12 * * *; * 18-23 * * 5', timeZone: 'Asia/Shanghai' });

  it('is inside on Monday 01:30 in Shanghai although it is still Sunday in UTC', () => {
    expect(checkWindow(shanghai, at('2026-11-22T17:30:00Z'))).toStrictEqual({ inside: true, allow: '* * * * 1-5' });
  });

  it('is outside on Saturday 07:30 in Shanghai although it is still Friday in UTC', () => {
    expect(checkWindow(shanghai, at('2026-11-27T23:30:00Z'))).toStrictEqual({ inside: false, reason: 'outside every allow window (Asia/Shanghai)' });
  });

  it('lets the deny window win over the allow window at 12:30 Shanghai (04:30 UTC)', () => {
    expect(checkWindow(shanghai, at('2026-11-24T04:30:00Z'))).toStrictEqual({ inside: false, reason: 'inside the deny window "* 12 * * *" (Asia/Shanghai)', deny: '* 12 * * *' });
  });

  it('denies Friday 23:59 Shanghai, which is Friday 15:59 UTC, while the same UTC time on Thursday is allowed', () => {
    expect([checkWindow(shanghai, at('2026-11-27T15:59:00Z')).inside, checkWindow(shanghai, at('2026-11-26T15:59:00Z')).inside]).toStrictEqual([false, true]);
  });

  it('starts the window after the lunch deny at 13:00 Shanghai, and the morning one at 00:00 Monday Shanghai', () => {
    expect([startOf(shanghai, '2026-11-23T06:10:42Z'), startOf(shanghai, '2026-11-23T03:59:59Z')]).toStrictEqual(['2026-11-23T05:00:00.000Z', '2026-11-22T16:00:00.000Z']);
  });

  it('has no window start outside the windows', () => {
    expect(startOf(shanghai, '2026-11-24T04:30:00Z')).toBeUndefined();
  });

  it('cuts a window that never closes at the lookback limit', () => {
    const always = parseWindowSet({ allow: '* * * * *', timeZone: 'UTC' });
    expect(startOf(always, '2026-11-23T10:00:30Z', 60 * 60_000)).toBe('2026-11-23T09:00:00.000Z');
  });

  it('keeps a day-long window one window on the day daylight saving time ends (24 h 45 min in Europe/Berlin)', () => {
    // Open all day but 00:00-00:14: on 2026-10-25 from 00:15 CEST (22:15Z the day before) to 23:59 CET (22:59Z).
    const allDay = parseWindowSet({ allow: '* * * * *', deny: '0-14 0 * * *', timeZone: 'Europe/Berlin' });
    expect(['2026-10-25T21:30:00Z', '2026-10-25T22:59:00Z'].map((s) => startOf(allDay, s))).toStrictEqual(['2026-10-24T22:15:00.000Z', '2026-10-24T22:15:00.000Z']);
  });
});

describe('Windows: a DST zone (Europe/Berlin)', () => {
  const nightly = parseWindowSet({ allow: '* 1-3 * * *', deny: '* 2 * * *', timeZone: 'Europe/Berlin' });

  it('on the spring change (2026-03-29) has no 02:xx to deny: 01:00 CET to 03:59 CEST is one window', () => {
    // 01:00 CET = 00:00Z; 03:30 CEST = 01:30Z.
    expect([startOf(nightly, '2026-03-29T01:30:00Z'), checkWindow(nightly, at('2026-03-29T00:59:00Z')).inside]).toStrictEqual(['2026-03-29T00:00:00.000Z', true]);
  });

  it('on the autumn change (2026-10-25) denies both passes of 02:xx, and 03:00 CET starts a new window', () => {
    // 02:30 CEST = 00:30Z, 02:30 CET = 01:30Z, 03:10 CET = 02:10Z.
    expect([
      checkWindow(nightly, at('2026-10-25T00:30:00Z')).inside,
      checkWindow(nightly, at('2026-10-25T01:30:00Z')).inside,
      startOf(nightly, '2026-10-25T02:10:00Z'),
      startOf(nightly, '2026-10-24T23:30:00Z'),
    ]).toStrictEqual([false, false, '2026-10-25T02:00:00.000Z', '2026-10-24T23:00:00.000Z']);
  });
});

describe('Time helpers', () => {
  it('reads wall clocks and days in a zone', () => {
    expect([wallClock(at('2026-11-22T17:30:05Z'), 'Asia/Shanghai'), isoDay(at('2026-11-22T17:30:05Z'), 'Asia/Shanghai'), isoDay(at('2026-11-22T17:30:05Z'), 'UTC')]).toStrictEqual([
      { year: 2026, month: 11, day: 23, hour: 1, minute: 30, second: 5 },
      '2026-11-23',
      '2026-11-22',
    ]);
  });

  it('turns wall times back into instants, the first pass of a repeated time, skipped times moved forward', () => {
    expect([
      instantOfWallClock({ year: 2026, month: 11, day: 23, hour: 1, minute: 30, second: 5 }, 'Asia/Shanghai').toISOString(),
      instantOfWallClock({ year: 2026, month: 10, day: 25, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin').toISOString(),
      instantOfWallClock({ year: 2026, month: 3, day: 29, hour: 2, minute: 30, second: 0 }, 'Europe/Berlin').toISOString(),
    ]).toStrictEqual(['2026-11-22T17:30:05.000Z', '2026-10-25T00:30:00.000Z', '2026-03-29T01:30:00.000Z']);
  });

  it('parses CodeArts history times in a zone and refuses anything else', () => {
    expect([
      parseZonedDateTime('2026-11-23 08:00:00', 'UTC')?.toISOString(),
      parseZonedDateTime('2026-11-23 08:00:00', 'Asia/Shanghai')?.toISOString(),
      parseZonedDateTime('2026-13-01 00:00:00', 'UTC'),
      parseZonedDateTime('yesterday', 'UTC'),
    ]).toStrictEqual(['2026-11-23T08:00:00.000Z', '2026-11-23T00:00:00.000Z', undefined, undefined]);
  });

  it('reads a history time the clock shows twice (the hour repeated when DST ends) as the later one', () => {
    // Europe/Berlin, 2026-10-25: 02:30 is 00:30Z (CEST) and again 01:30Z (CET); 01:30 and 03:30 happen once.
    expect(['2026-10-25 02:30:00', '2026-10-25 01:30:00', '2026-10-25 03:30:00'].map((t) => parseZonedDateTime(t, 'Europe/Berlin')?.toISOString())).toStrictEqual([
      '2026-10-25T01:30:00.000Z',
      '2026-10-24T23:30:00.000Z',
      '2026-10-25T02:30:00.000Z',
    ]);
  });

  it('refuses a day past its month\'s end instead of rolling it into the next month', () => {
    expect(
      ['2026-02-31 10:00:00', '2026-02-29 10:00:00', '2026-04-31T10:00:00Z', '2028-02-29 10:00:00', '2026-12-31 10:00:00'].map((text) =>
        parseZonedDateTime(text, 'UTC')?.toISOString(),
      ),
    ).toStrictEqual([undefined, undefined, undefined, '2028-02-29T10:00:00.000Z', '2026-12-31T10:00:00.000Z']);
  });

  it('reads the variants a history may send: a T, fractions of a second, an offset of its own, epoch milliseconds', () => {
    expect(
      [
        '2026-11-23T08:00:00',
        '2026-11-23 08:00:00.250',
        '2026-11-23T08:00:00Z',
        '2026-11-23T16:00:00.5+08:00',
        '2026-11-23 03:00:00-0500',
        '1795420800000',
        '2026-11-23 08:00',
      ].map((text) => parseZonedDateTime(text, 'Asia/Shanghai')?.toISOString()),
    ).toStrictEqual([
      '2026-11-23T00:00:00.000Z',
      '2026-11-23T00:00:00.250Z',
      '2026-11-23T08:00:00.000Z',
      '2026-11-23T08:00:00.500Z',
      '2026-11-23T08:00:00.000Z',
      '2026-11-23T08:00:00.000Z',
      undefined,
    ]);
  });
});

describe('Windows: the walk back to a window start', () => {
  /** The plain definition: back a minute at a time while the minute before is inside, up to the lookback. */
  function oracleStart(set: ReturnType<typeof parseWindowSet>, instant: Date, lookbackMs: number): string | undefined {
    const inside = (t: number) => checkWindow(set, new Date(t)).inside;
    let minute = Math.floor(instant.getTime() / 60_000) * 60_000;
    if (!inside(minute)) return undefined;
    const limit = minute - lookbackMs;
    while (minute - 60_000 >= limit && inside(minute - 60_000)) minute -= 60_000;
    return new Date(minute).toISOString();
  }

  // Whole-hour, half-hour (+5:30), quarter-hour (+5:45) offsets, DST of an hour and of half an hour.
  const zones = ['UTC', 'Asia/Shanghai', 'Asia/Kolkata', 'Asia/Kathmandu', 'Europe/Berlin', 'America/New_York', 'Australia/Lord_Howe'];
  const minuteField = fc.constantFrom('*', '*', '0-59', '0-29', '30-59', '*/15', '5', '10-50');
  const hourField = fc.constantFrom('*', '*', '9-17', '22-23', '0-5', '2', '1-3', '*/3');
  const weekdayField = fc.constantFrom('*', '*', '1-5', '0,6', '5');
  const pattern = fc.tuple(minuteField, hourField, weekdayField).map(([m, h, w]) => `${m} ${h} * * ${w}`);
  // Instants in 2026, half of them within two days of a DST change of the zones above.
  const changes = ['2026-03-08T07:00:00Z', '2026-03-29T01:00:00Z', '2026-04-04T15:00:00Z', '2026-10-03T15:30:00Z', '2026-10-25T01:00:00Z', '2026-11-01T06:00:00Z'].map((s) => Date.parse(s));
  const instant = fc.oneof(
    fc.integer({ min: Date.parse('2026-01-01T00:00:00Z'), max: Date.parse('2026-12-31T00:00:00Z') }),
    fc.tuple(fc.constantFrom(...changes), fc.integer({ min: -2 * 86_400_000, max: 2 * 86_400_000 })).map(([t, d]) => t + d),
  );

  it('finds the same start as going back a minute at a time, in every kind of zone, deny or not', () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...zones),
        fc.array(pattern, { minLength: 1, maxLength: 2 }),
        fc.array(pattern, { minLength: 0, maxLength: 2 }),
        instant,
        fc.integer({ min: 0, max: 48 * 60 }),
        (timeZone, allow, deny, t, lookbackMinutes) => {
          const set = parseWindowSet({ allow: allow.join(';'), deny: deny.join(';'), timeZone });
          const lookbackMs = lookbackMinutes * 60_000;
          expect(startOf(set, new Date(t).toISOString(), lookbackMs)).toBe(oracleStart(set, new Date(t), lookbackMs));
        },
      ),
      { seed: 20261202, numRuns: 400 },
    );
  });

  it('steps over whole hours only where the zone\'s wall-clock hour is whole: on the hour there, with one offset throughout', () => {
    const hours = (timeZone: string, allow: string, s: string) => parseWindowSet({ allow, timeZone }).allow[0]?.cron.hourBefore(at(s));
    expect([
      hours('UTC', '* 9 * * *', '2026-11-23T10:00:00Z'),
      hours('UTC', '0-29 9 * * *', '2026-11-23T10:00:00Z'),
      hours('UTC', '* 8 * * *', '2026-11-23T10:00:00Z'),
      hours('UTC', '* 9 * * *', '2026-11-23T10:30:00Z'),
      // 10:00 in Kolkata (+5:30) is 04:30Z; 10:00 in Kathmandu (+5:45) is 04:15Z.
      hours('Asia/Kolkata', '* 9 * * *', '2026-11-23T04:30:00Z'),
      hours('Asia/Kolkata', '* 9 * * *', '2026-11-23T04:00:00Z'),
      hours('Asia/Kathmandu', '* 9 * * *', '2026-11-23T04:15:00Z'),
      // Berlin's changes fall on the hour: around 2026-03-29T01:00Z the hours are 01:00–01:59 CET, then
      // 03:00–03:59 CEST; around 2026-10-25T01:00Z, 02:00–02:59 CEST, then 02:00–02:59 CET again.
      hours('Europe/Berlin', '* 1 * * *', '2026-03-29T01:00:00Z'),
      hours('Europe/Berlin', '* 3 * * *', '2026-03-29T02:00:00Z'),
      hours('Europe/Berlin', '* 2 * * *', '2026-10-25T01:00:00Z'),
      hours('Europe/Berlin', '* 2 * * *', '2026-10-25T02:00:00Z'),
      // Lord Howe's clocks go back half an hour at 2026-04-04T15:00Z (02:00 +11 → 01:30 +10:30): the next hour starts at :30.
      hours('Australia/Lord_Howe', '* * * * *', '2026-04-04T15:00:00Z'),
      hours('Australia/Lord_Howe', '* * * * *', '2026-04-04T16:00:00Z'),
    ]).toStrictEqual(['all', 'some', 'none', undefined, 'all', undefined, 'all', 'all', 'all', 'all', 'all', 'all', undefined]);
  });
});
