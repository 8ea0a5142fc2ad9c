/** Allow and deny windows: deny wins, time zones (Asia/Shanghai date change, Europe/Berlin DST), window starts. */
import { checkWindow, currentWindowStart, parseWindowSet, WindowSyntaxError } from '../../../shared/schedules/windows';
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
});
