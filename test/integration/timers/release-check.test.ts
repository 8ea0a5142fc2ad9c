/**
 * releaseCheck against the local cloud: decisions on a scenario built on the emulator clock, the signed
 * webhook (verified by a Standard Webhooks receiver on a real node:http server), duplicate firings with
 * the same webhook id, paging at 0, 100, 101 and 10,000 packages, faults, malformed events.
 */
import { startEmulator, SEED, type RunningEmulator } from '../../../emulator';
import type { PackageRecord } from '../../../emulator/state';
import { createReleaseCheck } from '../../../functions/timers/release-check';
import { fixedConfig, loadReleaseCheckConfig } from '../../../shared/schedules/config';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';
import { OTHER_WORKSPACE } from '../../helpers/runtime';
import { awsScheduledEvent, cloudRuntime, deliverUntilDone, functionGraphTimerEvent, logMark, logsSince, requestsOf, runtimeSource, startReceiver, verifyWebhook, WEBHOOK_SECRET } from './support';

const MIN = 60_000;
const WINDOW_END = new Date('2026-11-23T08:00:00Z');
const at = (hhmm: string) => new Date(`2026-11-23T${hhmm}:00Z`);

let emulator: RunningEmulator;
let receiver: Awaited<ReturnType<typeof startReceiver>>;
let mark = 0;
const logs = (predicate: (entry: Record<string, unknown>) => boolean) => logsSince(mark, predicate);

beforeAll(async () => {
  emulator = await startEmulator({ now: at('06:00'), seedSize: 0 });
  receiver = await startReceiver();
});
afterAll(async () => {
  await receiver.close();
  await emulator.close();
});
beforeEach(() => {
  emulator.setFaults({});
  emulator.clock.set(at('06:00'));
  emulator.reset();
  receiver.received.length = 0;
  receiver.answers.length = 0;
  mark = logMark();
});

/** Creates a package applied at `applied`, then moves it to a status at `changed`. */
function packageAt(name: string, applied: Date, change?: { status: 1 | 3 | 5; at: Date; withdraw?: boolean }): PackageRecord {
  emulator.clock.set(applied);
  const record = emulator.state.createPackage({ packageName: name, applyUserId: SEED.users.applicant, approverIds: [SEED.users.approver], itemIds: [] });
  if (change) {
    emulator.clock.set(change.at);
    emulator.state.setPackageStatus(record, change.withdraw ? { deleteFlag: 1 } : { deployStatus: change.status });
  }
  return record;
}

/**
 * Window [07:45, 08:00); approval threshold 45 min, releasing threshold 40 min.
 *  A pending since 07:00 → crosses 07:45: new     H pending since 06:30 → crossed 07:15: outstanding only
 *  B pending since 07:20 → crosses 08:05: no      F withdrawn: never
 *  C releasing since 07:10 → crosses 07:50: new   E releasing since 07:40 → crosses 08:20: no
 *  D failed at 07:52: new                         G failed at 07:40: before the window
 */
function scenario() {
  const ids = {
    H: packageAt('pkg_h', at('06:30')),
    A: packageAt('pkg_a', at('07:00')),
    C: packageAt('pkg_c', at('07:05'), { status: 5, at: at('07:10') }),
    F: packageAt('pkg_f', at('07:12'), { status: 1, at: at('07:14'), withdraw: true }),
    B: packageAt('pkg_b', at('07:20')),
    E: packageAt('pkg_e', at('07:30'), { status: 5, at: at('07:40') }),
    G: packageAt('pkg_g', at('07:35'), { status: 3, at: at('07:40') }),
    D: packageAt('pkg_d', at('07:50'), { status: 3, at: at('07:52') }),
  };
  emulator.clock.set(new Date(WINDOW_END.getTime() + 20_000));
  return Object.fromEntries(Object.entries(ids).map(([k, v]) => [k, v.row.package_id])) as Record<keyof typeof ids, string>;
}

const ENV = {
  RELEASE_CHECK_SCHEDULE: 'rate(15 minutes)',
  RELEASE_CHECK_APPROVAL_THRESHOLD_MINUTES: '45',
  RELEASE_CHECK_RELEASING_THRESHOLD_MINUTES: '40',
};

function expectedReport(ids: Record<string, string>) {
  return {
    workspace: emulator.identity.workspace,
    window: { start: '2026-11-23T07:45:00.000Z', end: '2026-11-23T08:00:00.000Z' },
    thresholds: { approval_minutes: 45, releasing_minutes: 40 },
    news: true,
    complete: true,
    awaiting_approval: {
      new: [{ package_id: ids.A, package_name: 'pkg_a', deploy_status: 1, apply_user_name: 'dev_zhang', since: '2026-11-23T07:45:00.000Z', minutes: 60 }],
      new_total: 1,
      outstanding: 2,
    },
    failed: { new: [{ package_id: ids.D, package_name: 'pkg_d', deploy_status: 3, apply_user_name: 'dev_zhang', since: '2026-11-23T07:52:00.000Z', minutes: 8 }], new_total: 1 },
    releasing_too_long: {
      new: [{ package_id: ids.C, package_name: 'pkg_c', deploy_status: 5, apply_user_name: 'dev_zhang', since: '2026-11-23T07:50:00.000Z', minutes: 50 }],
      new_total: 1,
      outstanding: 1,
    },
  };
}

describe('releaseCheck: decisions and the signed webhook', () => {
  it('reports what became news in the window and notifies the webhook, signed so a Standard Webhooks receiver verifies it', async () => {
    // Prepare
    const ids = scenario();
    const handler = createReleaseCheck({ runtime: runtimeSource(emulator, { ...ENV, RELEASE_CHECK_WEBHOOK_URL: receiver.url, RELEASE_CHECK_WEBHOOK_SECRET: WEBHOOK_SECRET }) });
    // Act
    const result = await handler(awsScheduledEvent('2026-11-23T08:00:00Z'), lambdaContext());
    // Assess
    const report = expectedReport(ids);
    expect(result).toStrictEqual({
      status: 'reported',
      report,
      notification: { state: 'sent', webhook_id: expect.stringMatching(/^msg_[A-Za-z0-9_-]{32}$/), delivery: { delivered: true, attempts: 1, status: 204 } },
    });
    expect(receiver.received).toHaveLength(1);
    const [delivered] = receiver.received;
    expect(verifyWebhook(delivered!, emulator.clock.now())).toStrictEqual({ type: 'release.check.report', timestamp: '2026-11-23T08:00:00.000Z', data: report });
    expect(delivered!.headers['webhook-timestamp']).toBe(String(Math.floor(emulator.clock.now().getTime() / 1000)));
    expect(logs((e) => e.message === 'Release check report' && e.request_id === 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef').map((e) => e.report)).toStrictEqual([report]);
  });

  it('sends the same webhook-id and body when the firing is delivered again (FunctionGraph timer, later), so the receiver can deduplicate', async () => {
    // Prepare
    scenario();
    const env = { ...ENV, RELEASE_CHECK_WEBHOOK_URL: receiver.url, RELEASE_CHECK_WEBHOOK_SECRET: WEBHOOK_SECRET };
    const first = createReleaseCheck({ runtime: runtimeSource(emulator, env) });
    const second = createReleaseCheck({ runtime: runtimeSource(emulator, env) });
    // Act
    const a = await first(awsScheduledEvent('2026-11-23T08:00:00Z'), lambdaContext());
    emulator.clock.advance(3 * MIN);
    const b = await second(functionGraphTimerEvent('2026-11-23T08:00:00Z'), functionGraphContext());
    // Assess
    expect(b).toStrictEqual(a);
    expect(receiver.received.map((r) => [r.headers['webhook-id'], r.body])).toStrictEqual([
      [receiver.received[0]!.headers['webhook-id'], receiver.received[0]!.body],
      [receiver.received[0]!.headers['webhook-id'], receiver.received[0]!.body],
    ]);
    expect(receiver.received.map((r) => verifyWebhook(r, emulator.clock.now()))).toHaveLength(2);
    expect(emulator.requests.filter((r) => r.method !== 'GET' && r.operation !== 'ListFactoryReleasePackages')).toStrictEqual([]);
  });

  it('reports the next window without repeating: A, C and D are not news again', async () => {
    scenario();
    const handler = createReleaseCheck({ runtime: runtimeSource(emulator, ENV) });
    emulator.clock.set(at('08:15'));
    const result = await handler(awsScheduledEvent('2026-11-23T08:15:00Z'), lambdaContext());
    expect(result).toStrictEqual({
      status: 'reported',
      report: {
        ...expectedReport({}),
        window: { start: '2026-11-23T08:00:00.000Z', end: '2026-11-23T08:15:00.000Z' },
        news: true,
        awaiting_approval: { new: [{ package_id: expect.any(String), package_name: 'pkg_b', deploy_status: 1, apply_user_name: 'dev_zhang', since: '2026-11-23T08:05:00.000Z', minutes: 55 }], new_total: 1, outstanding: 3 },
        failed: { new: [], new_total: 0 },
        releasing_too_long: { new: [], new_total: 0, outstanding: 1 },
      },
      notification: { state: 'not-configured' },
    });
  });

  it('does not call the webhook when nothing is news', async () => {
    scenario();
    const handler = createReleaseCheck({ runtime: runtimeSource(emulator, { ...ENV, RELEASE_CHECK_WEBHOOK_URL: receiver.url, RELEASE_CHECK_WEBHOOK_SECRET: WEBHOOK_SECRET }) });
    emulator.clock.set(at('07:00'));
    const result = await handler(awsScheduledEvent('2026-11-23T07:00:00Z'), lambdaContext());
    expect([result, receiver.received.length]).toStrictEqual([
      {
        status: 'reported',
        report: {
          ...expectedReport({}),
          window: { start: '2026-11-23T06:45:00.000Z', end: '2026-11-23T07:00:00.000Z' },
          news: false,
          awaiting_approval: { new: [], new_total: 0, outstanding: 0 },
          failed: { new: [], new_total: 0 },
          releasing_too_long: { new: [], new_total: 0, outstanding: 0 },
        },
        notification: { state: 'not-needed' },
      },
      0,
    ]);
  });

  it('fails the firing when the receiver keeps answering 503 (the platform redelivers it), and reports a 400 as failed for good', async () => {
    const ids = scenario();
    const handler = createReleaseCheck({ runtime: runtimeSource(emulator, { ...ENV, RELEASE_CHECK_WEBHOOK_URL: receiver.url, RELEASE_CHECK_WEBHOOK_SECRET: WEBHOOK_SECRET }), sleep: async () => undefined });
    receiver.answers.push(503, 503, 503);
    await expect(handler(awsScheduledEvent('2026-11-23T08:00:00Z'), lambdaContext())).rejects.toThrow('could not be delivered: the receiver answered 503');
    receiver.answers.push(400);
    const refused = await handler(awsScheduledEvent('2026-11-23T08:00:00Z'), lambdaContext());
    expect(refused).toStrictEqual({
      status: 'reported',
      report: expectedReport(ids),
      notification: {
        state: 'failed',
        webhook_id: receiver.received[0]!.headers['webhook-id'],
        delivery: { delivered: false, attempts: 1, status: 400, error: 'the receiver answered 400', permanent: true },
      },
    });
    expect(new Set(receiver.received.map((r) => r.headers['webhook-id'])).size).toBe(1);
  });
});

describe('releaseCheck: a firing before its window ends, and refusals that would not change', () => {
  it('waits for the end of the window a firing covers before reading it, so a package failing in its last seconds is reported', async () => {
    // Prepare: a FunctionGraph `15m` timer created at :14:30 fires at 07:59:30 and covers [07:45, 08:00);
    // a package releasing since 07:50 fails at 07:59:45, while the firing waits.
    const releasing = packageAt('pkg_late', at('07:40'), { status: 5, at: at('07:50') });
    emulator.clock.set(new Date('2026-11-23T07:59:30Z'));
    const waits: number[] = [];
    const sleep = async (ms: number) => {
      waits.push(ms);
      emulator.clock.set(new Date('2026-11-23T07:59:45Z'));
      emulator.state.setPackageStatus(releasing, { deployStatus: 3 });
      emulator.clock.set(new Date(Date.parse('2026-11-23T07:59:30Z') + ms));
    };
    const handler = createReleaseCheck({ runtime: runtimeSource(emulator, { ...ENV, RELEASE_CHECK_SCHEDULE: '15m' }), sleep });
    // Act
    const result = await handler(functionGraphTimerEvent('2026-11-23T07:59:30Z'), functionGraphContext({ remainingMs: 120_000 }));
    // Assess
    expect(result).toStrictEqual({
      status: 'reported',
      report: {
        ...expectedReport({}),
        news: true,
        awaiting_approval: { new: [], new_total: 0, outstanding: 0 },
        failed: { new: [{ package_id: releasing.row.package_id, package_name: 'pkg_late', deploy_status: 3, apply_user_name: 'dev_zhang', since: '2026-11-23T07:59:45.000Z', minutes: 0 }], new_total: 1 },
        releasing_too_long: { new: [], new_total: 0, outstanding: 0 },
      },
      notification: { state: 'not-configured' },
    });
    expect(waits).toStrictEqual([30_000]);
    const readAt = requestsOf(emulator, 'ListFactoryReleasePackages').map((r) => r.time);
    expect([readAt.length > 0, [...new Set(readAt)]]).toStrictEqual([true, ['2026-11-23T08:00:00.000Z']]);
    expect(logs((e) => e.message === 'Waiting for the window to end').map((e) => [e.window_end, e.wait_ms])).toStrictEqual([['2026-11-23T08:00:00.000Z', 30_000]]);
  });

  it('fails at once, reading nothing, when the invocation has not the time to wait for the window\'s end and read it (its redelivery reads it)', async () => {
    // Prepare: the same firing, 30 s before its window ends, with 28 s left in the invocation.
    emulator.clock.set(new Date('2026-11-23T07:59:30Z'));
    const waits: number[] = [];
    const handler = createReleaseCheck({ runtime: runtimeSource(emulator, { ...ENV, RELEASE_CHECK_SCHEDULE: '15m' }), sleep: async (ms) => void waits.push(ms) });
    // Act
    const outcome = handler(functionGraphTimerEvent('2026-11-23T07:59:30Z'), functionGraphContext({ remainingMs: 28_000 }));
    // Assess
    await expect(outcome).rejects.toThrow(new Error('the window ends in 30 s, too late for this invocation to read it: its redelivery will'));
    expect([waits, emulator.requests.length]).toStrictEqual([[], 0]);
  });

  it('returns a refusal that would fail again (a workspace DataArts does not know) as failed, logged at error, instead of failing the firing', async () => {
    // Prepare
    scenario();
    const handler = createReleaseCheck({ runtime: runtimeSource(emulator, { ...ENV, HUAWEICLOUD_DATAARTS_WORKSPACE: OTHER_WORKSPACE }) });
    // Act
    const result = await handler(awsScheduledEvent('2026-11-23T08:00:00Z'), lambdaContext());
    // Assess
    const window = { start: '2026-11-23T07:45:00.000Z', end: '2026-11-23T08:00:00.000Z' };
    expect(result).toStrictEqual({ status: 'failed', reason: expect.stringMatching(/^ListFactoryReleasePackages http 400 DLF\.\d+: /), window });
    const reason = (result as { reason: string }).reason;
    expect(logs((e) => e.message === 'Release check failed').map((e) => [e.level, e.reason, e.window])).toStrictEqual([['error', reason, window]]);
  });
});

describe('releaseCheck: paging', () => {
  /** Every seeded package is at least an hour old: with zero thresholds, every live open one is outstanding. */
  const ZERO = { RELEASE_CHECK_APPROVAL_THRESHOLD_MINUTES: '0', RELEASE_CHECK_RELEASING_THRESHOLD_MINUTES: '0' };
  /** A report without news (nothing was applied, failed or started releasing in [07:45, 08:00)). */
  const quiet = (workspace: string, counts: { awaiting: number; releasing: number; complete?: boolean }) => ({
    status: 'reported',
    report: {
      workspace,
      window: { start: '2026-11-23T07:45:00.000Z', end: '2026-11-23T08:00:00.000Z' },
      thresholds: { approval_minutes: 0, releasing_minutes: 0 },
      news: false,
      complete: counts.complete ?? true,
      awaiting_approval: { new: [], new_total: 0, outstanding: counts.awaiting },
      failed: { new: [], new_total: 0 },
      releasing_too_long: { new: [], new_total: 0, outstanding: counts.releasing },
    },
    notification: { state: 'not-needed' },
  });

  it.each([0, 100, 101, 10_000])('reads every page with %i seeded packages', async (seedSize) => {
    // Prepare
    const cloud = await startEmulator({ now: new Date('2026-11-23T08:00:10Z'), seedSize });
    try {
      const handler = createReleaseCheck({ runtime: runtimeSource(cloud, ZERO) });
      const cycle = Array.from({ length: seedSize }, (_, i) => i % 5);
      const open = cycle.filter((c) => c === 0 || c === 3 || c === 4).length; // pending, releasing, withdrawn (pending)
      // Act
      const result = await handler(awsScheduledEvent('2026-11-23T08:00:00Z'), lambdaContext());
      // Assess
      expect(result).toStrictEqual(quiet(cloud.identity.workspace, { awaiting: cycle.filter((c) => c === 0).length, releasing: cycle.filter((c) => c === 3).length }));
      // The open query asks for 4 pages at once before its first page tells the total; the failed one, 1.
      expect(requestsOf(cloud, 'ListFactoryReleasePackages')).toHaveLength(Math.max(4, Math.ceil(open / 100)) + 1);
    } finally {
      await cloud.close();
    }
  });

  it.each([
    [100, 1],
    [101, 2],
    [401, 5],
  ])('reads exactly %i open packages in %i page(s), asking for 4 at first', async (count, pages) => {
    // Prepare
    emulator.clock.set(at('06:00'));
    for (let i = 0; i < count; i++) emulator.state.createPackage({ packageName: `open_${i}`, applyUserId: SEED.users.applicant, approverIds: [SEED.users.approver], itemIds: [] });
    emulator.clock.set(WINDOW_END);
    const handler = createReleaseCheck({ runtime: runtimeSource(emulator, ZERO) });
    // Act
    const result = await handler(awsScheduledEvent('2026-11-23T08:00:00Z'), lambdaContext());
    // Assess
    expect(result).toStrictEqual(quiet(emulator.identity.workspace, { awaiting: count, releasing: 0 }));
    const bodies = requestsOf(emulator, 'ListFactoryReleasePackages').map((r) => JSON.parse(r.body) as { offset: number; limit: number; deploy_status_filter: number[] });
    expect({
      open: bodies.filter((b) => b.deploy_status_filter.includes(1)).map((b) => [b.offset, b.limit]).sort((x, y) => x[0]! - y[0]!),
      failed: bodies.filter((b) => b.deploy_status_filter.includes(3)).map((b) => [b.offset, b.limit]),
    }).toStrictEqual({ open: Array.from({ length: Math.max(4, pages) }, (_, p) => [p * 100, 100]), failed: [[0, 100]] });
  });

  it('marks the report incomplete when the page cap stops it', async () => {
    emulator.clock.set(at('06:00'));
    for (let i = 0; i < 250; i++) emulator.state.createPackage({ packageName: `open_${i}`, applyUserId: SEED.users.applicant, approverIds: [SEED.users.approver], itemIds: [] });
    emulator.clock.set(WINDOW_END);
    const handler = createReleaseCheck({ runtime: runtimeSource(emulator, { ...ZERO, RELEASE_CHECK_MAX_PAGES: '2' }) });
    const result = await handler(awsScheduledEvent('2026-11-23T08:00:00Z'), lambdaContext());
    expect(result).toStrictEqual(quiet(emulator.identity.workspace, { awaiting: 200, releasing: 0, complete: false }));
  });

  it('marks the report incomplete, saying why, when DataArts serves fewer packages than it counts (offset read as a page number)', async () => {
    emulator.clock.set(at('06:00'));
    for (let i = 0; i < 250; i++) emulator.state.createPackage({ packageName: `open_${i}`, applyUserId: SEED.users.applicant, approverIds: [SEED.users.approver], itemIds: [] });
    emulator.clock.set(WINDOW_END);
    emulator.state.offsetMeans = 'pages';
    const handler = createReleaseCheck({ runtime: runtimeSource(emulator, ZERO) });
    const result = await handler(awsScheduledEvent('2026-11-23T08:00:00Z'), lambdaContext());
    expect(result).toStrictEqual(quiet(emulator.identity.workspace, { awaiting: 100, releasing: 0, complete: false }));
    expect(logs((e) => e.message === 'Release check report').map((e) => e.warning)).toStrictEqual([
      'DataArts served fewer release packages than it counted (packages changed while the pages were read, or paging reads offsets otherwise): the report is incomplete',
    ]);
  });

  it('a warm instance sizes the first requests of its open query from the last firing', async () => {
    // Prepare
    const openPackages = (n: number) => {
      emulator.clock.set(at('06:00'));
      for (let i = 0; i < n; i++) emulator.state.createPackage({ packageName: `open_${mark}_${i}`, applyUserId: SEED.users.applicant, approverIds: [SEED.users.approver], itemIds: [] });
      emulator.clock.set(WINDOW_END);
    };
    const handler = createReleaseCheck({ runtime: runtimeSource(emulator, ZERO) });
    const event = awsScheduledEvent('2026-11-23T08:00:00Z');
    /** The open query's offsets, in the order its requests arrived, for each firing. */
    const fire = async () => {
      emulator.requests.length = 0;
      const result = await handler(event, lambdaContext());
      const offsets = requestsOf(emulator, 'ListFactoryReleasePackages')
        .map((r) => JSON.parse(r.body) as { offset: number; deploy_status_filter: number[] })
        .filter((b) => b.deploy_status_filter.includes(1))
        .map((b) => b.offset);
      return { result, offsets };
    };
    openPackages(50);

    // Act
    const cold = await fire();
    const warm = await fire();
    openPackages(200); // 250: the total outgrows the one page the last firing found
    const grown = await fire();
    const after = await fire();

    // Assess
    expect([cold.offsets, warm.offsets, grown.offsets.slice(0, 1), [...grown.offsets].sort((a, b) => a - b), [...after.offsets].sort((a, b) => a - b)]).toStrictEqual([
      [0, 100, 200, 300],
      [0],
      [0],
      [0, 100, 200],
      [0, 100, 200],
    ]);
    // The pages the first wave did not need were cancelled on purpose: not a failure worth a warning.
    expect(logs((entry) => entry.level === 'warn' || entry.level === 'error')).toStrictEqual([]);
    expect([cold.result, warm.result, grown.result, after.result]).toStrictEqual([
      quiet(emulator.identity.workspace, { awaiting: 50, releasing: 0 }),
      quiet(emulator.identity.workspace, { awaiting: 50, releasing: 0 }),
      quiet(emulator.identity.workspace, { awaiting: 250, releasing: 0 }),
      quiet(emulator.identity.workspace, { awaiting: 250, releasing: 0 }),
    ]);
  });
});

describe('releaseCheck: a local cloud that throttles and fails part of the requests', () => {
  it('gives the same report as without faults, redelivered by the platform when the client gives up', async () => {
    // Prepare
    const cloud = await startEmulator({ now: new Date('2026-11-23T08:00:10Z'), seedSize: 1_000 });
    try {
      const env = { RELEASE_CHECK_APPROVAL_THRESHOLD_MINUTES: '30', RELEASE_CHECK_RELEASING_THRESHOLD_MINUTES: '30' };
      const runtime = cloudRuntime(cloud, env);
      const config = fixedConfig({ ...loadReleaseCheckConfig(runtime.env, runtime), concurrency: 1 });
      const event = awsScheduledEvent('2026-11-23T08:00:00Z');
      const baseline = await createReleaseCheck({ runtime: runtimeSource(cloud, env), config })(event, lambdaContext());
      cloud.requests.length = 0;
      cloud.setFaults({ throttleRatio: 0.3, serverErrorRatio: 0.2, seed: 42 });
      // Act
      const faulty = await deliverUntilDone(() => createReleaseCheck({ runtime: runtimeSource(cloud, env), config })(event, lambdaContext()));
      // Assess
      expect(faulty.result).toStrictEqual(baseline);
      expect(cloud.requests.filter((r) => r.fault === 'throttle').length).toBeGreaterThan(0);
      expect(cloud.requests.filter((r) => r.fault === 'server-error').length).toBeGreaterThan(0);
    } finally {
      await cloud.close();
    }
  });
});

describe('releaseCheck: malformed events', () => {
  it.each([
    [{ 'detail-type': 'Scheduled Event', source: 'aws.events' }, 'not an EventBridge scheduled event (id: Invalid input: expected string, received undefined)'],
    [{ trigger_type: 'TIMER', trigger_name: 'x', time: 'soon' }, 'not a FunctionGraph timer event (time: Invalid ISO datetime)'],
    ['ping', 'the event is not a JSON object'],
  ])('acknowledges %j without calling the cloud', async (event, reason) => {
    const handler = createReleaseCheck({ runtime: runtimeSource(emulator, ENV) });
    const result = await handler(event, lambdaContext());
    expect([result, emulator.requests.length]).toStrictEqual([{ status: 'ignored', reason }, 0]);
    expect(logs((e) => e.message === 'Malformed timer event acknowledged without action' && e.reason === reason && e.function === 'releaseCheck')).toHaveLength(1);
  });
});
