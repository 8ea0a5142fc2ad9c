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
  /** The HTTP status the first invocation must answer; null for a timer (it must only not throw). */
  readonly expectStatus: number | null;
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
};

/** A FunctionGraph TIMER event for scheduled functions. */
export function timerInvocation(): Invocation {
  return { event: { ...fixture('functiongraph/timer.json'), time: new Date().toISOString() }, expectStatus: null };
}

/** The invocation for a function of serverless.yml, or undefined when the bench has none for it. */
export function invocationFor(name: string, kind: 'http' | 'schedule' | 'other'): Invocation | undefined {
  const http = HTTP_INVOCATIONS[name];
  if (http) return http();
  if (kind === 'schedule') return timerInvocation();
  return undefined;
}
