/**
 * The first invocation of each function in a cold start: a FunctionGraph APIG event (the captured fixture's
 * shape, body base64) that succeeds against the freshly reset local cloud, and the status it must answer.
 * The references make the same call as listPendingItems (GET pending items, limit 5).
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { SEED } from '../../emulator';
import { ROOT } from './build';

export const BENCH_TOKEN = 'bench-bearer-token-0000000001';

export interface Invocation {
  readonly event: unknown;
  /** The HTTP status the first invocation must answer; null for a timer or event function. */
  readonly expectStatus: number | null;
  /** The `status` its result must carry: a timer's or event function's result, or an HTTP function's JSON body. */
  readonly expectResult?: string;
  /** The function's own configuration (serverless.yml `functions.<name>.environment`) for this invocation. */
  readonly env?: Readonly<Record<string, string>>;
}

interface ApigSpec {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly body?: unknown;
  readonly bearer?: boolean;
}

function fixture(name: string): Record<string, unknown> {
  return JSON.parse(readFileSync(join(ROOT, 'test', 'fixtures', 'events', name), 'utf8')) as Record<string, unknown>;
}

/** A FunctionGraph APIG event (the console template's shape: lowercase headers, base64 body). */
export function apigEvent(spec: ApigSpec): Record<string, unknown> {
  const base = fixture('functiongraph/apig-get.json');
  const headers: Record<string, string> = { ...(base.headers as Record<string, string>) };
  if (spec.bearer !== false) headers.authorization = `Bearer ${BENCH_TOKEN}`;
  const text = spec.body === undefined ? '' : JSON.stringify(spec.body);
  if (text !== '') headers['content-type'] = 'application/json';
  return {
    ...base,
    httpMethod: spec.method,
    path: spec.path,
    pathParameters: spec.pathParameters ?? {},
    queryStringParameters: spec.query ?? {},
    headers,
    body: Buffer.from(text, 'utf8').toString('base64'),
    isBase64Encoded: true,
  };
}

/** The event of the references and of listPendingItems. */
export function listPendingItemsInvocation(): Invocation {
  return { event: apigEvent({ method: 'GET', path: '/v1/pending-items', query: { limit: '5' } }), expectStatus: 200 };
}

const review = SEED.pipelines.waiting;

const HTTP_INVOCATIONS: Record<string, () => Invocation> = {
  listPendingItems: listPendingItemsInvocation,
  publishReleasePackage: () => ({
    event: apigEvent({
      method: 'POST',
      path: '/v1/release-packages',
      body: {
        package_name: 'bench_release_1',
        pending_item_list: SEED.unpackagedItemIds.slice(0, 2),
        approver_ids: [SEED.users.approver],
        apply_user_id: SEED.users.applicant,
      },
    }),
    expectStatus: 201,
  }),
  queryReleasePackages: () => ({
    event: apigEvent({ method: 'POST', path: '/v1/release-packages/query', body: { limit: 10 } }),
    expectStatus: 200,
  }),
  startDeployTask: () => ({
    event: apigEvent({
      method: 'POST',
      path: `/v1/deploy-tasks/${SEED.deployTasks.idle}/start`,
      pathParameters: { task_id: SEED.deployTasks.idle },
      body: {},
    }),
    expectStatus: 200,
  }),
  rejectManualReview: () => ({
    event: apigEvent({
      method: 'POST',
      path: `/v1/pipelines/${review.pipelineId}/runs/${review.runId}/jobs/${review.jobRunId}/steps/${review.stepRunId}/refuse`,
      pathParameters: { pipeline_id: review.pipelineId, pipeline_run_id: review.runId, job_run_id: review.jobRunId, step_run_id: review.stepRunId },
    }),
    expectStatus: 200,
  }),
  openapi: () => ({ event: apigEvent({ method: 'GET', path: '/v1/openapi.json', bearer: false }), expectStatus: 200 }),
  // The pipeline event of pipelineGate's first invocation, delivered over HTTP (a structured CloudEvent).
  pipelineEventWebhook: () => ({
    event: apigEvent({ method: 'POST', path: '/v1/events/pipeline', body: gateCloudEvent() }),
    expectStatus: 200,
    expectResult: 'rejected',
  }),
};

/** A FunctionGraph TIMER event fired at `at` (shown in Beijing time, as FunctionGraph does). */
export function timerEvent(at: Date): Record<string, unknown> {
  const beijing = new Date(at.getTime() + 8 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00');
  return { ...fixture('functiongraph/timer.json'), time: beijing };
}

/** The last quarter hour: a firing instant of rate(15 minutes). */
export function lastQuarterHour(now = Date.now()): Date {
  return new Date(Math.floor(now / 900_000) * 900_000);
}

/** releaseCheck's first firing: it must report. */
export function timerInvocation(at: Date = lastQuarterHour()): Invocation {
  return { event: timerEvent(at), expectStatus: null, expectResult: 'reported' };
}

/** Today's 08:00 UTC: a firing of the release train's default cron(0 8 * * ? *). */
function todayAtEight(): Date {
  const d = new Date();
  d.setUTCHours(8, 0, 0, 0);
  return d;
}

/** A manual review waits for the release package that failed: the gate rejects it. */
function gateCloudEvent(): Record<string, unknown> {
  return {
    specversion: '1.0',
    id: 'bench-evt-0001',
    source: 'codearts/pipeline/release-pipeline',
    type: 'com.huaweicloud.codearts.pipeline.review.waiting',
    time: new Date().toISOString(),
    datacontenttype: 'application/json',
    data: {
      pipeline_id: review.pipelineId,
      pipeline_run_id: review.runId,
      job_run_id: review.jobRunId,
      step_run_id: review.stepRunId,
      package_id: SEED.packages.failed,
    },
  };
}

const OTHER_INVOCATIONS: Record<string, () => Invocation> = {
  releaseCheck: () => timerInvocation(),
  releaseTrain: () => ({
    event: timerEvent(todayAtEight()),
    expectStatus: null,
    expectResult: 'published',
    env: { RELEASE_TRAIN_APPLICANT_ID: SEED.users.applicant, RELEASE_TRAIN_APPROVER_IDS: SEED.users.approver },
  }),
  deployWindow: () => ({
    event: timerEvent(lastQuarterHour()),
    expectStatus: null,
    expectResult: 'done',
    env: { DEPLOY_WINDOW_TASK_IDS: SEED.deployTasks.idle, DEPLOY_WINDOW_ALLOW: '* * * * *' },
  }),
  // A pipeline event (CloudEvent, as EventGrid delivers it to FunctionGraph): the package failed, so reject.
  pipelineGate: () => ({ event: gateCloudEvent(), expectStatus: null, expectResult: 'rejected' }),
};

/** The first invocation of a function of serverless.yml, or undefined when the bench has none for it. */
export function invocationFor(name: string): Invocation | undefined {
  return (HTTP_INVOCATIONS[name] ?? OTHER_INVOCATIONS[name])?.();
}
