/**
 * The Huawei Cloud client on the wire, against a real node:http server on port 0: each typed operation's
 * method, path, encoded query, headers and exact body; the signature verifies over the raw url; hostile ids
 * never leave the process.
 */
import * as z from 'zod/mini';
import { ConfigError } from '../../../shared/errors';
import { defineOperation } from '../../../shared/contracts/operation';
import type { UpstreamRequest } from '../../helpers/fake-upstream';
import { useFakeUpstream } from '../../helpers/fake-upstream';
import { USER_AGENT } from '../../../shared/http/client';
import {
  AK,
  CODEARTS_PROJECT,
  configFor,
  failureOf,
  JOB_RUN_ID,
  NO_FAILURE_DETAILS,
  NOW,
  PIPELINE_ID,
  PROJECT,
  PUBLISH_BODY,
  RUN_ID,
  signedHeadersOf,
  STEP_RUN_ID,
  TASK_ID,
  testClient,
  USER_A,
  verifyReceived,
  WORKSPACE,
} from './support';
import { rejectManualReview, showPipelineRunDetail } from '../../../shared/http/codearts-pipeline';
import { listPendingItems, publishPendingItems, queryReleasePackages, showPackageDetail } from '../../../shared/http/dataarts';
import { listDeployTaskHistory, startDeployTask } from '../../../shared/http/codearts-deploy';

const fake = useFakeUpstream();

/** The whole failure of a call refused before sending: one field and why. */
const invalidRequest = (operation: string, field: string, message: string) => ({
  ...NO_FAILURE_DETAILS,
  message: `Invalid request for ${operation}: ${field} ${message}`,
  operation,
  kind: 'invalid-request',
  attempts: 0,
  issues: [{ field, message }],
});

/** The parts of a received request these tests pin (axios adds Accept, Accept-Encoding, Connection, Content-Length). */
function wireOf(request: UpstreamRequest) {
  return {
    method: request.method,
    url: request.url,
    body: request.body,
    headers: {
      'user-agent': request.headers['user-agent'],
      'x-project-id': request.headers['x-project-id'],
      workspace: request.headers.workspace,
      'content-type': request.headers['content-type'],
      'x-sdk-date': request.headers['x-sdk-date'],
      'x-security-token': request.headers['x-security-token'],
      'x-auth-token': request.headers['x-auth-token'],
    },
    signedHeaders: signedHeadersOf(request),
  };
}

const baseHeaders = {
  'user-agent': USER_AGENT,
  'x-project-id': PROJECT,
  workspace: undefined,
  'content-type': undefined,
  'x-sdk-date': '20250601T080000Z',
  'x-security-token': undefined,
  'x-auth-token': undefined,
};

const REVIEW_PATH = { pipeline_id: PIPELINE_ID, pipeline_run_id: RUN_ID, job_run_id: JOB_RUN_ID, step_run_id: STEP_RUN_ID };

describe('HTTP client: typed operations on the wire', () => {
  it('lists pending items: GET with the encoded query, workspace and project headers, no Content-Type, no body', async () => {
    // Prepare
    fake.server.script({ status: 200, headers: { 'X-Request-Id': 'req-list-1' }, body: { total: 1, data: [{ pending_item_id: '26', item_name: 'job_a', task_type: 1, update_type: 2, package_flag: 0 }] } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const result = await listPendingItems(client, { item_name: 'job a&b=c/d?é', limit: 10, offset: 0 });

    // Assess
    expect(result).toStrictEqual({
      data: { total: 1, data: [{ pending_item_id: '26', item_name: 'job_a', task_type: 1, update_type: 2, package_flag: 0 }] },
      requestId: 'req-list-1',
      attempts: 1,
    });
    expect(fake.server.requests.map(wireOf)).toStrictEqual([
      {
        method: 'GET',
        url: `/v2/${PROJECT}/factory/pending-items?item_name=job%20a%26b%3Dc%2Fd%3F%C3%A9&limit=10&offset=0`,
        body: '',
        headers: { ...baseHeaders, workspace: WORKSPACE },
        signedHeaders: 'host;user-agent;workspace;x-project-id;x-sdk-date',
      },
    ]);
    expect(verifyReceived(fake.server.requests[0] as UpstreamRequest, NOW)).toStrictEqual({ ok: true, accessKey: AK, signedAt: NOW });
  });

  it('publishes pending items: POST with the exact JSON body, Content-Type and the workspace header', async () => {
    // Prepare
    fake.server.script({ status: 200, body: { package_name: 'release_2025.06', release_package_id: '13' } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const result = await publishPendingItems(client, PUBLISH_BODY);

    // Assess
    expect(result).toStrictEqual({ data: { package_name: 'release_2025.06', release_package_id: '13' }, requestId: undefined, attempts: 1 });
    expect(fake.server.requests.map(wireOf)).toStrictEqual([
      {
        method: 'POST',
        url: `/v2/${PROJECT}/factory/pending-items/package`,
        body: `{"apply_user_id":"${USER_A}","package_name":"release_2025.06","pending_item_list":["26","27"],"approver_ids":["b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2"]}`,
        headers: { ...baseHeaders, workspace: WORKSPACE, 'content-type': 'application/json' },
        signedHeaders: 'content-type;host;user-agent;workspace;x-project-id;x-sdk-date',
      },
    ]);
    expect(verifyReceived(fake.server.requests[0] as UpstreamRequest, NOW)).toStrictEqual({ ok: true, accessKey: AK, signedAt: NOW });
  });

  it('queries release packages: POST with the filter body; the workspace given per call wins over configuration', async () => {
    // Prepare
    const other = 'aaaabbbbccccddddeeeeffff00001111';
    fake.server.script({ status: 200, body: { total: 1, data: [{ package_id: '7', package_name: 'p7', deploy_status: 2 }] } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const result = await queryReleasePackages(client, { key_word: 'p', deploy_status_filter: [1, 2], limit: 100, offset: 0 }, { workspace: other });

    // Assess
    expect(result).toStrictEqual({ data: { total: 1, data: [{ package_id: '7', package_name: 'p7', deploy_status: 2, package_approvers: [] }] }, requestId: undefined, attempts: 1 });
    expect(fake.server.requests.map(wireOf)).toStrictEqual([
      {
        method: 'POST',
        url: `/v2/${PROJECT}/factory/release-packages`,
        body: '{"key_word":"p","deploy_status_filter":[1,2],"limit":100,"offset":0}',
        headers: { ...baseHeaders, workspace: other, 'content-type': 'application/json' },
        signedHeaders: 'content-type;host;user-agent;workspace;x-project-id;x-sdk-date',
      },
    ]);
    expect(verifyReceived(fake.server.requests[0] as UpstreamRequest, NOW).ok).toBe(true);
  });

  it('queries release packages without a workspace header when none is configured', async () => {
    // Prepare
    fake.server.script({ status: 200, body: { total: 0, data: [] } });
    const { client } = testClient(configFor(fake.server.url, {}, ['HUAWEICLOUD_DATAARTS_WORKSPACE']));

    // Act
    const result = await queryReleasePackages(client, {});

    // Assess
    expect(result).toStrictEqual({ data: { total: 0, data: [] }, requestId: undefined, attempts: 1 });
    expect(fake.server.requests.map(wireOf)).toStrictEqual([
      {
        method: 'POST',
        url: `/v2/${PROJECT}/factory/release-packages`,
        body: '{}',
        headers: { ...baseHeaders, 'content-type': 'application/json' },
        signedHeaders: 'content-type;host;user-agent;x-project-id;x-sdk-date',
      },
    ]);
  });

  it('shows a package: GET with the package id in the path', async () => {
    // Prepare
    fake.server.script({ status: 200, body: { release_package: { package_id: '13', package_name: 'p13', deploy_status: 1 } } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const result = await showPackageDetail(client, '13');

    // Assess
    expect(result).toStrictEqual({
      data: { release_package: { package_id: '13', package_name: 'p13', deploy_status: 1, package_approvers: [] }, task_details: [] },
      requestId: undefined,
      attempts: 1,
    });
    expect(fake.server.requests.map(wireOf)).toStrictEqual([
      {
        method: 'GET',
        url: `/v2/${PROJECT}/factory/release-packages/13`,
        body: '',
        headers: { ...baseHeaders, workspace: WORKSPACE },
        signedHeaders: 'host;user-agent;workspace;x-project-id;x-sdk-date',
      },
    ]);
    expect(verifyReceived(fake.server.requests[0] as UpstreamRequest, NOW).ok).toBe(true);
  });

  it('starts a deploy task: POST with the params body and no workspace header', async () => {
    // Prepare
    fake.server.script({ status: 200, body: { id: 'record-1', task_id: TASK_ID } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const result = await startDeployTask(client, TASK_ID, { params: [{ key: 'version', value: '1.2.3 "final"', type: 'text' }] });

    // Assess
    expect(result).toStrictEqual({ data: { id: 'record-1', task_id: TASK_ID, app_component_list: [] }, requestId: undefined, attempts: 1 });
    expect(fake.server.requests.map(wireOf)).toStrictEqual([
      {
        method: 'POST',
        url: `/v2/tasks/${TASK_ID}/start`,
        body: '{"params":[{"key":"version","value":"1.2.3 \\"final\\"","type":"text"}]}',
        headers: { ...baseHeaders, 'content-type': 'application/json' },
        signedHeaders: 'content-type;host;user-agent;x-project-id;x-sdk-date',
      },
    ]);
    expect(verifyReceived(fake.server.requests[0] as UpstreamRequest, NOW).ok).toBe(true);
  });

  it('lists the deploy history: GET under the CodeArts project with page, size and dates', async () => {
    // Prepare
    fake.server.script({ status: 200, body: { total_num: 1, result: [{ execution_id: 'e1', state: 'succeeded' }] } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const result = await listDeployTaskHistory(client, TASK_ID, { page: 1, size: 10, start_date: '2025-05-01', end_date: '2025-05-31' });

    // Assess
    expect(result).toStrictEqual({ data: { total_num: 1, result: [{ execution_id: 'e1', state: 'succeeded' }] }, requestId: undefined, attempts: 1 });
    expect(fake.server.requests.map(wireOf)).toStrictEqual([
      {
        method: 'GET',
        url: `/v2/${CODEARTS_PROJECT}/task/${TASK_ID}/history?page=1&size=10&start_date=2025-05-01&end_date=2025-05-31`,
        body: '',
        headers: baseHeaders,
        signedHeaders: 'host;user-agent;x-project-id;x-sdk-date',
      },
    ]);
    expect(verifyReceived(fake.server.requests[0] as UpstreamRequest, NOW).ok).toBe(true);
  });

  it('rejects a manual review: POST to the step path with no body, declared JSON as the SDKs send it', async () => {
    // Prepare
    fake.server.script({ status: 200, body: { success: true } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const result = await rejectManualReview(client, REVIEW_PATH);

    // Assess
    expect(result).toStrictEqual({ data: { success: true }, requestId: undefined, attempts: 1 });
    expect(fake.server.requests.map(wireOf)).toStrictEqual([
      {
        method: 'POST',
        url: `/v5/${CODEARTS_PROJECT}/api/pipelines/${PIPELINE_ID}/pipeline-runs/${RUN_ID}/jobs/${JOB_RUN_ID}/steps/${STEP_RUN_ID}/refuse`,
        body: '',
        headers: { ...baseHeaders, 'content-type': 'application/json' },
        signedHeaders: 'content-type;host;user-agent;x-project-id;x-sdk-date',
      },
    ]);
    expect(verifyReceived(fake.server.requests[0] as UpstreamRequest, NOW).ok).toBe(true);
  });

  it('shows a pipeline run: GET with pipeline_run_id in the query, or no query without a run id', async () => {
    // Prepare
    const run = { id: RUN_ID, pipeline_id: PIPELINE_ID, status: 'RUNNING' };
    fake.server.script({ status: 200, body: run }, { status: 200, body: run });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const withRun = await showPipelineRunDetail(client, PIPELINE_ID, RUN_ID);
    const latest = await showPipelineRunDetail(client, PIPELINE_ID, undefined);

    // Assess
    expect([withRun, latest]).toStrictEqual([
      { data: { ...run, stages: [] }, requestId: undefined, attempts: 1 },
      { data: { ...run, stages: [] }, requestId: undefined, attempts: 1 },
    ]);
    expect(fake.server.requests.map((r) => [r.method, r.url, signedHeadersOf(r)])).toStrictEqual([
      ['GET', `/v5/${CODEARTS_PROJECT}/api/pipelines/${PIPELINE_ID}/pipeline-runs/detail?pipeline_run_id=${RUN_ID}`, 'host;user-agent;x-project-id;x-sdk-date'],
      ['GET', `/v5/${CODEARTS_PROJECT}/api/pipelines/${PIPELINE_ID}/pipeline-runs/detail`, 'host;user-agent;x-project-id;x-sdk-date'],
    ]);
    expect(fake.server.requests.map((r) => verifyReceived(r, NOW).ok)).toStrictEqual([true, true]);
  });

  it('sends query values with reserved characters encoded once, and the signature verifies over the raw url', async () => {
    // Prepare
    fake.server.script({ status: 200, body: { total: 0, data: [] } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    await listPendingItems(client, { submit_user_name: "50%:o'k/*(x)!~", item_name: '一 (&=?!#%.*)' });

    // Assess
    expect(fake.server.requests.map((r) => r.url)).toStrictEqual([
      `/v2/${PROJECT}/factory/pending-items?submit_user_name=50%25%3Ao%27k%2F%2A%28x%29%21~&item_name=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29`,
    ]);
    expect(verifyReceived(fake.server.requests[0] as UpstreamRequest, NOW)).toStrictEqual({ ok: true, accessKey: AK, signedAt: NOW });
  });
});

describe('HTTP client: hostile ids never reach the wire', () => {
  const HOSTILE = ['../x', 'a/b', '%2F', '?q', 'https://evil.example', '#x', 'ü', '１３', '', ' 13', '13\n'];

  const cases: Array<{ name: string; field: string; message: string; call: (client: ReturnType<typeof testClient>['client'], id: string) => Promise<unknown> }> = [
    { name: 'ShowFactoryPackageDetail', field: 'path.package_id', message: 'must be a numeric id such as "13"', call: (c, id) => showPackageDetail(c, id) },
    { name: 'StartDeployTask', field: 'path.task_id', message: 'must be 32 letters or digits (a CodeArts id)', call: (c, id) => startDeployTask(c, id, {}) },
    {
      name: 'ListDeployTaskHistoryByDate',
      field: 'path.id',
      message: 'must be 32 letters or digits (a CodeArts id)',
      call: (c, id) => listDeployTaskHistory(c, id, { page: 1, size: 10, start_date: '2025-05-01', end_date: '2025-05-31' }),
    },
    { name: 'RejectManualReview', field: 'path.step_run_id', message: 'must be 32 letters or digits (a CodeArts id)', call: (c, id) => rejectManualReview(c, { ...REVIEW_PATH, step_run_id: id }) },
    { name: 'RejectManualReview', field: 'path.pipeline_run_id', message: 'must be 32 letters or digits (a CodeArts id)', call: (c, id) => rejectManualReview(c, { ...REVIEW_PATH, pipeline_run_id: id }) },
    { name: 'ShowPipelineRunDetail', field: 'path.pipeline_id', message: 'must be 32 letters or digits (a CodeArts id)', call: (c, id) => showPipelineRunDetail(c, id, undefined) },
    { name: 'ListFactoryPendingItems', field: 'headers.workspace', message: 'must be 32 letters or digits (a DataArts workspace id)', call: (c, id) => listPendingItems(c, {}, { workspace: id }) },
    {
      name: 'CreateFactoryPendingItemsPackage',
      field: 'body.pending_item_list.0',
      message: 'must be a numeric id such as "26"',
      call: (c, id) => publishPendingItems(c, { ...PUBLISH_BODY, pending_item_list: [id] }),
    },
  ];

  it.each(cases.flatMap((c) => HOSTILE.map((id) => [c.field, JSON.stringify(id), c, id] as const)))('%s = %s is an invalid request and sends nothing', async (_field, _shown, c, id) => {
    // Prepare
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(c.call(client, id));

    // Assess
    expect(failure).toStrictEqual(invalidRequest(c.name, c.field, c.message));
    expect(fake.server.requests).toStrictEqual([]);
  });

  it('an empty string as the run id of a run detail means "latest run" and sends no query', async () => {
    // Prepare
    fake.server.script({ status: 200, body: { id: RUN_ID, pipeline_id: PIPELINE_ID, status: 'RUNNING' } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    await showPipelineRunDetail(client, PIPELINE_ID, '');

    // Assess
    expect(fake.server.requests.map((r) => r.url)).toStrictEqual([`/v5/${CODEARTS_PROJECT}/api/pipelines/${PIPELINE_ID}/pipeline-runs/detail`]);
  });

  it.each(['../x', '?q', '#x', 'https://evil.example'])('a hostile pipeline run id %s in the query is refused before sending', async (id) => {
    // Prepare
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(showPipelineRunDetail(client, PIPELINE_ID, id));

    // Assess
    expect(failure).toStrictEqual(invalidRequest('ShowPipelineRunDetail', 'query.pipeline_run_id', 'must be 32 letters or digits (a CodeArts id)'));
    expect(fake.server.requests).toStrictEqual([]);
  });

  it.each([
    ['a lone high surrogate', 'ab\uD800'],
    ['a lone low surrogate', '\uDC00ab'],
    ['a reversed pair', '\uDE00\uD83D'],
  ])('a query text with %s is an invalid request naming the field, and sends nothing', async (_what, text) => {
    // Prepare
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(listPendingItems(client, { item_name: text }));

    // Assess
    expect(failure).toStrictEqual(invalidRequest('ListFactoryPendingItems', 'query.item_name', 'must be valid Unicode text (it holds an unpaired surrogate)'));
    expect(fake.server.requests).toStrictEqual([]);
  });

  it('a query value that cannot be percent-encoded is refused even when its contract does not check the text', async () => {
    // Prepare: a contract with a plain string query, so the encoding itself meets the unpaired surrogate.
    const { client } = testClient(configFor(fake.server.url));
    const lookup = defineOperation({
      name: 'LookupByName',
      service: 'dataarts',
      method: 'GET',
      path: '/v2/{project_id}/lookup',
      pathParams: z.strictObject({ project_id: z.string() }),
      query: z.strictObject({ name: z.string() }),
      headers: z.strictObject({}),
      body: undefined,
      response: z.object({}),
      readOnly: true,
    });

    // Act
    const failure = await failureOf(client.call(lookup, { pathParams: { project_id: PROJECT }, query: { name: 'x\uD800' } }));

    // Assess
    expect(failure).toStrictEqual(invalidRequest('LookupByName', 'query.name', 'must be valid Unicode text (it holds an unpaired surrogate)'));
    expect(fake.server.requests).toStrictEqual([]);
  });

  it('a missing workspace or CodeArts project is a configuration error naming the variable, with nothing sent', async () => {
    // Prepare
    const { client } = testClient(configFor(fake.server.url, {}, ['HUAWEICLOUD_DATAARTS_WORKSPACE', 'HUAWEICLOUD_CODEARTS_PROJECT_ID']));

    // Act
    const errors = await Promise.all([
      listPendingItems(client, {}).then(() => undefined, (error: unknown) => error),
      showPipelineRunDetail(client, PIPELINE_ID, undefined).then(() => undefined, (error: unknown) => error),
    ]);

    // Assess
    expect(errors.map((e) => [e instanceof ConfigError, (e as ConfigError).variable, (e as Error).message])).toStrictEqual([
      [true, 'HUAWEICLOUD_DATAARTS_WORKSPACE', 'HUAWEICLOUD_DATAARTS_WORKSPACE: is required but not set'],
      [true, 'HUAWEICLOUD_CODEARTS_PROJECT_ID', 'HUAWEICLOUD_CODEARTS_PROJECT_ID: is required but not set'],
    ]);
    expect(fake.server.requests).toStrictEqual([]);
  });
});
