/**
 * End to end: `npm start`'s stack (the local Huawei Cloud + serverless-offline running the bundled
 * functions) started on free ports, every route driven over real HTTP.
 */
import axios from 'axios';
import { freePort, startLocalStack, type LocalStack } from '../../scripts/local-stack';
import { SEED } from '../../emulator/seed';

const TOKEN = 'test-bearer-token-all-0001';
let stack: LocalStack;
const output: string[] = [];

beforeAll(async () => {
  stack = await startLocalStack({ port: await freePort(), localCloud: true, apiToken: TOKEN, onOutput: (line) => output.push(line) });
}, 180_000);

afterAll(async () => {
  await stack?.stop();
}, 30_000);

const http = () =>
  axios.create({ baseURL: stack.url, validateStatus: () => true, headers: { Authorization: `Bearer ${TOKEN}` }, timeout: 30_000 });

describe('Local stack over HTTP', () => {
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

  it('serves the OpenAPI document', async () => {
    const response = await http().get('/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(response.data.openapi).toBe('3.1.0');
  });

  it('refuses a request without a token', async () => {
    const response = await axios.get(`${stack.url}/v1/pending-items`, { validateStatus: () => true });
    expect(response.status).toBe(401);
    expect(response.data.error_code).toBe('HRF.0401');
  });
});
