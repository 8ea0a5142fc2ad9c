/** The emulator's CodeArts Deploy (start, history, status) and CodeArts Pipeline (refuse, pass, run detail). */
import { startEmulator, SEED, type RunningEmulator } from '../../../emulator';
import { admin, signedCall } from '../../helpers/emulator';

const NOW = new Date('2025-06-01T08:00:00Z');
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ now: NOW });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.clock.set(NOW);
  emulator.reset();
});

const start = (taskId: string, body: unknown = {}) => signedCall(emulator, { method: 'POST', path: `/v2/tasks/${taskId}/start`, body });
const history = (taskId: string, query: string, projectId = emulator.identity.codeartsProjectId) =>
  signedCall(emulator, { method: 'GET', path: `/v2/${projectId}/task/${taskId}/history?${query}` });
const deployStatus = (taskId: string, recordId: string) => signedCall(emulator, { method: 'GET', path: `/v2/tasks/${taskId}/state?record_id=${recordId}` });
const deployFailure = (code: string, message: string) => ({ error: { code, message }, status: 'failed' });

describe('Emulator CodeArts Deploy: StartDeployTask', () => {
  it('starts a deployment: a new record id, the job name and the app component', async () => {
    // Act
    const response = await start(SEED.deployTasks.idle, { params: [{ key: 'version', value: '1.2.3', type: 'text' }] });
    // Assess
    const recordId = (response.body as { id: string }).id;
    expect(response.status).toBe(200);
    expect(recordId).toMatch(/^[0-9a-f]{32}$/);
    expect(response.body).toStrictEqual({
      id: recordId,
      task_id: SEED.deployTasks.idle,
      job_name: `job_${recordId}_${NOW.getTime()}`,
      app_component_list: [
        {
          task_id: SEED.deployTasks.idle,
          app_id: 'app00000000000000000000000000001',
          app_name: 'release-app-1',
          comp_id: 'comp0000000000000000000000000001',
          comp_name: 'release-component-1',
          domain_id: emulator.identity.domainId,
          region: 'cn-north-4',
          state: '1',
        },
      ],
    });
  });

  it('runs the deployment for 60 s of emulator clock, refusing a second start meanwhile', async () => {
    const first = await start(SEED.deployTasks.idle);
    const recordId = (first.body as { id: string }).id;
    const busy = await start(SEED.deployTasks.idle);
    expect([busy.status, busy.body]).toStrictEqual([400, deployFailure('Deploy.00011027', 'The application is being deployed. Try again later.')]);
    expect(((await deployStatus(SEED.deployTasks.idle, recordId)).body as { result: { status: string } }).result.status).toBe('running');
    emulator.clock.advance(60_000);
    const done = await deployStatus(SEED.deployTasks.idle, recordId);
    expect(done.body).toStrictEqual({
      status: 'success',
      result: {
        status: 'succeeded',
        record_id: recordId,
        task_id: SEED.deployTasks.idle,
        step: 'finish',
        start_time: '2025-06-01 08:00:00',
        end_time: '2025-06-01 08:01:00',
        nick_name: 'emulator-user',
      },
    });
    expect((await start(SEED.deployTasks.idle)).status).toBe(200);
  });

  it('ends deployments of the failing task in "failed"', async () => {
    const recordId = ((await start(SEED.deployTasks.failing)).body as { id: string }).id;
    emulator.clock.advance(60_000);
    expect(((await deployStatus(SEED.deployTasks.failing, recordId)).body as { result: { status: string } }).result.status).toBe('failed');
  });

  it('answers the task already deploying with 400 Deploy.00011027', async () => {
    const response = await start(SEED.deployTasks.deploying);
    expect([response.status, response.body]).toStrictEqual([400, deployFailure('Deploy.00011027', 'The application is being deployed. Try again later.')]);
  });

  it.each([['ffffffffffffffffffffffffffffffff'], ['not-an-id']])('answers an unknown task %s with 404 Deploy.00011020', async (taskId) => {
    const response = await start(taskId);
    expect([response.status, response.body]).toStrictEqual([404, deployFailure('Deploy.00011020', 'The application does not exist or has been deleted.')]);
  });

  it('requires a body, valid JSON and known fields; a rollback record must exist', async () => {
    const noBody = await signedCall(emulator, { method: 'POST', path: `/v2/tasks/${SEED.deployTasks.idle}/start` });
    const notJson = await start(SEED.deployTasks.idle, '{');
    const badParam = await start(SEED.deployTasks.idle, { params: [{ key: 'k', value: 'v', type: 'file' }] });
    const badRecord = await start(SEED.deployTasks.idle, { record_id: 'ffffffffffffffffffffffffffffffff' });
    expect([noBody.status, noBody.body]).toStrictEqual([400, deployFailure('Deploy.00011002', 'Invalid request parameter: the request body is required')]);
    expect([notJson.status, notJson.body]).toStrictEqual([400, deployFailure('Deploy.00011002', 'Invalid request parameter: the request body is not valid JSON')]);
    expect(badParam.status).toBe(400);
    expect([badRecord.status, badRecord.body]).toStrictEqual([400, deployFailure('Deploy.00011303', 'The deployment record does not exist.')]);
    expect(emulator.state.deploymentsOf(SEED.deployTasks.idle)).toHaveLength(3);
  });
});

describe('Emulator CodeArts Deploy: history and status', () => {
  it('lists the deployments of a date range, newest first, with their states', async () => {
    // Prepare
    const recordId = ((await start(SEED.deployTasks.idle)).body as { id: string }).id;
    // Act
    const response = await history(SEED.deployTasks.idle, 'page=1&size=10&start_date=2025-05-25&end_date=2025-06-01');
    // Assess
    expect(response.status).toBe(200);
    expect(response.body).toStrictEqual({
      total_num: 4,
      result: [
        {
          execution_id: recordId,
          state: 'running',
          start_time: '2025-06-01 08:00:00',
          duration: '00:00:00',
          operator: SEED.users.caller,
          nickname: 'emulator-user',
          release_id: 4,
          type: 'deploy',
        },
        expect.objectContaining({ state: 'succeeded', start_time: '2025-05-31 08:00:00', end_time: '2025-05-31 08:01:01', duration: '00:01:01', release_id: 3 }),
        expect.objectContaining({ state: 'failed', start_time: '2025-05-30 08:00:00', nickname: SEED.userNames.approver, release_id: 2 }),
        expect.objectContaining({ state: 'succeeded', start_time: '2025-05-29 08:00:00', release_id: 1 }),
      ],
    });
  });

  it('pages and restricts to the date range (also with the IAM project id in the path)', async () => {
    const page2 = await history(SEED.deployTasks.idle, 'page=2&size=2&start_date=2025-05-01&end_date=2025-05-31');
    expect((page2.body as { total_num: number; result: { release_id: number }[] }).result.map((r) => r.release_id)).toStrictEqual([1]);
    const narrow = await history(SEED.deployTasks.idle, 'page=1&size=10&start_date=2025-05-30&end_date=2025-05-30', emulator.identity.projectId);
    expect((narrow.body as { result: { release_id: number }[] }).result.map((r) => r.release_id)).toStrictEqual([2]);
  });

  it.each([
    ['page=1&size=10&start_date=2025-05-01'],
    ['page=0&size=10&start_date=2025-05-01&end_date=2025-05-02'],
    ['page=1&size=101&start_date=2025-05-01&end_date=2025-05-02'],
    ['page=1&size=10&start_date=2025/05/01&end_date=2025-05-02'],
    ['page=1&size=10&start_date=2025-02-31&end_date=2025-03-02'],
    ['page=1&size=10&start_date=2025-05-03&end_date=2025-05-02'],
    ['page=1&size=10&start_date=2025-04-01&end_date=2025-05-02'],
  ])('refuses %s with 400 Deploy.00011002', async (query) => {
    const response = await history(SEED.deployTasks.idle, query);
    expect(response.status).toBe(400);
    expect((response.body as { error: { code: string } }).error.code).toBe('Deploy.00011002');
  });

  it('answers an unknown task with 404 and another project with 403', async () => {
    const unknown = await history('ffffffffffffffffffffffffffffffff', 'page=1&size=10&start_date=2025-05-01&end_date=2025-05-02');
    const otherProject = await history(SEED.deployTasks.idle, 'page=1&size=10&start_date=2025-05-01&end_date=2025-05-02', 'ffffffffffffffffffffffffffffffff');
    expect([unknown.status, otherProject.status]).toStrictEqual([404, 403]);
    expect(otherProject.body).toStrictEqual(deployFailure('Deploy.00011154', 'Insufficient permissions for this project.'));
  });

  it('ShowDeployStatus answers an unknown record with 400 Deploy.00011303 and requires record_id', async () => {
    const unknown = await deployStatus(SEED.deployTasks.idle, 'ffffffffffffffffffffffffffffffff');
    const missing = await signedCall(emulator, { method: 'GET', path: `/v2/tasks/${SEED.deployTasks.idle}/state` });
    expect([unknown.status, unknown.body]).toStrictEqual([400, deployFailure('Deploy.00011303', 'The deployment record does not exist.')]);
    expect([missing.status, missing.body]).toStrictEqual([400, deployFailure('Deploy.00011002', 'Invalid request parameter: record_id is required')]);
  });
});

describe('Emulator CodeArts Pipeline', () => {
  const reviewPath = (step: { pipelineId: string; runId: string; jobRunId: string; stepRunId: string }, action: string, projectId = emulator.identity.codeartsProjectId) =>
    `/v5/${projectId}/api/pipelines/${step.pipelineId}/pipeline-runs/${step.runId}/jobs/${step.jobRunId}/steps/${step.stepRunId}/${action}`;
  const decide = (step: Parameters<typeof reviewPath>[0], action: 'refuse' | 'pass', projectId?: string) =>
    signedCall(emulator, { method: 'POST', path: reviewPath(step, action, projectId) });
  const runDetail = (runId?: string, pipelineId: string = SEED.pipelines.pipelineId) =>
    signedCall(emulator, {
      method: 'GET',
      path: `/v5/${emulator.identity.codeartsProjectId}/api/pipelines/${pipelineId}/pipeline-runs/detail${runId ? `?pipeline_run_id=${runId}` : ''}`,
    });
  type Detail = { status: string; end_time?: number; stages: { status: string; jobs: { id: string; status: string; steps: { id: string; status: string; message?: string | null }[] }[] }[] };

  it('shows a run waiting at its manual review step', async () => {
    const w = SEED.pipelines.waiting;
    const response = await runDetail(w.runId);
    expect(response.status).toBe(200);
    expect(response.body).toStrictEqual({
      id: w.runId,
      pipeline_id: w.pipelineId,
      name: 'release-pipeline',
      status: 'RUNNING',
      run_number: 2,
      start_time: NOW.getTime() - 30 * 60_000,
      stages: [
        expect.objectContaining({ name: 'Build', status: 'COMPLETED' }),
        {
          id: expect.stringMatching(/^[0-9a-f]{32}$/),
          name: 'Release approval',
          status: 'RUNNING',
          jobs: [
            {
              id: w.jobRunId,
              name: 'Manual review',
              status: 'PAUSED',
              message: null,
              steps: [{ id: w.stepRunId, name: 'Manual review', task: 'official_devcloud_manualReview', business_type: 'Gate', status: 'PAUSED', message: null }],
            },
          ],
        },
        expect.objectContaining({ name: 'Deploy', status: 'INIT' }),
      ],
    });
  });

  it('answers the latest run without pipeline_run_id', async () => {
    const response = await runDetail();
    expect((response.body as { id: string; run_number: number }).id).toBe(SEED.pipelines.waiting3.runId);
  });

  it('refuses a waiting review: step, job, stage and run FAILED; a second refusal is an error', async () => {
    // Act
    const first = await decide(SEED.pipelines.waiting, 'refuse');
    const second = await decide(SEED.pipelines.waiting, 'refuse');
    // Assess
    expect([first.status, first.body]).toStrictEqual([200, { success: true }]);
    expect([second.status, second.body]).toStrictEqual([400, { error_code: 'DEVPIPE.00011415', error_msg: 'The manual review is not waiting for a decision (status FAILED).' }]);
    const run = (await runDetail(SEED.pipelines.waiting.runId)).body as Detail;
    expect([run.status, run.end_time]).toStrictEqual(['FAILED', NOW.getTime()]);
    expect(run.stages.map((s) => s.status)).toStrictEqual(['COMPLETED', 'FAILED', 'INIT']);
    expect(run.stages[1]?.jobs[0]?.status).toBe('FAILED');
    expect(run.stages[1]?.jobs[0]?.steps[0]).toStrictEqual(expect.objectContaining({ status: 'FAILED', message: 'Refused by emulator-user' }));
  });

  it('passes a waiting review: the run completes; refusing it afterwards is an error', async () => {
    const passed = await decide(SEED.pipelines.waiting2, 'pass');
    expect([passed.status, passed.body]).toStrictEqual([200, { success: true }]);
    const run = (await runDetail(SEED.pipelines.waiting2.runId)).body as Detail;
    expect([run.status, run.stages.map((s) => s.status)]).toStrictEqual(['COMPLETED', ['COMPLETED', 'COMPLETED', 'COMPLETED']]);
    const refused = await decide(SEED.pipelines.waiting2, 'refuse');
    expect([refused.status, (refused.body as { error_code: string }).error_code]).toStrictEqual([400, 'DEVPIPE.00011415']);
  });

  it('refuses to decide the review that was already decided in the seed', async () => {
    const response = await decide(SEED.pipelines.decided, 'pass');
    expect([response.status, response.body]).toStrictEqual([400, { error_code: 'DEVPIPE.00011415', error_msg: 'The manual review is not waiting for a decision (status FAILED).' }]);
  });

  it('answers an unknown pipeline with 404 DEVPIPE.00011401, unknown run/step with 404 DEVPIPE.30011001, another project with 404 DEVPIPE.00011412', async () => {
    const w = SEED.pipelines.waiting;
    const pipeline = await decide({ ...w, pipelineId: 'ffffffffffffffffffffffffffffffff' }, 'refuse');
    const run = await decide({ ...w, runId: 'ffffffffffffffffffffffffffffffff' }, 'refuse');
    const step = await decide({ ...w, stepRunId: 'ffffffffffffffffffffffffffffffff' }, 'refuse');
    const project = await decide(w, 'refuse', 'ffffffffffffffffffffffffffffffff');
    const detail = await runDetail('ffffffffffffffffffffffffffffffff');
    expect([pipeline.status, pipeline.body]).toStrictEqual([404, { error_code: 'DEVPIPE.00011401', error_msg: 'The pipeline does not exist.' }]);
    expect([run.status, run.body]).toStrictEqual([404, { error_code: 'DEVPIPE.30011001', error_msg: 'The pipeline run does not exist.' }]);
    expect([step.status, step.body]).toStrictEqual([404, { error_code: 'DEVPIPE.30011001', error_msg: 'The job or step does not exist in this run.' }]);
    expect([project.status, project.body]).toStrictEqual([404, { error_code: 'DEVPIPE.00011412', error_msg: 'The project does not exist.' }]);
    expect(detail.status).toBe(404);
    expect(((await runDetail(w.runId)).body as Detail).status).toBe('RUNNING');
  });

  it('refuses to decide a step that is not a manual review', async () => {
    const run = (await runDetail(SEED.pipelines.waiting3.runId)).body as Detail;
    const buildJob = run.stages[0]?.jobs[0];
    const response = await decide({ ...SEED.pipelines.waiting3, jobRunId: buildJob?.id ?? '', stepRunId: buildJob?.steps[0]?.id ?? '' }, 'refuse');
    expect([response.status, response.body]).toStrictEqual([400, { error_code: 'DEVPIPE.00011415', error_msg: 'The step is not a manual review.' }]);
  });

  it('the admin API adds a run waiting at review, which can then be refused', async () => {
    const added = await admin(emulator, 'POST', '/pipeline-runs', {});
    expect(added.status).toBe(201);
    const step = added.body as { pipelineId: string; runId: string; jobRunId: string; stepRunId: string };
    expect(step).toStrictEqual({
      pipelineId: SEED.pipelines.pipelineId,
      runId: expect.stringMatching(/^[0-9a-f]{32}$/),
      jobRunId: expect.stringMatching(/^[0-9a-f]{32}$/),
      stepRunId: expect.stringMatching(/^[0-9a-f]{32}$/),
    });
    expect(((await runDetail()).body as { id: string }).id).toBe(step.runId);
    expect((await decide(step, 'refuse')).body).toStrictEqual({ success: true });
    expect((await admin(emulator, 'POST', '/pipeline-runs', { pipeline_id: 'nope' })).status).toBe(404);
  });
});
