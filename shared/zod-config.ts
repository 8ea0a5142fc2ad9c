/**
 * zod, configured once for everything that ships in a function bundle. Import this module first in every
 * module that builds schemas (`import '../zod-config';`), so it runs before any schema is constructed:
 *
 *  - The schemas are written with `zod/mini` (functional checks, `z.optional(x)` rather than
 *    `x.optional()`): the same library and validation as classic zod, but only what a bundle uses is
 *    bundled (our functions carry 35-40 KB of zod instead of ~98 KB: bench/RESULTS.md, "What is in
 *    each bundle"; the contracts load in about half the time, measured side by side on 2026-12-02).
 *  - zod/mini ships no messages of its own. `englishMessage` gives each issue the words classic zod's English
 *    locale (`zod/locales/en`) gives it ("Too small: expected string to have >=1 characters"), so a 4xx names
 *    each field the same way, without that locale's tables of string formats no schema here uses (1.1 KB of
 *    every bundle). test/unit/contracts/zod-messages.test.ts holds it to the locale word for word on
 *    generated issues of every kind, and checks that no schema uses a format it does not name.
 *  - jitless: zod would compile each object schema into a parser with `new Function` on its first use; a
 *    function parses a handful of objects per invocation, so compiling costs more than it saves at cold
 *    start. It is read when an object schema is constructed, hence "before any schema".
 */
import { config, type core } from 'zod/mini';

/** What a size is counted in, by the issue's origin; other origins (number, date, …) are compared as values. */
const UNITS: Record<string, string> = { string: 'characters', file: 'bytes', array: 'items', set: 'items', map: 'entries' };

// zod's `util.parsedType`, `stringifyPrimitive` and `joinValues` as the locale uses them (importing zod's `util`
// would bring every one of its helpers into the bundle).
const typeName = (type: string) => (type === 'nan' ? 'NaN' : type);

function receivedType(input: unknown): string {
  if (typeof input === 'number') return Number.isNaN(input) ? 'NaN' : Number.isFinite(input) ? 'number' : String(input);
  if (typeof input !== 'object') return typeof input;
  if (input === null) return 'null';
  if (Array.isArray(input)) return 'array';
  return Object.getPrototypeOf(input) !== Object.prototype && 'constructor' in input && input.constructor ? (input.constructor as { name: string }).name : 'object';
}

const literal = (value: unknown) => (typeof value === 'bigint' ? `${value}n` : typeof value === 'string' ? `"${value}"` : `${value as string}`);
const literals = (values: readonly unknown[], separator: string) => values.map(literal).join(separator);

export const englishMessage: core.$ZodErrorMap = (issue) => {
  switch (issue.code) {
    case 'invalid_type':
      return `Invalid input: expected ${typeName(issue.expected)}, received ${receivedType(issue.input)}`;
    case 'invalid_value':
      return issue.values.length === 1 ? `Invalid input: expected ${literal(issue.values[0])}` : `Invalid option: expected one of ${literals(issue.values, '|')}`;
    case 'too_big':
    case 'too_small': {
      const big = issue.code === 'too_big';
      const adjective = issue.exact ? 'exactly ' : (big ? '<' : '>') + (issue.inclusive ? '=' : '');
      const bound = `${adjective}${(big ? issue.maximum : issue.minimum).toString()}`;
      const unit = issue.origin === undefined ? undefined : UNITS[issue.origin];
      return `Too ${big ? 'big' : 'small'}: expected ${big ? (issue.origin ?? 'value') : issue.origin} ${unit ? `to have ${bound} ${unit}` : `to be ${bound}`}`;
    }
    case 'invalid_format':
      if (issue.format === 'starts_with') return `Invalid string: must start with "${issue.prefix}"`;
      if (issue.format === 'ends_with') return `Invalid string: must end with "${issue.suffix}"`;
      if (issue.format === 'includes') return `Invalid string: must include "${issue.includes}"`;
      if (issue.format === 'regex') return `Invalid string: must match pattern ${issue.pattern}`;
      // No schema here checks another string format (the test scans for one): the locale names them ("email
      // address"), and names a format it does not know by its code, as here.
      return `Invalid ${issue.format}`;
    case 'not_multiple_of':
      return `Invalid number: must be a multiple of ${issue.divisor}`;
    case 'unrecognized_keys':
      return `Unrecognized key${issue.keys.length > 1 ? 's' : ''}: ${literals(issue.keys, ', ')}`;
    case 'invalid_key':
      return `Invalid key in ${issue.origin}`;
    case 'invalid_union':
      if (Array.isArray(issue.options) && issue.options.length > 0) return `Invalid discriminator value. Expected ${issue.options.map((o) => `'${String(o)}'`).join(' | ')}`;
      return issue.inclusive === false ? 'Invalid input: more than one option matched' : 'Invalid input';
    case 'invalid_element':
      return `Invalid value in ${issue.origin}`;
    default:
      return 'Invalid input';
  }
};

config({ localeError: englishMessage, jitless: true });
