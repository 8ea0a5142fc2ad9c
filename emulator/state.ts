/**
 * The emulator's in-memory tenant: users, DataArts pending items and release packages, CodeArts deploy
 * tasks and deployments, CodeArts pipelines and runs, IAM tokens, temporary credentials.
 *
 * Time-dependent transitions (a deployment finishing, a release completing) are evaluated lazily from
 * the emulator clock whenever they are read, so moving the clock moves the world.
 * Queries are O(n) in the number of records at most.
 */
import type { PendingItem, ReleasePackage, ShowPackageDetailResponse } from '../shared/contracts/dataarts';
import type { PipelineRunDetail } from '../shared/contracts/codearts-pipeline';
import type { EmulatorClock } from './clock';
import type { EmulatorIdentity } from './identity';
import { mulberry32, randomHex, type Random } from './prng';

export type Role = 'admin' | 'deployer' | 'developer' | 'operator' | 'viewer';
/** Roles that may approve (release) a package in a workspace. */
export const APPROVER_ROLES: ReadonlySet<Role> = new Set(['admin', 'deployer']);

export interface EmulatorUser {
  readonly id: string;
  readonly name: string;
  readonly roles: readonly Role[];
}

export type PackageTaskDetail = ShowPackageDetailResponse['task_details'][number];

export interface PackageRecord {
  /** The row as the list/detail APIs return it (mutated in place on status changes). */
  readonly row: ReleasePackage;
  readonly taskDetails: PackageTaskDetail[];
  /** Pending items (of this state) that the package holds. */
  readonly itemIds: readonly string[];
  /** A release started by DeployFactoryPackages completes at this emulator time. */
  releaseCompletesAtMs?: number;
}

export interface DeployTaskRecord {
  readonly id: string;
  readonly name: string;
  readonly appId: string;
  readonly appName: string;
  readonly compId: string;
  readonly compName: string;
  /** Deployments of this task end in this state. */
  readonly outcome: 'succeeded' | 'failed';
  nextReleaseId: number;
}

export type DeploymentState = 'running' | 'succeeded' | 'failed';

export interface DeploymentRecord {
  readonly id: string;
  readonly taskId: string;
  readonly jobName: string;
  readonly releaseId: number;
  readonly startedAtMs: number;
  /** Infinity: never finishes (the seeded "deploying" task). */
  readonly durationMs: number;
  readonly outcome: 'succeeded' | 'failed';
  readonly operatorId: string;
  readonly operatorName: string;
  readonly params: readonly { key?: string | undefined; value?: string | undefined; type?: string | undefined }[];
}

export interface PipelineRecord {
  readonly id: string;
  readonly name: string;
  readonly runs: Map<string, PipelineRunDetail>;
}

export interface TokenRecord {
  readonly issuedAtMs: number;
  readonly expiresAtMs: number;
  readonly userId: string;
  readonly userName: string;
}

export interface TemporaryCredential {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly securityToken: string;
  /** Undefined: never expires. */
  readonly expiresAtMs?: number | undefined;
}

export interface LockoutRecord {
  failures: number;
  lockedUntilMs?: number;
}

export interface StateSettings {
  /** How long a started deployment runs (emulator clock). Default 60 s. */
  readonly deployDurationMs: number;
  /** How long a release started by DeployFactoryPackages runs before success. Default 30 s. */
  readonly releaseDurationMs: number;
  /** Seed of the generated data (names, jitter, generated ids). */
  readonly dataSeed: number;
  /** Number of seeded release packages. */
  readonly seedSize: number;
}

/** A review step waiting for a decision, by its coordinates. */
export interface ReviewCoordinates {
  readonly pipelineId: string;
  readonly runId: string;
  readonly jobRunId: string;
  readonly stepRunId: string;
}

export class EmulatorState {
  /**
   * How the DataArts list operations read `offset`: as an item offset (the default, what our client sends), or
   * as a page number, as parts of DataArts' documentation word it ("start page"). Back to 'items' on reset.
   */
  offsetMeans: 'items' | 'pages' = 'items';
  readonly users = new Map<string, EmulatorUser>();
  /** Pending items by id, in insertion order. */
  readonly pendingItems = new Map<string, PendingItem>();
  /** Release packages ordered by (apply_timestamp, numeric id) ascending. */
  packages: PackageRecord[] = [];
  readonly packagesById = new Map<string, PackageRecord>();
  readonly deployTasks = new Map<string, DeployTaskRecord>();
  readonly deployments = new Map<string, DeploymentRecord>();
  readonly pipelines = new Map<string, PipelineRecord>();
  readonly tokens = new Map<string, TokenRecord>();
  readonly temporaryCredentials = new Map<string, TemporaryCredential>();
  readonly lockouts = new Map<string, LockoutRecord>();
  /** Free-form per-emulator storage for routes added later (e.g. FunctionGraph); cleared on reset. */
  private readonly extensions = new Map<string, unknown>();
  /** Releases in progress (package ids), so settling them is not a scan of every package. */
  private readonly releasing = new Set<string>();
  nextPendingItemId = 1;
  nextPackageId = 1;
  random: Random;

  constructor(
    readonly identity: EmulatorIdentity,
    readonly clock: EmulatorClock,
    readonly settings: StateSettings,
    private readonly seeder: (state: EmulatorState) => void,
  ) {
    this.random = mulberry32(settings.dataSeed);
    this.seeder(this);
  }

  /** Clears everything and seeds again from the same data seed (at the current clock). */
  reset(): void {
    this.offsetMeans = 'items';
    this.users.clear();
    this.pendingItems.clear();
    this.packages = [];
    this.packagesById.clear();
    this.deployTasks.clear();
    this.deployments.clear();
    this.pipelines.clear();
    this.tokens.clear();
    this.temporaryCredentials.clear();
    this.lockouts.clear();
    this.extensions.clear();
    this.releasing.clear();
    this.nextPendingItemId = 1;
    this.nextPackageId = 1;
    this.random = mulberry32(this.settings.dataSeed);
    this.seeder(this);
  }

  /** Storage for another route module, created on first use and dropped on reset. */
  extension<T>(key: string, create: () => T): T {
    if (!this.extensions.has(key)) this.extensions.set(key, create());
    return this.extensions.get(key) as T;
  }

  /** A new 32-hex id from the data PRNG (deterministic for a given seed and call sequence). */
  newId(): string {
    return randomHex(this.random, 32);
  }

  get workspaceProjectId(): string {
    return `${this.identity.projectId}-workspace-${this.identity.workspace}`;
  }

  // ---- users ---------------------------------------------------------------------------------

  addUser(user: EmulatorUser): void {
    this.users.set(user.id, user);
  }

  isApprover(userId: string): boolean {
    return this.users.get(userId)?.roles.some((r) => APPROVER_ROLES.has(r)) ?? false;
  }

  // ---- pending items -------------------------------------------------------------------------

  addPendingItem(item: Omit<PendingItem, 'pending_item_id' | 'project_id'> & { pending_item_id?: string }): PendingItem {
    const id = item.pending_item_id ?? String(this.nextPendingItemId);
    this.nextPendingItemId = Math.max(this.nextPendingItemId, Number(id) + 1);
    const row: PendingItem = { ...item, pending_item_id: id, project_id: this.workspaceProjectId };
    this.pendingItems.set(id, row);
    return row;
  }

  // ---- release packages ----------------------------------------------------------------------

  addPackage(record: PackageRecord): void {
    const list = this.packages;
    const ts = record.row.apply_timestamp ?? 0;
    const last = list[list.length - 1];
    if (!last || (last.row.apply_timestamp ?? 0) <= ts) list.push(record);
    else {
      let lo = 0;
      let hi = list.length;
      while (lo < hi) {
        const mid = (lo + hi) >>> 1;
        if ((list[mid]?.row.apply_timestamp ?? 0) <= ts) lo = mid + 1;
        else hi = mid;
      }
      list.splice(lo, 0, record);
    }
    this.packagesById.set(record.row.package_id, record);
    this.nextPackageId = Math.max(this.nextPackageId, Number(record.row.package_id) + 1);
  }

  /** Creates a package from pending items (CreateFactoryPendingItemsPackage); items become packaged. */
  createPackage(input: { packageName: string; applyUserId: string; approverIds: readonly string[]; itemIds: readonly string[] }): PackageRecord {
    const now = this.clock.nowMs();
    const applicant = this.users.get(input.applyUserId);
    const id = String(this.nextPackageId);
    const taskDetails: PackageTaskDetail[] = [];
    for (const itemId of input.itemIds) {
      const item = this.pendingItems.get(itemId);
      if (!item) continue;
      item.package_flag = 1;
      taskDetails.push(taskDetailOf(item, 1));
    }
    const record: PackageRecord = {
      row: {
        package_id: id,
        package_name: input.packageName,
        deploy_status: 1,
        delete_flag: 0,
        apply_timestamp: now,
        apply_user_id: input.applyUserId,
        apply_user_name: applicant?.name ?? input.applyUserId,
        package_approvers: input.approverIds.map((userId) => ({ user_id: userId, user_name: this.users.get(userId)?.name ?? userId })),
        project_id: this.workspaceProjectId,
        workspace_id: this.identity.workspace,
      },
      taskDetails,
      itemIds: [...input.itemIds],
    };
    this.addPackage(record);
    return record;
  }

  /**
   * Sets a package's status (admin API, DeployFactoryPackages, CancelFactoryPackages).
   * Leaving "pending approval" records the deployer and time; withdrawing returns its items to pending.
   */
  setPackageStatus(record: PackageRecord, change: { deployStatus?: 1 | 2 | 3 | 5; deleteFlag?: 0 | 1; deployUserId?: string }): void {
    const row = record.row;
    const now = this.clock.nowMs();
    if (change.deployStatus !== undefined && change.deployStatus !== row.deploy_status) {
      row.deploy_status = change.deployStatus;
      this.releasing.delete(row.package_id);
      delete record.releaseCompletesAtMs;
      if (change.deployStatus !== 1) {
        const deployer = this.users.get(change.deployUserId ?? row.package_approvers[0]?.user_id ?? '');
        row.deploy_timestamp = now;
        if (deployer) {
          row.deploy_user_id = deployer.id;
          row.deploy_user_name = deployer.name;
        }
      }
      for (const detail of record.taskDetails) {
        detail.deploy_status = change.deployStatus;
        if (change.deployStatus === 2) detail.start_job_status = 2;
        else if (change.deployStatus === 3) detail.start_job_status = 3;
      }
    }
    if (change.deleteFlag !== undefined && change.deleteFlag !== row.delete_flag) {
      row.delete_flag = change.deleteFlag;
      if (change.deleteFlag === 1) {
        this.releasing.delete(row.package_id);
        for (const itemId of record.itemIds) {
          const item = this.pendingItems.get(itemId);
          if (item) item.package_flag = 0;
        }
      }
    }
  }

  /** DeployFactoryPackages: the package goes to "releasing", and to "success" after releaseDurationMs. */
  startRelease(record: PackageRecord, deployUserId: string): void {
    this.setPackageStatus(record, { deployStatus: 5, deployUserId });
    record.releaseCompletesAtMs = this.clock.nowMs() + this.settings.releaseDurationMs;
    this.releasing.add(record.row.package_id);
  }

  /** Completes releases whose time has come. Called before every read of packages. */
  settleReleases(): void {
    if (this.releasing.size === 0) return;
    const now = this.clock.nowMs();
    for (const id of [...this.releasing]) {
      const record = this.packagesById.get(id);
      if (!record || record.releaseCompletesAtMs === undefined) {
        this.releasing.delete(id);
        continue;
      }
      if (record.releaseCompletesAtMs <= now) {
        const deployUserId = record.row.deploy_user_id;
        this.setPackageStatus(record, { deployStatus: 2, ...(deployUserId ? { deployUserId } : {}) });
        record.row.deploy_timestamp = record.releaseCompletesAtMs;
      }
    }
  }

  // ---- CodeArts Deploy -----------------------------------------------------------------------

  deploymentState(deployment: DeploymentRecord): DeploymentState {
    return this.clock.nowMs() < deployment.startedAtMs + deployment.durationMs ? 'running' : deployment.outcome;
  }

  deploymentsOf(taskId: string): DeploymentRecord[] {
    const out: DeploymentRecord[] = [];
    for (const d of this.deployments.values()) if (d.taskId === taskId) out.push(d);
    return out;
  }

  runningDeployment(taskId: string): DeploymentRecord | undefined {
    return this.deploymentsOf(taskId).find((d) => this.deploymentState(d) === 'running');
  }

  addDeployment(task: DeployTaskRecord, input: { startedAtMs: number; durationMs: number; outcome?: 'succeeded' | 'failed'; operator: EmulatorUser; params?: DeploymentRecord['params'] }): DeploymentRecord {
    const releaseId = task.nextReleaseId++;
    const id = this.newId();
    const deployment: DeploymentRecord = {
      id,
      taskId: task.id,
      // As CodeArts names it (API page 003's example): the record id and the start time.
      jobName: `job_${id}_${input.startedAtMs}`,
      releaseId,
      startedAtMs: input.startedAtMs,
      durationMs: input.durationMs,
      outcome: input.outcome ?? task.outcome,
      operatorId: input.operator.id,
      operatorName: input.operator.name,
      params: input.params ?? [],
    };
    this.deployments.set(deployment.id, deployment);
    return deployment;
  }

  // ---- CodeArts Pipeline ---------------------------------------------------------------------

  findRun(pipelineId: string, runId: string): PipelineRunDetail | undefined {
    return this.pipelines.get(pipelineId)?.runs.get(runId);
  }

  /** Adds a run that waits at a manual review step; returns its coordinates. */
  addWaitingRun(pipelineId: string, ids?: Partial<Omit<ReviewCoordinates, 'pipelineId'>>): ReviewCoordinates {
    const pipeline = this.pipelines.get(pipelineId);
    if (!pipeline) throw new RangeError(`unknown pipeline ${pipelineId}`);
    const coordinates: ReviewCoordinates = {
      pipelineId,
      runId: ids?.runId ?? this.newId(),
      jobRunId: ids?.jobRunId ?? this.newId(),
      stepRunId: ids?.stepRunId ?? this.newId(),
    };
    const runNumber = pipeline.runs.size + 1;
    pipeline.runs.set(coordinates.runId, waitingRunDetail(this, pipeline, coordinates, runNumber, this.clock.nowMs() - 5 * 60_000));
    return coordinates;
  }
}

export function taskDetailOf(item: PendingItem, deployStatus: number): PackageTaskDetail {
  return {
    pending_item_id: item.pending_item_id,
    item_name: item.item_name,
    task_id: item.task_id,
    task_type: item.task_type,
    update_type: item.update_type,
    deploy_status: deployStatus,
    pending_version: item.pending_version,
    deployed_version: item.deployed_version,
    submit_timestamp: item.submit_timestamp,
    submit_user_id: item.submit_user_id,
    submit_user_name: item.submit_user_name,
  };
}

/** A run: build stage done, review stage paused at a manual review step, deploy stage not started. */
export function waitingRunDetail(
  state: EmulatorState,
  pipeline: PipelineRecord,
  ids: ReviewCoordinates,
  runNumber: number,
  startMs: number,
): PipelineRunDetail {
  return {
    id: ids.runId,
    pipeline_id: pipeline.id,
    name: pipeline.name,
    status: 'RUNNING',
    run_number: runNumber,
    start_time: startMs,
    stages: [
      {
        id: state.newId(),
        name: 'Build',
        status: 'COMPLETED',
        jobs: [
          {
            id: state.newId(),
            name: 'Build artifacts',
            status: 'COMPLETED',
            message: null,
            steps: [
              { id: state.newId(), name: 'Checkout', task: 'official_devcloud_checkout', business_type: 'Normal', status: 'COMPLETED', message: null },
              { id: state.newId(), name: 'Build', task: 'official_devcloud_cloudBuild', business_type: 'Build', status: 'COMPLETED', message: null },
            ],
          },
        ],
      },
      {
        id: state.newId(),
        name: 'Release approval',
        status: 'RUNNING',
        jobs: [
          {
            id: ids.jobRunId,
            name: 'Manual review',
            status: 'PAUSED',
            message: null,
            steps: [
              { id: ids.stepRunId, name: 'Manual review', task: 'official_devcloud_manualReview', business_type: 'Gate', status: 'PAUSED', message: null },
            ],
          },
        ],
      },
      {
        id: state.newId(),
        name: 'Deploy',
        status: 'INIT',
        jobs: [
          {
            id: state.newId(),
            name: 'Deploy to production',
            status: 'INIT',
            message: null,
            steps: [{ id: state.newId(), name: 'Deploy', task: 'official_devcloud_deploy', business_type: 'Deploy', status: 'INIT', message: null }],
          },
        ],
      },
    ],
  };
}
