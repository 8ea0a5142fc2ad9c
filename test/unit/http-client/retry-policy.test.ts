/**
 * The retry policy and the error-body parser as pure functions (../shared/reliability.md promises 8–9,
 * ../shared/api-reference.md §6.1).
 */
import { backoffDelayMs, BACKOFF_CAP_MS, isRetryable, MAX_ATTEMPTS, parseRetryAfter, type FailureClass } from '../../../shared/http/retry-policy';
import { parseErrorBody } from '../../../shared/http/upstream-error';

const NOW = new Date('2025-06-01T08:00:00Z');

describe('Retry policy: what is retried', () => {
  const classes: FailureClass[] = [
    { type: 'throttled', retryAfterMs: undefined },
    { type: 'not-sent' },
    { type: 'bad-gateway', retryAfterMs: undefined },
    { type: 'unavailable', retryAfterMs: undefined },
    { type: 'gateway-timeout', retryAfterMs: undefined },
    { type: 'maybe-sent' },
    { type: 'final' },
  ];

  it('retries throttling and unsent requests always, 502/503/504 and maybe-sent only for reads, final never', () => {
    // Prepare
    const table = classes.map((failure) => failure.type);

    // Act
    const decisions = classes.map((failure) => [isRetryable(failure, true), isRetryable(failure, false)]);

    // Assess
    expect(Object.fromEntries(table.map((type, i) => [type, decisions[i]]))).toStrictEqual({
      throttled: [true, true],
      'not-sent': [true, true],
      'bad-gateway': [true, false],
      unavailable: [true, false],
      'gateway-timeout': [true, false],
      'maybe-sent': [true, false],
      final: [false, false],
    });
    expect([MAX_ATTEMPTS, BACKOFF_CAP_MS]).toStrictEqual([3, 30_000]);
  });
});

describe('Retry policy: Retry-After', () => {
  it.each([
    [undefined, undefined],
    ['', undefined],
    ['0', 0],
    ['7', 7000],
    [' 12 ', 12_000],
    [new Date(NOW.getTime() + 5_000).toUTCString(), 5_000],
    [new Date(NOW.getTime() - 5_000).toUTCString(), 0],
    ['soon', undefined],
    ['Sun Nov  6 08:49:37 1994', 0],
    // Not delta-seconds and not an HTTP date: ignored (Date.parse would read "1.5" as a day in 2001, i.e. "retry now")
    ['1.5', undefined],
    ['-1', undefined],
    ['5', 5000],
    // Capped at 30 s where it is read: the value is kept on the error and passed on as our own Retry-After.
    ['30', 30_000],
    ['31', 30_000],
    ['86400', 30_000],
    ['99999999999999999999', 30_000],
    [new Date(NOW.getTime() + 3_600_000).toUTCString(), 30_000],
    // The obsolete HTTP-date forms (RFC 9110 §5.6.7); asctime is GMT whatever this machine's zone.
    ['Sunday, 01-Jun-25 08:00:07 GMT', 7_000],
    ['Sun Jun  1 08:00:09 2025', 9_000],
    // Text V8's Date.parse reads as some past date ("retry now"), and dates in no HTTP-date form: ignored.
    ['soon 5', undefined],
    ['Retry in 60', undefined],
    ['abc 2', undefined],
    ['2025-06-01T08:00:07Z', undefined],
    ['Sun, 01 Jun 2025 08:00:07 +0000', undefined],
    ['sun, 01 jun 2025 08:00:07 gmt', undefined],
    ['Sun, 01 Xyz 2025 08:00:07 GMT', undefined],
    ['Sun, 1 Jun 2025 08:00:07 GMT', undefined],
  ])('reads %j as %j ms', (value, expected) => {
    // Prepare
    const header = value;

    // Act
    const ms = parseRetryAfter(header, NOW);

    // Assess
    expect(ms).toBe(expected);
  });
});

describe('Retry policy: backoff', () => {
  it.each([
    ['throttled, attempt 1, random 0 (floor 1 s)', { type: 'throttled', retryAfterMs: undefined }, 1, 0, 1000],
    ['throttled, attempt 1, random 1', { type: 'throttled', retryAfterMs: undefined }, 1, 1, 2000],
    ['throttled, attempt 2, random 1', { type: 'throttled', retryAfterMs: undefined }, 2, 1, 4000],
    ['throttled, attempt 10, random 1 (cap)', { type: 'throttled', retryAfterMs: undefined }, 10, 1, 30_000],
    ['unavailable, attempt 1, random 1', { type: 'unavailable', retryAfterMs: undefined }, 1, 1, 200],
    ['unavailable, attempt 2, random 0.5', { type: 'unavailable', retryAfterMs: undefined }, 2, 0.5, 200],
    ['not-sent, attempt 1, random 0', { type: 'not-sent' }, 1, 0, 0],
    ['Retry-After wins over jitter', { type: 'throttled', retryAfterMs: 4_000 }, 1, 1, 4_000],
    ['Retry-After is capped at 30 s', { type: 'unavailable', retryAfterMs: 3_600_000 }, 1, 1, 30_000],
  ] as const)('backoff for %s', (_label, failure, attempt, random, expected) => {
    // Prepare
    const draw = () => random;

    // Act
    const delay = backoffDelayMs(failure, attempt, draw);

    // Assess
    expect(delay).toBe(expected);
  });
});

describe('Error bodies', () => {
  it.each([
    ['{error_code, error_msg, request_id}', { error_code: 'APIG.0308', error_msg: 'throttled', request_id: 'r1' }, { failureCode: 'APIG.0308', errorCode: 'APIG.0308', errorMsg: 'throttled', requestId: 'r1' }],
    ['{error: {code, message}, status}', { error: { code: 'Deploy.00011027', message: 'deploying' }, status: 'failed' }, { failureCode: 'Deploy.00011027', errorCode: 'Deploy.00011027', errorMsg: 'deploying', requestId: undefined }],
    ['{code, message}', { code: 'DEV.00000001', message: 'who are you' }, { failureCode: undefined, errorCode: 'DEV.00000001', errorMsg: 'who are you', requestId: undefined }],
    ['a success body', { total: 0, data: [] }, { failureCode: undefined, errorCode: undefined, errorMsg: undefined, requestId: undefined }],
    ['not an object', 'oops', { failureCode: undefined, errorCode: undefined, errorMsg: undefined, requestId: undefined }],
    ['null', null, { failureCode: undefined, errorCode: undefined, errorMsg: undefined, requestId: undefined }],
    ['empty strings', { error_code: '', error_msg: '' }, { failureCode: undefined, errorCode: undefined, errorMsg: undefined, requestId: undefined }],
    ['a numeric code (IAM keystone)', { error: { code: 401, message: 'wrong' } }, { failureCode: undefined, errorCode: undefined, errorMsg: 'wrong', requestId: undefined }],
  ])('parses %s', (_label, body, expected) => {
    // Prepare
    const input: unknown = body;

    // Act
    const parsed = parseErrorBody(input);

    // Assess
    expect(parsed).toStrictEqual(expected);
  });
});
