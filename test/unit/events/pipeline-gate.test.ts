/**
 * The pipeline gate: its decision table (pure), and its two functions with a stubbed client: pipelineGate
 * (the event chain) and pipelineEventWebhook (the HTTP chain).
 */
import { createPipelineGate } from '../../../functions/events/pipeline-gate';
import { pipelineEventWebhookRoute } from '../../../functions/http/pipeline-event-webhook';
import type { ReleasePackage } from '../../../shared/contracts/dataarts';
import { httpFunction } from '../../../shared/http-function';
import { gateDecision } from '../../../shared/schedules/pipeline-gate';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';
import { gatewayEvent, parseResponse } from '../../helpers/http-events';
import { fixedRuntime, OTHER_WORKSPACE, TOKENS } from '../../helpers/runtime';
import { stubbedRuntime } from '../../helpers/stub-client';

const NOW = new Date('2026-11-23T08:00:00Z');
const DAY = 24 * 60 * 60_000;
const pkg = (overrides: Partial<ReleasePackage>): ReleasePackage => ({ package_id: '13', package_name: 'rel', deploy_status: 1, delete_flag: 0, package_approvers: [], ...overrides });

describe('pipelineGate: decisions', () => {
  it.each([
    [pkg({ delete_flag: 1, deploy_status: 1 }), { action: 'reject', reason: 'release package 13 was withdrawn' }],
    [pkg({ delete_flag: 1, deploy_status: 2 }), { action: 'reject', reason: 'release package 13 was withdrawn' }],
    [pkg({ deploy_status: 3 }), { action: 'reject', reason: 'release package 13 failed to release' }],
    [pkg({ apply_timestamp: NOW.getTime() - DAY - 60_000 }), { action: 'reject', reason: 'release package 13 has awaited approval for 1441 minutes, past the 1440-minute deadline' }],
    [pkg({ apply_timestamp: NOW.getTime() - DAY }), { action: 'leave', reason: 'release package 13 awaits approval (1440 of 1440 minutes)' }],
    [pkg({}), { action: 'leave', reason: 'release package 13 awaits approval; its application time is unknown' }],
    [pkg({ deploy_status: 2 }), { action: 'leave', reason: 'release package 13 was released' }],
    [pkg({ deploy_status: 5 }), { action: 'leave', reason: 'release package 13 is releasing' }],
    [pkg({ deploy_status: 4 }), { action: 'leave', reason: 'release package 13 has the unknown status 4' }],
  ])('decides %j', (candidate, decision) => {
    expect(gateDecision(candidate, NOW, DAY)).toStrictEqual(decision);
  });
});

const ID = (prefix: string) => prefix.padEnd(32, '0');
const data = { pipeline_id: ID('p'), pipeline_run_id: ID('r'), job_run_id: ID('j'), step_run_id: ID('s'), package_id: '13' };
const step = { pipeline_id: data.pipeline_id, pipeline_run_id: data.pipeline_run_id, job_run_id: data.job_run_id, step_run_id: data.step_run_id };
const detail = { id: ID('r'), pipeline_id: ID('p'), status: 'RUNNING', stages: [{ id: 'st', status: 'RUNNING', jobs: [{ id: ID('j'), status: 'PAUSED', steps: [{ id: ID('s'), status: 'PAUSED' }] }] }] };
const event = { specversion: '1.0', id: 'evt-9', source: 'codearts', type: 'review.waiting', data };
const credentials = { accessKey: 'TEMPACCESSKEY0001', secretKey: 'TEMPSECRETKEY0123456789abcdef', securityToken: 'temporary-security-token-value-0001' };

/** The run detail with the review step in `status`. */
const detailWaitingAs = (status: string) => ({ ...detail, stages: [{ id: 'st', status: 'RUNNING', jobs: [{ id: ID('j'), status, steps: [{ id: ID('s'), status }] }] }] });

/** A runtime whose upstream says: the review waits (as `stepStatus`), package 13 failed, the refusal succeeds. */
function stubbedCloud(stepStatus = 'PAUSED') {
  const showPipelineRunDetail = jest.fn().mockResolvedValue({ data: detailWaitingAs(stepStatus), requestId: 'up-1', attempts: 1 });
  const showPackageDetail = jest.fn().mockResolvedValue({ data: { release_package: pkg({ deploy_status: 3 }), task_details: [] }, requestId: 'up-2', attempts: 1 });
  const rejectManualReview = jest.fn().mockResolvedValue({ data: { success: true }, requestId: 'up-3', attempts: 1 });
  const runtime = fixedRuntime(stubbedRuntime({ showPipelineRunDetail, showPackageDetail, rejectManualReview }, { now: () => NOW }));
  /** Every upstream call, with the options that matter: the platform's credentials and the workspace. */
  const calls = () => [
    showPipelineRunDetail.mock.calls.map(([p, r, o]) => [p, r, o.credentials]),
    showPackageDetail.mock.calls.map(([id, o]) => [id, o.credentials, o.workspace]),
    rejectManualReview.mock.calls.map(([path, o]) => [path, o.credentials]),
  ];
  return { runtime, calls };
}

describe('pipelineGate: the event chain', () => {
  // PAUSED is what the local cloud reports; the API reference leaves SUSPEND possible for a waiting review.
  it.each(['PAUSED', 'SUSPEND'])('passes FunctionGraph\'s per-invocation credentials to every call, and the workspace to the package read (a review %s)', async (stepStatus) => {
    // Prepare
    const cloud = stubbedCloud(stepStatus);
    const handler = createPipelineGate({ runtime: cloud.runtime });
    // Act
    const result = await handler(structuredClone(event), functionGraphContext({ credentials }));
    // Assess
    expect(result).toStrictEqual({ status: 'rejected', reason: 'release package 13 failed to release', event_id: 'evt-9', step, package_id: '13' });
    expect(cloud.calls()).toStrictEqual([[[data.pipeline_id, data.pipeline_run_id, credentials]], [['13', credentials, 'e265f808151d458bb7967e0aaf42d146']], [[step, credentials]]]);
  });

  it.each(['aws', 'functiongraph'] as const)('acknowledges an API gateway request from %s as an event it cannot read, calling nothing (the webhook is pipelineEventWebhook)', async (platform) => {
    // Prepare
    const cloud = stubbedCloud();
    const handler = createPipelineGate({ runtime: cloud.runtime });
    const request = gatewayEvent({ platform, method: 'POST', path: '/v1/events/pipeline', body: event, bearer: TOKENS.all });
    // Act
    const result = await handler(request, platform === 'aws' ? lambdaContext() : functionGraphContext());
    // Assess
    expect([result, cloud.calls()]).toStrictEqual([{ status: 'ignored', reason: 'neither a CloudEvents 1.0 event nor an EventBridge event' }, [[], [], []]]);
  });

  it('acknowledges an EventBridge event that is not a pipeline event, calling nothing', async () => {
    const cloud = stubbedCloud();
    const result = await createPipelineGate({ runtime: cloud.runtime })({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, lambdaContext());
    expect([result, cloud.calls()]).toStrictEqual([{ status: 'ignored', reason: 'not an EventBridge event (id: Invalid input: expected string, received undefined)' }, [[], [], []]]);
  });
});

describe('pipelineEventWebhook: the HTTP chain', () => {
  const JSON_HEADERS = (requestId: string) => ({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': requestId });
  const FG_REQUEST_ID = 'fg-webhook-0001';
  const webhook = (runtime: ReturnType<typeof stubbedCloud>['runtime']) => httpFunction(pipelineEventWebhookRoute, runtime);

  it('rejects the review through the gate, passing FunctionGraph\'s per-invocation credentials to every call', async () => {
    // Prepare
    const cloud = stubbedCloud();
    const request = gatewayEvent({ platform: 'functiongraph', method: 'POST', path: '/v1/events/pipeline', body: event, bearer: TOKENS.all });
    // Act
    const response = await webhook(cloud.runtime)(request, functionGraphContext({ requestId: FG_REQUEST_ID, credentials }) as never);
    // Assess
    expect(parseResponse(response)).toStrictEqual({
      statusCode: 200,
      headers: JSON_HEADERS(FG_REQUEST_ID),
      body: { status: 'rejected', reason: 'release package 13 failed to release', event_id: 'evt-9', step, package_id: '13' },
      isBase64Encoded: false,
    });
    expect(cloud.calls()).toStrictEqual([[[data.pipeline_id, data.pipeline_run_id, credentials]], [['13', credentials, 'e265f808151d458bb7967e0aaf42d146']], [[step, credentials]]]);
  });

  it('refuses a request without credentials with 401, calling nothing', async () => {
    // Prepare
    const cloud = stubbedCloud();
    const request = gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/events/pipeline', body: event });
    // Act
    const response = await webhook(cloud.runtime)(request, lambdaContext());
    // Assess
    expect([parseResponse(response), cloud.calls()]).toStrictEqual([
      {
        statusCode: 401,
        headers: { ...JSON_HEADERS('c6af9ac6-7b61-11e6-9a41-93e8deadbeef'), 'WWW-Authenticate': 'Bearer, SDK-HMAC-SHA256' },
        body: { error_code: 'HRF.0401', error_msg: 'Authentication required: send a bearer token or an SDK-HMAC-SHA256 signature', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
        isBase64Encoded: false,
      },
      [[], [], []],
    ]);
  });

  it('refuses an event naming a workspace the caller may not use with 403, as every HTTP route does, calling nothing', async () => {
    // Prepare
    const cloud = stubbedCloud();
    const request = gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/events/pipeline', body: { ...event, data: { ...data, workspace_id: OTHER_WORKSPACE } }, bearer: TOKENS.all });
    // Act
    const response = await webhook(cloud.runtime)(request, lambdaContext());
    // Assess
    expect([parseResponse(response), cloud.calls()]).toStrictEqual([
      {
        statusCode: 403,
        headers: JSON_HEADERS('c6af9ac6-7b61-11e6-9a41-93e8deadbeef'),
        body: { error_code: 'HRF.0403', error_msg: 'This credential may not use that workspace', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
        isBase64Encoded: false,
      },
      [[], [], []],
    ]);
  });

  it('answers a pipeline event delivered to it directly, not through the API gateway, with 400, calling nothing', async () => {
    // Prepare
    const cloud = stubbedCloud();
    // Act
    const response = await webhook(cloud.runtime)(structuredClone(event), lambdaContext());
    // Assess
    expect([parseResponse(response), cloud.calls()]).toStrictEqual([
      {
        statusCode: 400,
        headers: JSON_HEADERS('c6af9ac6-7b61-11e6-9a41-93e8deadbeef'),
        body: { error_code: 'HRF.0400', error_msg: 'The event is not an API gateway request', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', fields: [{ field: 'event', message: 'not an API gateway proxy event' }] },
        isBase64Encoded: false,
      },
      [[], [], []],
    ]);
  });
});
