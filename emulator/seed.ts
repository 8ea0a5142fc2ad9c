/**
 * The seeded tenant. The ids exported here are fixed (independent of the seed number and seed size) so
 * that tests can name them; the seed number only varies generated names, jitter and generated ids.
 *
 * - users: an applicant (developer), two approvers (deployer, admin), one user without a role, and the
 *   AK owner ("caller", admin) whose name is the identity's IAM user;
 * - 40 pending items covering task types 1–2 and update types 1–3, 30 unpackaged (package_flag 0) and
 *   10 packaged;
 * - `seedSize` release packages (ids "1".."seedSize"), cycling through pending approval (1), success (2),
 *   failed (3), releasing (5) and withdrawn (delete_flag 1), applied every ~10 min up to an hour ago;
 * - deploy tasks: idle (with history), deploying (a deployment that never finishes) and failing (its
 *   deployments end "failed");
 * - one pipeline with three runs waiting at a manual review step and one whose review was refused.
 */
import type { PipelineRunDetail } from '../shared/contracts/codearts-pipeline';
import { pick } from './prng';
import { taskDetailOf, waitingRunDetail, type EmulatorState, type EmulatorUser, type PackageRecord } from './state';

/** `prefix` followed by zeros and `n`: 32 characters. */
function id32(prefix: string, n: number): string {
  const tail = String(n);
  return prefix + '0'.repeat(32 - prefix.length - tail.length) + tail;
}

/** User ids: 32 lowercase hex characters. */
export const SEED_USERS = Object.freeze({
  /** The AK owner (role admin); its name is the identity's IAM user. */
  caller: id32('5eed', 100),
  /** Submits pending items and applies for packages (role developer: may not approve). */
  applicant: id32('5eed', 101),
  /** Role deployer: a valid approver. */
  approver: id32('5eed', 102),
  /** Role admin: a valid approver. */
  secondApprover: id32('5eed', 103),
  /** A workspace member without an approver role. */
  noRole: id32('5eed', 104),
});

export const SEED_USER_NAMES: Readonly<Record<keyof typeof SEED_USERS, string>> = Object.freeze({
  caller: 'emulator-user',
  applicant: 'dev_zhang',
  approver: 'ops_li',
  secondApprover: 'ops_admin_wang',
  noRole: 'guest_chen',
});

export const SEED_PENDING_ITEM_COUNT = 40;
const FIRST_PENDING_ITEM_ID = 1001;
const isPackagedSeedItem = (i: number) => i % 4 === 3;

/** Pending item ids, "1001".."1040": those with package_flag 0 and those already packaged. */
export const SEED_PENDING_ITEMS = Object.freeze({
  all: Array.from({ length: SEED_PENDING_ITEM_COUNT }, (_, i) => String(FIRST_PENDING_ITEM_ID + i)),
  unpackaged: Array.from({ length: SEED_PENDING_ITEM_COUNT }, (_, i) => i)
    .filter((i) => !isPackagedSeedItem(i))
    .map((i) => String(FIRST_PENDING_ITEM_ID + i)),
  packaged: Array.from({ length: SEED_PENDING_ITEM_COUNT }, (_, i) => i)
    .filter(isPackagedSeedItem)
    .map((i) => String(FIRST_PENDING_ITEM_ID + i)),
});

/** Package statuses cycle with the package index: id "1" pending approval, "2" success, "3" failed, "4" releasing, "5" withdrawn, "6" pending… */
const PACKAGE_CYCLE = [
  { deploy_status: 1, delete_flag: 0 },
  { deploy_status: 2, delete_flag: 0 },
  { deploy_status: 3, delete_flag: 0 },
  { deploy_status: 5, delete_flag: 0 },
  { deploy_status: 1, delete_flag: 1 },
] as const;

/** Seeded package ids by status (present when seedSize ≥ 5). */
export const SEED_PACKAGES = Object.freeze({
  pendingApproval: '1',
  success: '2',
  failed: '3',
  releasing: '4',
  withdrawn: '5',
});

export const DEFAULT_SEED_SIZE = 40;

export const SEED_DEPLOY_TASKS = Object.freeze({
  /** Not deploying; has three past deployments (succeeded, failed, succeeded). */
  idle: id32('dep1oytask', 1),
  /** A deployment is running and never finishes: starting it answers Deploy.00011027. */
  deploying: id32('dep1oytask', 2),
  /** Its deployments end "failed". */
  failing: id32('dep1oytask', 3),
});

export interface SeedReviewStep {
  readonly pipelineId: string;
  readonly runId: string;
  readonly jobRunId: string;
  readonly stepRunId: string;
}

const PIPELINE_ID = id32('pipe1ine', 1);
function reviewStep(n: number): SeedReviewStep {
  return { pipelineId: PIPELINE_ID, runId: id32('pipe1inerun', n), jobRunId: id32('reviewjob', n), stepRunId: id32('reviewstep', n) };
}

export const SEED_PIPELINES = Object.freeze({
  pipelineId: PIPELINE_ID,
  pipelineName: 'release-pipeline',
  /** Runs waiting at a manual review step (status PAUSED). */
  waiting: reviewStep(2),
  waiting2: reviewStep(3),
  waiting3: reviewStep(4),
  /** A run whose review was already refused (step FAILED). */
  decided: reviewStep(1),
});

/** Everything other tests may name, in one object. */
export const SEED = Object.freeze({
  users: SEED_USERS,
  userNames: SEED_USER_NAMES,
  pendingItemIds: SEED_PENDING_ITEMS.all,
  unpackagedItemIds: SEED_PENDING_ITEMS.unpackaged,
  packagedItemIds: SEED_PENDING_ITEMS.packaged,
  packages: SEED_PACKAGES,
  deployTasks: SEED_DEPLOY_TASKS,
  pipelines: SEED_PIPELINES,
});

const ITEM_SUBJECTS = ['orders', 'customers', 'inventory', 'payments', 'shipments', 'refunds', 'sessions', 'campaigns'];
const ITEM_LAYERS = ['ods', 'dwd', 'dws', 'ads'];

/** Seeds `state` (called on creation and on reset). */
export function seedTenant(state: EmulatorState): void {
  const now = state.clock.nowMs();
  const random = state.random;

  const users: EmulatorUser[] = [
    { id: SEED_USERS.caller, name: state.identity.iamUser, roles: ['admin'] },
    { id: SEED_USERS.applicant, name: SEED_USER_NAMES.applicant, roles: ['developer'] },
    { id: SEED_USERS.approver, name: SEED_USER_NAMES.approver, roles: ['deployer'] },
    { id: SEED_USERS.secondApprover, name: SEED_USER_NAMES.secondApprover, roles: ['admin'] },
    { id: SEED_USERS.noRole, name: SEED_USER_NAMES.noRole, roles: [] },
  ];
  for (const user of users) state.addUser(user);
  const applicant = users[1] as EmulatorUser;
  const approver = users[2] as EmulatorUser;
  const secondApprover = users[3] as EmulatorUser;

  // Pending items: submitted over the last ~2 days, newest last.
  for (let i = 0; i < SEED_PENDING_ITEM_COUNT; i++) {
    const taskType = 1 + (i % 2);
    const submitter = i % 5 === 0 ? secondApprover : applicant;
    const name = `${taskType === 1 ? 'job' : 'script'}_${pick(random, ITEM_LAYERS)}_${pick(random, ITEM_SUBJECTS)}_${String(i + 1).padStart(2, '0')}`;
    const version = 1 + Math.floor(random() * 5);
    state.addPendingItem({
      pending_item_id: String(FIRST_PENDING_ITEM_ID + i),
      item_name: name,
      task_id: String(5000 + i),
      task_type: taskType,
      update_type: 1 + (i % 3),
      package_flag: isPackagedSeedItem(i) ? 1 : 0,
      pending_version: version + 1,
      deployed_version: i % 3 === 0 ? 0 : version,
      submit_timestamp: now - (SEED_PENDING_ITEM_COUNT - i) * 60 * 60_000 - Math.floor(random() * 30 * 60_000),
      submit_user_id: submitter.id,
      submit_user_name: submitter.name,
    });
  }

  // Release packages: one every ~10 minutes, the newest an hour ago.
  const size = state.settings.seedSize;
  const newest = now - 60 * 60_000;
  for (let i = 0; i < size; i++) {
    const cycle = PACKAGE_CYCLE[i % PACKAGE_CYCLE.length] ?? PACKAGE_CYCLE[0];
    const applyTs = newest - (size - 1 - i) * 10 * 60_000 - Math.floor(random() * 5 * 60_000);
    const id = String(i + 1);
    const approvers = i % 2 === 0 ? [approver] : [approver, secondApprover];
    const deployed = cycle.deploy_status !== 1;
    const detail = taskDetailOf(
      {
        pending_item_id: String(100_000 + i),
        item_name: `job_${pick(random, ITEM_LAYERS)}_${pick(random, ITEM_SUBJECTS)}_r${id}`,
        task_id: String(9000 + (i % 500)),
        task_type: 1 + (i % 2),
        update_type: 1 + (i % 3),
        package_flag: 1,
        pending_version: 2,
        deployed_version: deployed ? 2 : 1,
        submit_timestamp: applyTs - 30 * 60_000,
        submit_user_id: applicant.id,
        submit_user_name: applicant.name,
      },
      cycle.deploy_status,
    );
    if (cycle.deploy_status === 2) detail.start_job_status = 2;
    if (cycle.deploy_status === 3) detail.start_job_status = 3;
    const record: PackageRecord = {
      row: {
        package_id: id,
        package_name: `seed_release_${id.padStart(5, '0')}`,
        deploy_status: cycle.deploy_status,
        delete_flag: cycle.delete_flag,
        apply_timestamp: applyTs,
        apply_user_id: applicant.id,
        apply_user_name: applicant.name,
        ...(deployed ? { deploy_timestamp: applyTs + 20 * 60_000, deploy_user_id: approver.id, deploy_user_name: approver.name } : {}),
        package_approvers: approvers.map((u) => ({ user_id: u.id, user_name: u.name })),
        project_id: state.workspaceProjectId,
        workspace_id: state.identity.workspace,
      },
      taskDetails: [detail],
      itemIds: [],
    };
    state.addPackage(record);
  }

  // CodeArts Deploy.
  const caller = users[0] as EmulatorUser;
  const task = (id: string, n: number, outcome: 'succeeded' | 'failed') => {
    const record = {
      id,
      name: `deploy-task-${n}`,
      appId: id32('app', n),
      appName: `release-app-${n}`,
      compId: id32('comp', n),
      compName: `release-component-${n}`,
      outcome,
      nextReleaseId: 1,
    };
    state.deployTasks.set(id, record);
    return record;
  };
  const idle = task(SEED_DEPLOY_TASKS.idle, 1, 'succeeded');
  const deploying = task(SEED_DEPLOY_TASKS.deploying, 2, 'succeeded');
  task(SEED_DEPLOY_TASKS.failing, 3, 'failed');
  const day = 24 * 60 * 60_000;
  state.addDeployment(idle, { startedAtMs: now - 3 * day, durationMs: 75_000, outcome: 'succeeded', operator: caller });
  state.addDeployment(idle, { startedAtMs: now - 2 * day, durationMs: 42_000, outcome: 'failed', operator: approver });
  state.addDeployment(idle, { startedAtMs: now - day, durationMs: 61_000, outcome: 'succeeded', operator: caller });
  state.addDeployment(deploying, { startedAtMs: now - 60_000, durationMs: Number.POSITIVE_INFINITY, operator: caller });

  // CodeArts Pipeline.
  const pipeline = { id: SEED_PIPELINES.pipelineId, name: SEED_PIPELINES.pipelineName, runs: new Map<string, PipelineRunDetail>() };
  state.pipelines.set(pipeline.id, pipeline);
  const decided = waitingRunDetail(state, pipeline, SEED_PIPELINES.decided, 1, now - 2 * day);
  refuseRun(decided, SEED_PIPELINES.decided, now - 2 * day + 30 * 60_000, 'Refused by ops_li');
  pipeline.runs.set(decided.id, decided);
  [SEED_PIPELINES.waiting, SEED_PIPELINES.waiting2, SEED_PIPELINES.waiting3].forEach((step, k) => {
    pipeline.runs.set(step.runId, waitingRunDetail(state, pipeline, step, k + 2, now - (30 - k) * 60_000));
  });
}

/** Marks the review step refused: step, job, stage and run FAILED. */
export function refuseRun(run: PipelineRunDetail, step: Omit<SeedReviewStep, 'pipelineId' | 'runId'>, atMs: number, message: string): void {
  for (const stage of run.stages) {
    const job = stage.jobs.find((j) => j.id === step.jobRunId);
    if (!job) continue;
    const found = job.steps.find((s) => s.id === step.stepRunId);
    if (!found) continue;
    found.status = 'FAILED';
    found.message = message;
    job.status = 'FAILED';
    job.message = message;
    stage.status = 'FAILED';
  }
  run.status = 'FAILED';
  run.end_time = atMs;
}

/** Marks the review step passed: step, job and stage COMPLETED, later stages complete, run COMPLETED. */
export function passRun(run: PipelineRunDetail, step: Omit<SeedReviewStep, 'pipelineId' | 'runId'>, atMs: number): void {
  let after = false;
  for (const stage of run.stages) {
    if (after) {
      stage.status = 'COMPLETED';
      for (const job of stage.jobs) {
        job.status = 'COMPLETED';
        for (const s of job.steps) s.status = 'COMPLETED';
      }
      continue;
    }
    const job = stage.jobs.find((j) => j.id === step.jobRunId);
    if (!job) continue;
    const found = job.steps.find((s) => s.id === step.stepRunId);
    if (!found) continue;
    found.status = 'COMPLETED';
    job.status = 'COMPLETED';
    stage.status = 'COMPLETED';
    after = true;
  }
  run.status = 'COMPLETED';
  run.end_time = atMs;
}
