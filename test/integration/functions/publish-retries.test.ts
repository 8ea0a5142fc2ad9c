/**
 * Publishing is safe to retry (../shared/reliability.md promises 1–5), against the local cloud:
 * exactly one upstream publish however the caller, the gateway or the network repeats it.
 */
import { startEmulator, SEED, type RunningEmulator } from '../../../emulator';
import { publishReleasePackageRoute } from '../../../functions/http/publish-release-package';
import { httpFunction, type AnyRouteSpec } from '../../../shared/http-function';
import { APP, fixedRuntime, testRuntime, TOKENS } from '../../helpers/runtime';
import { gatewayEvent, parseResponse, signGatewayEvent } from '../../helpers/http-events';
import { lambdaContext } from '../../helpers/contexts';
import { logsMatching } from '../../helpers/logs';
import { startFakeUpstream } from '../../helpers/fake-upstream';

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
      expect([first.statusCode, first.body, retry.statusCode, retry.body, unreadable.statusCode, (unreadable.body as { error_code: string }).error_code, [behindAgain.statusCode, behindAgain.body], settled.statusCode, settled.body]).toStrictEqual([
        502,
        unread('200 '),
        502,
        unread(''),
        502,
        'HRF.0502.UPSTREAM',
        [502, unread('')],
        200,
        { package_name: 'rel_lagging', release_package_id: '77', replayed: true },
      ]);
      expect(fake.requests.filter((r) => r.rawPath.endsWith('/pending-items/package'))).toHaveLength(1);
      expect(logsMatching((e) => e.audit === true && (e.target as { package_name?: string }).package_name === 'rel_lagging').map((e) => e.outcome)).toStrictEqual(['unknown', 'unknown', 'unknown', 'replayed']);
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
