/** shared/errors.ts issuesOf: a failed parse's issues as named fields, bounded however much a caller sends. */
import '../../../shared/zod-config';
import * as z from 'zod/mini';
import { issuesOf, MAX_REPORTED_ISSUES } from '../../../shared/errors';

const strict = z.strictObject({ limit: z.optional(z.number()), items: z.optional(z.array(z.string())) });

function issuesFor(value: unknown) {
  const result = strict.safeParse(value);
  if (result.success) throw new Error('the value was meant to fail');
  return issuesOf('body', result.error);
}

describe('Errors: issuesOf', () => {
  it('names every unknown key when there are five or fewer', () => {
    // Act
    const issues = issuesFor({ a: 1, b: 2, c: 3, d: 4, e: 5 });

    // Assess
    expect(issues).toStrictEqual([{ field: 'body.a,b,c,d,e', message: 'is not a known field' }]);
  });

  it('names the first five unknown keys and counts the rest', () => {
    // Act
    const issues = issuesFor({ a: 1, b: 2, c: 3, d: 4, e: 5, f: 6, g: 7 });

    // Assess
    expect(issues).toStrictEqual([{ field: 'body.a,b,c,d,e (+2 more)', message: 'is not a known field' }]);
  });

  it('cuts a long unknown key to 64 characters', () => {
    // Act
    const issues = issuesFor({ ['x'.repeat(10_000)]: 1 });

    // Assess
    expect(issues).toStrictEqual([{ field: `body.${'x'.repeat(64)}`, message: 'is not a known field' }]);
  });

  it(`reports at most ${MAX_REPORTED_ISSUES} issues, each at its path`, () => {
    // Act
    const issues = issuesFor({ items: Array.from({ length: 30 }, () => 1) });

    // Assess
    expect(issues).toStrictEqual(Array.from({ length: MAX_REPORTED_ISSUES }, (_, i) => ({ field: `body.items.${i}`, message: 'Invalid input: expected string, received number' })));
  });
});
