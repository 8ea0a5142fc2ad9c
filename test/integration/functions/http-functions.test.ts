/**
 * Each HTTP function through its real middy chain and the real client, against the local Huawei Cloud,
 * from both AWS and FunctionGraph events.
 */
import { startEmulator, SEED, type RunningEmulator } from '../../../emulator';
import { listPendingItemsRoute } from '../../../functions/http/list-pending-items';
import { publishReleasePackageRoute } from '../../../functions/http/publish-release-package';
import { queryReleasePackagesRoute } from '../../../functions/http/query-release-packages';
import { rejectManualReviewRoute } from '../../../functions/http/reject-manual-review';
import { startDeployTaskRoute } from '../../../functions/http/start-deploy-task';
import { httpFunction, type AnyRouteSpec } from '../../../shared/http-function';
import { fixedRuntime, testRuntime, TOKENS } from '../../helpers/runtime';
import { gatewayEvent, parseResponse, type EventPlatform } from '../../helpers/http-events';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';
import { logsMatching } from '../../helpers/logs';
import { listPendingItems } from '../../../shared/http/dataarts';

let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.reset();
});

const handlerFor = (route: unknown) => httpFunction(route as AnyRouteSpec, fixedRuntime(testRuntime(emulator.url)));
const contextFor = (platform: EventPlatform) => (platform === 'aws' ? lambdaContext() : functionGraphContext({ requestId: 'fg-request-0001' }));
const ridFor = (platform: EventPlatform) => (platform === 'aws' ? 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' : 'fg-request-0001');
const JSON_HEADERS = (platform: EventPlatform) => ({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': ridFor(platform) });
const PLATFORMS: EventPlatform[] = ['aws', 'functiongraph'];

/** What the local cloud itself answers for the same call, to compare the function's answer with. */
async function upstreamPendingItems(query: { limit: number; offset: number }) {
  const runtime = testRuntime(emulator.url);
  return (await listPendingItems(runtime.client, query)).data;
}

describe.each(PLATFORMS)('HTTP functions against the local cloud (%s events)', (platform) => {
  it('lists pending items as upstream has them', async () => {
    const response = parseResponse(await handlerFor(listPendingItemsRoute)(gatewayEvent({ platform, method: 'GET', path: '/v1/pending-items', query: { limit: '7', offset: '3' }, bearer: TOKENS.read }), contextFor(platform) as never));
    const expected = await upstreamPendingItems({ limit: 7, offset: 3 });
    expect(response).toStrictEqual({ statusCode: 200, headers: JSON_HEADERS(platform), body: expected, isBase64Encoded: false });
    expect(expected.data).toHaveLength(7);
  });

  it('refuses a query text that is not well-formed Unicode with a 400 naming the field, and calls nothing upstream', async () => {
    const response = parseResponse(await handlerFor(listPendingItemsRoute)(gatewayEvent({ platform, method: 'GET', path: '/v1/pending-items', query: { item_name: 'job_\uD800' }, bearer: TOKENS.read }), contextFor(platform) as never));
    expect(response).toStrictEqual({
      statusCode: 400,
      headers: JSON_HEADERS(platform),
      body: {
        error_code: 'HRF.0400',
        error_msg: 'Invalid request: query.item_name',
        request_id: ridFor(platform),
        fields: [{ field: 'query.item_name', message: 'must be valid Unicode text (it holds an unpaired surrogate)' }],
      },
      isBase64Encoded: false,
    });
    expect(emulator.requests).toStrictEqual([]);
  });

  it('queries release packages by status', async () => {
    const response = parseResponse(await handlerFor(queryReleasePackagesRoute)(gatewayEvent({ platform, method: 'POST', path: '/v1/release-packages/query', body: { deploy_status_filter: [3], limit: 100 }, bearer: TOKENS.read }), contextFor(platform) as never));
    const body = response.body as { total: number; data: Array<{ deploy_status: number }> };
    expect(response.statusCode).toBe(200);
    expect(body.total).toBeGreaterThan(0);
    expect(new Set(body.data.map((p) => p.deploy_status))).toStrictEqual(new Set([3]));
  });

  it('publishes pending items and a retry answers the same package without a second publish', async () => {
    const items = SEED.unpackagedItemIds.slice(0, 3);
    const body = { package_name: `rel_${platform}_1`, pending_item_list: items, approver_ids: [SEED.users.approver], apply_user_id: SEED.users.applicant };
    const fn = handlerFor(publishReleasePackageRoute);
    const first = parseResponse(await fn(gatewayEvent({ platform, method: 'POST', path: '/v1/release-packages', body, bearer: TOKENS.all }), contextFor(platform) as never));
    const second = parseResponse(await fn(gatewayEvent({ platform, method: 'POST', path: '/v1/release-packages', body, bearer: TOKENS.all }), contextFor(platform) as never));
    const created = first.body as { release_package_id: string };
    expect(first).toStrictEqual({ statusCode: 201, headers: JSON_HEADERS(platform), body: { package_name: body.package_name, release_package_id: created.release_package_id, replayed: false }, isBase64Encoded: false });
    expect(second).toStrictEqual({ statusCode: 200, headers: JSON_HEADERS(platform), body: { package_name: body.package_name, release_package_id: created.release_package_id, replayed: true }, isBase64Encoded: false });
    expect(emulator.requests.filter((r) => r.operation === 'CreateFactoryPendingItemsPackage')).toHaveLength(1);
  });

  it('refuses a publish naming items already in a release package with 422 naming each, and publishes nothing', async () => {
    const packaged = SEED.packagedItemIds[0] as string;
    const body = { package_name: `rel_${platform}_2`, pending_item_list: [SEED.unpackagedItemIds[0], packaged], approver_ids: [SEED.users.approver], apply_user_id: SEED.users.applicant };
    const response = parseResponse(await handlerFor(publishReleasePackageRoute)(gatewayEvent({ platform, method: 'POST', path: '/v1/release-packages', body, bearer: TOKENS.all }), contextFor(platform) as never));
    expect(response).toStrictEqual({
      statusCode: 422,
      headers: JSON_HEADERS(platform),
      body: {
        error_code: 'HRF.0422.ITEMS_PACKAGED',
        error_msg: 'Some pending items are already in a release package: body.pending_item_list.1',
        request_id: ridFor(platform),
        fields: [{ field: 'body.pending_item_list.1', message: 'is already in a release package (package_flag 1)' }],
      },
      isBase64Encoded: false,
    });
    expect([...emulator.requests.map((r) => r.operation)].sort()).toStrictEqual(['ListFactoryPendingItems', 'ListFactoryReleasePackages']);
  });

  it('keeps the upstream code when upstream refuses a publish the check could not foresee', async () => {
    // An id the pending items do not list: left for upstream to judge, which refuses it with its own code.
    const body = { package_name: `rel_${platform}_3`, pending_item_list: ['987654'], approver_ids: [SEED.users.approver], apply_user_id: SEED.users.applicant };
    const response = parseResponse(await handlerFor(publishReleasePackageRoute)(gatewayEvent({ platform, method: 'POST', path: '/v1/release-packages', body, bearer: TOKENS.all }), contextFor(platform) as never));
    expect(response).toStrictEqual({
      statusCode: 400,
      headers: JSON_HEADERS(platform),
      body: { error_code: 'DLF.3051', error_msg: 'The request parameter is invalid. The pending item 987654 does not exist.', request_id: ridFor(platform) },
      isBase64Encoded: false,
    });
    expect(emulator.requests.filter((r) => r.operation === 'CreateFactoryPendingItemsPackage')).toHaveLength(1);
  });

  it('starts a deploy task, and a task already deploying keeps its upstream code', async () => {
    const fn = handlerFor(startDeployTaskRoute);
    const started = parseResponse(await fn(gatewayEvent({ platform, method: 'POST', path: `/v1/deploy-tasks/${SEED.deployTasks.idle}/start`, pathParameters: { task_id: SEED.deployTasks.idle }, body: {}, bearer: TOKENS.all }), contextFor(platform) as never));
    const busy = parseResponse(await fn(gatewayEvent({ platform, method: 'POST', path: `/v1/deploy-tasks/${SEED.deployTasks.deploying}/start`, pathParameters: { task_id: SEED.deployTasks.deploying }, body: {}, bearer: TOKENS.all }), contextFor(platform) as never));
    expect(started.statusCode).toBe(200);
    expect(started.body).toMatchObject({ task_id: SEED.deployTasks.idle, id: expect.stringMatching(/^[A-Za-z0-9]{32}$/) });
    expect(busy.statusCode).toBe(400);
    expect(busy.body).toMatchObject({ error_code: 'Deploy.00011027' });
  });

  it('a client limited to some deploy tasks and pipelines uses those only: 403 for any other, and nothing is sent', async () => {
    const start = handlerFor(startDeployTaskRoute);
    const reject = handlerFor(rejectManualReviewRoute);
    const startEvent = (bearer: string, taskId: string) =>
      gatewayEvent({ platform, method: 'POST', path: `/v1/deploy-tasks/${taskId}/start`, pathParameters: { task_id: taskId }, body: {}, bearer });
    const step = SEED.pipelines.waiting3;
    const rejectEvent = (bearer: string) =>
      gatewayEvent({
        platform,
        method: 'POST',
        path: `/v1/pipelines/${step.pipelineId}/runs/${step.runId}/jobs/${step.jobRunId}/steps/${step.stepRunId}/refuse`,
        pathParameters: { pipeline_id: step.pipelineId, pipeline_run_id: step.runId, job_run_id: step.jobRunId, step_run_id: step.stepRunId },
        bearer,
      });
    const forbidden = (message: string) => ({ statusCode: 403, headers: JSON_HEADERS(platform), body: { error_code: 'HRF.0403', error_msg: message, request_id: ridFor(platform) }, isBase64Encoded: false });

    const otherTask = parseResponse(await start(startEvent(TOKENS.limited, SEED.deployTasks.failing), contextFor(platform) as never));
    const otherPipeline = parseResponse(await reject(rejectEvent(TOKENS.elsewhere), contextFor(platform) as never));
    expect([otherTask, otherPipeline, emulator.requests]).toStrictEqual([
      forbidden('This credential may not use that deploy task'),
      forbidden('This credential may not use that pipeline'),
      [],
    ]);

    const ownTask = parseResponse(await start(startEvent(TOKENS.limited, SEED.deployTasks.idle), contextFor(platform) as never));
    const ownPipeline = parseResponse(await reject(rejectEvent(TOKENS.limited), contextFor(platform) as never));
    expect([ownTask.statusCode, ownPipeline.statusCode]).toStrictEqual([200, 200]);
    expect(emulator.requests.map((r) => r.operation)).toStrictEqual(['StartDeployTask', 'ShowPipelineRunDetail', 'RejectManualReview']);
  });

  it('rejects a waiting manual review once; a repeat answers already decided and sends no second refusal', async () => {
    const step = SEED.pipelines.waiting;
    const pathParameters = { pipeline_id: step.pipelineId, pipeline_run_id: step.runId, job_run_id: step.jobRunId, step_run_id: step.stepRunId };
    const path = `/v1/pipelines/${step.pipelineId}/runs/${step.runId}/jobs/${step.jobRunId}/steps/${step.stepRunId}/refuse`;
    const fn = handlerFor(rejectManualReviewRoute);
    const first = parseResponse(await fn(gatewayEvent({ platform, method: 'POST', path, pathParameters, bearer: TOKENS.all }), contextFor(platform) as never));
    const second = parseResponse(await fn(gatewayEvent({ platform, method: 'POST', path, pathParameters, bearer: TOKENS.all }), contextFor(platform) as never));
    expect(first).toStrictEqual({ statusCode: 200, headers: JSON_HEADERS(platform), body: { success: true }, isBase64Encoded: false });
    expect(second).toStrictEqual({
      statusCode: 409,
      headers: JSON_HEADERS(platform),
      body: { error_code: 'HRF.0409.ALREADY_DECIDED', error_msg: 'The manual review was already decided (step status FAILED)', request_id: ridFor(platform) },
      isBase64Encoded: false,
    });
    expect(emulator.requests.map((r) => [r.operation, r.status])).toStrictEqual([
      ['ShowPipelineRunDetail', 200],
      ['RejectManualReview', 200],
      ['ShowPipelineRunDetail', 200],
    ]);
  });
});

describe('A workspace that does not exist', () => {
  const MISSING = 'ffffffffffffffffffffffffffffffff';
  const list = (extraEnv: Record<string, string>, headers: Record<string, string> = {}) =>
    httpFunction(listPendingItemsRoute as unknown as AnyRouteSpec, fixedRuntime(testRuntime(emulator.url, {}, extraEnv)))(
      gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', headers, bearer: TOKENS.read }),
      lambdaContext(),
    ).then(parseResponse);

  it('is the deployment\'s error (502 naming HUAWEICLOUD_DATAARTS_WORKSPACE) when it is the configured one', async () => {
    const response = await list({ HUAWEICLOUD_DATAARTS_WORKSPACE: MISSING });
    expect([response.statusCode, response.body]).toStrictEqual([
      502,
      {
        error_code: 'HRF.0502.CONFIG',
        error_msg: 'The DataArts workspace configured in HUAWEICLOUD_DATAARTS_WORKSPACE does not exist (ListFactoryPendingItems answered DLF.0819)',
        request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      },
    ]);
    expect(logsMatching((e) => e.level === 'error' && e.error_code === 'HRF.0502.CONFIG')).toHaveLength(1);
  });

  it('stays the caller\'s error, with DataArts\' code, when the caller named it', async () => {
    const response = await list({ HRF_WORKSPACE_ALLOWLIST: MISSING }, { 'X-Workspace-Id': MISSING });
    expect([response.statusCode, response.body]).toStrictEqual([
      400,
      { error_code: 'DLF.0819', error_msg: `The workspace ID does not exist: ${MISSING}.`, request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
    ]);
  });
});

describe('Audit', () => {
  it('logs one audit line per state-changing call with actor, targets, upstream request id and outcome', async () => {
    const body = { package_name: 'rel_audit_1', pending_item_list: SEED.unpackagedItemIds.slice(5, 6), approver_ids: [SEED.users.approver], apply_user_id: SEED.users.applicant };
    const before = logsMatching((e) => e.audit === true).length;
    await handlerFor(publishReleasePackageRoute)(gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages', body, bearer: TOKENS.all }), lambdaContext());
    const lines = logsMatching((e) => e.audit === true).slice(before);
    const upstream = emulator.requests.find((r) => r.operation === 'CreateFactoryPendingItemsPackage');
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatchObject({
      actor: 'all-scopes',
      action: 'publish-release-package',
      outcome: 'succeeded',
      upstream_request_id: upstream?.requestId,
      target: { package_name: 'rel_audit_1', pending_item_list: body.pending_item_list, workspace: emulator.identity.workspace },
    });
  });

  it('logs a publish answered from the name alone too: a replay, and a name taken by other items', async () => {
    const body = { package_name: 'rel_audit_2', pending_item_list: SEED.unpackagedItemIds.slice(6, 7), approver_ids: [SEED.users.approver], apply_user_id: SEED.users.applicant };
    const publish = (items: readonly string[]) =>
      handlerFor(publishReleasePackageRoute)(gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages', body: { ...body, pending_item_list: items }, bearer: TOKENS.all }), lambdaContext());
    const first = parseResponse(await publish(body.pending_item_list));
    const before = logsMatching((e) => e.audit === true).length;
    const again = parseResponse(await publish(body.pending_item_list));
    const taken = parseResponse(await publish(SEED.unpackagedItemIds.slice(7, 8)));
    const id = (first.body as { release_package_id: string }).release_package_id;
    const workspace = emulator.identity.workspace;
    expect([again.statusCode, taken.statusCode]).toStrictEqual([200, 409]);
    expect(logsMatching((e) => e.audit === true).slice(before).map(({ actor, action, target, outcome, reason }) => ({ actor, action, target, outcome, reason }))).toStrictEqual([
      { actor: 'all-scopes', action: 'publish-release-package', target: { workspace, package_name: 'rel_audit_2', pending_item_list: body.pending_item_list, release_package_id: id }, outcome: 'replayed', reason: undefined },
      {
        actor: 'all-scopes',
        action: 'publish-release-package',
        target: { workspace, package_name: 'rel_audit_2', pending_item_list: SEED.unpackagedItemIds.slice(7, 8), release_package_id: id },
        outcome: 'refused',
        reason: 'HRF.0409.PACKAGE_NAME_TAKEN',
      },
    ]);
  });
});
