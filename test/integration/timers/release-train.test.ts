/**
 * releaseTrain against the local cloud: the seeded pending items leave as one package named after the
 * firing; duplicate, concurrent and retried firings publish once; more than 100 items; allow windows;
 * nothing pending; faults; malformed events.
 */
import { SEED } from '../../../emulator';
import { createReleaseTrain } from '../../../functions/timers/release-train';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';
import { admin, lagPackageList } from '../../helpers/emulator';
import { awsScheduledEvent, cloudRuntime, deliverUntilDone, functionGraphTimerEvent, requestsOf, runtimeSource, useLocalCloud } from './support';
import { fixedRuntime } from '../../../shared/runtime';

const NOW = new Date('2026-11-23T08:00:20Z');
const local = useLocalCloud({ now: NOW, seedSize: 5 });
const logs = local.logs;

const ENV = {
  RELEASE_TRAIN_SCHEDULE: 'cron(0 8 * * ? *)',
  RELEASE_TRAIN_PREFIX: 'train',
  RELEASE_TRAIN_APPLICANT_ID: SEED.users.applicant,
  RELEASE_TRAIN_APPROVER_IDS: `${SEED.users.approver},${SEED.users.secondApprover}`,
};
const WINDOW = { start: '2026-11-22T08:00:00.000Z', end: '2026-11-23T08:00:00.000Z' };
const FIRING = awsScheduledEvent('2026-11-23T08:00:00Z');
const train = (env: Record<string, string> = {}) => createReleaseTrain({ runtime: runtimeSource(local.emulator, { ...ENV, ...env }) });
const publishes = (applied = false) => requestsOf(local.emulator, 'CreateFactoryPendingItemsPackage', { applied });

/** Seeded unpackaged items are submitted in id order, an hour apart. */
const unpackaged = SEED.unpackagedItemIds;

describe('releaseTrain: departures', () => {
  it('publishes every pending item as one package named after the firing, with the applicant and approvers', async () => {
    // Act
    const result = await train()(FIRING, lambdaContext());
    // Assess
    const created = local.emulator.state.packages.find((p) => p.row.package_name === 'train_20261123T0800Z');
    expect(result).toStrictEqual({ status: 'published', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: created?.row.package_id, items: unpackaged, deferred: [] });
    expect([created?.row.apply_user_id, created?.row.package_approvers.map((a) => a.user_id), created?.itemIds]).toStrictEqual([SEED.users.applicant, [SEED.users.approver, SEED.users.secondApprover], unpackaged]);
    expect(logs((e) => e.audit === true && e.actor === 'releaseTrain')).toStrictEqual([
      expect.objectContaining({
        action: 'publish-release-package',
        outcome: 'succeeded',
        target: { workspace: local.emulator.identity.workspace, package_name: 'train_20261123T0800Z', pending_item_list: unpackaged, release_package_id: created?.row.package_id },
        upstream_request_id: publishes()[0]?.requestId,
      }),
    ]);
  });

  it('applies the rules: task type, update type, submitter and item-name pattern', async () => {
    // Seeded item i: task type 1 + i % 2, update type 1 + i % 3, submitter ops_admin_wang when i % 5 == 0.
    const result = await train({ RELEASE_TRAIN_TASK_TYPES: '1', RELEASE_TRAIN_UPDATE_TYPES: '1,2', RELEASE_TRAIN_SUBMITTERS: 'dev_zhang', RELEASE_TRAIN_ITEM_PATTERN: '^job_' })(FIRING, lambdaContext());
    const expected = unpackaged.filter((id) => {
      const i = Number(id) - 1001;
      return i % 2 === 0 && i % 3 !== 2 && i % 5 !== 0;
    });
    expect(result).toStrictEqual({ status: 'published', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: expect.any(String), items: expected, deferred: [] });
    expect(requestsOf(local.emulator, 'ListFactoryPendingItems').map((r) => r.query)).toStrictEqual(['task_type=1&limit=100&offset=0']);
  });

  it('leaves items submitted after the departure for the next train', async () => {
    local.emulator.clock.set(new Date('2026-11-23T08:00:05Z'));
    await admin(local.emulator, 'POST', '/pending-items', { items: [{ item_name: 'job_late' }] });
    const result = await train()(FIRING, lambdaContext());
    expect(result).toStrictEqual({ status: 'published', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: expect.any(String), items: unpackaged, deferred: [] });
  });

  it('takes the 100 oldest of 130 items and leaves 30 for the next train', async () => {
    // Prepare: 100 more items, submitted a minute before the departure.
    local.emulator.clock.set(new Date('2026-11-23T07:59:00Z'));
    const added = await admin(local.emulator, 'POST', '/pending-items', { items: Array.from({ length: 100 }, (_, i) => ({ item_name: `job_bulk_${i}` })) });
    const bulk = (added.body as { items: { pending_item_id: string }[] }).items.map((i) => i.pending_item_id);
    local.emulator.clock.set(NOW);
    const all = [...unpackaged, ...bulk];
    // Act
    const first = await train()(FIRING, lambdaContext());
    local.emulator.clock.set(new Date('2026-11-24T08:00:20Z'));
    const next = await train()(awsScheduledEvent('2026-11-24T08:00:00Z'), lambdaContext());
    // Assess
    expect(first).toStrictEqual({ status: 'published', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: expect.any(String), items: all.slice(0, 100), deferred: all.slice(100) });
    expect(next).toStrictEqual({
      status: 'published',
      window: { start: '2026-11-23T08:00:00.000Z', end: '2026-11-24T08:00:00.000Z' },
      package_name: 'train_20261124T0800Z',
      release_package_id: expect.any(String),
      items: all.slice(100),
      deferred: [],
    });
    expect(logs((e) => e.message === 'Release train full: the newest items wait for the next train')).toStrictEqual([expect.objectContaining({ deferred: 30, limit: 100 })]);
  });
});

describe('releaseTrain: at most once per firing', () => {
  it('publishes once when the firing is delivered twice (AWS, then FunctionGraph an hour later)', async () => {
    const first = await train()(FIRING, lambdaContext());
    local.emulator.clock.set(new Date('2026-11-23T09:00:00Z'));
    const second = await train()(functionGraphTimerEvent('2026-11-23T08:00:00Z'), functionGraphContext());
    const id = first.status === 'published' ? first.release_package_id : undefined;
    expect(second).toStrictEqual({ status: 'replayed', reason: 'the package train_20261123T0800Z of this firing exists already', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: id, items: [], deferred: [] });
    expect(publishes()).toHaveLength(1);
  });

  it('publishes once when two deliveries run at the same time (the second finds the first)', async () => {
    const results = await Promise.all([train()(FIRING, lambdaContext()), train()(FIRING, lambdaContext())]);
    const [created] = local.emulator.state.packages.filter((p) => p.row.package_name === 'train_20261123T0800Z');
    const id = created?.row.package_id;
    // The second finds the first's package before publishing, or has its publish refused and then finds it.
    const replayed = [
      { status: 'replayed', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: id, items: unpackaged, deferred: [] },
      { status: 'replayed', reason: 'the package train_20261123T0800Z of this firing was published by another delivery', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: id, items: [], deferred: [] },
    ];
    const sorted = [...results].sort((x, y) => x.status.localeCompare(y.status));
    expect(sorted[0]).toStrictEqual({ status: 'published', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: id, items: unpackaged, deferred: [] });
    expect(replayed).toContainEqual(sorted[1]);
    expect(publishes(true)).toHaveLength(1);
    expect(local.emulator.state.packages.filter((p) => p.row.package_name === 'train_20261123T0800Z')).toHaveLength(1);
  });

  it('does not publish again when this firing\'s package was withdrawn', async () => {
    const first = await train()(FIRING, lambdaContext());
    const id = first.status === 'published' ? (first.release_package_id ?? '') : '';
    await admin(local.emulator, 'POST', `/packages/${id}/status`, { delete_flag: 1 });
    const again = await train()(FIRING, lambdaContext());
    expect(again).toStrictEqual({ status: 'replayed', reason: 'the package train_20261123T0800Z of this firing exists already (withdrawn)', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: id, items: [], deferred: [] });
    expect(publishes()).toHaveLength(1);
  });

  it('publishes once through throttling and server errors, redelivered until done', async () => {
    local.emulator.setFaults({ throttleRatio: 0.3, serverErrorRatio: 0.2, seed: 7 });
    const { result } = await deliverUntilDone(() => train()(FIRING, lambdaContext()));
    const id = local.emulator.state.packages.find((p) => p.row.package_name === 'train_20261123T0800Z')?.row.package_id;
    // Published by the delivery that got through, or found by a later one after a lost answer.
    expect([
      { status: 'published', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: id, items: unpackaged, deferred: [] },
      { status: 'replayed', reason: 'the package train_20261123T0800Z of this firing exists already', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: id, items: [], deferred: [] },
    ]).toContainEqual(result);
    expect(publishes(true)).toHaveLength(1);
    expect(local.emulator.state.packages.filter((p) => p.row.package_name === 'train_20261123T0800Z').map((p) => p.itemIds)).toStrictEqual([unpackaged]);
    expect(local.emulator.requests.filter((r) => r.fault !== undefined).length).toBeGreaterThan(0);
  });

  it('publishes on the redelivery after both attempts of the first were answered 503 (outcome unknown, nothing applied)', async () => {
    const handler = train();
    local.emulator.setFaults({ serverErrorRatio: 1, pathPattern: '/pending-items/package$' });
    await expect(handler(FIRING, lambdaContext())).rejects.toThrow('CreateFactoryPendingItemsPackage failed with HTTP 503 APIG.0202');
    local.emulator.setFaults({});
    local.emulator.clock.set(new Date('2026-11-23T08:01:20Z'));
    const redelivered = await handler(FIRING, lambdaContext());
    const created = local.emulator.state.packages.find((p) => p.row.package_name === 'train_20261123T0800Z');
    expect(redelivered).toStrictEqual({ status: 'published', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: created?.row.package_id, items: unpackaged, deferred: [] });
    expect(publishes().map((r) => r.status)).toStrictEqual([503, 503, 200]);
    expect(logs((e) => e.audit === true && e.actor === 'releaseTrain').map((e) => e.outcome)).toStrictEqual(['unknown', 'succeeded']);
  });

  it('fails the firing for a redelivery when DataArts serves the name lookup short of its total, publishing nothing', async () => {
    for (let i = 0; i < 150; i++) local.emulator.state.createPackage({ packageName: `old_train_20261123T0800Z_${i}`, applyUserId: SEED.users.applicant, approverIds: [SEED.users.approver], itemIds: [] });
    local.emulator.state.offsetMeans = 'pages';
    await expect(train()(FIRING, lambdaContext())).rejects.toThrow(
      'DataArts counted 150 release packages with names containing "train_20261123T0800Z" but served only 100, so whether the name is free cannot be checked: retry',
    );
    expect(publishes()).toHaveLength(0);
  });

  it('fails the firing for a redelivery when only the publish\'s own name lookup is served short', async () => {
    for (let i = 0; i < 150; i++) local.emulator.state.createPackage({ packageName: `old_train_20261123T0800Z_${i}`, applyUserId: SEED.users.applicant, approverIds: [SEED.users.approver], itemIds: [] });
    // DataArts starts paging otherwise once the train has listed the pending items: its first lookup was whole.
    const runtime = cloudRuntime(local.emulator, ENV);
    const call = runtime.client.call.bind(runtime.client);
    runtime.client.call = (async (contract, input, options) => {
      const answer = await call(contract, input, options);
      if (contract.name === 'ListFactoryPendingItems') local.emulator.state.offsetMeans = 'pages';
      return answer;
    }) as typeof runtime.client.call;
    await expect(createReleaseTrain({ runtime: fixedRuntime(runtime) })(FIRING, lambdaContext())).rejects.toThrow(
      'DataArts counted 150 release packages with names containing "train_20261123T0800Z" but served only 100, so whether the name is free cannot be checked: retry',
    );
    expect(publishes()).toHaveLength(0);
  });

  it('leaves the publish to the delivery already making it in the same instance, without failing', async () => {
    const handler = train();
    local.emulator.setFaults({ latencyMs: 100, pathPattern: '/pending-items/package$' });
    const results = await Promise.all([handler(FIRING, lambdaContext()), handler(FIRING, lambdaContext())]);
    const id = local.emulator.state.packages.find((p) => p.row.package_name === 'train_20261123T0800Z')?.row.package_id;
    expect([...results].sort((x, y) => x.status.localeCompare(y.status))).toStrictEqual([
      { status: 'published', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: id, items: unpackaged, deferred: [] },
      { status: 'skipped', reason: 'another delivery of this firing is publishing train_20261123T0800Z', window: WINDOW, package_name: 'train_20261123T0800Z', items: [], deferred: [] },
    ]);
    expect(publishes()).toHaveLength(1);
  });

  it('publishes once when the answer to the publish is lost (applied, then the connection dropped)', async () => {
    local.emulator.setFaults({ dropRatio: 1, faultTiming: 'after', pathPattern: '/pending-items/package$' });
    const result = await train()(FIRING, lambdaContext());
    expect(result).toStrictEqual({ status: 'published', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: expect.any(String), items: unpackaged, deferred: [] });
    expect(publishes()).toHaveLength(1);
    expect(logs((e) => e.audit === true && e.actor === 'releaseTrain').map((e) => e.outcome)).toStrictEqual(['reconciled']);
  });
});

/**
 * A runtime on the local cloud (its own instance: its own idempotency store) whose package list lags behind a
 * publish while `lag.on`: it lists only the packages that existed when the runtime was made.
 */
function laggingRuntime(env: Record<string, string> = {}) {
  const runtime = cloudRuntime(local.emulator, { ...ENV, ...env });
  const lag = lagPackageList(runtime.client, local.emulator);
  return { handler: createReleaseTrain({ runtime: fixedRuntime(runtime) }), lag };
}

/** Adds `count` pending items named `${prefix}${i}`, submitted at `at`. */
async function addItems(prefix: string, count: number, at: string): Promise<void> {
  local.emulator.clock.set(new Date(at));
  await admin(local.emulator, 'POST', '/pending-items', { items: Array.from({ length: count }, (_, i) => ({ item_name: `${prefix}${i}` })) });
  local.emulator.clock.set(NOW);
}

describe('releaseTrain: one name, one package, while the package list lags', () => {
  const undecided = (why: string) => `The publish of "train_20261123T0800Z" may have been applied; ${why}, so its outcome is unknown`;
  const trainPackages = () => local.emulator.state.packages.filter((p) => p.row.package_name === 'train_20261123T0800Z').map((p) => p.itemIds.length);
  const lostAnswer = { dropRatio: 1, faultTiming: 'after' as const, pathPattern: '/pending-items/package$' };

  it('sends nothing on a redelivery in the same instance after the first publish of 100 of 130 items was applied but its answer lost, until the lookup lists it', async () => {
    // Prepare: 130 matching items (the train takes 100); the package list lags. The redelivery would select the
    // 30 left (the 100 show as packaged): the firing's key (its package name) refuses another selection.
    await addItems('job_bulk_', 100, '2026-11-23T07:59:00Z');
    const { handler, lag } = laggingRuntime();
    local.emulator.setFaults(lostAnswer);
    await expect(handler(FIRING, lambdaContext())).rejects.toMatchObject({ name: 'UpstreamError', outcomeUnknown: true });
    local.emulator.setFaults({});
    local.emulator.clock.set(new Date('2026-11-23T08:01:20Z'));
    // Act: redelivered while the lookup lags, then once it lists the package.
    const lagging = handler(FIRING, lambdaContext());
    await expect(lagging).rejects.toThrow(undecided('another selection of this firing was sent before'));
    lag.on = false;
    const settled = await handler(FIRING, lambdaContext());
    // Assess
    const id = local.emulator.state.packages.find((p) => p.row.package_name === 'train_20261123T0800Z')?.row.package_id;
    expect(settled).toStrictEqual({ status: 'replayed', reason: 'the package train_20261123T0800Z of this firing exists already', window: WINDOW, package_name: 'train_20261123T0800Z', release_package_id: id, items: [], deferred: [] });
    expect([trainPackages(), publishes().length]).toStrictEqual([[100], 1]);
    expect(logs((e) => e.audit === true && e.actor === 'releaseTrain').map((e) => [e.outcome, e.reason, e.idempotency_key, (e.target as { pending_item_list: string[] }).pending_item_list.length])).toStrictEqual([
      ['unknown', 'network', 'train_20261123T0800Z', 100],
      ['refused', 'HRF.0422.IDEMPOTENCY_KEY_REUSED', 'train_20261123T0800Z', 30],
    ]);
  });

  it('refuses another selection under the firing\'s key in the same instance when the lost publish held only items from earlier windows', async () => {
    // Prepare: 130 matching items, all submitted before this window (a backlog): the pending items cannot tell
    // an earlier train's packaging from this firing's, so only the firing's idempotency record can.
    await addItems('job_backlog_', 130, '2026-11-22T07:00:00Z');
    const { handler, lag } = laggingRuntime({ RELEASE_TRAIN_ITEM_PATTERN: '^job_backlog_' });
    local.emulator.setFaults(lostAnswer);
    await expect(handler(FIRING, lambdaContext())).rejects.toMatchObject({ name: 'UpstreamError', outcomeUnknown: true });
    local.emulator.setFaults({});
    // Act
    const lagging = handler(FIRING, lambdaContext());
    await expect(lagging).rejects.toThrow(undecided('another selection of this firing was sent before'));
    lag.on = false;
    const settled = await handler(FIRING, lambdaContext());
    // Assess
    expect([settled.status, trainPackages(), publishes().length]).toStrictEqual(['replayed', [100], 1]);
    expect(logs((e) => e.audit === true && e.actor === 'releaseTrain').map((e) => [e.outcome, e.reason])).toStrictEqual([
      ['unknown', 'network'],
      ['refused', 'HRF.0422.IDEMPOTENCY_KEY_REUSED'],
    ]);
  });
});

describe('releaseTrain: no-ops', () => {
  it('does nothing outside the allow windows, saying why', async () => {
    // 08:00 UTC is 16:00 in Shanghai; the train may leave 09:00–11:59 Shanghai time only.
    const result = await train({ RELEASE_TRAIN_ALLOW: '* 9-11 * * *', RELEASE_TRAIN_TIMEZONE: 'Asia/Shanghai' })(FIRING, lambdaContext());
    expect([result, local.emulator.requests.length]).toStrictEqual([
      { status: 'skipped', reason: 'the departure at 2026-11-23T08:00:00.000Z is outside every allow window (Asia/Shanghai)', window: WINDOW, package_name: 'train_20261123T0800Z', items: [], deferred: [] },
      0,
    ]);
  });

  it('acknowledges the first run of a schedule bounded by its year, which has no earlier run and so covers no window', async () => {
    // Act: every delivery of the firing gets the same answer, so a platform retry changes nothing.
    const handler = train({ RELEASE_TRAIN_SCHEDULE: 'cron(0 8 1 1 ? 2027)' });
    const answers = [await handler(awsScheduledEvent('2027-01-01T08:00:00Z'), lambdaContext()), await handler(awsScheduledEvent('2027-01-01T08:00:00Z'), lambdaContext())];
    // Assess
    const reason = 'the schedule cron(0 8 1 1 ? 2027) has no run before 2027-01-01T08:00:00.000Z, so the firing at 2027-01-01T08:00:00.000Z covers no window';
    expect([answers, local.emulator.requests.length]).toStrictEqual([[{ status: 'ignored', reason }, { status: 'ignored', reason }], 0]);
    expect(logs((e) => e.message === 'Timer firing acknowledged without action').map((e) => [e.level, e.function, e.reason])).toStrictEqual([
      ['warn', 'releaseTrain', reason],
      ['warn', 'releaseTrain', reason],
    ]);
  });

  it('does nothing inside a deny window', async () => {
    const result = await train({ RELEASE_TRAIN_ALLOW: '* * * * *', RELEASE_TRAIN_DENY: '* 8 * * 1', RELEASE_TRAIN_TIMEZONE: 'UTC' })(FIRING, lambdaContext());
    expect(result).toStrictEqual({
      status: 'skipped',
      reason: 'the departure at 2026-11-23T08:00:00.000Z is inside the deny window "* 8 * * 1" (UTC)',
      window: WINDOW,
      package_name: 'train_20261123T0800Z',
      items: [],
      deferred: [],
    });
  });

  it('does nothing when no pending item matches', async () => {
    const result = await train({ RELEASE_TRAIN_ITEM_PATTERN: '^nothing_matches$' })(FIRING, lambdaContext());
    expect([result, publishes().length]).toStrictEqual([
      {
        status: 'skipped',
        reason: 'no pending item matches the rules (40 pending, 40 not matching: 30 not matching RELEASE_TRAIN_ITEM_PATTERN, 10 already packaged)',
        window: WINDOW,
        package_name: 'train_20261123T0800Z',
        items: [],
        deferred: [],
      },
      0,
    ]);
  });

  it('says so when every pending item was submitted after the departure', async () => {
    const result = await train()(awsScheduledEvent('2026-11-20T08:00:00Z'), lambdaContext());
    expect([result, publishes().length]).toStrictEqual([
      {
        status: 'skipped',
        reason: 'no pending item matches the rules (40 pending, 40 not matching: 30 submitted after the departure, 10 already packaged)',
        window: { start: '2026-11-19T08:00:00.000Z', end: '2026-11-20T08:00:00.000Z' },
        package_name: 'train_20261120T0800Z',
        items: [],
        deferred: [],
      },
      0,
    ]);
  });

  it('acknowledges a malformed event without calling the cloud', async () => {
    const result = await train()({ ...FIRING, time: 'yesterday' }, lambdaContext());
    expect([result, local.emulator.requests.length]).toStrictEqual([{ status: 'ignored', reason: 'not an EventBridge scheduled event (time: Invalid ISO datetime)' }, 0]);
  });

  it('reports a package upstream refuses for good without failing the firing', async () => {
    // An approver without the deployer or admin role: DLF.3051.
    const result = await train({ RELEASE_TRAIN_APPROVER_IDS: SEED.users.noRole })(FIRING, lambdaContext());
    expect(result).toStrictEqual({
      status: 'failed',
      reason: `CreateFactoryPendingItemsPackage http 400 DLF.3051: The request parameter is invalid. The approver ${SEED.users.noRole} has neither the admin nor the deployer role in the workspace.`,
      window: WINDOW,
      package_name: 'train_20261123T0800Z',
      items: unpackaged,
      deferred: [],
    });
  });
});
