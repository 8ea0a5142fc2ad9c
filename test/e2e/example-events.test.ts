/**
 * The example events in events/ work: each HTTP one through its function against the local cloud, and
 * `npx osls invoke local` itself on one of them (the command users run).
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
import { localFunctionEnv, DEFAULT_LOCAL_API_TOKEN } from '../../scripts/local-stack';

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
