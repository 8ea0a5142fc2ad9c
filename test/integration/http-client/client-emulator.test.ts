/**
 * The Huawei Cloud client against the local Huawei Cloud (emulator/): every typed operation on the seeded
 * tenant, one upstream error path each, retries and deadlines under injected faults, and IAM token mode.
 */
import { startEmulator, SEED, type RunningEmulator } from '../../../emulator';
import { loadHuaweiCloudConfig } from '../../../shared/config/env';
import { HuaweiCloudClient } from '../../../shared/http/client';
import { collectAll } from '../../../shared/http/paginate';
import { UpstreamError } from '../../../shared/http/upstream-error';
import { recordingSleep } from '../../helpers/fake-upstream';
import { testEnv } from '../../helpers/runtime';
import { failureOf, NO_FAILURE_DETAILS } from './support';
import { rejectManualReview, showPipelineRunDetail } from '../../../shared/http/codearts-pipeline';
import { listPendingItems, publishPendingItems, queryReleasePackages, showPackageDetail } from '../../../shared/http/dataarts';
import { listDeployTaskHistory, startDeployTask } from '../../../shared/http/codearts-deploy';

const NOW = new Date('2025-06-01T08:00:00Z');
const REQUEST_ID = /^[0-9a-f]{32}$/;
let emulator: RunningEmulator;

beforeAll(async () => {
  emulator = await startEmulator({ now: NOW });
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.setFaults({});
  emulator.clock.set(NOW);
  emulator.reset();
});

/** A client on the emulator's clock, sleeps recorded and instant. */
function emulatorClient(extraEnv: Record<string, string> = {}, without: readonly string[] = []) {
  const env: Record<string, string> = testEnv(emulator.url, extraEnv);
  for (const name of without) delete env[name];
  const { sleep, delays } = recordingSleep();
  const client = new HuaweiCloudClient({ config: loadHuaweiCloudConfig(env), now: () => emulator.clock.now(), sleep, random: () => 0.5 });
  return { client, delays };
}

const publishBody = (items: string[], name = 'client_release') => ({
  apply_user_id: SEED.users.applicant,
  package_name: name,
  pending_item_list: items,
  approver_ids: [SEED.users.approver],
});
const reviewPath = (step: { pipelineId: string; runId: string; jobRunId: string; stepRunId: string }) => ({
  pipeline_id: step.pipelineId,
  pipeline_run_id: step.runId,
  job_run_id: step.jobRunId,
  step_run_id: step.stepRunId,
});
const HISTORY_QUERY = { page: 1, size: 10, start_date: '2025-05-25', end_date: '2025-06-01' };

describe('HTTP client on the emulator: every typed operation', () => {
  it('lists the seeded pending items, and collectAll walks them page by page', async () => {
    // Prepare
    const { client } = emulatorClient();

    // Act
    const result = await listPendingItems(client, { limit: 100 });
    const walked = await collectAll(async (offset, limit) => (await listPendingItems(client, { offset, limit })).data, { limit: 7 });

    // Assess
    expect(result.attempts).toBe(1);
    expect(result.requestId).toMatch(REQUEST_ID);
    expect(result.data.total).toBe(40);
    expect(result.data.data.map((i) => i.pending_item_id)).toStrictEqual(SEED.pendingItemIds);
    expect(result.data.data.filter((i) => i.package_flag === 0).map((i) => i.pending_item_id)).toStrictEqual(SEED.unpackagedItemIds);
    expect({ ids: walked.items.map((i) => i.pending_item_id), total: walked.total, pages: walked.pages, truncated: walked.truncated }).toStrictEqual({
      ids: SEED.pendingItemIds,
      total: 40,
      pages: 6,
      truncated: false,
    });
  });

  it('publishes unpackaged items as a new package and the items become packaged', async () => {
    // Prepare
    const { client } = emulatorClient();
    const items = SEED.unpackagedItemIds.slice(0, 2);

    // Act
    const result = await publishPendingItems(client, publishBody(items));

    // Assess
    expect({ ...result, requestId: typeof result.requestId }).toStrictEqual({ data: { package_name: 'client_release', release_package_id: '41' }, requestId: 'string', attempts: 1 });
    expect(items.map((id) => emulator.state.pendingItems.get(id)?.package_flag)).toStrictEqual([1, 1]);
    expect(emulator.requests.map((r) => [r.operation, r.status])).toStrictEqual([['CreateFactoryPendingItemsPackage', 200]]);
  });

  it('queries release packages and shows one package', async () => {
    // Prepare
    const { client } = emulatorClient();

    // Act
    const page = await queryReleasePackages(client, { limit: 5, offset: 0, order_column: 'package_name', sorted_direction: 'asc' });
    const detail = await showPackageDetail(client, SEED.packages.pendingApproval);

    // Assess
    expect(page.data.total).toBe(40);
    expect(page.data.data.map((p) => p.package_name)).toStrictEqual(['seed_release_00001', 'seed_release_00002', 'seed_release_00003', 'seed_release_00004', 'seed_release_00005']);
    expect([detail.data.release_package.package_id, detail.data.release_package.deploy_status, detail.data.task_details.length]).toStrictEqual(['1', 1, 1]);
  });

  it('starts the idle deploy task and lists its history', async () => {
    // Prepare
    const { client } = emulatorClient();

    // Act
    const before = await listDeployTaskHistory(client, SEED.deployTasks.idle, HISTORY_QUERY);
    const started = await startDeployTask(client, SEED.deployTasks.idle, {});
    const after = await listDeployTaskHistory(client, SEED.deployTasks.idle, HISTORY_QUERY);

    // Assess
    expect(before.data.total_num).toBe(3);
    expect(started.data.task_id).toBe(SEED.deployTasks.idle);
    expect(started.data.id).not.toBe('');
    expect(after.data.total_num).toBe(4);
  });

  it('rejects a waiting manual review, and the run detail shows it refused', async () => {
    // Prepare
    const { client } = emulatorClient();
    const step = SEED.pipelines.waiting;

    // Act
    const waiting = await showPipelineRunDetail(client, step.pipelineId, step.runId);
    const rejected = await rejectManualReview(client, reviewPath(step));
    const after = await showPipelineRunDetail(client, step.pipelineId, step.runId);

    // Assess
    expect([waiting.data.id, waiting.data.pipeline_id, waiting.data.status]).toStrictEqual([step.runId, step.pipelineId, 'RUNNING']);
    expect(rejected.data).toStrictEqual({ success: true });
    expect(after.data.status).toBe('FAILED');
  });
});

describe('HTTP client on the emulator: upstream errors', () => {
  it('publishing an already-packaged item is DLF.3051, with the request id, not retried', async () => {
    // Prepare
    const { client } = emulatorClient();
    const packaged = SEED.packagedItemIds[0] as string;

    // Act
    const failure = await failureOf(publishPendingItems(client, publishBody([packaged])));

    // Assess
    const errorMsg = `The request parameter is invalid. The pending item ${packaged} has already been packaged.`;
    expect({ ...failure, requestId: REQUEST_ID.test(failure.requestId ?? '') }).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: `CreateFactoryPendingItemsPackage failed with HTTP 400 DLF.3051: ${errorMsg}`,
      operation: 'CreateFactoryPendingItemsPackage',
      kind: 'http',
      status: 400,
      errorCode: 'DLF.3051',
      errorMsg,
      requestId: true,
      attempts: 1,
    });
    expect(emulator.requests).toHaveLength(1);
  });

  it('starting a task that is already deploying is Deploy.00011027 (the {error: {code, message}} shape)', async () => {
    // Prepare
    const { client } = emulatorClient();

    // Act
    const failure = await failureOf(startDeployTask(client, SEED.deployTasks.deploying, {}));

    // Assess
    expect([failure.kind, failure.status, failure.errorCode, failure.errorMsg, failure.attempts]).toStrictEqual([
      'http',
      400,
      'Deploy.00011027',
      'The application is being deployed. Try again later.',
      1,
    ]);
  });

  it('refusing a review that is not waiting is DEVPIPE.00011415', async () => {
    // Prepare
    const { client } = emulatorClient();

    // Act
    const failure = await failureOf(rejectManualReview(client, reviewPath(SEED.pipelines.decided)));

    // Assess
    expect([failure.kind, failure.status, failure.errorCode, failure.errorMsg, failure.attempts]).toStrictEqual([
      'http',
      400,
      'DEVPIPE.00011415',
      'The manual review is not waiting for a decision (status FAILED).',
      1,
    ]);
  });
});

describe('HTTP client on the emulator: faults', () => {
  it('reads under 50% throttling succeed within 3 attempts or report 429 after 3', async () => {
    // Prepare
    emulator.setFaults({ throttleRatio: 0.5, seed: 7 });
    // Recorded sleeps take no time; the deadline holds the 1 s + 2 s backoffs with the 1 s an attempt needs.
    const { client, delays } = emulatorClient({ HUAWEICLOUD_CALL_DEADLINE_MS: '60000' });

    // Act
    const outcomes: Array<{ ok: true; attempts: number } | { ok: false; attempts: number; status: number | undefined; code: string | undefined }> = [];
    for (let i = 0; i < 20; i++) {
      try {
        outcomes.push({ ok: true, attempts: (await listPendingItems(client, { limit: 1 })).attempts });
      } catch (error) {
        if (!(error instanceof UpstreamError)) throw error;
        outcomes.push({ ok: false, attempts: error.attempts, status: error.status, code: error.errorCode });
      }
    }

    // Assess
    for (const outcome of outcomes) {
      if (outcome.ok) expect(outcome.attempts).toBeLessThanOrEqual(3);
      else expect(outcome).toStrictEqual({ ok: false, attempts: 3, status: 429, code: 'APIG.0308' });
    }
    // seed 7 gives both: calls that needed a retry and calls throttled three times in a row
    expect([outcomes.some((o) => o.ok && o.attempts > 1), outcomes.some((o) => !o.ok)]).toStrictEqual([true, true]);
    expect(emulator.requests).toHaveLength(outcomes.reduce((sum, o) => sum + o.attempts, 0));
    expect(emulator.requests.filter((r) => r.fault === 'throttle')).toHaveLength(delays.length + outcomes.filter((o) => !o.ok).length);
    expect(delays.every((d) => d >= 1000)).toBe(true);
  });

  it('a gateway timeout (504 APIG.0201) is retried for a read and not for a write, whose outcome is then unknown', async () => {
    // Prepare
    emulator.setFaults({ serverErrorRatio: 1, serverErrorStatus: 504 });
    const { client } = emulatorClient();

    // Act
    const read = await failureOf(listPendingItems(client, { limit: 1 }));
    const write = await failureOf(publishPendingItems(client, publishBody(SEED.unpackagedItemIds.slice(0, 1))));

    // Assess
    const pick = (f: typeof read) => [f.operation, f.kind, f.status, f.errorCode, f.attempts, f.outcomeUnknown];
    expect([pick(read), pick(write)]).toStrictEqual([
      ['ListFactoryPendingItems', 'http', 504, 'APIG.0201', 3, false],
      ['CreateFactoryPendingItemsPackage', 'http', 504, 'APIG.0201', 1, true],
    ]);
    expect(emulator.requests.map((r) => [r.operation, r.status])).toStrictEqual([
      ['ListFactoryPendingItems', 504],
      ['ListFactoryPendingItems', 504],
      ['ListFactoryPendingItems', 504],
      ['CreateFactoryPendingItemsPackage', 504],
    ]);
  });

  it('a body that never comes (stallRatio 1) is a timeout on time', async () => {
    // Prepare
    emulator.setFaults({ stallRatio: 1 });
    const { client } = emulatorClient();
    const startedAt = performance.now();

    // Act
    const failure = await failureOf(listPendingItems(client, {}, { deadlineMs: 300 }));

    // Assess
    const elapsedMs = performance.now() - startedAt;
    expect([failure.kind, failure.attempts, failure.outcomeUnknown]).toStrictEqual(['timeout', 1, false]);
    expect(elapsedMs).toBeLessThan(800);
    expect(emulator.requests).toHaveLength(1);
  });

  it('a publish whose connection drops after processing is outcome-unknown, sent once, and the package WAS created', async () => {
    // Prepare
    emulator.setFaults({ dropRatio: 1, faultTiming: 'after' });
    const { client } = emulatorClient();
    const items = SEED.unpackagedItemIds.slice(0, 2);

    // Act
    const failure = await failureOf(publishPendingItems(client, publishBody(items, 'lost_answer_release')));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'CreateFactoryPendingItemsPackage could not reach Huawei Cloud (ECONNRESET)',
      operation: 'CreateFactoryPendingItemsPackage',
      kind: 'network',
      attempts: 1,
      outcomeUnknown: true,
    });
    expect(emulator.requests.map((r) => [r.operation, r.fault, r.status])).toStrictEqual([['CreateFactoryPendingItemsPackage', 'drop', null]]);
    expect(emulator.state.packages.filter((p) => p.row.package_name === 'lost_answer_release').map((p) => p.row.package_id)).toStrictEqual(['41']);
    expect(items.map((id) => emulator.state.pendingItems.get(id)?.package_flag)).toStrictEqual([1, 1]);
  });
});

describe('HTTP client on the emulator: IAM token mode', () => {
  const iamEnv = () => ({
    HUAWEICLOUD_IAM_DOMAIN: emulator.identity.iamDomain,
    HUAWEICLOUD_IAM_USER: emulator.identity.iamUser,
    HUAWEICLOUD_IAM_PASSWORD: emulator.identity.iamPassword,
  });

  it('gets a token from /v3/auth/tokens once and calls the services with X-Auth-Token', async () => {
    // Prepare
    const { client } = emulatorClient(iamEnv(), ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK']);

    // Act
    const items = await listPendingItems(client, { limit: 3 });
    const run = await showPipelineRunDetail(client, SEED.pipelines.pipelineId, SEED.pipelines.waiting.runId);

    // Assess
    expect([items.data.total, run.data.id]).toStrictEqual([40, SEED.pipelines.waiting.runId]);
    expect(emulator.requests.map((r) => [r.operation, r.status, r.headers['x-auth-token'], r.headers.authorization])).toStrictEqual([
      ['KeystoneCreateUserTokenByPassword', 201, undefined, undefined],
      ['ListFactoryPendingItems', 200, '[REDACTED]', undefined],
      ['ShowPipelineRunDetail', 200, '[REDACTED]', undefined],
    ]);
  });

  it('a wrong password is a credentials failure without the password in it', async () => {
    // Prepare
    const { client } = emulatorClient({ ...iamEnv(), HUAWEICLOUD_IAM_PASSWORD: 'wrong-iam-password-0002' }, ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK']);

    // Act
    const failure = await failureOf(listPendingItems(client, {}));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'IAM refused the password of HUAWEICLOUD_IAM_USER (HTTP 401)',
      operation: 'ListFactoryPendingItems',
      kind: 'credentials',
      status: 401,
      attempts: 1,
    });
    expect(emulator.requests.map((r) => [r.operation, r.status])).toStrictEqual([['KeystoneCreateUserTokenByPassword', 401]]);
  });
});
