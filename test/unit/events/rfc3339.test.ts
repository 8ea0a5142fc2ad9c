/**
 * RFC 3339 date-times in platform events (shared/platform/rfc3339.ts): examples, then a differential
 * property test against zod's `z.iso.datetime({ offset: true })`, which it replaced in the bundles: the same
 * strings accepted and refused, with the same message.
 */
import fc from 'fast-check';
import * as z from 'zod/mini';
import { en } from 'zod/locales';
import '../../../shared/zod-config';
import { isRfc3339DateTime, rfc3339DateTime } from '../../../shared/platform/rfc3339';

const SEED = 20261207;
const zodDateTime = z.iso.datetime({ offset: true });

/**
 * What a schema answers for a value: accepted, or the first issue's message. zod's own check is read with its
 * English locale, whose words our messages keep (shared/zod-config.ts names no string format).
 */
const answer = (schema: z.ZodMiniType, value: unknown, error?: z.core.$ZodErrorMap) => {
  const parsed = schema.safeParse(value, error ? { error } : undefined);
  return parsed.success ? { ok: true, value: parsed.data } : { ok: false, message: parsed.error.issues[0]?.message };
};

describe('RFC 3339 date-times', () => {
  it('accepts a date-time with seconds, an optional fraction and Z or an offset, on a day that exists', () => {
    // Prepare
    const accepted = ['2026-12-07T08:30:00Z', '2026-12-07T08:30:00.5+08:00', '2026-12-07T23:59:59.123456789-11:30', '2024-02-29T00:00:00Z', '2000-02-29T12:00:00+00:00', '0000-02-29T00:00:00Z'];
    const refused = [
      '2026-12-07T08:30Z', // no seconds
      '2026-12-07 08:30:00Z', // a space for T
      '2026-12-07t08:30:00z', // lower case
      '2026-12-07T08:30:00', // no offset
      '2026-12-07T08:30:00+0800', // offset without its colon
      '2026-12-07T24:00:00Z',
      '2026-12-07T08:60:00Z',
      '2026-12-07T08:30:60Z',
      '2026-12-07T08:30:00+24:00',
      '2026-13-01T00:00:00Z',
      '2026-00-01T00:00:00Z',
      '2026-04-31T00:00:00Z',
      '2026-02-29T00:00:00Z',
      '1900-02-29T00:00:00Z',
      '2200-02-29T00:00:00Z',
      '2026-12-00T00:00:00Z',
      '2026-12-07T08:30:00.Z',
      '+2026-12-07T08:30:00Z',
      '',
    ];

    // Act
    const answers = [...accepted, ...refused].map((value) => isRfc3339DateTime(value));

    // Assess
    expect(answers).toStrictEqual([...accepted.map(() => true), ...refused.map(() => false)]);
  });

  it('answers what zod.iso.datetime({ offset: true }) answers, message included', () => {
    // Strings that are mostly valid, each part now and then drawn from its edges or beyond: about a fifth are
    // valid, and the rest are refused for one or two reasons, so most differences would show.
    const mostly = (valid: fc.Arbitrary<string>, ...other: string[]) => fc.oneof({ arbitrary: valid, weight: 9 }, { arbitrary: fc.constantFrom(...other), weight: 1 });
    const padded = (max: number) => fc.integer({ min: 0, max }).map((n) => String(n).padStart(2, '0'));
    const year = fc.oneof(fc.integer({ min: 0, max: 9999 }).map((n) => String(n).padStart(4, '0')), fc.constantFrom('2024', '2100', '2000', '1900', '2200', '1600', '0000', '0400'));
    const offset = fc.oneof(
      fc.constant('Z'),
      fc.tuple(fc.constantFrom('+', '-'), padded(24), padded(60)).map(([sign, hh, mm]) => `${sign}${hh}:${mm}`),
      fc.constantFrom('z', '', '+0800', '+08', '+8:00'),
    );
    const nearValid = fc
      .tuple(
        mostly(year, '999', '+2026', '20246'),
        mostly(fc.constant('-'), '/'),
        mostly(padded(13), '1', '001'),
        mostly(fc.constant('-'), '/'),
        mostly(padded(32), '9'),
        mostly(fc.constant('T'), 't', ' ', ''),
        mostly(padded(24), '2'),
        fc.constant(':'),
        mostly(padded(60), '5'),
        mostly(fc.constant(':'), ''),
        mostly(padded(60), '', '5'),
        mostly(fc.constantFrom('', '', '.5', '.123456789'), '.', '.x', ',5'),
        offset,
      )
      .map((parts) => parts.join(''));
    const values = fc.oneof(nearValid, fc.string(), fc.constantFrom<unknown>(undefined, null, 0, 1733560200000, new Date(0), {}));

    fc.assert(
      fc.property(values, (value) => {
        expect(answer(rfc3339DateTime, value)).toStrictEqual(answer(zodDateTime, value, en().localeError as z.core.$ZodErrorMap));
      }),
      { seed: SEED, numRuns: 20_000 },
    );
  });
});
