/**
 * The FunctionGraph zips, opened and run the way FunctionGraph runs them (test/helpers/functiongraph-loader.ts):
 * index.js required in a fresh Node process, a context of getter methods, the function's environment
 * only through getUserData, the agency's temporary credentials from the context. Each function answers
 * the FunctionGraph APIG or TIMER event against the local Huawei Cloud, and the whole answer is checked:
 * against explicit values, or, where the cloud generates ids and times, against the same source handler
 * run in this process on the same (reset) cloud.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, SEED, type RunningEmulator } from '../../../emulator';
import type { ManifestFunction } from '../../../scripts/functiongraph/manifest';
import { readService } from '../../../scripts/functiongraph/service';
import { loadFunctionGraphZip, type InvocationOutcome, type LoadedFunction } from '../../helpers/functiongraph-loader';
import { functionGraphContext } from '../../helpers/contexts';
import { gatewayEvent } from '../../helpers/http-events';
import { admin } from '../../helpers/emulator';
import { findSecretsInLogs, TEST_SECRETS } from '../../helpers/logs';
import { clientsDocument, testRuntime, TOKENS } from '../../helpers/runtime';
import fgGet from '../../fixtures/events/functiongraph/apig-get.json';
import fgPost from '../../fixtures/events/functiongraph/apig-post.json';
import fgPlain from '../../fixtures/events/functiongraph/apig-plain-body.json';
import fgMulti from '../../fixtures/events/functiongraph/apig-multi-value-query.json';
import fgEmpty from '../../fixtures/events/functiongraph/apig-empty-body.json';
import fgTimer from '../../fixtures/events/functiongraph/timer.json';
import { handler as startDeployTaskHandler } from '../../../functions/http/start-deploy-task';
import openapiDocument from '../../../functions/http/openapi.json';
import { createReleaseCheck } from '../../../functions/timers/release-check';
import { createDeployWindow } from '../../../functions/timers/deploy-window';
import { createReleaseTrain } from '../../../functions/timers/release-train';
import { buildFunctionGraph, TEST_STAGE, type TestBuild } from './support';
import { listPendingItems, queryReleasePackages } from '../../../shared/http/dataarts';

const AGENCY = { accessKey: 'FGAGENCYTEMPAK000001', secretKey: 'fg-agency-temporary-secret-0001', securityToken: 'fg-agency-security-token-value-0001' };
TEST_SECRETS.add(AGENCY.secretKey);
TEST_SECRETS.add(AGENCY.securityToken);

let emulator: RunningEmulator;
let build: TestBuild;
const containers = new Map<string, LoadedFunction>();
const MIN = 60_000;

const fnOf = (key: string): ManifestFunction => {
  const fn = build.manifest.functions.find((f) => f.key === key);
  if (!fn) throw new Error(`no function ${key} in serverless.yml`);
  return fn;
};

/** What FunctionGraph holds as the function's environment: the manifest's values plus the deployment's. */
function userDataFor(fn: ManifestFunction, extra: Record<string, string> = {}): Record<string, string> {
  const values: Record<string, string> = {};
  for (const [name, entry] of Object.entries(fn.environment)) if (!entry.secret && entry.value !== '') values[name] = entry.value;
  return {
    ...values,
    HUAWEICLOUD_SDK_REGION: emulator.identity.region,
    HUAWEICLOUD_SDK_PROJECT_ID: emulator.identity.projectId,
    HUAWEICLOUD_DATAARTS_WORKSPACE: emulator.identity.workspace,
    HUAWEICLOUD_CODEARTS_PROJECT_ID: emulator.identity.codeartsProjectId,
    HUAWEICLOUD_ENDPOINT_DATAARTS: emulator.url,
    HUAWEICLOUD_ENDPOINT_CODEARTS_DEPLOY: emulator.url,
    HUAWEICLOUD_ENDPOINT_CODEARTS_PIPELINE: emulator.url,
    HUAWEICLOUD_ENDPOINT_IAM: emulator.url,
    HUAWEICLOUD_CALL_DEADLINE_MS: '10000',
    HRF_CLIENTS: clientsDocument(),
    ...extra,
  };
}

const TIMER_SETTINGS: Record<string, Record<string, string>> = {
  releaseTrain: { RELEASE_TRAIN_APPLICANT_ID: SEED.users.applicant, RELEASE_TRAIN_APPROVER_IDS: SEED.users.approver },
  deployWindow: { DEPLOY_WINDOW_TASK_IDS: SEED.deployTasks.idle, DEPLOY_WINDOW_ALLOW: '* * * * *', DEPLOY_WINDOW_TIMEZONE: 'UTC' },
};

/** One warm container per function (as FunctionGraph keeps an instance between invocations). */
async function container(key: string, extra: Record<string, string> = TIMER_SETTINGS[key] ?? {}): Promise<LoadedFunction> {
  const cached = containers.get(key);
  if (cached) return cached;
  const fn = fnOf(key);
  const loaded = await loadFunctionGraphZip(readFileSync(join(build.outDir, fn.zip)), {
    functionName: fn.name,
    timeoutSeconds: fn.timeoutSeconds,
    memoryMB: fn.memoryMB,
    projectId: emulator.identity.projectId,
    userData: userDataFor(fn, extra),
  });
  containers.set(key, loaded);
  return loaded;
}

const invoke = async (key: string, event: unknown, requestId: string) => (await container(key)).invoke(event, { requestId, credentials: AGENCY });

function answer(outcome: InvocationOutcome) {
  if (!outcome.ok) throw new Error(`the function failed: ${outcome.error.errorType}: ${outcome.error.errorMessage}`);
  const r = outcome.result as { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: boolean };
  return { statusCode: r.statusCode, headers: r.headers, body: JSON.parse(r.body) as unknown, isBase64Encoded: r.isBase64Encoded, bodyIsText: typeof r.body === 'string' };
}

const JSON_HEADERS = (requestId: string) => ({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': requestId });
const withAuth = <T extends { headers: Record<string, string> }>(event: T, token: string = TOKENS.all): T => ({ ...structuredClone(event), headers: { ...event.headers, authorization: `Bearer ${token}` } });

/** The captured TIMER event at the given instant, written with +08:00 as FunctionGraph does. */
function timerEvent(at: Date, triggerName: string) {
  const local = new Date(at.getTime() + 8 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00');
  return { ...structuredClone(fgTimer), time: local, trigger_name: triggerName };
}

async function resetCloud(): Promise<void> {
  emulator.reset();
  const added = await admin(emulator, 'POST', '/credentials', AGENCY);
  if (added.status !== 201) throw new Error(`could not add the agency credentials: ${added.text}`);
}

// The source handlers run here read process.env before user data: keep the functions' variables out of it.
const savedEnv: Record<string, string | undefined> = {};

beforeAll(async () => {
  emulator = await startEmulator();
  build = await buildFunctionGraph();
  for (const name of new Set(build.manifest.functions.flatMap((fn) => Object.keys(fn.environment)))) {
    savedEnv[name] = process.env[name];
    delete process.env[name];
  }
});

afterAll(async () => {
  for (const [name, value] of Object.entries(savedEnv)) if (value !== undefined) process.env[name] = value;
  const output = [...containers.values()].flatMap((c) => c.output());
  await Promise.all([...containers.values()].map((c) => c.close()));
  build?.cleanup();
  await emulator?.close();
  // The functions' own log lines (their stdout) hold no secret either.
  expect(findSecretsInLogs(output)).toStrictEqual([]);
});

beforeEach(async () => {
  // The functions sign with the real time; the cloud's clock is pinned near it so both runs of a
  // comparison see the same world.
  emulator.clock.set(new Date(Math.floor(Date.now() / MIN) * MIN));
  await resetCloud();
});

describe('FunctionGraph zips: loading', () => {
  it('holds index.js and nothing else in every zip, and every handler loads (2 or 3 parameters)', async () => {
    // Act
    const loaded = await Promise.all(
      build.manifest.functions.map(async (fn) => {
        const c = await container(fn.key);
        const outcome = await c.invoke({}, { requestId: `load-${fn.key}`, credentials: AGENCY });
        return { key: fn.key, entries: c.entries, loaded: outcome.ok || !/entry exception/.test(outcome.error.errorMessage) };
      }),
    );

    // Assess
    expect(loaded).toStrictEqual(build.manifest.functions.map((fn) => ({ key: fn.key, entries: ['index.js'], loaded: true })));
  });

  it('builds every function of serverless.yml', () => {
    // Act
    const keys = readService({ stage: TEST_STAGE, env: {} }).functions.map((f) => f.key);

    // Assess
    expect(build.manifest.functions.map((f) => f.key)).toStrictEqual(keys);
  });
});

describe('FunctionGraph zips: HTTP functions on APIG events', () => {
  it('listPendingItems answers the captured APIG GET event with what the cloud holds', async () => {
    // Act
    const response = answer(await invoke('listPendingItems', withAuth(fgGet, TOKENS.read), 'fg-list-0001'));

    // Assess: the answer, and the upstream call signed with the agency's token
    const calls = emulator.requests.map((r) => [r.operation, r.status, r.headers['x-security-token']]);
    const expected = (await listPendingItems(testRuntime(emulator.url).client, { limit: 5 })).data;
    expect(response).toStrictEqual({ statusCode: 200, headers: JSON_HEADERS('fg-list-0001'), body: expected, isBase64Encoded: false, bodyIsText: true });
    expect(calls).toStrictEqual([['ListFactoryPendingItems', 200, '[REDACTED]']]);
  });

  it('listPendingItems refuses a repeated query key for a single-valued field with a 400, not a malformed event', async () => {
    // Act
    const response = answer(await invoke('listPendingItems', withAuth(fgMulti, TOKENS.read), 'fg-list-0002'));

    // Assess
    expect(response).toStrictEqual({
      statusCode: 400,
      headers: JSON_HEADERS('fg-list-0002'),
      body: { error_code: 'HRF.0400', error_msg: 'Invalid request: query.task_type', request_id: 'fg-list-0002', fields: [{ field: 'query.task_type', message: expect.any(String) }] },
      isBase64Encoded: false,
      bodyIsText: true,
    });
    expect(emulator.requests).toStrictEqual([]);
  });

  it.each([
    ['base64 (the APIG default)', fgPost],
    ['not base64-encoded', fgPlain],
  ])('queryReleasePackages answers a POST whose body is %s', async (_label, fixture) => {
    // Act
    const response = answer(await invoke('queryReleasePackages', withAuth(fixture as typeof fgPost, TOKENS.read), 'fg-query-0001'));

    // Assess
    const expected = (await queryReleasePackages(testRuntime(emulator.url).client, { limit: 10, offset: 0 })).data;
    expect(response).toStrictEqual({ statusCode: 200, headers: JSON_HEADERS('fg-query-0001'), body: expected, isBase64Encoded: false, bodyIsText: true });
  });

  it('publishReleasePackage publishes once; the retry in the same container replays the package', async () => {
    // Prepare
    const body = { package_name: 'rel_fg_loader_1', pending_item_list: SEED.unpackagedItemIds.slice(0, 2), approver_ids: [SEED.users.approver], apply_user_id: SEED.users.applicant };
    const event = () => gatewayEvent({ platform: 'functiongraph', method: 'POST', path: '/v1/release-packages', body, bearer: TOKENS.all });

    // Act
    const first = answer(await invoke('publishReleasePackage', event(), 'fg-publish-0001'));
    const second = answer(await invoke('publishReleasePackage', event(), 'fg-publish-0002'));

    // Assess
    const created = emulator.state.packages.find((p) => p.row.package_name === 'rel_fg_loader_1');
    expect([first, second]).toStrictEqual([
      { statusCode: 201, headers: JSON_HEADERS('fg-publish-0001'), body: { package_name: 'rel_fg_loader_1', release_package_id: created?.row.package_id, replayed: false }, isBase64Encoded: false, bodyIsText: true },
      { statusCode: 200, headers: JSON_HEADERS('fg-publish-0002'), body: { package_name: 'rel_fg_loader_1', release_package_id: created?.row.package_id, replayed: true }, isBase64Encoded: false, bodyIsText: true },
    ]);
    expect(emulator.requests.filter((r) => r.operation === 'CreateFactoryPendingItemsPackage')).toHaveLength(1);
  });

  it('startDeployTask starts the task from an APIG event with an empty body and a path parameter', async () => {
    // Prepare
    const task = SEED.deployTasks.idle;
    const event = withAuth({ ...fgEmpty, path: `/v1/deploy-tasks/${task}/start`, pathParameters: { task_id: task } });

    // Act
    const bundled = answer(await invoke('startDeployTask', event, 'fg-start-0001'));
    const bundledCalls = emulator.requests.map((r) => `${r.method} ${r.path} ${r.status}`);
    await resetCloud();
    const source = (await startDeployTaskHandler(structuredClone(event), functionGraphContext({ requestId: 'fg-start-0001', credentials: AGENCY, userData: userDataFor(fnOf('startDeployTask')) }) as never)) as unknown;

    // Assess
    expect(bundled).toStrictEqual(answer({ ok: true, result: source }));
    expect(bundled.statusCode).toBe(200);
    expect(emulator.requests.map((r) => `${r.method} ${r.path} ${r.status}`)).toStrictEqual(bundledCalls);
  });

  it('rejectManualReview refuses a waiting review', async () => {
    // Prepare
    const s = SEED.pipelines.waiting;
    const path = `/v1/pipelines/${s.pipelineId}/runs/${s.runId}/jobs/${s.jobRunId}/steps/${s.stepRunId}/refuse`;
    const event = gatewayEvent({ platform: 'functiongraph', method: 'POST', path, pathParameters: { pipeline_id: s.pipelineId, pipeline_run_id: s.runId, job_run_id: s.jobRunId, step_run_id: s.stepRunId }, bearer: TOKENS.all });

    // Act
    const response = answer(await invoke('rejectManualReview', event, 'fg-refuse-0001'));

    // Assess
    expect(response).toStrictEqual({ statusCode: 200, headers: JSON_HEADERS('fg-refuse-0001'), body: { success: true }, isBase64Encoded: false, bodyIsText: true });
    expect(emulator.requests.filter((r) => r.operation === 'RejectManualReview' && r.status === 200)).toHaveLength(1);
  });

  it('openapi serves the OpenAPI document', async () => {
    // Act
    const response = answer(await invoke('openapi', gatewayEvent({ platform: 'functiongraph', method: 'GET', path: '/v1/openapi.json' }), 'fg-openapi-0001'));

    // Assess
    expect(response).toStrictEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', 'X-Request-Id': 'fg-openapi-0001' },
      body: openapiDocument,
      isBase64Encoded: false,
      bodyIsText: true,
    });
  });

  it('pipelineEventWebhook rejects the review of a failed package from its APIG event', async () => {
    // Prepare
    const s = SEED.pipelines.waiting;
    const step = { pipeline_id: s.pipelineId, pipeline_run_id: s.runId, job_run_id: s.jobRunId, step_run_id: s.stepRunId };
    const cloudEvent = { specversion: '1.0', id: 'evt-fg-0001', source: 'codearts/pipeline', type: 'com.huaweicloud.codearts.pipeline.review.waiting', datacontenttype: 'application/json', data: { ...step, package_id: '3' } };

    // Act
    const response = answer(await invoke('pipelineEventWebhook', gatewayEvent({ platform: 'functiongraph', method: 'POST', path: '/v1/events/pipeline', body: cloudEvent, bearer: TOKENS.all }), 'fg-webhook-0001'));

    // Assess
    expect(response).toStrictEqual({
      statusCode: 200,
      headers: JSON_HEADERS('fg-webhook-0001'),
      body: { status: 'rejected', reason: 'release package 3 failed to release', event_id: 'evt-fg-0001', step, package_id: '3' },
      isBase64Encoded: false,
      bodyIsText: true,
    });
  });

  it('answers 500 without detail when user data lacks a required setting, and logs the variable', async () => {
    // Prepare: a container of listPendingItems whose user data has no region
    const fn = fnOf('listPendingItems');
    const userData = userDataFor(fn);
    delete userData.HUAWEICLOUD_SDK_REGION;
    const broken = await loadFunctionGraphZip(readFileSync(join(build.outDir, fn.zip)), { functionName: fn.name, timeoutSeconds: fn.timeoutSeconds, userData });

    // Act
    const outcome = await broken.invoke(withAuth(fgGet, TOKENS.read), { requestId: 'fg-config-0001', credentials: AGENCY });
    const output = broken.output();
    await broken.close();

    // Assess
    expect(answer(outcome)).toStrictEqual({
      statusCode: 500,
      headers: JSON_HEADERS('fg-config-0001'),
      body: { error_code: 'HRF.0500', error_msg: 'Internal error', request_id: 'fg-config-0001' },
      isBase64Encoded: false,
      bodyIsText: true,
    });
    expect(output.some((line) => line.includes('HUAWEICLOUD_SDK_REGION'))).toBe(true);
    expect(emulator.requests).toStrictEqual([]);
  });
});

describe('FunctionGraph zips: timer functions on TIMER events', () => {
  const timers = [
    ['releaseCheck', () => createReleaseCheck()],
    ['deployWindow', () => createDeployWindow()],
    ['releaseTrain', () => createReleaseTrain()],
  ] as const;

  it.each(timers)('%s answers its TIMER event as the source handler does, with the same cloud calls', async (key, create) => {
    // Prepare: the firing the timer stands for (the start of the current period)
    const fn = fnOf(key);
    const timer = fn.triggers.find((t) => t.type === 'TIMER');
    if (!timer || timer.type !== 'TIMER') throw new Error(`${key} has no timer`);
    const firing = new Date(Math.floor(emulator.clock.now().getTime() / (15 * MIN)) * 15 * MIN);
    const event = timerEvent(firing, timer.name);

    // Act
    const bundled = await invoke(key, event, `fg-${key}-0001`);
    const bundledCalls = emulator.requests.map((r) => `${r.method} ${r.path}?${r.query} ${r.status}`);
    await resetCloud();
    const handler = create();
    const context = functionGraphContext({ requestId: `fg-${key}-0001`, credentials: AGENCY, userData: userDataFor(fn, TIMER_SETTINGS[key] ?? {}) });
    const source = (await handler(structuredClone(event), context as never)) as unknown;

    // Assess (deployWindow stamps its answer with the time it checked: each run has its own)
    const expected = JSON.parse(JSON.stringify(source)) as Record<string, unknown>;
    if (bundled.ok && 'checked_at' in expected) {
      const stamped = (bundled.result as Record<string, unknown>).checked_at;
      expect(Math.abs(Date.parse(String(stamped)) - Date.parse(String(expected.checked_at)))).toBeLessThan(10_000);
      expected.checked_at = stamped;
    }
    expect(bundled).toStrictEqual({ ok: true, result: expected });
    expect(emulator.requests.map((r) => `${r.method} ${r.path}?${r.query} ${r.status}`)).toStrictEqual(bundledCalls);
    expect(bundledCalls.length).toBeGreaterThan(0);
  });
});

describe('FunctionGraph zips: pipelineGate on pipeline events', () => {
  it('rejects the review of a failed package from an EventGrid CloudEvent, and acknowledges an APIG event without calling anything', async () => {
    // Prepare
    const s = SEED.pipelines.waiting;
    const step = { pipeline_id: s.pipelineId, pipeline_run_id: s.runId, job_run_id: s.jobRunId, step_run_id: s.stepRunId };
    const cloudEvent = { specversion: '1.0', id: 'evt-fg-0002', source: 'codearts/pipeline', type: 'com.huaweicloud.codearts.pipeline.review.waiting', datacontenttype: 'application/json', data: { ...step, package_id: '3' } };
    const request = gatewayEvent({ platform: 'functiongraph', method: 'POST', path: '/v1/events/pipeline', body: { ...cloudEvent, id: 'evt-fg-0003' }, bearer: TOKENS.all });

    // Act
    const event = await invoke('pipelineGate', cloudEvent, 'fg-gate-0001');
    const apig = await invoke('pipelineGate', request, 'fg-gate-0002');

    // Assess: the APIG event, sent after the rejection, called nothing more
    expect([event, apig, emulator.requests.map((r) => [r.operation, r.status])]).toStrictEqual([
      { ok: true, result: { status: 'rejected', reason: 'release package 3 failed to release', event_id: 'evt-fg-0002', step, package_id: '3' } },
      { ok: true, result: { status: 'ignored', reason: 'neither a CloudEvents 1.0 event nor an EventBridge event' } },
      [['ShowPipelineRunDetail', 200], ['ShowFactoryPackageDetail', 200], ['RejectManualReview', 200]],
    ]);
  });
});
