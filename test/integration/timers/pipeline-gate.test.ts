/**
 * The pipeline gate against the local cloud, through pipelineGate (pipeline events) and pipelineEventWebhook
 * (the same events over HTTP): decisions on the seeded packages and review steps, one rejection for an event
 * delivered twice (in one container, in another, over EventBridge, over HTTP), the webhook's authentication,
 * faults and lost answers, malformed events.
 */
import { SEED } from '../../../emulator';
import type { SeedReviewStep } from '../../../emulator/seed';
import { createPipelineGate } from '../../../functions/events/pipeline-gate';
import { Webhook } from 'standardwebhooks';
import { pipelineEventWebhookRoute } from '../../../functions/http/pipeline-event-webhook';
import { queryReleasePackagesRoute } from '../../../functions/http/query-release-packages';
import { httpFunction } from '../../../shared/http-function';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';
import { admin } from '../../helpers/emulator';
import { gatewayEvent, parseResponse, type EventPlatform } from '../../helpers/http-events';
import { OTHER_WORKSPACE, TOKENS, WEBHOOK_SENDER } from '../../helpers/runtime';
import { cloudRuntime, deliverUntilDone, requestsOf, runtimeSource, useLocalCloud } from './support';
import { fixedRuntime } from '../../../shared/runtime';
import { startFakeUpstream } from '../../helpers/fake-upstream';

const NOW = new Date('2026-11-23T08:00:00Z');
const MIN = 60_000;
const local = useLocalCloud({ now: NOW, seedSize: 40 });
const logs = local.logs;

const { waiting, waiting2, waiting3, decided } = SEED.pipelines;
const gate = (env: Record<string, string> = {}) => createPipelineGate({ runtime: runtimeSource(local.emulator, env) });
const stepOf = (s: SeedReviewStep) => ({ pipeline_id: s.pipelineId, pipeline_run_id: s.runId, job_run_id: s.jobRunId, step_run_id: s.stepRunId });
const dataFor = (s: SeedReviewStep, packageId: string) => ({ ...stepOf(s), package_id: packageId });
const cloudEvent = (data: unknown, id = 'evt-0001') => ({
  specversion: '1.0',
  id,
  source: 'codearts/pipeline/release-pipeline',
  type: 'com.huaweicloud.codearts.pipeline.review.waiting',
  time: '2026-11-23T07:59:58Z',
  datacontenttype: 'application/json',
  data,
});
const refusals = (applied = false) => requestsOf(local.emulator, 'RejectManualReview', { applied });
const stepStatus = (s: SeedReviewStep) => local.emulator.state.findRun(s.pipelineId, s.runId)?.stages.flatMap((st) => st.jobs).flatMap((j) => j.steps).find((st) => st.id === s.stepRunId)?.status;
const appliedMinutesAgo = (packageId: string) => Math.floor((NOW.getTime() - (local.emulator.state.packagesById.get(packageId)?.row.apply_timestamp ?? 0)) / MIN);

describe('pipelineGate: decisions', () => {
  it('rejects the review when its package failed, with one audit line', async () => {
    // Act
    const result = await gate()(cloudEvent(dataFor(waiting, SEED.packages.failed)), functionGraphContext());
    // Assess
    expect(result).toStrictEqual({ status: 'rejected', reason: 'release package 3 failed to release', event_id: 'evt-0001', step: stepOf(waiting), package_id: '3' });
    expect([stepStatus(waiting), refusals(true).length]).toStrictEqual(['FAILED', 1]);
    expect(logs((e) => e.audit === true)).toStrictEqual([
      expect.objectContaining({
        actor: 'pipelineGate',
        action: 'reject-manual-review',
        target: stepOf(waiting),
        outcome: 'succeeded',
        reason: 'release package 3 failed to release',
        upstream_request_id: refusals()[0]?.requestId,
      }),
    ]);
  });

  it('rejects the review when its package was withdrawn', async () => {
    const result = await gate()(cloudEvent(dataFor(waiting2, SEED.packages.withdrawn)), lambdaContext());
    expect(result).toStrictEqual({ status: 'rejected', reason: 'release package 5 was withdrawn', event_id: 'evt-0001', step: stepOf(waiting2), package_id: '5' });
  });

  it('leaves a review whose package awaits approval within the deadline, and rejects it past the deadline', async () => {
    const waited = appliedMinutesAgo(SEED.packages.pendingApproval);
    const within = await gate({ PIPELINE_GATE_APPROVAL_DEADLINE_MINUTES: '1440' })(cloudEvent(dataFor(waiting3, '1'), 'evt-a'), lambdaContext());
    const past = await gate({ PIPELINE_GATE_APPROVAL_DEADLINE_MINUTES: '60' })(cloudEvent(dataFor(waiting3, '1'), 'evt-b'), lambdaContext());
    expect([within, past]).toStrictEqual([
      { status: 'left', reason: `release package 1 awaits approval (${waited} of 1440 minutes)`, event_id: 'evt-a', step: stepOf(waiting3), package_id: '1' },
      { status: 'rejected', reason: `release package 1 has awaited approval for ${waited} minutes, past the 60-minute deadline`, event_id: 'evt-b', step: stepOf(waiting3), package_id: '1' },
    ]);
    expect(refusals(true)).toHaveLength(1);
  });

  it.each([
    [SEED.packages.success, 'release package 2 was released'],
    [SEED.packages.releasing, 'release package 4 is releasing'],
  ])('leaves the review alone when package %s is fine, saying why', async (packageId, reason) => {
    const result = await gate()(cloudEvent(dataFor(waiting, packageId)), lambdaContext());
    expect([result, refusals().length, stepStatus(waiting)]).toStrictEqual([{ status: 'left', reason, event_id: 'evt-0001', step: stepOf(waiting), package_id: packageId }, 0, 'PAUSED']);
  });

  it('leaves the review when the package cannot be found', async () => {
    const result = await gate()(cloudEvent(dataFor(waiting, '99999')), lambdaContext());
    expect(result).toStrictEqual({
      status: 'left',
      reason: 'release package 99999 could not be read, so the review is left to its reviewers (ShowFactoryPackageDetail http 400 DLF.3051: The request parameter is invalid. The release package 99999 does not exist.)',
      event_id: 'evt-0001',
      step: stepOf(waiting),
      package_id: '99999',
    });
  });

  it.each([
    ['names no workspace DataArts knows (400 DLF.0819)', { HUAWEICLOUD_DATAARTS_WORKSPACE: OTHER_WORKSPACE }, 'ShowFactoryPackageDetail http 400 DLF.0819'],
  ])('fails, rather than leaves, every event while the DataArts configuration %s', async (_case, env, failure) => {
    const result = await gate(env)(cloudEvent(dataFor(waiting, SEED.packages.failed)), lambdaContext());
    expect([result, refusals().length, stepStatus(waiting)]).toStrictEqual([
      { status: 'failed', reason: expect.stringMatching(new RegExp(`^release package 3 could not be read: ${failure.replace(/\./g, '\\.')}: `)), event_id: 'evt-0001', step: stepOf(waiting), package_id: '3' },
      0,
      'PAUSED',
    ]);
  });

  it('fails, rather than leaves, every event while the DataArts endpoint is not DataArts (404 APIG.0101) or refuses our credentials (403)', async () => {
    for (const answer of [
      { status: 404, body: { error_code: 'APIG.0101', error_msg: 'The API does not exist or has not been published in the environment' } },
      { status: 403, body: { error_code: 'DLF.1242', error_msg: 'The user has no permission' } },
    ]) {
      const elsewhere = await startFakeUpstream(answer);
      try {
        const result = await gate({ HUAWEICLOUD_ENDPOINT_DATAARTS: elsewhere.url })(cloudEvent(dataFor(waiting, SEED.packages.failed)), lambdaContext());
        expect([result, refusals().length, stepStatus(waiting)]).toStrictEqual([
          { status: 'failed', reason: `release package 3 could not be read: ShowFactoryPackageDetail http ${answer.status} ${answer.body.error_code}: ${answer.body.error_msg}`, event_id: 'evt-0001', step: stepOf(waiting), package_id: '3' },
          0,
          'PAUSED',
        ]);
      } finally {
        await elsewhere.close();
      }
    }
  });

  it('skips a review that was already decided, reading the run and nothing else', async () => {
    const result = await gate()(cloudEvent(dataFor(decided, SEED.packages.failed)), lambdaContext());
    expect(result).toStrictEqual({ status: 'skipped', reason: 'the review is no longer waiting (step status FAILED)', event_id: 'evt-0001', step: stepOf(decided), package_id: '3' });
    expect(local.emulator.requests.map((r) => r.operation)).toStrictEqual(['ShowPipelineRunDetail']);
  });

  it('skips an event whose pipeline run no longer exists (CodeArts Pipeline answers 404 DEVPIPE.*)', async () => {
    const result = await gate()(cloudEvent({ ...dataFor(waiting, '3'), pipeline_run_id: 'ffffffffffffffffffffffffffffffff' }), lambdaContext());
    expect([result, local.emulator.requests.map((r) => r.operation)]).toStrictEqual([
      {
        status: 'skipped',
        reason: 'the pipeline run could not be found (ShowPipelineRunDetail http 404 DEVPIPE.30011001: The pipeline run does not exist.)',
        event_id: 'evt-0001',
        step: { ...stepOf(waiting), pipeline_run_id: 'ffffffffffffffffffffffffffffffff' },
        package_id: '3',
      },
      ['ShowPipelineRunDetail'],
    ]);
  });

  it('fails, rather than skips, every event while HUAWEICLOUD_CODEARTS_PROJECT_ID names no project', async () => {
    const result = await gate({ HUAWEICLOUD_CODEARTS_PROJECT_ID: 'ffffffffffffffffffffffffffffffff' })(cloudEvent(dataFor(waiting, '3')), lambdaContext());
    expect([result, refusals().length, stepStatus(waiting)]).toStrictEqual([
      {
        status: 'failed',
        reason: 'the pipeline run could not be read: ShowPipelineRunDetail http 404 DEVPIPE.00011412: The project does not exist.',
        event_id: 'evt-0001',
        step: stepOf(waiting),
        package_id: '3',
      },
      0,
      'PAUSED',
    ]);
  });

  it('fails, rather than skips, every event while the pipeline endpoint is not CodeArts Pipeline (404 APIG.0101)', async () => {
    const elsewhere = await startFakeUpstream({ status: 404, body: { error_code: 'APIG.0101', error_msg: 'The API does not exist or has not been published in the environment' } });
    try {
      const result = await gate({ HUAWEICLOUD_ENDPOINT_CODEARTS_PIPELINE: elsewhere.url })(cloudEvent(dataFor(waiting, '3')), lambdaContext());
      expect([result, elsewhere.requests.length, stepStatus(waiting)]).toStrictEqual([
        {
          status: 'failed',
          reason: 'the pipeline run could not be read: ShowPipelineRunDetail http 404 APIG.0101: The API does not exist or has not been published in the environment',
          event_id: 'evt-0001',
          step: stepOf(waiting),
          package_id: '3',
        },
        1,
        'PAUSED',
      ]);
    } finally {
      await elsewhere.close();
    }
  });
});

describe('pipelineGate: the same event twice rejects once', () => {
  it('answers a redelivery in the same container as a duplicate without calling the cloud', async () => {
    const handler = gate();
    const event = cloudEvent(dataFor(waiting, SEED.packages.failed));
    await handler(event, lambdaContext());
    const before = local.emulator.requests.length;
    const again = await handler(structuredClone(event), lambdaContext());
    expect([again, local.emulator.requests.length - before]).toStrictEqual([{ status: 'duplicate', reason: 'event evt-0001 was handled already (rejected: release package 3 failed to release)', event_id: 'evt-0001' }, 0]);
  });

  it('acknowledges, without acting on it, an event whose id was used before for other data', async () => {
    const handler = gate();
    await handler(cloudEvent(dataFor(waiting, SEED.packages.failed)), lambdaContext());
    const before = local.emulator.requests.length;
    const reused = await handler(cloudEvent(dataFor(waiting2, SEED.packages.withdrawn)), lambdaContext());
    const reason = 'event evt-0001 from codearts/pipeline/release-pipeline was received before with other data: an event id must not be reused';
    expect([reused, local.emulator.requests.length - before, stepStatus(waiting2)]).toStrictEqual([{ status: 'ignored', reason, event_id: 'evt-0001' }, 0, 'PAUSED']);
    expect(logs((e) => e.level === 'warn' && e.reason === reason)).toHaveLength(1);
  });

  it('skips a redelivery in another container (EventBridge, CloudEvent in detail): the run shows the review decided', async () => {
    const event = cloudEvent(dataFor(waiting, SEED.packages.failed));
    await gate()(event, functionGraphContext());
    const envelope = { version: '0', id: 'eb-1', 'detail-type': 'Pipeline Review Waiting', source: 'hrf.pipeline', account: '123456789012', time: '2026-11-23T08:00:00Z', region: 'eu-west-1', resources: [], detail: event };
    const again = await gate()(envelope, lambdaContext());
    expect(again).toStrictEqual({ status: 'skipped', reason: 'the review is no longer waiting (step status FAILED)', event_id: 'evt-0001', step: stepOf(waiting), package_id: '3' });
    expect(refusals()).toHaveLength(1);
  });

  it('accepts an EventBridge event whose detail is the data', async () => {
    const envelope = { version: '0', id: 'eb-2', 'detail-type': 'Pipeline Review Waiting', source: 'hrf.pipeline', account: '123456789012', time: '2026-11-23T08:00:00Z', region: 'eu-west-1', resources: [], detail: dataFor(waiting, '3') };
    expect(await gate()(envelope, lambdaContext())).toStrictEqual({ status: 'rejected', reason: 'release package 3 failed to release', event_id: 'eb-2', step: stepOf(waiting), package_id: '3' });
  });

  it('rejects once through throttled reads and a failed refusal, redelivered until done', async () => {
    local.emulator.setFaults({ throttleRatio: 0.4, serverErrorRatio: 0.2, seed: 5 });
    const handler = gate();
    const { result } = await deliverUntilDone(() => handler(cloudEvent(dataFor(waiting, '3')), lambdaContext()));
    // Rejected by the delivery that got through, or found decided by a later one after a lost answer.
    expect([
      { status: 'rejected', reason: 'release package 3 failed to release', event_id: 'evt-0001', step: stepOf(waiting), package_id: '3' },
      { status: 'skipped', reason: 'the review is no longer waiting (step status FAILED)', event_id: 'evt-0001', step: stepOf(waiting), package_id: '3' },
    ]).toContainEqual(result);
    expect([refusals(true).length, stepStatus(waiting)]).toStrictEqual([1, 'FAILED']);
    expect(local.emulator.requests.filter((r) => r.fault !== undefined).length).toBeGreaterThan(0);
  });

  it('rejects once when the answer to the refusal is lost: the redelivery finds the review decided', async () => {
    local.emulator.setFaults({ dropRatio: 1, faultTiming: 'after', pathPattern: '/refuse$' });
    const handler = gate();
    await expect(handler(cloudEvent(dataFor(waiting, '3')), lambdaContext())).rejects.toThrow('RejectManualReview could not reach Huawei Cloud');
    local.emulator.setFaults({});
    const again = await handler(cloudEvent(dataFor(waiting, '3')), lambdaContext());
    expect(again).toStrictEqual({ status: 'skipped', reason: 'the review is no longer waiting (step status FAILED)', event_id: 'evt-0001', step: stepOf(waiting), package_id: '3' });
    expect([refusals().length, refusals(true).length]).toStrictEqual([1, 0]);
  });
});

describe('pipelineGate: malformed events', () => {
  it.each([
    ['a missing step id', cloudEvent({ ...dataFor(waiting, '3'), step_run_id: undefined }), 'data.step_run_id: Invalid input: expected string, received undefined'],
    ['a path in an id', cloudEvent({ ...dataFor(waiting, '3'), pipeline_id: '../../v2/x' }), 'data.pipeline_id: must be 32 letters or digits (a CodeArts id)'],
    ['data that is not an object', cloudEvent('not an object'), 'data: Invalid input: expected object, received string'],
    ['CloudEvents 0.3', { ...cloudEvent(dataFor(waiting, '3')), specversion: '0.3' }, 'not a CloudEvents 1.0 event (specversion: Invalid input: expected "1.0")'],
    ['an unknown shape', { hello: 'world' }, 'neither a CloudEvents 1.0 event nor an EventBridge event'],
    // The webhook is pipelineEventWebhook's: a request that still reaches this function is not an event.
    ['an API gateway request', gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/events/pipeline', body: cloudEvent(dataFor(waiting, '3')), bearer: TOKENS.all }), 'neither a CloudEvents 1.0 event nor an EventBridge event'],
    ['a workspace not allowed', cloudEvent({ ...dataFor(waiting, '3'), workspace_id: 'aaaabbbbccccddddeeeeffff00001111' }), 'workspace aaaabbbbccccddddeeeeffff00001111 is not allowed (HRF_WORKSPACE_ALLOWLIST)'],
  ])('acknowledges an event with %s, without side effects', async (_case, event, reason) => {
    const result = await gate()(event, lambdaContext());
    const parsedAsCloudEvent = 'specversion' in event && event.specversion === '1.0';
    expect([result, local.emulator.requests.length]).toStrictEqual([{ status: 'ignored', reason, ...(parsedAsCloudEvent ? { event_id: 'evt-0001' } : {}) }, 0]);
    expect(logs((e) => e.level === 'warn' && e.reason === reason)).toHaveLength(1);
  });
});

describe('pipelineEventWebhook: POST /v1/events/pipeline', () => {
  const requestIdOf = (platform: EventPlatform) => (platform === 'aws' ? 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' : 'fg-request-0001');
  const JSON_HEADERS = (platform: EventPlatform) => ({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': requestIdOf(platform) });
  const post = async (platform: EventPlatform, body: unknown, options: { bearer?: string; headers?: Record<string, string> } = {}) => {
    const webhook = httpFunction(pipelineEventWebhookRoute, runtimeSource(local.emulator));
    const request = gatewayEvent({ platform, method: 'POST', path: '/v1/events/pipeline', body, ...(options.bearer ? { bearer: options.bearer } : {}), ...(options.headers ? { headers: options.headers } : {}) });
    return parseResponse(await webhook(request, (platform === 'aws' ? lambdaContext() : functionGraphContext({ requestId: requestIdOf(platform) })) as never));
  };

  it.each(['aws', 'functiongraph'] as const)('rejects the review for a structured CloudEvent sent from %s', async (platform) => {
    const response = await post(platform, cloudEvent(dataFor(waiting, '3')), { bearer: TOKENS.all });
    expect(response).toStrictEqual({
      statusCode: 200,
      headers: JSON_HEADERS(platform),
      body: { status: 'rejected', reason: 'release package 3 failed to release', event_id: 'evt-0001', step: stepOf(waiting), package_id: '3' },
      isBase64Encoded: false,
    });
    expect(refusals(true)).toHaveLength(1);
    expect(logs((e) => e.audit === true).map((e) => [e.actor, e.caller])).toStrictEqual([['pipelineEventWebhook', 'all-scopes']]);
  });

  it('reads CloudEvents binary mode', async () => {
    const response = await post('aws', dataFor(waiting2, '5'), { bearer: TOKENS.all, headers: { 'ce-specversion': '1.0', 'ce-id': 'evt-bin', 'ce-source': 'codearts', 'ce-type': 'review.waiting' } });
    expect(response).toStrictEqual({
      statusCode: 200,
      headers: JSON_HEADERS('aws'),
      body: { status: 'rejected', reason: 'release package 5 was withdrawn', event_id: 'evt-bin', step: stepOf(waiting2), package_id: '5' },
      isBase64Encoded: false,
    });
  });

  it('refuses a caller without credentials (401) or without the review scope (403), calling nothing', async () => {
    const anonymous = await post('aws', cloudEvent(dataFor(waiting, '3')));
    const reader = await post('aws', cloudEvent(dataFor(waiting, '3')), { bearer: TOKENS.read });
    const requestId = requestIdOf('aws');
    expect([anonymous, reader, local.emulator.requests.length]).toStrictEqual([
      {
        statusCode: 401,
        headers: { ...JSON_HEADERS('aws'), 'WWW-Authenticate': 'Bearer, SDK-HMAC-SHA256' },
        body: { error_code: 'HRF.0401', error_msg: 'Authentication required: send a bearer token or an SDK-HMAC-SHA256 signature', request_id: requestId },
        isBase64Encoded: false,
      },
      { statusCode: 403, headers: JSON_HEADERS('aws'), body: { error_code: 'HRF.0403', error_msg: 'This credential lacks the "review" scope', request_id: requestId }, isBase64Encoded: false },
      0,
    ]);
  });

  const refused = (platform: EventPlatform, message: string, fields: Array<{ field: string; message: string }>) => ({
    statusCode: 400,
    headers: JSON_HEADERS(platform),
    body: { error_code: 'HRF.0400', error_msg: message, request_id: requestIdOf(platform), fields },
    isBase64Encoded: false,
  });
  const BINARY = { 'ce-specversion': '1.0', 'ce-id': 'evt-bin', 'ce-source': 'codearts', 'ce-type': 'review.waiting' };
  const NOT_AN_ID = 'must be 32 letters or digits (a CodeArts id)';

  it('refuses a malformed event with 400 naming the field, calling nothing', async () => {
    const responses = [
      await post('aws', { specversion: '1.0', id: 'x' }, { bearer: TOKENS.all }),
      await post('functiongraph', dataFor(waiting, '3'), { bearer: TOKENS.all, headers: { ...BINARY, 'ce-type': '' } }),
    ];
    expect([responses, local.emulator.requests.length]).toStrictEqual([
      [
        refused('aws', 'Invalid pipeline event: not a CloudEvents 1.0 event (source: Invalid input: expected string, received undefined)', [
          { field: 'body.source', message: 'Invalid input: expected string, received undefined' },
        ]),
        refused('functiongraph', 'Invalid pipeline event: not a CloudEvents 1.0 binary-mode request (type: Too small: expected string to have >=1 characters)', [
          { field: 'headers.ce-type', message: 'Too small: expected string to have >=1 characters' },
        ]),
      ],
      0,
    ]);
  });

  it('answers an unexpected failure (a bug, not Huawei Cloud\'s answer) with a 500 that says nothing, not a result carrying its text', async () => {
    const runtime = cloudRuntime(local.emulator);
    runtime.client.call = (async () => {
      throw new TypeError("Cannot read properties of undefined (reading 'codeartsProjectId')");
    }) as typeof runtime.client.call;
    const webhook = httpFunction(pipelineEventWebhookRoute, fixedRuntime(runtime));
    const response = parseResponse(await webhook(gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/events/pipeline', body: cloudEvent(dataFor(waiting, '3')), bearer: TOKENS.all }), lambdaContext() as never));
    expect(response).toStrictEqual({
      statusCode: 500,
      headers: JSON_HEADERS('aws'),
      body: { error_code: 'HRF.0500', error_msg: 'Internal error', request_id: requestIdOf('aws') },
      isBase64Encoded: false,
    });
  });

  it('refuses event data with a field the gate does not know with 400 naming it, calling nothing', async () => {
    const extra = { ...dataFor(waiting, '3'), approve: true };
    const responses = [
      await post('aws', cloudEvent(extra), { bearer: TOKENS.all }),
      await post('aws', { ...cloudEvent(undefined), data: undefined, data_base64: Buffer.from(JSON.stringify(extra)).toString('base64') }, { bearer: TOKENS.all }),
    ];
    expect([responses, local.emulator.requests.length]).toStrictEqual([
      [
        refused('aws', 'Invalid pipeline event: body.data.approve', [{ field: 'body.data.approve', message: 'is not a known field' }]),
        refused('aws', 'Invalid pipeline event: body.data_base64', [{ field: 'body.data_base64', message: 'approve: is not a known field' }]),
      ],
      0,
    ]);
  });

  it('refuses event data that does not name a review step and a package with 400 naming each field, calling nothing', async () => {
    const hostile = { ...dataFor(waiting, '3'), step_run_id: '../x', package_id: undefined };
    const responses = [
      await post('aws', cloudEvent(hostile), { bearer: TOKENS.all }),
      await post('aws', hostile, { bearer: TOKENS.all, headers: BINARY }),
      await post('aws', { ...cloudEvent(undefined), data: undefined, data_base64: Buffer.from(JSON.stringify(hostile)).toString('base64') }, { bearer: TOKENS.all }),
    ];
    const PACKAGE_MISSING = 'Invalid input: expected string, received undefined';
    expect([responses, local.emulator.requests.length]).toStrictEqual([
      [
        refused('aws', 'Invalid pipeline event: body.data.step_run_id, body.data.package_id', [
          { field: 'body.data.step_run_id', message: NOT_AN_ID },
          { field: 'body.data.package_id', message: PACKAGE_MISSING },
        ]),
        refused('aws', 'Invalid pipeline event: body.step_run_id, body.package_id', [
          { field: 'body.step_run_id', message: NOT_AN_ID },
          { field: 'body.package_id', message: PACKAGE_MISSING },
        ]),
        refused('aws', 'Invalid pipeline event: body.data_base64', [
          { field: 'body.data_base64', message: `step_run_id: ${NOT_AN_ID}` },
          { field: 'body.data_base64', message: `package_id: ${PACKAGE_MISSING}` },
        ]),
      ],
      0,
    ]);
  });

  it('refuses an event for a pipeline the caller may not use with 403, calling nothing; its own pipeline goes through', async () => {
    const elsewhere = await post('aws', cloudEvent(dataFor(waiting, '3')), { bearer: TOKENS.elsewhere });
    expect([elsewhere, local.emulator.requests.length]).toStrictEqual([
      { statusCode: 403, headers: JSON_HEADERS('aws'), body: { error_code: 'HRF.0403', error_msg: 'This credential may not use that pipeline', request_id: requestIdOf('aws') }, isBase64Encoded: false },
      0,
    ]);
    const own = await post('aws', cloudEvent(dataFor(waiting, '3')), { bearer: TOKENS.limited });
    expect([own.statusCode, (own.body as { status: string }).status, refusals(true).length]).toStrictEqual([200, 'rejected', 1]);
  });

  it('keeps two senders\' event ids apart, and refuses one sender\'s id reused with other data (409), calling nothing', async () => {
    // One container: the same runtime (and idempotency store) for every delivery.
    const webhook = httpFunction(pipelineEventWebhookRoute, runtimeSource(local.emulator));
    const send = async (data: unknown, bearer: string) =>
      parseResponse(await webhook(gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/events/pipeline', body: cloudEvent(data, 'evt-1'), bearer }), lambdaContext() as never));
    const first = await send(dataFor(waiting, '3'), TOKENS.all);
    const otherSender = await send(dataFor(waiting2, SEED.packages.withdrawn), TOKENS.limited);
    const before = local.emulator.requests.length;
    const reused = await send(dataFor(waiting3, '1'), TOKENS.all);
    expect([first.body, otherSender.body, reused, local.emulator.requests.length - before]).toStrictEqual([
      { status: 'rejected', reason: 'release package 3 failed to release', event_id: 'evt-1', step: stepOf(waiting), package_id: '3' },
      { status: 'rejected', reason: 'release package 5 was withdrawn', event_id: 'evt-1', step: stepOf(waiting2), package_id: '5' },
      {
        statusCode: 409,
        headers: JSON_HEADERS('aws'),
        body: {
          error_code: 'HRF.0409.EVENT_ID_REUSED',
          error_msg: 'event evt-1 from codearts/pipeline/release-pipeline was received before with other data: an event id must not be reused',
          request_id: requestIdOf('aws'),
        },
        isBase64Encoded: false,
      },
      0,
    ]);
  });

  describe('signed the Standard Webhooks way by a webhook client', () => {
    // Signed by the local cloud's clock, which the functions' runtime reads.
    const signed = (body: string, at = local.emulator.clock.now(), id = 'msg_pipeline_0001') => ({
      'webhook-id': id,
      'webhook-timestamp': String(Math.floor(at.getTime() / 1000)),
      'webhook-signature': new Webhook(WEBHOOK_SENDER.secret).sign(id, at, body),
    });
    const unauthorized = (message: string) => ({
      statusCode: 401,
      headers: { ...JSON_HEADERS('aws'), 'WWW-Authenticate': 'Bearer, SDK-HMAC-SHA256' },
      body: { error_code: 'HRF.0401', error_msg: message, request_id: requestIdOf('aws') },
      isBase64Encoded: false,
    });

    it('accepts a signed delivery, refuses the same signed delivery again, and answers a re-signed redelivery as a duplicate', async () => {
      // One container: the same runtime (its clients, its recent deliveries, its idempotency store) throughout.
      const webhook = httpFunction(pipelineEventWebhookRoute, runtimeSource(local.emulator));
      const send = async (body: string, headers: Record<string, string>) =>
        parseResponse(await webhook(gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/events/pipeline', body, headers }), lambdaContext() as never));
      const body = JSON.stringify(cloudEvent(dataFor(waiting, '3')));
      const headers = signed(body);
      const first = await send(body, headers);
      const replayed = await send(body, headers);
      // The same capture, its signature header dressed differently: still the same signed delivery.
      const signature = headers['webhook-signature'];
      const dressedUp = [
        await send(body, { ...headers, 'webhook-signature': `${signature} ${signature}` }),
        await send(body, { ...headers, 'webhook-signature': `v1,AAAA ${signature}` }),
      ];
      const redelivered = await send(body, signed(body, new Date(local.emulator.clock.now().getTime() + 1000)));
      // Webhook verification refuses with 401 (reliability promise 13).
      const REPLAY = unauthorized('Authentication failed: this signed delivery was received already (a redelivery is signed again, with a new webhook-timestamp)');
      expect(dressedUp).toStrictEqual([REPLAY, REPLAY]);
      expect([first, replayed, redelivered]).toStrictEqual([
        { statusCode: 200, headers: JSON_HEADERS('aws'), body: { status: 'rejected', reason: 'release package 3 failed to release', event_id: 'evt-0001', step: stepOf(waiting), package_id: '3' }, isBase64Encoded: false },
        REPLAY,
        {
          statusCode: 200,
          headers: JSON_HEADERS('aws'),
          body: { status: 'duplicate', reason: 'event evt-0001 was handled already (rejected: release package 3 failed to release)', event_id: 'evt-0001' },
          isBase64Encoded: false,
        },
      ]);
      expect(refusals(true)).toHaveLength(1);
      expect(logs((e) => e.audit === true).map((e) => [e.actor, e.caller])).toStrictEqual([['pipelineEventWebhook', WEBHOOK_SENDER.id]]);
    });

    it('refuses a tampered body, a stale timestamp, missing headers and an overlong id with 401, calling nothing', async () => {
      const body = JSON.stringify(cloudEvent(dataFor(waiting, '3')));
      const responses = [
        await post('aws', body.replace('"3"', '"4"'), { headers: signed(body) }),
        await post('aws', body, { headers: signed(body, new Date(local.emulator.clock.now().getTime() - 6 * 60_000)) }),
        await post('aws', body, { headers: { 'webhook-signature': signed(body)['webhook-signature'] } }),
        await post('aws', body, { headers: signed(body, undefined, `msg_${'x'.repeat(300)}`) }),
      ];
      expect([responses, local.emulator.requests.length]).toStrictEqual([
        [
          unauthorized('Authentication failed: the webhook signature is not valid'),
          unauthorized('Authentication failed: the webhook-timestamp is more than 5 minutes from server time'),
          unauthorized('Authentication failed: webhook-id, webhook-timestamp and webhook-signature are all required'),
          unauthorized('Authentication failed: the webhook-id is too long'),
        ],
        0,
      ]);
    });

    it('is accepted by the webhook route only: the signature covers no method or path', async () => {
      const body = JSON.stringify({ limit: 10 });
      const query = httpFunction(queryReleasePackagesRoute, runtimeSource(local.emulator));
      const request = gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages/query', body, headers: signed(body) });
      expect([parseResponse(await query(request, lambdaContext() as never)), local.emulator.requests.length]).toStrictEqual([
        unauthorized('Authentication required: send a bearer token or an SDK-HMAC-SHA256 signature'),
        0,
      ]);
    });
  });

  it('skips an event pipelineGate already handled (another function, another container): the run shows the review decided', async () => {
    const event = cloudEvent(dataFor(waiting, '3'));
    await gate()(event, functionGraphContext());
    const response = await post('aws', event, { bearer: TOKENS.all });
    expect(response).toStrictEqual({
      statusCode: 200,
      headers: JSON_HEADERS('aws'),
      body: { status: 'skipped', reason: 'the review is no longer waiting (step status FAILED)', event_id: 'evt-0001', step: stepOf(waiting), package_id: '3' },
      isBase64Encoded: false,
    });
    expect(refusals()).toHaveLength(1);
  });
});

describe('pipelineGate: a run added through the admin API', () => {
  it('rejects a new waiting run whose package failed', async () => {
    const added = (await admin(local.emulator, 'POST', '/pipeline-runs', {})).body as SeedReviewStep;
    const result = await gate()(cloudEvent(dataFor(added, '3'), 'evt-new'), lambdaContext());
    expect(result).toStrictEqual({ status: 'rejected', reason: 'release package 3 failed to release', event_id: 'evt-new', step: stepOf(added), package_id: '3' });
  });
});
