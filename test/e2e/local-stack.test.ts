/**
 * End to end: `npm start`'s stack (the local Huawei Cloud + serverless-offline running the bundled
 * functions) started on free ports, every route driven over real HTTP; then what it does with the timers
 * and with serverless-offline's Lambda invoke endpoint.
 *
 * The stacks run one after the other: each builds the bundles into the same .esbuild folder.
 */
import axios from 'axios';
import { readFileSync, statSync } from 'node:fs';
import { request } from 'node:http';
import { dirname, join } from 'node:path';
import { freePort, startLocalStack, startOptionsFromEnv, type LocalStack } from '../../scripts/local-stack';
import { SEED } from '../../emulator/seed';
import { DEFAULT_IDENTITY } from '../../emulator/identity';

const TOKEN = 'test-bearer-token-all-0001';
const ROOT = join(__dirname, '..', '..');

/**
 * A deploy window open all day over the `failing` task (nothing started it yet), on a schedule that only
 * this test uses, `rate(7 minutes)`, which serverless-offline turns into the cron `*\/7 * * * *`.
 */
const DEPLOY_WINDOW_ENV = { DEPLOY_WINDOW_SCHEDULE: 'rate(7 minutes)', DEPLOY_WINDOW_TASK_IDS: SEED.deployTasks.failing, DEPLOY_WINDOW_ALLOW: '* * * * *' };

/**
 * Test-only preload for the serverless-offline process: schedules that cron every second instead of every
 * 7 minutes, so a timer that is scheduled fires within the test (node-schedule as in scripts/local-stack.ts).
 */
function everySecondPreload(): string {
  const source = [
    "import { createRequire } from 'node:module';",
    "import { isMainThread } from 'node:worker_threads';",
    'if (isMainThread) {',
    `  const schedule = createRequire(${JSON.stringify(join(ROOT, 'node_modules/serverless-offline/package.json'))})('node-schedule');`,
    '  const scheduleJob = schedule.scheduleJob;',
    "  schedule.scheduleJob = (cron, job) => scheduleJob.call(schedule, cron === '*/7 * * * *' ? '* * * * * *' : cron, job);",
    '}',
  ].join('\n');
  return `--import=data:text/javascript,${encodeURIComponent(source)}`;
}
const TIMER_TEST_ENV = { ...DEPLOY_WINDOW_ENV, NODE_OPTIONS: everySecondPreload() };

const EXPECTED_TIMERS = [
  { functionName: 'releaseCheck', cron: '*/15 * * * *' },
  { functionName: 'releaseTrain', cron: '0 8 * * ?' },
  { functionName: 'deployWindow', cron: '*/7 * * * *' },
];

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

const startedTasks = (stack: LocalStack) => (stack.emulator?.requests ?? []).filter((r) => r.operation === 'StartDeployTask').map((r) => r.path);

/** POSTs a JSON event to serverless-offline's invoke endpoint (a Unix socket path). */
function invokeOverSocket(socketPath: string, functionName: string, event: unknown): Promise<{ status: number | undefined; body: unknown }> {
  return new Promise((resolve, reject) => {
    const req = request(
      { socketPath, method: 'POST', path: `/2015-03-31/functions/${functionName}/invocations`, headers: { 'content-type': 'application/json' } },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(JSON.stringify(event));
  });
}

describe('Local stack over HTTP', () => {
  let stack: LocalStack;
  const output: string[] = [];

  beforeAll(async () => {
    // As `npm start` reads them, with EMULATOR_* settings it used to ignore.
    const options = startOptionsFromEnv({
      PORT: String(await freePort()),
      EMULATOR_PORT: '0',
      EMULATOR_SEED_SIZE: '60',
      EMULATOR_LATENCY_MS: '1',
      LOCAL_API_TOKEN: TOKEN,
      HRF_LOCAL_TIMERS: 'off',
    });
    stack = await startLocalStack({ ...options, env: TIMER_TEST_ENV, onOutput: (line) => output.push(line) });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  const http = () =>
    axios.create({ baseURL: stack.url, validateStatus: () => true, headers: { Authorization: `Bearer ${TOKEN}` }, timeout: 30_000 });

  it('serves the local cloud the EMULATOR_* variables describe', async () => {
    const response = await http().post('/v1/release-packages/query', { limit: 1 });
    expect([response.status, response.data.total]).toStrictEqual([200, 60]);
    expect(stack.emulator?.getFaults()).toStrictEqual({ latencyMs: 1 });
  });

  it('lists pending items', async () => {
    const response = await http().get('/v1/pending-items', { params: { limit: 5 } });
    expect(response.status).toBe(200);
    expect(response.data.data).toHaveLength(5);
    expect(typeof response.data.total).toBe('number');
  });

  it('publishes a release package, and a retry answers the same package', async () => {
    const items = SEED.unpackagedItemIds.slice(0, 2);
    const body = { package_name: 'e2e_release_1', pending_item_list: items, approver_ids: [SEED.users.approver], apply_user_id: SEED.users.applicant };
    const first = await http().post('/v1/release-packages', body);
    const retry = await http().post('/v1/release-packages', body);
    expect(first.status).toBe(201);
    expect(first.data).toStrictEqual({ package_name: 'e2e_release_1', release_package_id: expect.stringMatching(/^[0-9]+$/), replayed: false });
    expect(retry.status).toBe(200);
    expect(retry.data).toStrictEqual({ ...first.data, replayed: true });
  });

  it('queries release packages', async () => {
    const response = await http().post('/v1/release-packages/query', { key_word: 'e2e_release_1', limit: 10 });
    expect(response.status).toBe(200);
    expect(response.data.data.map((p: { package_name: string }) => p.package_name)).toStrictEqual(['e2e_release_1']);
  });

  it('starts a deploy task', async () => {
    const response = await http().post(`/v1/deploy-tasks/${SEED.deployTasks.idle}/start`, {});
    expect(response.status).toBe(200);
    expect(response.data.task_id).toBe(SEED.deployTasks.idle);
    expect(response.data.id).toMatch(/^[A-Za-z0-9]{32}$/);
  });

  it('rejects a manual review once, then answers already decided', async () => {
    const r = SEED.pipelines.waiting;
    const path = `/v1/pipelines/${r.pipelineId}/runs/${r.runId}/jobs/${r.jobRunId}/steps/${r.stepRunId}/refuse`;
    const first = await http().post(path);
    const second = await http().post(path);
    expect([first.status, first.data]).toStrictEqual([200, { success: true }]);
    expect(second.status).toBe(409);
    expect(second.data.error_code).toBe('HRF.0409.ALREADY_DECIDED');
  });

  it('rejects a manual review from a pipeline event sent to the webhook', async () => {
    const r = SEED.pipelines.waiting3;
    const step = { pipeline_id: r.pipelineId, pipeline_run_id: r.runId, job_run_id: r.jobRunId, step_run_id: r.stepRunId };
    const event = { specversion: '1.0', id: 'evt-e2e-0001', source: 'codearts/pipeline', type: 'com.huaweicloud.codearts.pipeline.review.waiting', data: { ...step, package_id: SEED.packages.failed } };
    const response = await http().post('/v1/events/pipeline', event);
    expect([response.status, response.data]).toStrictEqual([
      200,
      { status: 'rejected', reason: `release package ${SEED.packages.failed} failed to release`, event_id: 'evt-e2e-0001', step, package_id: SEED.packages.failed },
    ]);
  });

  it('serves the OpenAPI document, and its headers alone to HEAD', async () => {
    const response = await http().get('/v1/openapi.json');
    const head = await http().head('/v1/openapi.json');
    expect([response.status, response.data.openapi, head.status, head.headers['content-type'], head.data]).toStrictEqual([200, '3.1.0', 200, 'application/json; charset=utf-8', '']);
  });

  it('refuses a request without a token', async () => {
    const response = await axios.get(`${stack.url}/v1/pending-items`, { validateStatus: () => true });
    expect(response.status).toBe(401);
    expect(response.data.error_code).toBe('HRF.0401');
  });

  it('with HRF_LOCAL_TIMERS=off does not fire the timers, and does not announce them as scheduled', async () => {
    // Prepare: deployWindow's schedule fires every second here (TIMER_TEST_ENV); scheduled, it starts the
    // `failing` task within a second of the start (the next describe).
    await sleep(3_000);

    // Assess: the one deployment started is the HTTP test's.
    expect(startedTasks(stack)).toStrictEqual([`/v2/tasks/${SEED.deployTasks.idle}/start`]);
    expect(stack.timers).toStrictEqual(EXPECTED_TIMERS.map((timer) => ({ ...timer, scheduled: false })));
    expect(output.filter((line) => line.includes('Scheduling ['))).toStrictEqual([]);
  });

  it('serves Lambda invocations on a socket in a directory only this user may enter, not on the HTTP port', async () => {
    // Prepare
    const event = JSON.parse(readFileSync(join(ROOT, 'events/release-check.schedule.json'), 'utf8')) as unknown;
    const directory = statSync(dirname(stack.invokeEndpoint));

    // Act
    const overSocket = await invokeOverSocket(stack.invokeEndpoint, 'hwc-release-functions-local-releaseCheck', event);
    const overHttpPort = await axios.post(`${stack.url}/2015-03-31/functions/hwc-release-functions-local-releaseCheck/invocations`, event, {
      validateStatus: () => true,
    });

    // Assess
    expect([directory.isDirectory(), directory.mode & 0o777, directory.uid]).toStrictEqual([true, 0o700, process.getuid?.()]);
    expect(statSync(stack.invokeEndpoint).isSocket()).toBe(true);
    expect(output).toContain(`Offline [http for lambda] listening on http://localhost:${stack.invokeEndpoint}`);
    expect([overSocket.status, (overSocket.body as { status: string }).status]).toStrictEqual([200, 'reported']);
    expect(overHttpPort.status).toBe(404);
  });
});

describe('Local stack with the timers on (the default with the local cloud)', () => {
  let stack: LocalStack;

  beforeAll(async () => {
    const options = startOptionsFromEnv({ PORT: String(await freePort()), EMULATOR_PORT: '0', LOCAL_API_TOKEN: TOKEN });
    // No deploy task of ours: the local setting (the idle task) lets it run. A window open since the top of this
    // hour (and through the next, should the hour turn meanwhile): the idle task's seeded deployments are older.
    const hour = new Date().getUTCHours();
    const env = { DEPLOY_WINDOW_SCHEDULE: DEPLOY_WINDOW_ENV.DEPLOY_WINDOW_SCHEDULE, DEPLOY_WINDOW_ALLOW: `* ${hour},${(hour + 1) % 24} * * *`, NODE_OPTIONS: everySecondPreload() };
    stack = await startLocalStack({ ...options, env, onOutput: () => undefined });
  }, 180_000);

  afterAll(async () => {
    await stack?.stop();
  }, 30_000);

  it('fires the timers on their schedules, with the local settings they need', async () => {
    // Act: wait for deployWindow's first start (it fires every second here), then a few more firings.
    const historyReads = () => (stack.emulator?.requests ?? []).filter((r) => r.operation === 'ListDeployTaskHistoryByDate').map((r) => r.path);
    const deadline = Date.now() + 20_000;
    while (startedTasks(stack).length === 0 && Date.now() < deadline) await sleep(100);
    await sleep(2_000);

    // Assess: it read the idle task's history (the local setting) and started it once in its window.
    expect([historyReads()[0], startedTasks(stack)]).toStrictEqual([
      `/v2/${DEFAULT_IDENTITY.codeartsProjectId}/task/${SEED.deployTasks.idle}/history`,
      [`/v2/tasks/${SEED.deployTasks.idle}/start`],
    ]);
    expect(stack.timers).toStrictEqual(EXPECTED_TIMERS.map((timer) => ({ ...timer, scheduled: true })));
  });

  it('stops everything: the functions, the local cloud and the invoke socket directory', async () => {
    // Act
    await stack.stop();

    // Assess
    const refused = await axios.get(`${stack.url}/v1/openapi.json`).then(
      () => 'answered',
      (error: { code?: string }) => error.code,
    );
    const emulatorRefused = await axios.get(`${stack.emulator?.url}/_emulator/health`).then(
      () => 'answered',
      (error: { code?: string }) => error.code,
    );
    expect([refused, emulatorRefused]).toStrictEqual(['ECONNREFUSED', 'ECONNREFUSED']);
    expect(() => statSync(dirname(stack.invokeEndpoint))).toThrow(expect.objectContaining({ code: 'ENOENT' }));
  });
});
