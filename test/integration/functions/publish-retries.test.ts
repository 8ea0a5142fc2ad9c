/**
 * Publishing is safe to retry (../shared/reliability.md promises 1–5), against the local cloud:
 * exactly one upstream publish however the caller, the gateway or the network repeats it.
 */
import { startEmulator, SEED, type RunningEmulator } from '../../../emulator';
import { publishReleasePackageRoute } from '../../../functions/http/publish-release-package';
import { httpFunction, type AnyRouteSpec } from '../../../shared/http-function';
import { APP, fixedRuntime, OTHER_WORKSPACE, TEST_WORKSPACE, testRuntime, TOKENS } from '../../helpers/runtime';
import { gatewayEvent, parseResponse, signGatewayEvent } from '../../helpers/http-events';
import { lambdaContext } from '../../helpers/contexts';
import { logsMatching } from '../../helpers/logs';
import { startFakeUpstream } from '../../helpers/fake-upstream';
import { lagPackageList } from '../../helpers/emulator';

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.reset();
  emulator.setFaults({});
});

const RID = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';
const publishes = () => emulator.requests.filter((r) => r.operation === 'CreateFactoryPendingItemsPackage');
const makeHandler = () => httpFunction(publishReleasePackageRoute as unknown as AnyRouteSpec, fixedRuntime(testRuntime(emulator.url)));
const bodyFor = (name: string, items: string[]) => ({ package_name: name, pending_item_list: items, approver_ids: [SEED.users.approver], apply_user_id: SEED.users.applicant });
const call = (handler: ReturnType<typeof makeHandler>, body: unknown, headers: Record<string, string> = {}) =>
  handler(gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages', body, headers, bearer: TOKENS.all }), lambdaContext()).then(parseResponse);

describe('Publish: same name', () => {
  it('answers 409 when the name exists with other items, without publishing', async () => {
    const handler = makeHandler();
    await call(handler, bodyFor('rel_name_1', SEED.unpackagedItemIds.slice(0, 2)));
    const clash = await call(handler, bodyFor('rel_name_1', SEED.unpackagedItemIds.slice(2, 4)));
    expect(clash.statusCode).toBe(409);
    expect(clash.body).toStrictEqual({ error_code: 'HRF.0409.PACKAGE_NAME_TAKEN', error_msg: 'A release package named "rel_name_1" already exists with other items', request_id: RID });
    expect(publishes()).toHaveLength(1);
  });
});

describe('Publish: Idempotency-Key', () => {
  it('replays the first result for the same key and payload, with one upstream publish', async () => {
    const handler = makeHandler();
    const body = bodyFor('rel_key_1', SEED.unpackagedItemIds.slice(0, 2));
    const first = await call(handler, body, { 'Idempotency-Key': 'key-0000000001' });
    const second = await call(handler, body, { 'Idempotency-Key': 'key-0000000001' });
    const id = (first.body as { release_package_id: string }).release_package_id;
    expect([first.statusCode, first.body]).toStrictEqual([201, { package_name: 'rel_key_1', release_package_id: id, replayed: false }]);
    expect([second.statusCode, second.body]).toStrictEqual([200, { package_name: 'rel_key_1', release_package_id: id, replayed: true }]);
    expect(publishes()).toHaveLength(1);
    // Each audit line carries the caller's key (reliability promise 18).
    const auditLines = logsMatching((e) => e.audit === true && (e.target as { package_name?: string }).package_name === 'rel_key_1');
    expect(auditLines.map((e) => [e.action, e.outcome, e.idempotency_key])).toStrictEqual([
      ['publish-release-package', 'succeeded', 'key-0000000001'],
      ['publish-release-package', 'replayed', 'key-0000000001'],
    ]);
  });

  it('answers 422 when the key is reused with another payload, without an upstream call', async () => {
    const handler = makeHandler();
    await call(handler, bodyFor('rel_key_2', SEED.unpackagedItemIds.slice(0, 1)), { 'Idempotency-Key': 'key-0000000002' });
    const before = emulator.requests.length;
    const reused = await call(handler, bodyFor('rel_key_2b', SEED.unpackagedItemIds.slice(1, 2)), { 'Idempotency-Key': 'key-0000000002' });
    expect(reused.statusCode).toBe(422);
    expect(reused.body).toStrictEqual({
      error_code: 'HRF.0422.IDEMPOTENCY_KEY_REUSED',
      error_msg: 'This Idempotency-Key was already used with a different request',
      request_id: RID,
      fields: [{ field: 'headers.idempotency-key', message: 'was used with a different payload' }],
    });
    expect(emulator.requests.length).toBe(before);
  });

  it("keeps each caller's keys apart: the same key from another caller with another payload publishes", async () => {
    const handler = makeHandler();
    const mine = await call(handler, bodyFor('rel_key_mine', SEED.unpackagedItemIds.slice(0, 1)), { 'Idempotency-Key': 'key-0000000009' });
    // Another caller (the signed app client) happens to choose the same key.
    const theirsEvent = gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages', body: bodyFor('rel_key_theirs', SEED.unpackagedItemIds.slice(1, 2)), headers: { 'Idempotency-Key': 'key-0000000009' } });
    const theirs = await handler(signGatewayEvent(theirsEvent, APP, new Date()), lambdaContext()).then(parseResponse);
    const ids = [mine, theirs].map((r) => (r.body as { release_package_id: string }).release_package_id);
    expect([mine.statusCode, mine.body, theirs.statusCode, theirs.body]).toStrictEqual([
      201,
      { package_name: 'rel_key_mine', release_package_id: ids[0], replayed: false },
      201,
      { package_name: 'rel_key_theirs', release_package_id: ids[1], replayed: false },
    ]);
    expect(publishes()).toHaveLength(2);
  });

  it('answers 409 with Retry-After to a duplicate while the first is in flight, with no outbound call', async () => {
    const handler = makeHandler();
    emulator.setFaults({ latencyMs: 300 });
    const body = bodyFor('rel_key_3', SEED.unpackagedItemIds.slice(0, 1));
    const first = call(handler, body, { 'Idempotency-Key': 'key-0000000003' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = emulator.requests.length;
    const duplicate = await call(handler, body, { 'Idempotency-Key': 'key-0000000003' });
    const afterDuplicate = emulator.requests.length;
    await first;
    expect(duplicate.statusCode).toBe(409);
    expect(duplicate.headers['Retry-After']).toBe('5');
    expect(duplicate.body).toStrictEqual({ error_code: 'HRF.0409.IN_PROGRESS', error_msg: 'A request with this Idempotency-Key is in progress', request_id: RID });
    expect(afterDuplicate).toBe(before);
    expect(publishes()).toHaveLength(1);
  });

  it('releases the key when the call failed before any side effect, so a retry succeeds', async () => {
    const handler = makeHandler();
    emulator.setFaults({ throttleRatio: 1, pathPattern: '/pending-items/package$' });
    const body = bodyFor('rel_key_4', SEED.unpackagedItemIds.slice(0, 1));
    const throttled = await call(handler, body, { 'Idempotency-Key': 'key-0000000004' });
    emulator.setFaults({});
    const retried = await call(handler, body, { 'Idempotency-Key': 'key-0000000004' });
    expect(throttled.statusCode).toBe(429);
    expect(throttled.headers['Retry-After']).toMatch(/^[0-9]+$/);
    expect(retried.statusCode).toBe(201);
    expect(publishes().filter((r) => r.status === 200)).toHaveLength(1);
  });
});

describe('Publish: unknown outcome', () => {
  it('reconciles a publish whose answer was lost by looking the name up, never publishing twice', async () => {
    const handler = makeHandler();
    emulator.setFaults({ dropRatio: 1, faultTiming: 'after', pathPattern: '/pending-items/package$' });
    const body = bodyFor('rel_lost_1', SEED.unpackagedItemIds.slice(0, 2));
    const response = await call(handler, body);
    emulator.setFaults({});
    const retry = await call(handler, body);
    const id = (response.body as { release_package_id: string }).release_package_id;
    expect([response.statusCode, response.body]).toStrictEqual([201, { package_name: 'rel_lost_1', release_package_id: id, replayed: false }]);
    expect([retry.statusCode, retry.body]).toStrictEqual([200, { package_name: 'rel_lost_1', release_package_id: id, replayed: true }]);
    expect(publishes()).toHaveLength(1);
    expect(logsMatching((e) => e.audit === true && e.outcome === 'reconciled' && (e.target as { package_name?: string }).package_name === 'rel_lost_1')).toHaveLength(1);
  });

  it('sends again only after the lookup shows the lost publish was not applied', async () => {
    const handler = makeHandler();
    // Seed 8 makes the first publish's draw a drop (unapplied) and the second's not: deterministic, no timing.
    emulator.setFaults({ dropRatio: 0.5, seed: 8, faultTiming: 'before', pathPattern: '/pending-items/package$' });
    const body = bodyFor('rel_lost_2', SEED.unpackagedItemIds.slice(2, 3));
    const pending = call(handler, body);
    const response = await pending;
    const ops = emulator.requests.map((r) => r.operation);
    expect(response.statusCode).toBe(201);
    // The item check and the name lookup go out together, in either order.
    // So do they before anything is sent again.
    expect([[...ops.slice(0, 2)].sort(), ops[2], [...ops.slice(3, 5)].sort(), ops.slice(5)]).toStrictEqual([
      ['ListFactoryPendingItems', 'ListFactoryReleasePackages'],
      'CreateFactoryPendingItemsPackage',
      ['ListFactoryPendingItems', 'ListFactoryReleasePackages'],
      ['CreateFactoryPendingItemsPackage'],
    ]);
    expect(publishes().filter((r) => r.status === 200)).toHaveLength(1);
  });
});

/** Adds `count` packages to the local cloud, named `${prefix}0000`, `${prefix}0001`, …, with ids from `firstId`. */
function addPackagesNamed(prefix: string, count: number, firstId: number): void {
  const template = emulator.state.packagesById.get(SEED.packages.success);
  if (!template) throw new Error('seed package missing');
  for (let i = 0; i < count; i++) {
    const id = String(firstId + i);
    const record = { ...template, row: { ...template.row, package_id: id, package_name: `${prefix}${String(i).padStart(4, '0')}` } };
    emulator.state.packages.push(record);
    emulator.state.packagesById.set(id, record);
  }
}

describe('Publish: review fixes', () => {
  it('finds the exact name past the first page of the substring search, and replays instead of publishing', async () => {
    const handler = makeHandler();
    const body = bodyFor('rel_dup', SEED.unpackagedItemIds.slice(0, 1));
    const first = await call(handler, body);
    // 150 older packages whose names contain "rel_dup" (applied before it) push the exact name to page 2.
    addPackagesNamed('a_rel_dup_', 150, 90_000);
    const retry = await call(handler, body);
    expect(first.statusCode).toBe(201);
    expect([retry.statusCode, retry.body]).toStrictEqual([200, { ...(first.body as object), replayed: true }]);
    expect(publishes()).toHaveLength(1);
  });

  it('refuses to publish when the name lookup is cut short without finding the name: whether it is free cannot be told', async () => {
    const handler = makeHandler();
    // 2,001 packages whose names contain "rel_many" fill the 20 pages the lookup reads.
    addPackagesNamed('a_rel_many_', 2001, 100_000);
    const response = await call(handler, bodyFor('rel_many', SEED.unpackagedItemIds.slice(0, 1)));
    expect([response.statusCode, response.body]).toStrictEqual([
      409,
      {
        error_code: 'HRF.0409.NAME_UNVERIFIABLE',
        error_msg: 'More than 2000 release packages have names containing "rel_many", so whether the name is free cannot be checked: choose a more specific package_name',
        request_id: RID,
      },
    ]);
    expect(publishes()).toHaveLength(0);
  });

  it('refuses to publish when DataArts serves fewer packages than it counts for the name (offset read as a page number)', async () => {
    const handler = makeHandler();
    // 150 packages whose names contain "rel_paged": the second page, asked for at offset 100, is page 100 here: empty.
    addPackagesNamed('a_rel_paged_', 150, 110_000);
    emulator.state.offsetMeans = 'pages';
    const response = await call(handler, bodyFor('rel_paged', SEED.unpackagedItemIds.slice(0, 1)));
    expect([response.statusCode, response.headers['Retry-After'], response.body]).toStrictEqual([
      409,
      undefined,
      {
        error_code: 'HRF.0409.NAME_LOOKUP_INCOMPLETE',
        error_msg: 'DataArts counted 150 release packages with names containing "rel_paged" but served only 100, so whether the name is free cannot be checked: retry',
        request_id: RID,
      },
    ]);
    expect(publishes()).toHaveLength(0);
  });

  it('serialises identical publishes without an Idempotency-Key: the duplicate in flight gets 409, one upstream publish', async () => {
    const handler = makeHandler();
    emulator.setFaults({ latencyMs: 300 });
    const body = bodyFor('rel_nokey_1', SEED.unpackagedItemIds.slice(0, 1));
    const first = call(handler, body);
    await new Promise((resolve) => setTimeout(resolve, 50));
    const duplicate = await call(handler, body);
    const firstResponse = await first;
    expect(firstResponse.statusCode).toBe(201);
    expect([duplicate.statusCode, duplicate.headers['Retry-After'], duplicate.body]).toStrictEqual([
      409,
      '5',
      { error_code: 'HRF.0409.IN_PROGRESS', error_msg: 'An identical publish is in progress', request_id: RID },
    ]);
    expect(publishes()).toHaveLength(1);
  });

  it('reconciles a retry after an unknown outcome: the lost publish had been applied, so the retry replays it', async () => {
    const handler = makeHandler();
    // One seeded draw per request (seed 71): the first lookup passes, the publish is applied and its answer
    // dropped, and all three attempts of the lookup after it get 503. Deterministic, no timing.
    emulator.setFaults({ dropRatio: 0.3, serverErrorRatio: 0.4, seed: 71, faultTiming: 'after', pathPattern: '/factory/(pending-items/package|release-packages)$' });
    const body = bodyFor('rel_unsettled_1', SEED.unpackagedItemIds.slice(3, 4));
    const lost = await call(handler, body, { 'Idempotency-Key': 'key-0000000009' });
    emulator.setFaults({});
    const retry = await call(handler, body, { 'Idempotency-Key': 'key-0000000009' });
    const created = emulator.state.packages.find((p) => p.row.package_name === 'rel_unsettled_1')?.row.package_id;
    expect([lost.statusCode, lost.body]).toStrictEqual([
      502,
      {
        error_code: 'HRF.0502.OUTCOME_UNKNOWN',
        error_msg: 'Huawei Cloud received CreateFactoryPendingItemsPackage, but its answer was lost: whether it was applied is unknown, so check before sending it again',
        request_id: RID,
      },
    ]);
    expect([retry.statusCode, retry.body]).toStrictEqual([200, { package_name: 'rel_unsettled_1', release_package_id: created, replayed: true }]);
    expect(publishes()).toHaveLength(1);
    expect(logsMatching((e) => e.audit === true && (e.target as { package_name?: string }).package_name === 'rel_unsettled_1').map((e) => e.outcome)).toStrictEqual(['unknown', 'replayed']);
  });

  it('reconciles a retry after an unknown outcome: nothing had been applied, so the retry publishes once', async () => {
    const handler = makeHandler();
    // Both attempts of the publish are answered 503 without being applied: a write's 503 leaves its outcome unknown.
    emulator.setFaults({ serverErrorRatio: 1, pathPattern: '/pending-items/package$' });
    const body = bodyFor('rel_unsettled_2', SEED.unpackagedItemIds.slice(4, 5));
    const lost = await call(handler, body, { 'Idempotency-Key': 'key-0000000010' });
    emulator.setFaults({});
    const retry = await call(handler, body, { 'Idempotency-Key': 'key-0000000010' });
    const again = await call(handler, body, { 'Idempotency-Key': 'key-0000000010' });
    const id = (retry.body as { release_package_id?: string }).release_package_id;
    expect([lost.statusCode, lost.body]).toStrictEqual([
      502,
      {
        error_code: 'HRF.0502.OUTCOME_UNKNOWN',
        error_msg: 'Huawei Cloud received CreateFactoryPendingItemsPackage, but it failed with status 503 APIG.0202: whether it was applied is unknown, so check before sending it again',
        request_id: RID,
      },
    ]);
    expect([retry.statusCode, retry.body, again.statusCode, again.body]).toStrictEqual([
      201,
      { package_name: 'rel_unsettled_2', release_package_id: id, replayed: false },
      200,
      { package_name: 'rel_unsettled_2', release_package_id: id, replayed: true },
    ]);
    expect(publishes().map((r) => r.status)).toStrictEqual([503, 503, 200]);
  });

  it('sends nothing again when the lost publish\'s items are packaged now though the name lookup does not list it yet, in the call or its retries', async () => {
    // A DataArts that applies the publish but loses its answer, and whose name lookup lags behind.
    let applied = false;
    let listed = false;
    const item = SEED.unpackagedItemIds[0] as string;
    const pkg = { package_id: '78', package_name: 'rel_items_packaged', deploy_status: 1 };
    const fake = await startFakeUpstream((request) => {
      if (request.rawPath.endsWith('/factory/pending-items/package')) {
        applied = true;
        return 'drop';
      }
      if (request.rawPath.endsWith('/factory/release-packages')) return { status: 200, body: listed ? { total: 1, data: [pkg] } : { total: 0, data: [] } };
      if (request.rawPath.endsWith('/factory/release-packages/78')) return { status: 200, body: { release_package: pkg, task_details: [{ pending_item_id: item }] } };
      if (request.rawPath.endsWith('/factory/pending-items')) {
        const row = { pending_item_id: item, item_name: 'job_x', task_type: 1, update_type: 1, package_flag: applied ? 1 : 0 };
        return { status: 200, body: { total: 1, data: [row] } };
      }
      return { status: 404, body: { error_code: 'APIG.0101', error_msg: 'no such API' } };
    });
    try {
      const handler = httpFunction(publishReleasePackageRoute as unknown as AnyRouteSpec, fixedRuntime(testRuntime(fake.url)));
      const body = bodyFor('rel_items_packaged', [item]);
      const first = await call(handler, body);
      const retry = await call(handler, body);
      listed = true;
      const settled = await call(handler, body);
      const lost = {
        error_code: 'HRF.0502.OUTCOME_UNKNOWN',
        error_msg: 'Huawei Cloud received CreateFactoryPendingItemsPackage, but its answer was lost: whether it was applied is unknown, so check before sending it again',
        request_id: RID,
      };
      expect([first.statusCode, first.body, retry.statusCode, retry.body, settled.statusCode, settled.body]).toStrictEqual([
        502,
        lost,
        502,
        lost,
        200,
        { package_name: 'rel_items_packaged', release_package_id: '78', replayed: true },
      ]);
      expect(fake.requests.filter((r) => r.rawPath.endsWith('/pending-items/package'))).toHaveLength(1);
      expect(logsMatching((e) => e.audit === true && (e.target as { package_name?: string }).package_name === 'rel_items_packaged').map((e) => [e.outcome, e.reason])).toStrictEqual([
        ['unknown', 'network'],
        ['unknown', 'items packaged; the name is not listed yet'],
        ['replayed', undefined],
      ]);
    } finally {
      await fake.close();
    }
  });

  it('keeps a publish DataArts answered 2xx unknown, not refused, when its items show packaged before the lookup lists it', async () => {
    // A DataArts whose publish answers 200 with a body our contract refuses, packages the items, and lists the name late.
    let applied = false;
    const item = SEED.unpackagedItemIds[0] as string;
    const fake = await startFakeUpstream((request) => {
      if (request.rawPath.endsWith('/factory/pending-items/package')) {
        applied = true;
        return { status: 200, body: { package_name: 'rel_taken_unread', release_package_id: 1234567 } };
      }
      if (request.rawPath.endsWith('/factory/release-packages')) return { status: 200, body: { total: 0, data: [] } };
      if (request.rawPath.endsWith('/factory/pending-items')) {
        return { status: 200, body: { total: 1, data: [{ pending_item_id: item, item_name: 'job_x', task_type: 1, update_type: 1, package_flag: applied ? 1 : 0 }] } };
      }
      return { status: 404, body: { error_code: 'APIG.0101', error_msg: 'no such API' } };
    });
    try {
      const handler = httpFunction(publishReleasePackageRoute as unknown as AnyRouteSpec, fixedRuntime(testRuntime(fake.url)));
      const body = bodyFor('rel_taken_unread', [item]);
      const first = await call(handler, body, { 'Idempotency-Key': 'key-0000000013' });
      const retry = await call(handler, body, { 'Idempotency-Key': 'key-0000000013' });
      const unread = (why: string) => ({
        error_code: 'HRF.0502.OUTCOME_UNKNOWN',
        error_msg: `Huawei Cloud received CreateFactoryPendingItemsPackage, but its ${why}answer could not be read: whether it was applied is unknown, so check before sending it again`,
        request_id: RID,
      });
      expect([first.statusCode, first.body, retry.statusCode, retry.body]).toStrictEqual([502, unread('200 '), 502, unread('')]);
      expect(fake.requests.filter((r) => r.rawPath.endsWith('/pending-items/package'))).toHaveLength(1);
    } finally {
      await fake.close();
    }
  });

  it('never sends a publish again that DataArts answered 2xx, in the same call or a retry of it, until the lookup shows it', async () => {
    // A DataArts whose publish answers 200 with a body our contract refuses, and whose lookup lags behind.
    let listed = false;
    let detailsDown = false;
    const pkg = { package_id: '77', package_name: 'rel_lagging', deploy_status: 1 };
    const fake = await startFakeUpstream((request) => {
      if (request.rawPath.endsWith('/factory/pending-items/package')) return { status: 200, body: { package_name: 'rel_lagging', release_package_id: 1234567 } };
      if (request.rawPath.endsWith('/factory/release-packages')) return { status: 200, body: listed ? { total: 1, data: [pkg] } : { total: 0, data: [] } };
      if (request.rawPath.endsWith('/factory/release-packages/77')) {
        return detailsDown ? { status: 503, body: { error_code: 'APIG.0202', error_msg: 'Backend unavailable' } } : { status: 200, body: { release_package: pkg, task_details: [{ pending_item_id: SEED.unpackagedItemIds[0] }] } };
      }
      if (request.rawPath.endsWith('/factory/pending-items')) return { status: 200, body: { total: 0, data: [] } };
      return { status: 404, body: { error_code: 'APIG.0101', error_msg: 'no such API' } };
    });
    try {
      const handler = httpFunction(publishReleasePackageRoute as unknown as AnyRouteSpec, fixedRuntime(testRuntime(fake.url)));
      const body = bodyFor('rel_lagging', SEED.unpackagedItemIds.slice(0, 1));
      const first = await call(handler, body, { 'Idempotency-Key': 'key-0000000012' });
      const retry = await call(handler, body, { 'Idempotency-Key': 'key-0000000012' });
      listed = true;
      detailsDown = true;
      const unreadable = await call(handler, body, { 'Idempotency-Key': 'key-0000000012' });
      // A lookup behind again after that failure still sends nothing: the request stays remembered as accepted.
      detailsDown = false;
      listed = false;
      const behindAgain = await call(handler, body, { 'Idempotency-Key': 'key-0000000012' });
      listed = true;
      const settled = await call(handler, body, { 'Idempotency-Key': 'key-0000000012' });
      const unread = (why: string) => ({
        error_code: 'HRF.0502.OUTCOME_UNKNOWN',
        error_msg: `Huawei Cloud received CreateFactoryPendingItemsPackage, but its ${why}answer could not be read: whether it was applied is unknown, so check before sending it again`,
        request_id: RID,
      });
      // A detail that cannot be read settles nothing: still unknown, and said so.
      expect([first.statusCode, first.body, retry.statusCode, retry.body, [unreadable.statusCode, unreadable.body], [behindAgain.statusCode, behindAgain.body], settled.statusCode, settled.body]).toStrictEqual([
        502,
        unread('200 '),
        502,
        unread(''),
        [502, unread('')],
        [502, unread('')],
        200,
        { package_name: 'rel_lagging', release_package_id: '77', replayed: true },
      ]);
      expect(fake.requests.filter((r) => r.rawPath.endsWith('/pending-items/package'))).toHaveLength(1);
      expect(logsMatching((e) => e.audit === true && (e.target as { package_name?: string }).package_name === 'rel_lagging').map((e) => [e.outcome, e.reason])).toStrictEqual([
        ['unknown', 'invalid-response'],
        ['unknown', 'accepted before; not listed yet'],
        ['unknown', 'reading the package of that name failed'],
        ['unknown', 'accepted before; not listed yet'],
        ['replayed', undefined],
      ]);
    } finally {
      await fake.close();
    }
  });

  it('keeps the outcome unknown when the package found after a lost answer cannot be read, then replays it though an item has no id (null)', async () => {
    // The publish is applied but its answer lost; the lookup then finds the package; its details answer 503 at first.
    let published = false;
    let details = 0;
    const pkg = { package_id: '78', package_name: 'rel_details', deploy_status: 1 };
    const fake = await startFakeUpstream((request) => {
      if (request.rawPath.endsWith('/factory/pending-items/package')) {
        published = true;
        return 'drop';
      }
      if (request.rawPath.endsWith('/factory/release-packages')) return { status: 200, body: published ? { total: 1, data: [pkg] } : { total: 0, data: [] } };
      if (request.rawPath.endsWith('/factory/release-packages/78')) {
        details++;
        return details <= 3
          ? { status: 503, body: { error_code: 'APIG.0202', error_msg: 'Backend unavailable' } }
          : { status: 200, body: { release_package: pkg, task_details: [{ pending_item_id: null }, { pending_item_id: SEED.unpackagedItemIds[0] }] } };
      }
      if (request.rawPath.endsWith('/factory/pending-items')) return { status: 200, body: { total: 0, data: [] } };
      return { status: 404, body: { error_code: 'APIG.0101', error_msg: 'no such API' } };
    });
    try {
      const handler = httpFunction(publishReleasePackageRoute as unknown as AnyRouteSpec, fixedRuntime(testRuntime(fake.url)));
      const body = bodyFor('rel_details', SEED.unpackagedItemIds.slice(0, 1));
      const unread = await call(handler, body);
      const replayed = await call(handler, body);
      expect([unread.statusCode, (unread.body as { error_code: string }).error_code, replayed.statusCode, replayed.body]).toStrictEqual([
        502,
        'HRF.0502.OUTCOME_UNKNOWN',
        200,
        { package_name: 'rel_details', release_package_id: '78', replayed: true },
      ]);
      expect(fake.requests.filter((r) => r.rawPath.endsWith('/pending-items/package'))).toHaveLength(1);
      expect(logsMatching((e) => e.audit === true && (e.target as { package_name?: string }).package_name === 'rel_details').map((e) => e.outcome)).toStrictEqual(['unknown', 'replayed']);
    } finally {
      await fake.close();
    }
  });

  it('reports a publish whose first attempt was lost and whose second was refused as unknown, not as the refusal', async () => {
    // Attempt 1's connection drops after sending (it may have landed); attempt 2 is refused 400; the lookups show nothing.
    let publishes = 0;
    const fake = await startFakeUpstream((request) => {
      if (request.rawPath.endsWith('/factory/pending-items/package')) {
        publishes++;
        return publishes === 1 ? 'drop' : { status: 400, body: { error_code: 'DLF.3051', error_msg: 'The request parameter is invalid.' } };
      }
      if (request.rawPath.endsWith('/factory/release-packages')) return { status: 200, body: { total: 0, data: [] } };
      if (request.rawPath.endsWith('/factory/pending-items')) return { status: 200, body: { total: 0, data: [] } };
      return { status: 404, body: { error_code: 'APIG.0101', error_msg: 'no such API' } };
    });
    try {
      const handler = httpFunction(publishReleasePackageRoute as unknown as AnyRouteSpec, fixedRuntime(testRuntime(fake.url)));
      const response = await call(handler, bodyFor('rel_second_refused', SEED.unpackagedItemIds.slice(0, 1)));
      expect([response.statusCode, response.body, publishes]).toStrictEqual([
        502,
        {
          error_code: 'HRF.0502.OUTCOME_UNKNOWN',
          error_msg: 'Huawei Cloud received CreateFactoryPendingItemsPackage, but its answer was lost: whether it was applied is unknown, so check before sending it again',
          request_id: RID,
        },
        2,
      ]);
      expect(logsMatching((e) => e.audit === true && (e.target as { package_name?: string }).package_name === 'rel_second_refused').map((e) => e.outcome)).toStrictEqual(['unknown']);
    } finally {
      await fake.close();
    }
  });

  it('still refuses the key with another payload after an unknown outcome (422), without a call', async () => {
    const handler = makeHandler();
    emulator.setFaults({ serverErrorRatio: 1, pathPattern: '/pending-items/package$' });
    await call(handler, bodyFor('rel_unsettled_3', SEED.unpackagedItemIds.slice(5, 6)), { 'Idempotency-Key': 'key-0000000011' });
    emulator.setFaults({});
    const before = emulator.requests.length;
    const reused = await call(handler, bodyFor('rel_unsettled_3b', SEED.unpackagedItemIds.slice(5, 6)), { 'Idempotency-Key': 'key-0000000011' });
    expect([reused.statusCode, (reused.body as { error_code: string }).error_code, emulator.requests.length - before]).toStrictEqual([422, 'HRF.0422.IDEMPOTENCY_KEY_REUSED', 0]);
  });
});

/** The audit lines written for a package name: outcome, reason, key. */
const auditOf = (name: string) =>
  logsMatching((e) => e.audit === true && (e.target as { package_name?: string }).package_name === name).map((e) => [e.outcome, e.reason, e.idempotency_key]);

/**
 * A handler on the local cloud whose package list lags behind a publish while `lag.on`: it lists only the
 * packages that existed when the handler was made (eventual consistency).
 */
function laggingHandler() {
  const runtime = testRuntime(emulator.url);
  const lag = lagPackageList(runtime.client, emulator);
  return { handler: httpFunction(publishReleasePackageRoute as unknown as AnyRouteSpec, fixedRuntime(runtime)), lag };
}

describe('Publish: duplicates whatever their keys', () => {
  it('serialises identical publishes with different Idempotency-Keys: the duplicate in flight gets 409 with Retry-After and sends nothing', async () => {
    // Prepare
    const handler = makeHandler();
    emulator.setFaults({ latencyMs: 300 });
    const body = bodyFor('rel_dup_keys', SEED.unpackagedItemIds.slice(0, 2));
    // Act: the client made a new key for its retry while the first was still in flight.
    const first = call(handler, body, { 'Idempotency-Key': 'key-dupkeys-0001' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const before = emulator.requests.length;
    const duplicate = await call(handler, body, { 'Idempotency-Key': 'key-dupkeys-0002' });
    const sentByDuplicate = emulator.requests.length - before;
    const firstResponse = await first;
    // Assess
    const id = (firstResponse.body as { release_package_id: string }).release_package_id;
    expect([firstResponse.statusCode, firstResponse.body]).toStrictEqual([201, { package_name: 'rel_dup_keys', release_package_id: id, replayed: false }]);
    expect([duplicate.statusCode, duplicate.headers['Retry-After'], duplicate.body, sentByDuplicate]).toStrictEqual([
      409,
      '5',
      { error_code: 'HRF.0409.IN_PROGRESS', error_msg: 'An identical publish is in progress', request_id: RID },
      0,
    ]);
    expect(publishes()).toHaveLength(1);
  });

  it('serialises an identical publish without a key behind one with a key, and lets the keyed one be retried afterwards', async () => {
    // Prepare
    const handler = makeHandler();
    emulator.setFaults({ latencyMs: 300 });
    // The approvers in another order and letter case are the same approvers.
    const body = { ...bodyFor('rel_dup_nokey', SEED.unpackagedItemIds.slice(0, 1)), approver_ids: [SEED.users.approver, SEED.users.secondApprover] };
    const same = { ...body, approver_ids: [SEED.users.secondApprover.toUpperCase(), SEED.users.approver] };
    // Act
    const keyed = call(handler, body, { 'Idempotency-Key': 'key-dupnokey-01' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const unkeyed = await call(handler, same);
    const keyedResponse = await keyed;
    emulator.setFaults({});
    const retried = await call(handler, body, { 'Idempotency-Key': 'key-dupnokey-01' });
    // Assess
    const id = (keyedResponse.body as { release_package_id: string }).release_package_id;
    expect([keyedResponse.statusCode, unkeyed.statusCode, unkeyed.headers['Retry-After'], unkeyed.body, retried.statusCode, retried.body]).toStrictEqual([
      201,
      409,
      '5',
      { error_code: 'HRF.0409.IN_PROGRESS', error_msg: 'An identical publish is in progress', request_id: RID },
      200,
      { package_name: 'rel_dup_nokey', release_package_id: id, replayed: true },
    ]);
    expect(publishes()).toHaveLength(1);
  });

  it('audits the duplicate in flight and the reused key as refused, once each, with the reason', async () => {
    // Prepare
    const handler = makeHandler();
    emulator.setFaults({ latencyMs: 300 });
    const body = bodyFor('rel_audit_refusals', SEED.unpackagedItemIds.slice(0, 1));
    // Act
    const first = call(handler, body, { 'Idempotency-Key': 'key-auditref-01' });
    await new Promise((resolve) => setTimeout(resolve, 50));
    const duplicate = await call(handler, body, { 'Idempotency-Key': 'key-auditref-01' });
    await first;
    emulator.setFaults({});
    const reused = await call(handler, { ...body, pending_item_list: SEED.unpackagedItemIds.slice(1, 2) }, { 'Idempotency-Key': 'key-auditref-01' });
    // Assess
    expect([duplicate.statusCode, reused.statusCode]).toStrictEqual([409, 422]);
    expect(auditOf('rel_audit_refusals')).toStrictEqual([
      ['refused', 'HRF.0409.IN_PROGRESS', 'key-auditref-01'],
      ['succeeded', undefined, 'key-auditref-01'],
      ['refused', 'HRF.0422.IDEMPOTENCY_KEY_REUSED', 'key-auditref-01'],
    ]);
  });

  it('refuses the key reused in another workspace (422), without an upstream call', async () => {
    // Prepare
    const handler = httpFunction(publishReleasePackageRoute as unknown as AnyRouteSpec, fixedRuntime(testRuntime(emulator.url, {}, { HRF_WORKSPACE_ALLOWLIST: `${TEST_WORKSPACE},${OTHER_WORKSPACE}` })));
    const body = bodyFor('rel_key_ws', SEED.unpackagedItemIds.slice(0, 1));
    const first = await call(handler, body, { 'Idempotency-Key': 'key-keyws-0001' });
    const before = emulator.requests.length;
    // Act
    const elsewhere = await call(handler, body, { 'Idempotency-Key': 'key-keyws-0001', 'X-Workspace-Id': OTHER_WORKSPACE });
    // Assess
    expect([first.statusCode, elsewhere.statusCode, elsewhere.body, emulator.requests.length - before]).toStrictEqual([
      201,
      422,
      {
        error_code: 'HRF.0422.IDEMPOTENCY_KEY_REUSED',
        error_msg: 'This Idempotency-Key was already used with a different request',
        request_id: RID,
        fields: [{ field: 'headers.idempotency-key', message: 'was used with a different payload' }],
      },
      0,
    ]);
  });
});

describe('Publish: a replay is the same package, people included', () => {
  it.each([
    ['another applicant', { apply_user_id: SEED.users.caller }],
    ['other approvers', { approver_ids: [SEED.users.secondApprover] }],
  ])('answers 409 PACKAGE_NAME_TAKEN, not a replay, for the name and items with %s', async (_, change) => {
    // Prepare
    const handler = makeHandler();
    const body = bodyFor('rel_people', SEED.unpackagedItemIds.slice(0, 2));
    await call(handler, body);
    // Act
    const other = await call(handler, { ...body, ...change });
    // Assess
    expect([other.statusCode, other.body]).toStrictEqual([
      409,
      { error_code: 'HRF.0409.PACKAGE_NAME_TAKEN', error_msg: 'A release package named "rel_people" already exists with another applicant or other approvers', request_id: RID },
    ]);
    expect(publishes()).toHaveLength(1);
  });

  it('replays for the same approvers in another order and letter case', async () => {
    // Prepare
    const handler = makeHandler();
    const body = { ...bodyFor('rel_people_same', SEED.unpackagedItemIds.slice(0, 2)), approver_ids: [SEED.users.approver, SEED.users.secondApprover] };
    const first = await call(handler, body);
    // Act
    const again = await call(handler, { ...body, apply_user_id: SEED.users.applicant.toUpperCase(), approver_ids: [SEED.users.secondApprover, SEED.users.approver.toUpperCase()] });
    // Assess
    expect([again.statusCode, again.body]).toStrictEqual([200, { ...(first.body as object), replayed: true }]);
    expect(publishes()).toHaveLength(1);
  });

  it('replays under the same Idempotency-Key too when the people differ only in letter case or order', async () => {
    // Prepare
    const handler = makeHandler();
    const body = { ...bodyFor('rel_people_key', SEED.unpackagedItemIds.slice(0, 2)), approver_ids: [SEED.users.approver, SEED.users.secondApprover] };
    const first = await call(handler, body, { 'Idempotency-Key': 'key-people-0001' });
    // Act
    const again = await call(handler, { ...body, apply_user_id: SEED.users.applicant.toUpperCase(), approver_ids: [SEED.users.secondApprover, SEED.users.approver.toUpperCase()] }, { 'Idempotency-Key': 'key-people-0001' });
    // Assess
    expect([again.statusCode, again.body]).toStrictEqual([200, { ...(first.body as object), replayed: true }]);
    expect(publishes()).toHaveLength(1);
  });
});

describe('Publish: an unknown outcome stays unknown until settled', () => {
  const lostOn503 = {
    error_code: 'HRF.0502.OUTCOME_UNKNOWN',
    error_msg: 'Huawei Cloud received CreateFactoryPendingItemsPackage, but it failed with status 503 APIG.0202: whether it was applied is unknown, so check before sending it again',
    request_id: RID,
  };
  // Whatever stopped the retry, the earlier attempt's answer is still what is missing.
  const stillUnknown = {
    error_code: 'HRF.0502.OUTCOME_UNKNOWN',
    error_msg: 'Huawei Cloud received CreateFactoryPendingItemsPackage, but its answer was lost: whether it was applied is unknown, so check before sending it again',
    request_id: RID,
  };
  const reused = {
    error_code: 'HRF.0422.IDEMPOTENCY_KEY_REUSED',
    error_msg: 'This Idempotency-Key was already used with a different request',
    request_id: RID,
    fields: [{ field: 'headers.idempotency-key', message: 'was used with a different payload' }],
  };

  it('keeps it unknown when the retry cannot look the name up: the key with another payload stays 422, the next retry reconciles', async () => {
    // Prepare: both attempts of the publish answered 503 (outcome unknown).
    const handler = makeHandler();
    const key = { 'Idempotency-Key': 'key-lookupdown-1' };
    const body = bodyFor('rel_lookup_down', SEED.unpackagedItemIds.slice(0, 1));
    emulator.setFaults({ serverErrorRatio: 1, pathPattern: '/pending-items/package$' });
    const lost = await call(handler, body, key);
    // Act: the retry's name lookup is unavailable; then the key with another payload; then the retry again.
    emulator.setFaults({ serverErrorRatio: 1, pathPattern: '/factory/release-packages$' });
    const lookupDown = await call(handler, body, key);
    emulator.setFaults({});
    const before = emulator.requests.length;
    const other = await call(handler, bodyFor('rel_lookup_down_b', SEED.unpackagedItemIds.slice(1, 2)), key);
    const sentByOther = emulator.requests.length - before;
    const settled = await call(handler, body, key);
    // Assess
    const id = (settled.body as { release_package_id?: string }).release_package_id;
    expect([lost.statusCode, lost.body, lookupDown.statusCode, lookupDown.body, other.statusCode, other.body, sentByOther, settled.statusCode, settled.body]).toStrictEqual([
      502,
      lostOn503,
      502,
      stillUnknown,
      422,
      reused,
      0,
      201,
      { package_name: 'rel_lookup_down', release_package_id: id, replayed: false },
    ]);
    expect(publishes().map((r) => r.status)).toStrictEqual([503, 503, 200]);
    expect(auditOf('rel_lookup_down')).toStrictEqual([
      ['unknown', 'http APIG.0202', 'key-lookupdown-1'],
      ['unknown', 'looking it up failed', 'key-lookupdown-1'],
      ['succeeded', undefined, 'key-lookupdown-1'],
    ]);
  });

  it('sends nothing again while the pending items cannot be read after a lost answer the lookup does not list yet', async () => {
    // Prepare: the publish is applied, its answer lost, and the package list lags behind.
    const { handler, lag } = laggingHandler();
    const key = { 'Idempotency-Key': 'key-itemsdown-01' };
    const body = bodyFor('rel_items_down', SEED.unpackagedItemIds.slice(0, 2));
    emulator.setFaults({ dropRatio: 1, faultTiming: 'after', pathPattern: '/pending-items/package$' });
    const lost = await call(handler, body, key);
    // Act: the retry cannot read the pending items (503); the key with another payload; the lookup catches up.
    emulator.setFaults({ serverErrorRatio: 1, pathPattern: '/factory/pending-items$' });
    const itemsDown = await call(handler, body, key);
    emulator.setFaults({});
    const other = await call(handler, bodyFor('rel_items_down_b', SEED.unpackagedItemIds.slice(2, 3)), key);
    lag.on = false;
    const settled = await call(handler, body, key);
    // Assess
    const id = emulator.state.packages.find((p) => p.row.package_name === 'rel_items_down')?.row.package_id;
    expect([lost.statusCode, lost.body, itemsDown.statusCode, itemsDown.body, other.statusCode, other.body, settled.statusCode, settled.body]).toStrictEqual([
      502,
      stillUnknown,
      502,
      stillUnknown,
      422,
      reused,
      200,
      { package_name: 'rel_items_down', release_package_id: id, replayed: true },
    ]);
    expect(publishes()).toHaveLength(1);
    expect(auditOf('rel_items_down')).toStrictEqual([
      ['unknown', 'network', 'key-itemsdown-01'],
      ['unknown', 'reading its pending items failed', 'key-itemsdown-01'],
      ['replayed', undefined, 'key-itemsdown-01'],
    ]);
  });

  it('keeps it unknown when the resend after an unknown outcome is refused (429), then publishes once on the next retry', async () => {
    // Prepare: both attempts answered 503, nothing applied.
    const handler = makeHandler();
    const key = { 'Idempotency-Key': 'key-resend4xx-01' };
    const body = bodyFor('rel_resend_4xx', SEED.unpackagedItemIds.slice(0, 1));
    emulator.setFaults({ serverErrorRatio: 1, pathPattern: '/pending-items/package$' });
    await call(handler, body, key);
    // Act: the retry's resend is throttled; the key with another payload; the retry again.
    emulator.setFaults({ throttleRatio: 1, pathPattern: '/pending-items/package$' });
    const throttled = await call(handler, body, key);
    emulator.setFaults({});
    const other = await call(handler, bodyFor('rel_resend_4xx_b', SEED.unpackagedItemIds.slice(1, 2)), key);
    const settled = await call(handler, body, key);
    // Assess
    const id = (settled.body as { release_package_id?: string }).release_package_id;
    expect([throttled.statusCode, throttled.body, other.statusCode, other.body, settled.statusCode, settled.body]).toStrictEqual([
      502,
      stillUnknown,
      422,
      reused,
      201,
      { package_name: 'rel_resend_4xx', release_package_id: id, replayed: false },
    ]);
    expect(publishes().filter((r) => r.status === 200)).toHaveLength(1);
    expect(auditOf('rel_resend_4xx').map((line) => line[0])).toStrictEqual(['unknown', 'unknown', 'succeeded']);
  });
});
