/**
 * The total deadline (../shared/reliability.md promise 10): a server that sends headers and then stalls the
 * body is abandoned on time (axios#459, #1868), across attempts too; the caller's AbortSignal aborts as well.
 * Real time is measured here; the deadlines are a few hundred milliseconds.
 */
import { useFakeUpstream } from '../../helpers/fake-upstream';
import { HuaweiCloudClient } from '../../../shared/http/client';
import { capturedLogLines } from '../../helpers/logs';
import { AK, configFor, failureOf, NO_FAILURE_DETAILS, PUBLISH_BODY, SK, testClient } from './support';
import { startDeployTask } from '../../../shared/http/codearts-deploy';
import { listPendingItems, publishPendingItems, showPackageDetail } from '../../../shared/http/dataarts';

const fake = useFakeUpstream();

const DEADLINE_MS = 300;
const SLACK_MS = 500;

async function timed<T>(work: () => Promise<T>): Promise<{ value: T; elapsedMs: number }> {
  const startedAt = performance.now();
  const value = await work();
  return { value, elapsedMs: performance.now() - startedAt };
}

describe('HTTP client: the total deadline', () => {
  it.each([
    ['a read', 'ListFactoryPendingItems', false],
    ['a write', 'CreateFactoryPendingItemsPackage', true],
  ] as const)('abandons %s whose body stalls after the headers on time: timeout, outcome unknown only for a write', async (_label, operation, outcomeUnknown) => {
    // Prepare
    fake.server.setFallback('stall');
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const { value: failure, elapsedMs } = await timed(() =>
      failureOf(operation === 'ListFactoryPendingItems' ? listPendingItems(client, {}, { deadlineMs: DEADLINE_MS }) : publishPendingItems(client, PUBLISH_BODY, { deadlineMs: DEADLINE_MS })),
    );

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: `${operation} did not complete within its deadline (attempt 1)`,
      operation,
      kind: 'timeout',
      attempts: 1,
      outcomeUnknown,
    });
    expect(fake.server.requests).toHaveLength(1);
    expect(elapsedMs).toBeGreaterThanOrEqual(DEADLINE_MS - 20);
    expect(elapsedMs).toBeLessThan(DEADLINE_MS + SLACK_MS);
  });

  it('abandons a server that never answers at all on time', async () => {
    // Prepare
    fake.server.setFallback('hang');
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const { value: failure, elapsedMs } = await timed(() => failureOf(startDeployTask(client, 'd2dc947ec2424d8789bb3984bb3adf45', {}, { deadlineMs: DEADLINE_MS })));

    // Assess
    expect([failure.kind, failure.attempts, failure.outcomeUnknown, fake.server.requests.length]).toStrictEqual(['timeout', 1, true, 1]);
    expect(elapsedMs).toBeLessThan(DEADLINE_MS + SLACK_MS);
  });

  it('the deadline covers every attempt: a retry that stalls ends at the deadline of the whole call', async () => {
    // Prepare
    fake.server.script({ status: 503 });
    fake.server.setFallback('stall');
    const { client, delays } = testClient(configFor(fake.server.url));

    // Act
    const { value: failure, elapsedMs } = await timed(() => failureOf(listPendingItems(client, {}, { deadlineMs: DEADLINE_MS })));

    // Assess
    expect({ kind: failure.kind, attempts: failure.attempts, delays, received: fake.server.requests.length }).toStrictEqual({ kind: 'timeout', attempts: 2, delays: [100], received: 2 });
    expect(elapsedMs).toBeLessThan(DEADLINE_MS + SLACK_MS);
  });

  it('the deadline from configuration applies when the call gives none', async () => {
    // Prepare
    fake.server.setFallback('stall');
    const { client } = testClient(configFor(fake.server.url, { HUAWEICLOUD_CALL_DEADLINE_MS: String(DEADLINE_MS) }));

    // Act
    const { value: failure, elapsedMs } = await timed(() => failureOf(showPackageDetail(client, '13')));

    // Assess
    expect(failure.kind).toBe('timeout');
    expect(elapsedMs).toBeLessThan(DEADLINE_MS + SLACK_MS);
  });

  it('the time the invocation has left, less the 2 s margin, caps the configured deadline', async () => {
    // Prepare: 30 s configured, but the invocation has 3.2 s left when the call starts (1.2 s for the call:
    // enough to start it, at least 1 s).
    const squeezedMs = 1_200;
    fake.server.setFallback('stall');
    const { client } = testClient(configFor(fake.server.url, { HUAWEICLOUD_CALL_DEADLINE_MS: '30000' }));

    // Act
    const { value: failure, elapsedMs } = await timed(() => failureOf(showPackageDetail(client, '13', { timeLeftMs: () => 2_000 + squeezedMs })));

    // Assess
    expect([failure.kind, failure.message]).toStrictEqual(['timeout', 'ShowFactoryPackageDetail did not complete within its deadline (attempt 1)']);
    expect(elapsedMs).toBeGreaterThanOrEqual(squeezedMs - 20);
    expect(elapsedMs).toBeLessThan(squeezedMs + SLACK_MS);
  });

  it("the caller's AbortSignal aborts a stalled call long before the deadline", async () => {
    // Prepare
    fake.server.setFallback('stall');
    const { client } = testClient(configFor(fake.server.url));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 100);

    // Act
    const { value: failure, elapsedMs } = await timed(() => failureOf(publishPendingItems(client, PUBLISH_BODY, { signal: controller.signal })));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'CreateFactoryPendingItemsPackage was cancelled by the caller (attempt 1)',
      operation: 'CreateFactoryPendingItemsPackage',
      kind: 'timeout',
      attempts: 1,
      outcomeUnknown: true,
    });
    expect(elapsedMs).toBeLessThan(100 + SLACK_MS);
  });

  it.each([
    ['aborts it', 'debug', 'Upstream call cancelled', () => AbortSignal.abort()],
    ['times out (AbortSignal.timeout)', 'warn', 'Upstream call failed', () => AbortSignal.timeout(50)],
  ])('a call whose caller %s is logged at %s as %j', async (_how, level, message, signalOf) => {
    // Prepare
    fake.server.setFallback('stall');
    const { client } = testClient(configFor(fake.server.url));
    const mark = capturedLogLines.length;

    // Act
    const failure = await failureOf(listPendingItems(client, {}, { signal: signalOf() }));

    // Assess
    const lines = capturedLogLines.slice(mark).map((line) => JSON.parse(line) as Record<string, unknown>);
    expect(failure.kind).toBe('timeout');
    expect(lines.map(({ level, message, operation, kind, attempts }) => ({ level, message, operation, kind, attempts }))).toStrictEqual([
      { level, message, operation: 'ListFactoryPendingItems', kind: 'timeout', attempts: 1 },
    ]);
  });

  it('an AbortSignal aborted before the call sends nothing', async () => {
    // Prepare
    fake.server.setFallback({ status: 200, body: { total: 0, data: [] } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(listPendingItems(client, {}, { signal: AbortSignal.abort() }));

    // Assess
    expect({ kind: failure.kind, attempts: failure.attempts, received: fake.server.requests.length }).toStrictEqual({ kind: 'timeout', attempts: 1, received: 0 });
  });

  it.each([
    ['aborted', () => {
      const controller = new AbortController();
      setTimeout(() => controller.abort(), 50);
      return controller.signal;
    }, 'was cancelled by the caller while waiting to retry', 'debug', 'Upstream call cancelled'],
    ['timed out', () => AbortSignal.timeout(50), 'ran out of time while waiting to retry', 'warn', 'Upstream call failed'],
  ])("the caller's AbortSignal, %s, cuts the real backoff sleep short", async (_how, signalOf, says, level, logged) => {
    // Prepare
    fake.server.setFallback({ status: 503, body: { error_code: 'APIG.0202', error_msg: 'backend unavailable' } });
    const client = new HuaweiCloudClient({ config: configFor(fake.server.url), random: () => 1 }); // real sleep: 200 ms before attempt 2
    const mark = capturedLogLines.length;

    // Act
    const { value: failure, elapsedMs } = await timed(() => failureOf(listPendingItems(client, {}, { signal: signalOf() })));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: `ListFactoryPendingItems ${says}`,
      operation: 'ListFactoryPendingItems',
      kind: 'timeout',
      status: 503,
      errorCode: 'APIG.0202',
      errorMsg: 'backend unavailable',
      attempts: 1,
    });
    const last = JSON.parse(capturedLogLines[capturedLogLines.length - 1] ?? '{}') as Record<string, unknown>;
    expect([capturedLogLines.length > mark, last.level, last.message, last.kind, last.status]).toStrictEqual([true, level, logged, 'timeout', 503]);
    expect(fake.server.requests).toHaveLength(1);
    expect(elapsedMs).toBeLessThan(190);
  });

  it('a backoff longer than the time left is not slept: the last failure is reported at once', async () => {
    // Prepare
    fake.server.setFallback({ status: 429, body: { error_code: 'APIG.0308', error_msg: 'throttled' } });
    const client = new HuaweiCloudClient({ config: configFor(fake.server.url), random: () => 0 }); // real sleep; 0308 waits at least 1 s

    // Act
    const { value: failure, elapsedMs } = await timed(() => failureOf(listPendingItems(client, {}, { deadlineMs: DEADLINE_MS })));

    // Assess
    expect({ kind: failure.kind, status: failure.status, attempts: failure.attempts, received: fake.server.requests.length }).toStrictEqual({ kind: 'http', status: 429, attempts: 1, received: 1 });
    expect(elapsedMs).toBeLessThan(DEADLINE_MS);
  });
});

describe('HTTP client: too little time left to send', () => {
  const THROTTLED = { error_code: 'APIG.0308', error_msg: 'throttled' };
  const LIST_OK = { status: 200, body: { total: 0, data: [] } } as const;
  const PUBLISH_OK = { status: 200, body: { package_name: 'release_2025.06', release_package_id: '14' } } as const;
  const notSent = (operation: string) => ({
    ...NO_FAILURE_DETAILS,
    message: `${operation} was not sent: less than 1000 ms of its deadline was left (attempt 1)`,
    operation,
    kind: 'timeout',
    attempts: 1,
  });

  it.each([
    ['a read', 'ListFactoryPendingItems', 0],
    ['a read', 'ListFactoryPendingItems', 2_500],
    ['a write', 'CreateFactoryPendingItemsPackage', 0],
    ['a write', 'CreateFactoryPendingItemsPackage', 2_500],
  ] as const)('sends nothing for %s (%s) when the invocation has %d ms left (under 1 s after the margin), on an open connection too: not sent, outcome known', async (_label, operation, timeLeft) => {
    // Prepare: an earlier call of the same invocation left a keep-alive connection open.
    const read = operation === 'ListFactoryPendingItems';
    fake.server.setFallback(read ? LIST_OK : PUBLISH_OK);
    const { client } = testClient(configFor(fake.server.url));
    const call = (options = {}) => (read ? listPendingItems(client, {}, options) : publishPendingItems(client, PUBLISH_BODY, options));
    await call();

    // Act
    const failure = await failureOf(call({ timeLeftMs: () => timeLeft }));

    // Assess
    expect({ failure, received: fake.server.requests.length }).toStrictEqual({ failure: notSent(operation), received: 1 });
  });

  it('sends nothing when resolving the credentials used up the time an attempt needs', async () => {
    // Prepare: 1.1 s for the call (3.1 s left less the 2 s margin); the credentials take 300 ms of it.
    fake.server.setFallback(PUBLISH_OK);
    const credentials = { resolve: () => new Promise<{ kind: 'aksk'; accessKey: string; secretKey: string }>((resolve) => setTimeout(() => resolve({ kind: 'aksk', accessKey: AK, secretKey: SK }), 300)) };
    const { client } = testClient(configFor(fake.server.url), { credentials });

    // Act
    const failure = await failureOf(publishPendingItems(client, PUBLISH_BODY, { timeLeftMs: () => 3_100 }));

    // Assess
    expect({ failure, received: fake.server.requests.length }).toStrictEqual({ failure: notSent('CreateFactoryPendingItemsPackage'), received: 0 });
  });

  it('does not retry a throttled write when its Retry-After and the 1 s an attempt needs do not fit: the 429 is reported, outcome known', async () => {
    // Prepare: a 2.5 s deadline; a retry after 2 s would have 0.5 s to finish (a second attempt would succeed).
    fake.server.script({ status: 429, headers: { 'Retry-After': '2' }, body: THROTTLED }, PUBLISH_OK);
    const { client, delays } = testClient(configFor(fake.server.url, { HUAWEICLOUD_CALL_DEADLINE_MS: '2500' }));

    // Act
    const failure = await failureOf(publishPendingItems(client, PUBLISH_BODY));

    // Assess
    expect({ failure, delays, received: fake.server.requests.length }).toStrictEqual({
      failure: {
        ...NO_FAILURE_DETAILS,
        message: 'CreateFactoryPendingItemsPackage failed with HTTP 429 APIG.0308: throttled',
        operation: 'CreateFactoryPendingItemsPackage',
        kind: 'http',
        status: 429,
        errorCode: 'APIG.0308',
        errorMsg: 'throttled',
        retryAfterMs: 2_000,
        attempts: 1,
      },
      delays: [],
      received: 1,
    });
  });

  it('retries a throttled write when its Retry-After and the 1 s an attempt needs fit the deadline', async () => {
    // Prepare: the same answers with a 3.5 s deadline.
    fake.server.script({ status: 429, headers: { 'Retry-After': '2' }, body: THROTTLED }, PUBLISH_OK);
    const { client, delays } = testClient(configFor(fake.server.url, { HUAWEICLOUD_CALL_DEADLINE_MS: '3500' }));

    // Act
    const result = await publishPendingItems(client, PUBLISH_BODY);

    // Assess
    expect({ result, delays, received: fake.server.requests.length }).toStrictEqual({
      result: { data: PUBLISH_OK.body, requestId: undefined, attempts: 2 },
      delays: [2_000],
      received: 2,
    });
  });
});
