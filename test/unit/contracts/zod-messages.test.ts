/**
 * shared/zod-config.ts gives zod issues our own English messages in place of zod's English locale, to leave
 * that locale's tables out of the bundles. They must read word for word as the locale's: 4xx bodies name
 * fields with them, and callers may match on them. Differential: generated issues of every kind, ours against
 * `zod/locales/en`; and a scan that no schema uses a string format whose name only the locale knows.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import fc from 'fast-check';
import { en } from 'zod/locales';
import type { core } from 'zod/mini';
import * as z from 'zod/mini';
import { englishMessage } from '../../../shared/zod-config';

const ROOT = join(__dirname, '..', '..', '..');
const locale = en().localeError as core.$ZodErrorMap;
type RawIssue = Parameters<core.$ZodErrorMap>[0];

const TYPES = ['string', 'number', 'int', 'bigint', 'boolean', 'symbol', 'undefined', 'null', 'object', 'array', 'date', 'map', 'set', 'file', 'nan', 'never', 'unknown', 'function', 'promise', 'record', 'tuple'];
const ORIGINS = ['string', 'number', 'int', 'bigint', 'array', 'set', 'map', 'file', 'date', 'value', 'object', 'record', 'tuple'];
const primitive = fc.oneof(fc.string(), fc.integer(), fc.double(), fc.boolean(), fc.constant(null), fc.constant(undefined), fc.bigInt());
const input = fc.oneof(primitive, fc.constant(Number.NaN), fc.constant(Infinity), fc.constant(-Infinity), fc.date(), fc.array(primitive), fc.dictionary(fc.string(), primitive), fc.constant(new Map()), fc.constant(new Set()), fc.constant(() => 1));
const bound = fc.oneof(fc.integer(), fc.double({ noNaN: true }), fc.bigInt());

const issue: fc.Arbitrary<RawIssue> = fc.oneof(
  fc.record({ code: fc.constant('invalid_type'), expected: fc.constantFrom(...TYPES), input }),
  fc.record({ code: fc.constant('invalid_value'), values: fc.array(primitive, { minLength: 1, maxLength: 5 }), input }),
  fc.record({ code: fc.constantFrom('too_big', 'too_small'), origin: fc.option(fc.constantFrom(...ORIGINS), { nil: undefined }), maximum: bound, minimum: bound, inclusive: fc.option(fc.boolean(), { nil: undefined }), exact: fc.option(fc.boolean(), { nil: undefined }), input }),
  fc.record({ code: fc.constant('invalid_format'), format: fc.constantFrom('starts_with', 'ends_with', 'includes', 'regex'), prefix: fc.string(), suffix: fc.string(), includes: fc.string(), pattern: fc.string(), input }),
  fc.record({ code: fc.constant('not_multiple_of'), divisor: bound, input }),
  fc.record({ code: fc.constant('unrecognized_keys'), keys: fc.array(fc.string(), { minLength: 1, maxLength: 4 }), input }),
  fc.record({ code: fc.constantFrom('invalid_key', 'invalid_element'), origin: fc.constantFrom('map', 'record', 'set'), issues: fc.constant([]), input }),
  fc.record({ code: fc.constant('invalid_union'), errors: fc.constant([]), options: fc.option(fc.array(fc.oneof(fc.string(), fc.integer(), fc.boolean()), { maxLength: 4 }), { nil: undefined }), inclusive: fc.option(fc.boolean(), { nil: undefined }), input }),
  fc.record({ code: fc.constant('custom'), input }),
) as fc.Arbitrary<RawIssue>;

function sources(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    if (entry.isDirectory()) return sources(path);
    return entry.name.endsWith('.ts') ? [path] : [];
  });
}

describe('Schemas: English messages', () => {
  it('word for word as zod/locales/en, on 20,000 generated issues of every kind', () => {
    fc.assert(
      fc.property(issue, (generated) => {
        expect(englishMessage(generated)).toBe(locale(generated));
      }),
      { numRuns: 20_000 },
    );
  });

  it('as the locale on the issues our schemas raise, parsed for real', () => {
    // Prepare: one schema per kind of check the contracts use, and an input each refuses.
    const cases: Array<[core.$ZodType, unknown]> = [
      [z.string(), 5],
      [z.number(), Number.NaN],
      [z.string().check(z.minLength(1)), ''],
      [z.string().check(z.maxLength(3)), 'abcd'],
      [z.array(z.string()).check(z.maxLength(1)), ['a', 'b']],
      [z.number().check(z.int(), z.gte(1)), 0],
      [z.number().check(z.lte(100)), 101],
      [z.enum(['asc', 'desc']), 'up'],
      [z.literal('TIMER'), 'CRON'],
      [z.strictObject({ a: z.string() }), { a: 'x', b: 1, c: 2 }],
      [z.string().check(z.regex(/^[0-9]+$/)), 'x'],
      [z.union([z.string(), z.number()]), true],
      [z.discriminatedUnion('type', [z.object({ type: z.literal('app') }), z.object({ type: z.literal('bearer') })]), { type: 'webhook' }],
      [z.record(z.string().check(z.minLength(2)), z.string()), { a: 'x' }],
      [z.date(), new Date('x')],
    ];
    // Act
    const messages = cases.map(([schema, value]) => {
      const result = z.safeParse(schema, value);
      return result.success ? [] : result.error.issues.map((i) => i.message);
    });
    const expected = cases.map(([schema, value]) => {
      const result = z.safeParse(schema, value, { error: locale });
      return result.success ? [] : result.error.issues.map((i) => i.message);
    });
    // Assess
    expect(messages.every((m) => m.length > 0)).toBe(true);
    expect(messages).toStrictEqual(expected);
  });

  it('no schema in shared/ or functions/ checks a string format other than a pattern (the locale would name it)', () => {
    // Every z.<format>() of zod's string formats; `regex` has its own message.
    const formatCall = /\bz\.(email|url|httpUrl|emoji|uuid|uuidv4|uuidv6|uuidv7|nanoid|guid|cuid|cuid2|ulid|xid|ksuid|ipv4|ipv6|mac|cidrv4|cidrv6|base64|base64url|e164|jwt|hostname|hex|hash|lowercase|uppercase|json|iso\.(datetime|date|time|duration))\(/g;
    const formats = [...sources(join(ROOT, 'shared')), ...sources(join(ROOT, 'functions'))].flatMap((file) =>
      // Code only: a comment may name a format (rfc3339.ts names the zod check it replaces).
      [...readFileSync(file, 'utf8').replace(/\/\*[\s\S]*?\*\/|\/\/.*$/gm, '').matchAll(formatCall)]
        .map((m) => `${relative(ROOT, file)}: ${m[0]}`),
    );
    expect(formats).toStrictEqual([]);
  });
});
