/** Schedules (AWS rate/cron, FunctionGraph rate/cron, plain cron) and the window one firing covers. */
import { firingWindow, NoWindowError, parseSchedule, rateFiringAmbiguity, ScheduleSyntaxError, windowOfFiring, type Schedule } from '../../../shared/schedules/schedule';

const iso = (s: string) => new Date(s);
const windowOf = (schedule: Schedule, at: string, toleranceMs?: number) => {
  const w = firingWindow(schedule, iso(at), toleranceMs);
  return { start: w.start.toISOString(), end: w.end.toISOString() };
};

describe('Schedule: parsing', () => {
  it.each([
    ['rate(15 minutes)', 15 * 60_000],
    ['rate(1 minute)', 60_000],
    ['rate(2 hours)', 2 * 3_600_000],
    ['rate(1 day)', 86_400_000],
    ['15m', 15 * 60_000],
    ['1h', 3_600_000],
    ['1d', 86_400_000],
  ])('reads the rate %s', (expression, periodMs) => {
    // Act
    const schedule = parseSchedule(expression);
    // Assess
    expect(schedule).toStrictEqual({ kind: 'rate', expression, periodMs });
  });

  it.each([
    ['cron(0/15 * * * ? *)', 'UTC'],
    ['cron(0 8 ? * MON-FRI *)', 'UTC'],
    ['CRON_TZ=Asia/Shanghai cron(0 8 * * ? *)', 'Asia/Shanghai'],
    ['*/15 * * * *', 'UTC'],
    ['0 0/15 * * * ?', 'UTC'],
    ['CRON_TZ=Europe/Berlin 0 8 * * 1-5', 'Europe/Berlin'],
    ['@hourly', 'UTC'],
  ])('reads the cron expression %s in %s', (expression, timeZone) => {
    // Act
    const schedule = parseSchedule(expression);
    // Assess
    expect({ kind: schedule.kind, expression: schedule.expression, timeZone: schedule.kind === 'cron' ? schedule.timeZone : undefined }).toStrictEqual({
      kind: 'cron',
      expression,
      timeZone,
    });
  });

  it.each([
    ['rate(0 minutes)', 'a rate must be a whole number of at least 1'],
    ['rate(400 days)', 'a rate must be at most 366 days'],
    ['rate(5 weeks)', 'must be rate(N minutes|hours|days), Nm/Nh/Nd, cron(6 fields) or a 5- or 6-field cron pattern'],
    ['cron(0 8 * * ?)', 'expected 6 fields in cron(...), got 5'],
    ['CRON_TZ=Mars/Olympus 0 8 * * *', 'unknown time zone "Mars/Olympus"'],
    ['61 * * * *', 'Invalid value for minute: 61'],
    ['every day', 'must be rate(N minutes|hours|days), Nm/Nh/Nd, cron(6 fields) or a 5- or 6-field cron pattern'],
    ['', 'must be rate(N minutes|hours|days), Nm/Nh/Nd, cron(6 fields) or a 5- or 6-field cron pattern'],
    ['*/30 * * * * *', 'a timer runs at most once a minute: the seconds field must be one second, not "*/30"'],
    ['0,30 0/15 * * * ?', 'a timer runs at most once a minute: the seconds field must be one second, not "0,30"'],
    ['60 0/15 * * * ?', 'a timer runs at most once a minute: the seconds field must be one second, not "60"'],
  ])('refuses %j: %s', (expression, message) => {
    // Act
    const act = () => parseSchedule(expression);
    // Assess
    expect(act).toThrow(new ScheduleSyntaxError(message));
  });
});

describe('Schedule: the window a firing covers', () => {
  it('covers the previous 15 minutes of a 15-minute rate (the AWS fixture time)', () => {
    expect(windowOf(parseSchedule('rate(15 minutes)'), '2026-11-23T00:30:00Z')).toStrictEqual({ start: '2026-11-23T00:15:00.000Z', end: '2026-11-23T00:30:00.000Z' });
  });

  it('reads the FunctionGraph fixture time with its +08:00 offset', () => {
    expect(windowOf(parseSchedule('15m'), '2026-11-23T08:30:00+08:00')).toStrictEqual({ start: '2026-11-23T00:15:00.000Z', end: '2026-11-23T00:30:00.000Z' });
  });

  it('gives the same window to a firing reported up to the tolerance early, and to one seconds late', () => {
    const schedule = parseSchedule('rate(15 minutes)');
    const expected = { start: '2026-11-23T00:15:00.000Z', end: '2026-11-23T00:30:00.000Z' };
    expect([windowOf(schedule, '2026-11-23T00:29:01Z'), windowOf(schedule, '2026-11-23T00:30:00Z'), windowOf(schedule, '2026-11-23T00:30:59Z')]).toStrictEqual([expected, expected, expected]);
  });

  it('covers the last whole period before a rate timer that fires at an offset', () => {
    const schedule = parseSchedule('rate(15 minutes)');
    expect([windowOf(schedule, '2026-11-23T00:37:00Z'), windowOf(schedule, '2026-11-23T00:52:00Z')]).toStrictEqual([
      { start: '2026-11-23T00:15:00.000Z', end: '2026-11-23T00:30:00.000Z' },
      { start: '2026-11-23T00:30:00.000Z', end: '2026-11-23T00:45:00.000Z' },
    ]);
  });

  it('covers the time since the previous run of a weekday cron, across the weekend', () => {
    // 2026-11-23 is a Monday: the previous run was Friday 08:00.
    expect(windowOf(parseSchedule('cron(0 8 ? * MON-FRI *)'), '2026-11-23T08:00:00Z')).toStrictEqual({ start: '2026-11-20T08:00:00.000Z', end: '2026-11-23T08:00:00.000Z' });
  });

  it('reads AWS day-of-week numbers as 1 = Sunday', () => {
    // cron(0 8 ? * 2 *) is Mondays only.
    expect(windowOf(parseSchedule('cron(0 8 ? * 2 *)'), '2026-11-23T08:00:00Z')).toStrictEqual({ start: '2026-11-16T08:00:00.000Z', end: '2026-11-23T08:00:00.000Z' });
  });

  it('reads a cron in its CRON_TZ: 08:00 Asia/Shanghai is 00:00 UTC', () => {
    expect(windowOf(parseSchedule('CRON_TZ=Asia/Shanghai 0 8 * * *'), '2026-11-23T00:00:30Z')).toStrictEqual({ start: '2026-11-22T00:00:00.000Z', end: '2026-11-23T00:00:00.000Z' });
  });

  it('gives a 23-hour window across the spring DST change of Europe/Berlin', () => {
    // 2026-03-29 02:00 CET → 03:00 CEST.
    expect(windowOf(parseSchedule('CRON_TZ=Europe/Berlin 0 8 * * *'), '2026-03-29T06:00:00Z')).toStrictEqual({ start: '2026-03-28T07:00:00.000Z', end: '2026-03-29T06:00:00.000Z' });
  });

  it('treats an event more than half a period early as the previous run', () => {
    // Tolerance of 10 minutes on a 15-minute cron: 00:22 is closer to 00:15 than to 00:30.
    expect(windowOf(parseSchedule('*/15 * * * *'), '2026-11-23T00:22:00Z', 10 * 60_000)).toStrictEqual({ start: '2026-11-23T00:00:00.000Z', end: '2026-11-23T00:15:00.000Z' });
  });
});

describe('Schedule: a firing with no run before it', () => {
  it.each([
    ['the first run of a schedule bounded by its year', 'cron(0 8 1 1 ? 2027)', '2027-01-01T08:00:00Z', 'the schedule cron(0 8 1 1 ? 2027) has no run before 2027-01-01T08:00:00.000Z, so the firing at 2027-01-01T08:00:00.000Z covers no window'],
    ['an invocation before the first run', 'cron(0 8 ? * MON-FRI 2027)', '2026-12-07T09:00:00Z', 'the schedule cron(0 8 ? * MON-FRI 2027) has no run before 2026-12-07T09:00:00.000Z, so the firing at 2026-12-07T09:00:00.000Z covers no window'],
  ])('covers no window for %s', (_case, expression, firedAt, message) => {
    // Act
    const act = () => firingWindow(parseSchedule(expression), iso(firedAt));
    // Assess
    expect(act).toThrow(new NoWindowError(message));
  });

  it('covers a window from the second run of a bounded schedule on', () => {
    expect(windowOf(parseSchedule('cron(0 8 ? * MON-FRI 2027)'), '2027-01-04T08:00:00Z')).toStrictEqual({ start: '2027-01-01T08:00:00.000Z', end: '2027-01-04T08:00:00.000Z' });
  });
});

describe('Schedule: rate firings on a window edge', () => {
  const rate15 = parseSchedule('rate(15 minutes)');
  const EDGE = 'the timer fires 60 s before a rate(15 minutes) window boundary, within a few seconds: with platform jitter consecutive firings may cover one window twice and skip the next; use a cron schedule, or re-create the rate timer at another offset';

  it('flags a rate timer firing about a minute before each boundary, where a second of jitter changes the window', () => {
    // A timer created at :14:00 that fires a little late, then a little early: the same window twice.
    const firings = ['2026-11-23T10:14:00.400Z', '2026-11-23T10:28:59.700Z'];
    expect(firings.map((at) => [windowOf(rate15, at), rateFiringAmbiguity(rate15, iso(at))])).toStrictEqual([
      [{ start: '2026-11-23T10:00:00.000Z', end: '2026-11-23T10:15:00.000Z' }, EDGE],
      [{ start: '2026-11-23T10:00:00.000Z', end: '2026-11-23T10:15:00.000Z' }, EDGE],
    ]);
  });

  it.each([
    ['a rate timer on the boundary', rate15, '2026-11-23T10:15:00.300Z'],
    ['a rate timer at another offset', rate15, '2026-11-23T10:21:37.000Z'],
    ['a rate timer 6 s from the edge', rate15, '2026-11-23T10:13:54.000Z'],
    ['a cron schedule', parseSchedule('cron(14 * * * ? *)'), '2026-11-23T10:14:00.400Z'],
  ])('does not flag %s', (_case, schedule, at) => {
    expect(rateFiringAmbiguity(schedule, iso(at))).toBeUndefined();
  });

  it('warns once per firing through windowOfFiring, and returns the same window as firingWindow', () => {
    const warnings: Array<[string, Record<string, unknown> | undefined]> = [];
    const at = iso('2026-11-23T10:14:02.000Z');
    const window = windowOfFiring(rate15, at, { warn: (message, fields) => void warnings.push([message, fields]) });
    expect([window, warnings]).toStrictEqual([firingWindow(rate15, at), [['Rate timer firing on a window edge', { reason: EDGE, fired_at: '2026-11-23T10:14:02.000Z' }]]]);
  });
});
