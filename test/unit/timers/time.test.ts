/**
 * Time helpers: UTC is computed without Intl (no time-zone database at cold start) and must agree with
 * what Intl says of the same instants in Etc/UTC, the same zone under another name.
 */
import { instantOfWallClock, isTimeZone, isoDay, wallClock } from '../../../shared/schedules/time';

const INSTANTS = [
  '1970-01-01T00:00:00Z',
  '2000-02-29T23:59:59Z',
  '2026-03-29T01:00:00Z',
  '2026-10-25T00:59:59Z',
  '2026-11-23T08:00:00Z',
  '2026-12-31T23:59:59Z',
  '2099-06-15T12:34:56Z',
].map((iso) => new Date(iso));

describe('Time: UTC without Intl', () => {
  it('gives the wall clock Intl gives for Etc/UTC, at every instant', () => {
    // Act
    const ours = INSTANTS.map((instant) => wallClock(instant, 'UTC'));
    const intl = INSTANTS.map((instant) => wallClock(instant, 'Etc/UTC'));

    // Assess
    expect(ours).toStrictEqual(intl);
  });

  it('turns a UTC wall clock back into its instant, and names its day', () => {
    // Act
    const back = INSTANTS.map((instant) => instantOfWallClock(wallClock(instant, 'UTC'), 'UTC').toISOString());
    const days = INSTANTS.map((instant) => isoDay(instant, 'UTC'));

    // Assess
    expect(back).toStrictEqual(INSTANTS.map((instant) => instant.toISOString()));
    expect(days).toStrictEqual(['1970-01-01', '2000-02-29', '2026-03-29', '2026-10-25', '2026-11-23', '2026-12-31', '2099-06-15']);
  });

  it('knows UTC and the IANA zones, and refuses what is not a zone', () => {
    // Act
    const answers = ['UTC', 'Etc/UTC', 'Asia/Shanghai', 'utc ', ' UTC', 'Mars/Olympus', ''].map(isTimeZone);

    // Assess
    expect(answers).toStrictEqual([true, true, true, false, false, false, false]);
  });
});
