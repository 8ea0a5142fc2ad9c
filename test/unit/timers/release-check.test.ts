/**
 * releaseCheck: the classification (pure) and the timer chain with a stubbed client: FunctionGraph's
 * per-invocation credentials on every call, configuration errors naming the variable, malformed events.
 */
import { createReleaseCheck } from '../../../functions/timers/release-check';
import type { ReleasePackage } from '../../../shared/contracts/dataarts';
import { ConfigError } from '../../../shared/errors';
import { UpstreamError } from '../../../shared/http/upstream-error';
import { classifyPackages, MAX_LISTED_PACKAGES, openFirstWave } from '../../../shared/schedules/release-check';
import awsScheduled from '../../fixtures/events/aws/scheduled.json';
import fgTimer from '../../fixtures/events/functiongraph/timer.json';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';
import { logsMatching } from '../../helpers/logs';
import { fixedRuntime } from '../../helpers/runtime';
import { stubbedRuntime } from '../../helpers/stub-client';

const MIN = 60_000;
const window = { start: new Date('2026-11-23T00:15:00Z'), end: new Date('2026-11-23T00:30:00Z') };
const end = window.end.getTime();
const pkg = (id: string, overrides: Partial<ReleasePackage>): ReleasePackage => ({
  package_id: id,
  package_name: `pkg_${id}`,
  deploy_status: 1,
  delete_flag: 0,
  package_approvers: [],
  ...overrides,
});
const thresholds = { approvalMs: 60 * MIN, releasingMs: 30 * MIN };

describe('releaseCheck: classification', () => {
  it('reports each condition once, in the window where it began, and counts what is outstanding', () => {
    // Prepare
    const open = [
      pkg('1', { apply_timestamp: end - 70 * MIN }), // crossed 60 min at end-10: new
      pkg('2', { apply_timestamp: end - 90 * MIN }), // crossed before the window: outstanding only
      pkg('3', { apply_timestamp: end - 30 * MIN }), // not yet
      pkg('4', { apply_timestamp: end - 80 * MIN, delete_flag: 1 }), // withdrawn: never
      pkg('5', { deploy_status: 5, apply_timestamp: end - 200 * MIN, deploy_timestamp: end - 40 * MIN }), // releasing, crossed at end-10: new
      pkg('6', { deploy_status: 5, apply_timestamp: end - 20 * MIN }), // releasing without deploy time: since apply, not yet
      pkg('7', { apply_timestamp: end + MIN }), // applied after the window: ignored
      pkg('1', { apply_timestamp: end - 70 * MIN }), // the same package on two pages
    ];
    const failed = [pkg('8', { deploy_status: 3, deploy_timestamp: end - 5 * MIN }), pkg('9', { deploy_status: 3, deploy_timestamp: end - 20 * MIN }), pkg('10', { deploy_status: 3, apply_timestamp: end - MIN })];
    // Act
    const report = classifyPackages({ workspace: 'ws', window, thresholds, open, failed });
    // Assess
    expect(report).toStrictEqual({
      workspace: 'ws',
      window: { start: '2026-11-23T00:15:00.000Z', end: '2026-11-23T00:30:00.000Z' },
      thresholds: { approval_minutes: 60, releasing_minutes: 30 },
      news: true,
      complete: true,
      awaiting_approval: { new: [{ package_id: '1', package_name: 'pkg_1', deploy_status: 1, since: '2026-11-23T00:20:00.000Z', minutes: 70 }], new_total: 1, outstanding: 2 },
      failed: {
        new: [
          { package_id: '8', package_name: 'pkg_8', deploy_status: 3, since: '2026-11-23T00:25:00.000Z', minutes: 5 },
          { package_id: '10', package_name: 'pkg_10', deploy_status: 3, since: '2026-11-23T00:29:00.000Z', minutes: 1 },
        ],
        new_total: 2,
      },
      releasing_too_long: { new: [{ package_id: '5', package_name: 'pkg_5', deploy_status: 5, since: '2026-11-23T00:20:00.000Z', minutes: 40 }], new_total: 1, outstanding: 1 },
    });
  });

  it(`lists at most ${MAX_LISTED_PACKAGES} packages per condition and keeps the full count`, () => {
    const failed = Array.from({ length: 150 }, (_, i) => pkg(String(i + 1), { deploy_status: 3, deploy_timestamp: window.start.getTime() + i * 1000 }));
    const report = classifyPackages({ workspace: 'ws', window, thresholds, open: [], failed });
    expect([report.failed.new.length, report.failed.new_total, report.failed.new[99]?.package_id]).toStrictEqual([100, 150, '100']);
  });

  it('has no news when nothing began in the window', () => {
    const report = classifyPackages({ workspace: 'ws', window, thresholds, open: [pkg('2', { apply_timestamp: end - 90 * MIN })], failed: [] });
    expect([report.news, report.awaiting_approval]).toStrictEqual([false, { new: [], new_total: 0, outstanding: 1 }]);
  });
});

describe('releaseCheck: the timer chain', () => {
  const CREDENTIALS = { accessKey: 'TEMPACCESSKEY0001', secretKey: 'TEMPSECRETKEY0123456789abcdef', securityToken: 'temporary-security-token-value-0001' };

  function build(env: Record<string, string> = {}) {
    const queryReleasePackages = jest.fn().mockResolvedValue({ data: { total: 0, data: [] }, requestId: 'up-1', attempts: 1 });
    const runtime = stubbedRuntime({ queryReleasePackages }, { now: () => new Date('2026-11-23T00:30:05Z') }, env);
    return { handler: createReleaseCheck({ runtime: fixedRuntime(runtime) }), queryReleasePackages };
  }

  it.each([
    ['IAM throttling the token request (429)', 429, 'redelivered'],
    ['IAM down (503)', 503, 'redelivered'],
    ['IAM refusing the password (401)', 401, 'failed'],
  ])('fails the firing for a redelivery on %s, and reports only what would fail again', async (_case, status, expected) => {
    // Prepare: the client reports a token request IAM answered with `status` as a credentials failure.
    const queryReleasePackages = jest.fn().mockRejectedValue(new UpstreamError(`the IAM token request failed (HTTP ${status})`, { operation: 'ListFactoryReleasePackages', kind: 'credentials', status }));
    const handler = createReleaseCheck({ runtime: fixedRuntime(stubbedRuntime({ queryReleasePackages }, { now: () => new Date('2026-11-23T00:30:05Z') })) });
    // Act
    const outcome = await handler(structuredClone(fgTimer), functionGraphContext()).then(
      (result) => (result as { status: string }).status,
      () => 'redelivered',
    );
    // Assess
    expect(outcome).toBe(expected);
  });

  it('neither reads nor needs HRF_CLIENTS (who may call the HTTP functions): a malformed one changes nothing', async () => {
    // Prepare
    const plain = build();
    const withBadClients = build({ HRF_CLIENTS: '{"clients": [' });

    // Act
    const expected = await plain.handler(structuredClone(fgTimer), functionGraphContext({ credentials: CREDENTIALS }));
    const actual = await withBadClients.handler(structuredClone(fgTimer), functionGraphContext({ credentials: CREDENTIALS }));

    // Assess
    expect(actual).toStrictEqual(expected);
    expect(withBadClients.queryReleasePackages.mock.calls.map(([body]) => body)).toStrictEqual(plain.queryReleasePackages.mock.calls.map(([body]) => body));
  });

  it('passes FunctionGraph\'s per-invocation credentials, the workspace, a deadline signal and the time left to every call', async () => {
    // Prepare
    const { handler, queryReleasePackages } = build();
    // Act
    const result = await handler(structuredClone(fgTimer), functionGraphContext({ credentials: CREDENTIALS, remainingMs: 25_000 }));
    // Assess
    expect(result).toStrictEqual({ status: 'reported', report: expect.objectContaining({ news: false, window: { start: '2026-11-23T00:15:00.000Z', end: '2026-11-23T00:30:00.000Z' } }), notification: { state: 'not-needed' } });
    // The open query's first wave is four pages (its concurrency), asked for before the first tells the total.
    expect(queryReleasePackages.mock.calls.map(([body, options]) => [body, { ...options, signal: options.signal instanceof AbortSignal, timeLeftMs: options.timeLeftMs?.() }])).toStrictEqual([
      ...[0, 100, 200, 300].map((offset) => [
        { deploy_status_filter: [1, 5], apply_end_time: end - 1, order_column: 'apply_timestamp', sorted_direction: 'asc', offset, limit: 100 },
        { signal: true, credentials: CREDENTIALS, timeLeftMs: 25_000, workspace: 'e265f808151d458bb7967e0aaf42d146' },
      ]),
      [
        { deploy_status_filter: [3], deploy_begin_time: window.start.getTime(), deploy_end_time: end - 1, order_column: 'apply_timestamp', sorted_direction: 'asc', offset: 0, limit: 100 },
        { signal: true, credentials: CREDENTIALS, timeLeftMs: 25_000, workspace: 'e265f808151d458bb7967e0aaf42d146' },
      ],
    ]);
  });

  it('fails with the variable\'s name when the configuration is wrong, logging it once', async () => {
    const { handler, queryReleasePackages } = build({ RELEASE_CHECK_SCHEDULE: 'every day' });
    await expect(handler(structuredClone(awsScheduled), lambdaContext())).rejects.toThrow(
      new ConfigError('RELEASE_CHECK_SCHEDULE', 'must be rate(N minutes|hours|days), Nm/Nh/Nd, cron(6 fields) or a 5- or 6-field cron pattern'),
    );
    expect(queryReleasePackages).not.toHaveBeenCalled();
    expect(logsMatching((e) => e.message === 'Invocation failed: configuration error').map((e) => [e.variable, e.function, e.request_id])).toStrictEqual([
      ['RELEASE_CHECK_SCHEDULE', 'releaseCheck', 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef'],
    ]);
  });

  it('never logs the webhook secret, even a malformed one', async () => {
    const { handler } = build({ RELEASE_CHECK_WEBHOOK_URL: 'https://hooks.example.com/x', RELEASE_CHECK_WEBHOOK_SECRET: 'test-webhook-secret-0123456789' });
    await expect(handler(structuredClone(awsScheduled), lambdaContext())).rejects.toThrow(ConfigError);
    // The capture's secret scan (test/setup) fails this file if the value reached a log line.
  });

  it('acknowledges an API gateway request sent to the timer without calling the cloud', async () => {
    const { handler, queryReleasePackages } = build();
    const result = await handler({ httpMethod: 'GET', path: '/' }, lambdaContext());
    expect([result, queryReleasePackages.mock.calls.length]).toStrictEqual([{ status: 'ignored', reason: 'neither an EventBridge scheduled event nor a FunctionGraph timer event' }, 0]);
  });
});

describe('releaseCheck: the open query\'s first wave', () => {
  it.each([
    [undefined, 4, 4],
    [0, 4, 1],
    [1, 4, 1],
    [100, 4, 1],
    [101, 4, 2],
    [250, 4, 3],
    [400, 4, 4],
    [10_000, 4, 4],
    [10_000, 2, 2],
  ])('after a firing that found %p open packages, with concurrency %i, asks for %i page(s) at first', (previousTotal, concurrency, pages) => {
    expect(openFirstWave(previousTotal, concurrency)).toBe(pages);
  });
});

describe('releaseCheck: paging the open query', () => {
  const CREDENTIALS = { accessKey: 'TEMPACCESSKEY0001', secretKey: 'TEMPSECRETKEY0123456789abcdef', securityToken: 'temporary-security-token-value-0001' };
  type Body = { deploy_status_filter: number[]; offset: number };
  const fire = (handler: ReturnType<typeof createReleaseCheck>) => handler(structuredClone(fgTimer), functionGraphContext({ credentials: CREDENTIALS }));
  const runtimeWith = (queryReleasePackages: jest.Mock) => fixedRuntime(stubbedRuntime({ queryReleasePackages }, { now: () => new Date('2026-11-23T00:30:05Z') }));

  it("asks, before its first page answers, for 4 pages cold and then for the pages the last firing's total filled", async () => {
    // Prepare: the open query's first page answers late; what was asked for before it is the first wave
    let openTotal = 250;
    let wave: number[] = [];
    let firstAnswered = false;
    const queryReleasePackages = jest.fn(async (body: Body) => {
      if (!body.deploy_status_filter.includes(1)) return { data: { total: 0, data: [] }, requestId: 'up-1', attempts: 1 };
      if (!firstAnswered) wave.push(body.offset);
      if (body.offset === 0) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        firstAnswered = true;
      }
      const data = Array.from({ length: Math.max(0, Math.min(100, openTotal - body.offset)) }, (_, i) => pkg(String(body.offset + i + 1), { apply_timestamp: end - 10 * MIN }));
      return { data: { total: openTotal, data }, requestId: 'up-1', attempts: 1 };
    });
    const handler = createReleaseCheck({ runtime: runtimeWith(queryReleasePackages) });
    const waveOf = async () => {
      wave = [];
      firstAnswered = false;
      await fire(handler);
      return wave;
    };

    // Act
    const cold = await waveOf();
    const warm = await waveOf();
    openTotal = 50;
    const shrunk = await waveOf();
    const after = await waveOf();

    // Assess
    expect([cold, warm, shrunk, after]).toStrictEqual([[0, 100, 200, 300], [0, 100, 200], [0, 100, 200], [0]]);
  });

  it('stops the other query when one fails, rather than leave its requests running', async () => {
    // Prepare: the failed-packages query fails; the open query's pages wait until they are cancelled
    const cancelled: string[] = [];
    const queryReleasePackages = jest.fn(async (body: Body, options: { signal: AbortSignal }) => {
      if (body.deploy_status_filter.includes(3)) throw new UpstreamError('ListFactoryReleasePackages answered 400', { operation: 'ListFactoryReleasePackages', kind: 'http', status: 400, errorCode: 'DLF.0100' });
      await new Promise((resolve) => options.signal.addEventListener('abort', resolve, { once: true }));
      cancelled.push(`${body.offset}: ${(options.signal.reason as Error).name}`);
      throw options.signal.reason;
    });
    const handler = createReleaseCheck({ runtime: runtimeWith(queryReleasePackages) });

    // Act
    const outcome = await fire(handler).then(
      (result) => result,
      (error: Error) => `${error.name}: ${error.message}`,
    );

    // Assess
    // A 400 would be answered again: the firing is reported failed rather than thrown for a redelivery.
    expect([outcome, cancelled]).toStrictEqual([
      { status: 'failed', reason: 'ListFactoryReleasePackages http 400 DLF.0100', window: { start: '2026-11-23T00:15:00.000Z', end: '2026-11-23T00:30:00.000Z' } },
      ['0: AbortError', '100: AbortError', '200: AbortError', '300: AbortError'],
    ]);
  });
});
