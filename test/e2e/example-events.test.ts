/**
 * The example events in events/ work: each HTTP one through its function against the local cloud, and
 * `npx osls invoke local` itself (the command users run) on one of them and on every timer and event example,
 * with the settings docs/timers-and-events.md gives.
 */
import { execFile } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { SEED, startEmulator, type RunningEmulator } from '../../emulator';
import { listPendingItemsRoute } from '../../functions/http/list-pending-items';
import { pipelineEventWebhookRoute } from '../../functions/http/pipeline-event-webhook';
import { publishReleasePackageRoute } from '../../functions/http/publish-release-package';
import { queryReleasePackagesRoute } from '../../functions/http/query-release-packages';
import { rejectManualReviewRoute } from '../../functions/http/reject-manual-review';
import { startDeployTaskRoute } from '../../functions/http/start-deploy-task';
import { handler as openapiHandler } from '../../functions/http/openapi';
import { httpFunction, type AnyRouteSpec } from '../../shared/http-function';
import { fixedRuntime, testRuntime } from '../helpers/runtime';
import { lambdaContext, functionGraphContext } from '../helpers/contexts';
import { parseResponse } from '../helpers/http-events';
import { localFunctionEnv, DEFAULT_LOCAL_API_TOKEN, LOCAL_TIMER_SETTINGS } from '../../scripts/local-stack';

const ROOT = join(__dirname, '..', '..');
const readEvent = (name: string) => JSON.parse(readFileSync(join(ROOT, 'events', name), 'utf8')) as Record<string, unknown>;

let emulator: RunningEmulator;
beforeAll(async () => {
  emulator = await startEmulator();
});
afterAll(async () => {
  await emulator.close();
});

const ROUTES: Array<[string, unknown, number]> = [
  ['list-pending-items', listPendingItemsRoute, 200],
  ['publish-release-package', publishReleasePackageRoute, 201],
  ['query-release-packages', queryReleasePackagesRoute, 200],
  ['start-deploy-task', startDeployTaskRoute, 200],
  ['reject-manual-review', rejectManualReviewRoute, 200],
  // 200 whatever the gate decides (a malformed event included): what it decided is checked below.
  ['pipeline-event-webhook', pipelineEventWebhookRoute, 200],
];

/** The examples authenticate with the local token, as `npm start` and .env.local configure it. */
const exampleRuntime = () => fixedRuntime(testRuntime(emulator.url, {}, { HRF_CLIENTS: localFunctionEnv(undefined, DEFAULT_LOCAL_API_TOKEN, {}).HRF_CLIENTS ?? '' }));

describe('Example events', () => {
  it.each(['aws', 'functiongraph'] as const)('every HTTP example event in the %s shape succeeds against the local cloud', async (platform) => {
    emulator.reset();
    const runtime = exampleRuntime();
    const statuses: Array<[string, number]> = [];
    for (const [name, route] of ROUTES) {
      const handler = httpFunction(route as AnyRouteSpec, runtime);
      const context = platform === 'aws' ? lambdaContext() : functionGraphContext();
      const response = await handler(readEvent(`${name}.${platform}.json`), context as never);
      statuses.push([name, response.statusCode]);
    }
    const openapi = await openapiHandler(readEvent(`openapi.${platform}.json`), lambdaContext());
    statuses.push(['openapi', openapi.statusCode]);
    expect(statuses).toStrictEqual([...ROUTES.map(([name, , status]) => [name, status] as [string, number]), ['openapi', 200]]);
  });

  it.each(['aws', 'functiongraph'] as const)('the pipeline event webhook example in the %s shape rejects the review of a withdrawn package', async (platform) => {
    emulator.reset();
    const handler = httpFunction(pipelineEventWebhookRoute, exampleRuntime());
    const requestId = `example-${platform}-0001`;
    const context = platform === 'aws' ? lambdaContext({ awsRequestId: requestId }) : functionGraphContext({ requestId });
    const response = parseResponse(await handler(readEvent(`pipeline-event-webhook.${platform}.json`), context as never));
    const s = SEED.pipelines.waiting3;
    expect(response).toStrictEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': requestId },
      body: {
        status: 'rejected',
        reason: `release package ${SEED.packages.withdrawn} was withdrawn`,
        event_id: 'evt-review-waiting-0003',
        step: { pipeline_id: s.pipelineId, pipeline_run_id: s.runId, job_run_id: s.jobRunId, step_run_id: s.stepRunId },
        package_id: SEED.packages.withdrawn,
      },
      isBase64Encoded: false,
    });
  });

  /** `npx osls invoke local -f <fn> --path <event> [-e …]` as docs/timers-and-events.md shows it; its printed result. */
  async function invokeLocal(fn: string, event: string, settings: string[] = []): Promise<Record<string, unknown>> {
    const env: NodeJS.ProcessEnv = { ...process.env, ...localFunctionEnv(emulator, DEFAULT_LOCAL_API_TOKEN), SLS_TELEMETRY_DISABLED: '1' };
    // Only the settings the docs give: none of npm start's local ones for the timers.
    for (const name of Object.keys(LOCAL_TIMER_SETTINGS)) delete env[name];
    const args = [join(ROOT, 'node_modules/osls/bin/serverless.js'), 'invoke', 'local', '-f', fn, '--path', `events/${event}`, ...settings.flatMap((setting) => ['-e', setting])];
    const { stdout } = await promisify(execFile)(process.execPath, args, { cwd: ROOT, env, timeout: 120_000, maxBuffer: 10 * 1024 * 1024 });
    return JSON.parse(stdout.slice(stdout.indexOf('\n{\n') + 1)) as Record<string, unknown>;
  }

  it('the timer and event examples run with `npx osls invoke local` and the settings the docs give', async () => {
    emulator.reset();
    // The docs' deploy window (this hour), widened to the next should the hour turn during the test.
    const hour = new Date().getUTCHours();
    const results = {
      checkTimer: await invokeLocal('releaseCheck', 'release-check.timer.json'),
      checkSchedule: await invokeLocal('releaseCheck', 'release-check.schedule.json'),
      train: await invokeLocal('releaseTrain', 'release-train.timer.json', [`RELEASE_TRAIN_APPLICANT_ID=${SEED.users.applicant}`, `RELEASE_TRAIN_APPROVER_IDS=${SEED.users.approver}`]),
      window: await invokeLocal('deployWindow', 'deploy-window.timer.json', [`DEPLOY_WINDOW_TASK_IDS=${SEED.deployTasks.idle},${SEED.deployTasks.failing}`, `DEPLOY_WINDOW_ALLOW=* ${hour},${(hour + 1) % 24} * * *`]),
      gate: await invokeLocal('pipelineGate', 'pipeline-gate.cloudevent.json'),
    };
    // The example events carry 2026-11-23, before the local cloud's packages and items: the check finds no news
    // and the train nothing to take, and says why; the deploy window and the gate act now.
    const report = {
      workspace: emulator.identity.workspace,
      window: { start: '2026-11-23T00:15:00.000Z', end: '2026-11-23T00:30:00.000Z' },
      thresholds: { approval_minutes: 240, releasing_minutes: 60 },
      news: false,
      complete: true,
      awaiting_approval: { new: [], new_total: 0, outstanding: 0 },
      failed: { new: [], new_total: 0 },
      releasing_too_long: { new: [], new_total: 0, outstanding: 0 },
    };
    const started = (taskId: string) => ({ task_id: taskId, outcome: 'started', record_id: expect.stringMatching(/^[0-9a-f]{32}$/) });
    const today = new Date();
    const s = SEED.pipelines.waiting;
    expect(results).toStrictEqual({
      checkTimer: { status: 'reported', report, notification: { state: 'not-needed' } },
      checkSchedule: { status: 'reported', report, notification: { state: 'not-needed' } },
      train: {
        status: 'skipped',
        reason: 'no pending item matches the rules (40 pending, 40 not matching: 30 submitted after the departure, 10 already packaged)',
        window: { start: '2026-11-22T08:00:00.000Z', end: '2026-11-23T08:00:00.000Z' },
        package_name: 'train_20261123T0800Z',
        items: [],
        deferred: [],
      },
      window: {
        status: 'done',
        checked_at: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
        window_start: new Date(Date.UTC(today.getUTCFullYear(), today.getUTCMonth(), today.getUTCDate(), hour)).toISOString(),
        tasks: [started(SEED.deployTasks.idle), started(SEED.deployTasks.failing)],
      },
      gate: {
        status: 'rejected',
        reason: `release package ${SEED.packages.failed} failed to release`,
        step: { pipeline_id: s.pipelineId, pipeline_run_id: s.runId, job_run_id: s.jobRunId, step_run_id: s.stepRunId },
        package_id: SEED.packages.failed,
        event_id: 'evt-review-waiting-0001',
      },
    });
  }, 300_000);

  it('`npx osls invoke local` runs a function with its example event', async () => {
    emulator.reset();
    const env = { ...process.env, ...localFunctionEnv(emulator, DEFAULT_LOCAL_API_TOKEN), SLS_TELEMETRY_DISABLED: '1' };
    const { stdout } = await promisify(execFile)(
      process.execPath,
      [join(ROOT, 'node_modules/osls/bin/serverless.js'), 'invoke', 'local', '-f', 'listPendingItems', '--path', 'events/list-pending-items.functiongraph.json'],
      { cwd: ROOT, env, timeout: 120_000, maxBuffer: 10 * 1024 * 1024 },
    );
    const printed = stdout.slice(stdout.indexOf('{\n'));
    const result = JSON.parse(printed) as { statusCode: number; body: { total: number; data: unknown[] } | string };
    const body = typeof result.body === 'string' ? (JSON.parse(result.body) as { total: number; data: unknown[] }) : result.body;
    expect([result.statusCode, body.data.length, emulator.requests.map((r) => r.operation)]).toStrictEqual([200, 5, ['ListFactoryPendingItems']]);
  }, 150_000);
});
