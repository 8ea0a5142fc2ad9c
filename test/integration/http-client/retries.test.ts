/**
 * The retry policy on a real server (../shared/reliability.md promises 8, 9, 11): which failures are retried
 * for a read and for a write, at most 3 attempts, Retry-After honoured and capped, every attempt re-signed,
 * and "signature expired" diagnosed as clock skew instead of looping.
 */
import { closedPortUrl, type ScriptedResponse, type UpstreamRequest, useFakeUpstream } from '../../helpers/fake-upstream';
import { configFor, failureOf, NO_FAILURE_DETAILS, NOW, PUBLISH_BODY, testClient, verifyReceived, type Failure } from './support';
import { listPendingItems, publishPendingItems } from '../../../shared/http/dataarts';

const fake = useFakeUpstream();
let refusedUrl: string;

beforeAll(async () => {
  refusedUrl = await closedPortUrl();
});

const THROTTLED = { error_code: 'APIG.0308', error_msg: 'The throttling threshold has been reached: policy user over ratelimit, limit:10, time:1 minute', request_id: 'req-throttled' };
const LIST_OK = { status: 200, body: { total: 0, data: [] } } as const;
const PUBLISH_OK = { status: 200, body: { package_name: 'release_2025.06', release_package_id: '14' } } as const;

/**
 * A configured deadline that holds every backoff of these tests: their sleeps are recorded and take no time,
 * but an attempt only starts (and a retry is only waited for) with 1 s of the deadline left.
 */
const ROOMY_DEADLINE = { HUAWEICLOUD_CALL_DEADLINE_MS: '60000' };

type Operation = 'read' | 'write';
const OPERATION_NAME: Record<Operation, string> = { read: 'ListFactoryPendingItems', write: 'CreateFactoryPendingItemsPackage' };

interface Row {
  readonly label: string;
  /** What every request is answered with; undefined: the port is closed (ECONNREFUSED). */
  readonly answer: ScriptedResponse | undefined;
  readonly expected: Record<Operation, { received: number; delays: number[]; failure: Partial<Failure> }>;
}

const httpFailure = (status: number, attempts: number, extra: Partial<Failure> = {}): Partial<Failure> => ({ kind: 'http', status, attempts, ...extra });
const throttledFailure = (attempts: number): Partial<Failure> =>
  httpFailure(429, attempts, { errorCode: 'APIG.0308', errorMsg: THROTTLED.error_msg, requestId: 'req-throttled' });

const MATRIX: Row[] = [
  {
    label: '429 without a body',
    answer: { status: 429 },
    expected: {
      read: { received: 3, delays: [1000, 2000], failure: httpFailure(429, 3) },
      write: { received: 3, delays: [1000, 2000], failure: httpFailure(429, 3) },
    },
  },
  {
    label: '429 APIG.0308',
    answer: { status: 429, body: THROTTLED },
    expected: {
      read: { received: 3, delays: [1000, 2000], failure: throttledFailure(3) },
      write: { received: 3, delays: [1000, 2000], failure: throttledFailure(3) },
    },
  },
  ...[502, 503, 504].map(
    (status): Row => ({
      label: String(status),
      answer: { status, body: { error_code: status === 504 ? 'APIG.0201' : 'APIG.0202', error_msg: 'backend' } },
      expected: {
        read: { received: 3, delays: [100, 200], failure: httpFailure(status, 3, { errorCode: status === 504 ? 'APIG.0201' : 'APIG.0202', errorMsg: 'backend' }) },
        write: { received: 1, delays: [], failure: httpFailure(status, 1, { errorCode: status === 504 ? 'APIG.0201' : 'APIG.0202', errorMsg: 'backend', outcomeUnknown: true }) },
      },
    }),
  ),
  ...[
    [400, 'DLF.3051'],
    [401, 'APIG.0301'],
    [403, 'APIG.0302'],
    [404, 'APIG.0101'],
  ].map(
    ([status, code]): Row => ({
      label: `${status} ${code}`,
      answer: { status: Number(status), body: { error_code: code, error_msg: 'no' } },
      expected: {
        read: { received: 1, delays: [], failure: httpFailure(Number(status), 1, { errorCode: String(code), errorMsg: 'no' }) },
        write: { received: 1, delays: [], failure: httpFailure(Number(status), 1, { errorCode: String(code), errorMsg: 'no' }) },
      },
    }),
  ),
  {
    label: 'a dropped connection',
    answer: 'drop',
    expected: {
      read: { received: 3, delays: [100, 200], failure: { kind: 'network', attempts: 3, outcomeUnknown: false } },
      write: { received: 1, delays: [], failure: { kind: 'network', attempts: 1, outcomeUnknown: true } },
    },
  },
  {
    label: 'ECONNREFUSED (a closed port)',
    answer: undefined,
    expected: {
      read: { received: 0, delays: [100, 200], failure: { kind: 'network', attempts: 3, outcomeUnknown: false } },
      write: { received: 0, delays: [100, 200], failure: { kind: 'network', attempts: 3, outcomeUnknown: false } },
    },
  },
];

function messageOf(operation: Operation, failure: Partial<Failure>, answer: ScriptedResponse | undefined): string {
  const name = OPERATION_NAME[operation];
  if (failure.kind === 'network') return `${name} could not reach Huawei Cloud (${answer === undefined ? 'ECONNREFUSED' : 'ECONNRESET'})`;
  return `${name} failed with HTTP ${failure.status}${failure.errorCode ? ` ${failure.errorCode}` : ''}${failure.errorMsg ? `: ${failure.errorMsg}` : ''}`;
}

describe('HTTP client: the retry matrix', () => {
  it.each(MATRIX.flatMap((row) => (['read', 'write'] as const).map((operation) => [operation, row.label, row, operation] as const)))(
    '%s after %s',
    async (_op, _label, row, operation) => {
      // Prepare
      if (row.answer !== undefined) fake.server.setFallback(row.answer);
      const { client, delays } = testClient(configFor(row.answer === undefined ? refusedUrl : fake.server.url, ROOMY_DEADLINE));
      const expected = row.expected[operation];

      // Act
      const failure = await failureOf(operation === 'read' ? listPendingItems(client, {}) : publishPendingItems(client, PUBLISH_BODY));

      // Assess
      expect({ received: fake.server.requests.length, delays, failure }).toStrictEqual({
        received: expected.received,
        delays: expected.delays,
        failure: {
          ...NO_FAILURE_DETAILS,
          message: messageOf(operation, expected.failure, row.answer),
          operation: OPERATION_NAME[operation],
          ...expected.failure,
        },
      });
    },
  );

  it.each([
    ['a read', '503', 'read', { status: 503 }],
    ['a read', 'a dropped connection', 'read', 'drop'],
    ['a write', '429 APIG.0308', 'write', { status: 429, body: THROTTLED }],
  ] as const)('%s succeeds on the next attempt after %s', async (_label, _first, operation, first) => {
    // Prepare
    fake.server.script(first, { ...(operation === 'read' ? LIST_OK : PUBLISH_OK), headers: { 'X-Request-Id': 'req-ok' } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const result = operation === 'read' ? await listPendingItems(client, {}) : await publishPendingItems(client, PUBLISH_BODY);

    // Assess
    expect(result).toStrictEqual({ data: (operation === 'read' ? LIST_OK : PUBLISH_OK).body, requestId: 'req-ok', attempts: 2 });
    expect(fake.server.requests).toHaveLength(2);
  });
});

describe('HTTP client: Retry-After', () => {
  it.each([
    ['delta seconds', '7', [7000, 7000], 7000],
    ['an HTTP date', new Date(NOW.getTime() + 12_000).toUTCString(), [12_000, 12_000], 12_000],
    ['seconds beyond the cap (capped at 30 s, as kept and passed on too)', '120', [30_000, 30_000], 30_000],
    ['a day (capped at 30 s)', '86400', [30_000, 30_000], 30_000],
    ['more seconds than a number holds exactly (capped at 30 s)', '99999999999999999999', [30_000, 30_000], 30_000],
    ['an HTTP date in the past (the 1 s throttling floor)', new Date(NOW.getTime() - 60_000).toUTCString(), [1000, 1000], 0],
  ])('honours %s on 429', async (_label, retryAfter, expectedDelays, retryAfterMs) => {
    // Prepare
    fake.server.setFallback({ status: 429, headers: { 'Retry-After': retryAfter }, body: THROTTLED });
    const { client, delays } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(listPendingItems(client, {}, { deadlineMs: 120_000 }));

    // Assess
    expect({ delays, received: fake.server.requests.length, failure }).toStrictEqual({
      delays: expectedDelays,
      received: 3,
      failure: {
        ...NO_FAILURE_DETAILS,
        ...throttledFailure(3),
        message: `ListFactoryPendingItems failed with HTTP 429 APIG.0308: ${THROTTLED.error_msg}`,
        operation: 'ListFactoryPendingItems',
        retryAfterMs,
      },
    });
  });

  it('honours Retry-After on 503 for a read, then succeeds', async () => {
    // Prepare
    fake.server.script({ status: 503, headers: { 'Retry-After': '2' } }, LIST_OK);
    const { client, delays } = testClient(configFor(fake.server.url, ROOMY_DEADLINE));

    // Act
    const result = await listPendingItems(client, {});

    // Assess
    expect({ result, delays }).toStrictEqual({ result: { data: LIST_OK.body, requestId: undefined, attempts: 2 }, delays: [2000] });
  });

  it('does not wait for a Retry-After longer than the time left before the deadline: fails at once', async () => {
    // Prepare
    fake.server.setFallback({ status: 429, headers: { 'Retry-After': '7' }, body: THROTTLED });
    const { client, delays } = testClient(configFor(fake.server.url)); // the configured deadline is 3 s

    // Act
    const failure = await failureOf(listPendingItems(client, {}));

    // Assess
    expect({ delays, received: fake.server.requests.length, attempts: failure.attempts, retryAfterMs: failure.retryAfterMs }).toStrictEqual({
      delays: [],
      received: 1,
      attempts: 1,
      retryAfterMs: 7000,
    });
  });
});

describe('HTTP client: every attempt is signed again', () => {
  it.each(['read', 'write'] as const)('a %s retried 16 minutes later carries a new X-Sdk-Date and each attempt verifies at its own time', async (operation) => {
    // Prepare
    const receivedAt: Date[] = [];
    const { client, clock } = testClient(configFor(fake.server.url, ROOMY_DEADLINE), { onSleep: (_ms, c) => c.advance(16 * 60_000) });
    const failing: ScriptedResponse = operation === 'read' ? { status: 503 } : { status: 429, body: THROTTLED };
    const ok = operation === 'read' ? LIST_OK : PUBLISH_OK;
    fake.server.setFallback((_request, index) => {
      receivedAt.push(clock.now());
      return index < 2 ? failing : ok;
    });

    // Act
    const result = await (operation === 'read' ? listPendingItems(client, {}) : publishPendingItems(client, PUBLISH_BODY));

    // Assess
    expect(result.attempts).toBe(3);
    expect(fake.server.requests.map((r) => r.headers['x-sdk-date'])).toStrictEqual(['20250601T080000Z', '20250601T081600Z', '20250601T083200Z']);
    expect(fake.server.requests.map((r, i) => verifyReceived(r, receivedAt[i] as Date).ok)).toStrictEqual([true, true, true]);
    expect(verifyReceived(fake.server.requests[0] as UpstreamRequest, receivedAt[2] as Date)).toStrictEqual({ ok: false, reason: 'date-out-of-window', accessKey: 'HWCLOCALEMULATORAK01' });
    expect(new Set(fake.server.requests.map((r) => r.headers.authorization)).size).toBe(3);
  });
});

describe('HTTP client: clock skew', () => {
  it.each(['APIG.0303', 'APIGW.0303'])('%s saying nothing of the time (an app authentication error) is not taken for clock skew', async (code) => {
    // Prepare
    fake.server.setFallback({ status: 401, body: { error_code: code, error_msg: 'Incorrect app authentication information', request_id: 'req-app' } });
    const { client, delays } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(listPendingItems(client, {}));

    // Assess
    expect({ failure, delays, received: fake.server.requests.length }).toStrictEqual({
      failure: {
        ...NO_FAILURE_DETAILS,
        message: `ListFactoryPendingItems failed with HTTP 401 ${code}: Incorrect app authentication information`,
        operation: 'ListFactoryPendingItems',
        kind: 'http',
        status: 401,
        errorCode: code,
        errorMsg: 'Incorrect app authentication information',
        requestId: 'req-app',
        attempts: 1,
      },
      delays: [],
      received: 1,
    });
  });

  it.each([
    ['APIG.0301', 401, 'Incorrect IAM authentication information: verify aksk signature fail, signature expired'],
    ['APIGW.0301', 401, 'Incorrect IAM authentication information: verify aksk signature fail, signature expired'],
    ['APIGW.0303', 401, 'Incorrect app authentication information: x-sdk-date is out of range'],
    ['APIG.0303', 403, 'The request time is more than 15 minutes from the server time'],
  ])('%s (HTTP %s) saying the signature is stale is a clock-skew failure and is not retried', async (code, status, errorMsg) => {
    // Prepare
    fake.server.setFallback({ status, body: { error_code: code, error_msg: errorMsg, request_id: 'req-skew' } });
    const { client, delays } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(listPendingItems(client, {}));

    // Assess
    expect({ failure, delays, received: fake.server.requests.length }).toStrictEqual({
      failure: {
        ...NO_FAILURE_DETAILS,
        message: "ListFactoryPendingItems: Huawei Cloud says the signature expired — this machine's clock is more than 15 minutes off (X-Sdk-Date)",
        operation: 'ListFactoryPendingItems',
        kind: 'clock-skew',
        status,
        errorCode: code,
        errorMsg,
        requestId: 'req-skew',
        attempts: 1,
      },
      delays: [],
      received: 1,
    });
  });
});
