/** pipelineGate: the decision table (pure) and the event chain with a stubbed client. */
import { createPipelineGate } from '../../../functions/events/pipeline-gate';
import type { ReleasePackage } from '../../../shared/contracts/dataarts';
import { gateDecision } from '../../../shared/schedules/pipeline-gate';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';
import { fixedRuntime } from '../../helpers/runtime';
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

describe('pipelineGate: the event chain', () => {
  const ID = (prefix: string) => prefix.padEnd(32, '0');
  const data = { pipeline_id: ID('p'), pipeline_run_id: ID('r'), job_run_id: ID('j'), step_run_id: ID('s'), package_id: '13' };
  const detail = { id: ID('r'), pipeline_id: ID('p'), status: 'RUNNING', stages: [{ id: 'st', status: 'RUNNING', jobs: [{ id: ID('j'), status: 'PAUSED', steps: [{ id: ID('s'), status: 'PAUSED' }] }] }] };
  const event = { specversion: '1.0', id: 'evt-9', source: 'codearts', type: 'review.waiting', data };

  function build() {
    const showPipelineRunDetail = jest.fn().mockResolvedValue({ data: detail, requestId: 'up-1', attempts: 1 });
    const showPackageDetail = jest.fn().mockResolvedValue({ data: { release_package: pkg({ deploy_status: 3 }), task_details: [] }, requestId: 'up-2', attempts: 1 });
    const rejectManualReview = jest.fn().mockResolvedValue({ data: { success: true }, requestId: 'up-3', attempts: 1 });
    const handler = createPipelineGate({ runtime: fixedRuntime(stubbedRuntime({ showPipelineRunDetail, showPackageDetail, rejectManualReview }, { now: () => NOW })) });
    return { handler, showPipelineRunDetail, showPackageDetail, rejectManualReview };
  }

  it('passes FunctionGraph\'s per-invocation credentials to every call, and the workspace to the package read', async () => {
    // Prepare
    const credentials = { accessKey: 'TEMPACCESSKEY0001', secretKey: 'TEMPSECRETKEY0123456789abcdef', securityToken: 'temporary-security-token-value-0001' };
    const { handler, showPipelineRunDetail, showPackageDetail, rejectManualReview } = build();
    // Act
    const result = await handler(structuredClone(event), functionGraphContext({ credentials }));
    // Assess
    const step = { pipeline_id: data.pipeline_id, pipeline_run_id: data.pipeline_run_id, job_run_id: data.job_run_id, step_run_id: data.step_run_id };
    expect(result).toStrictEqual({ status: 'rejected', reason: 'release package 13 failed to release', event_id: 'evt-9', step, package_id: '13' });
    expect([
      showPipelineRunDetail.mock.calls.map(([p, r, o]) => [p, r, o.credentials]),
      showPackageDetail.mock.calls.map(([id, o]) => [id, o.credentials, o.workspace]),
      rejectManualReview.mock.calls.map(([path, o]) => [path, o.credentials]),
    ]).toStrictEqual([[[data.pipeline_id, data.pipeline_run_id, credentials]], [['13', credentials, 'e265f808151d458bb7967e0aaf42d146']], [[step, credentials]]]);
  });

  it('sends an API gateway request through the HTTP chain (401 without credentials) and anything else through the event chain', async () => {
    const { handler, showPipelineRunDetail } = build();
    const http = (await handler({ httpMethod: 'POST', path: '/v1/events/pipeline', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(event) }, lambdaContext())) as { statusCode: number };
    const other = await handler({ source: 'aws.events', 'detail-type': 'Scheduled Event', detail: {} }, lambdaContext());
    expect([http.statusCode, other, showPipelineRunDetail.mock.calls.length]).toStrictEqual([
      401,
      { status: 'ignored', reason: 'not an EventBridge event (id: Invalid input: expected string, received undefined)' },
      0,
    ]);
  });
});
