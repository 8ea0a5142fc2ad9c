/**
 * Deploy windows: on each firing inside an allow window (and outside every deny window), start each
 * configured CodeArts Deploy task that has not been started in the current window yet.
 *
 * "Already started" is read from the task's deployment history (ListDeployTaskHistoryByDate), not from a
 * local store: a record that started at or after the window's first minute means the task ran in this
 * window, whichever invocation, container or person started it. A firing delivered twice, or retried,
 * therefore starts each task at most once per window. The function also remembers, per container, what it
 * started (history may lag a start by a moment), and a task whose earlier deployment still runs is left
 * alone (CodeArts would refuse it: Deploy.00011027).
 *
 * The time checked is the time the function runs (the runtime clock), not the event's: a delivery retried
 * hours later must not deploy outside the windows.
 */
import '../zod-config';
import * as z from 'zod/mini';
import type { DeployRecord } from '../contracts/codearts-deploy';
import { audit } from '../audit';
import type { CallOptions, HuaweiCloudClient } from '../http/client';
import { UpstreamError } from '../http/upstream-error';
import type { TimerFiring } from '../platform/timer-event';
import { auditFailedStart, startDeployment } from '../releases/deploy';
import type { DeployWindowConfig } from './config';
import { DAY_MS, isoDay, parseZonedDateTime } from './time';
import { describeFailure, isTransientFailure, type RunContext } from './timer-function';
import { checkWindow, currentWindowStart } from './windows';
import { listDeployTaskHistory } from '../http/codearts-deploy';

/** Deploy.00011027: the application is being deployed. */
export const DEPLOY_BUSY_CODE = 'Deploy.00011027';
const HISTORY_PAGE_SIZE = 100;
const HISTORY_MAX_PAGES = 10;

export const taskOutcomeSchema = z.object({
  task_id: z.string(),
  outcome: z.enum(['started', 'reconciled', 'already-started', 'already-running', 'failed']),
  record_id: z.optional(z.string()),
  reason: z.optional(z.string()),
});
export type TaskOutcome = z.infer<typeof taskOutcomeSchema>;

export const deployWindowResultSchema = z.object({
  status: z.enum(['done', 'skipped']),
  reason: z.optional(z.string()),
  checked_at: z.string(),
  window_start: z.optional(z.string()),
  tasks: z.array(taskOutcomeSchema),
});
export type DeployWindowResult = z.infer<typeof deployWindowResultSchema>;

/** Some tasks failed in a way a retry of the firing may fix: thrown after every task was tried. */
export class DeployWindowIncompleteError extends Error {
  constructor(readonly result: DeployWindowResult) {
    super(`deploy window incomplete: ${result.tasks.filter((t) => t.outcome === 'failed').map((t) => `${t.task_id} (${t.reason ?? 'failed'})`).join('; ')}`);
    this.name = 'DeployWindowIncompleteError';
  }
}

export interface HistoryEntry {
  readonly record: DeployRecord;
  /** Undefined when the start time could not be read. */
  readonly startedAt: Date | undefined;
}

/** Every deployment of the task started between a day before `from` and a day after `to` (UTC dates, any zone covered). */
export async function readHistory(client: HuaweiCloudClient, taskId: string, range: { from: Date; to: Date }, historyTimeZone: string, call: CallOptions): Promise<HistoryEntry[]> {
  const query = { start_date: isoDay(new Date(range.from.getTime() - DAY_MS), 'UTC'), end_date: isoDay(new Date(range.to.getTime() + DAY_MS), 'UTC'), size: HISTORY_PAGE_SIZE };
  const records: DeployRecord[] = [];
  for (let page = 1; ; page++) {
    const { data } = await listDeployTaskHistory(client, taskId, { ...query, page }, call);
    records.push(...data.result);
    if (data.result.length < HISTORY_PAGE_SIZE || page * HISTORY_PAGE_SIZE >= data.total_num) break;
    // A history not read to its end may hide this window's start: the task is not started on a part of it.
    if (page === HISTORY_MAX_PAGES) throw new Error(`the history holds ${data.total_num} deployments in these days, more than the ${HISTORY_MAX_PAGES * HISTORY_PAGE_SIZE} read`);
  }
  return records.map((record) => ({ record, startedAt: record.start_time == null ? undefined : parseZonedDateTime(record.start_time, historyTimeZone) }));
}

/** What the history says about starting now: a reason not to, or undefined. Pure. */
export function historyVerdict(history: readonly HistoryEntry[], windowStart: Date): Pick<TaskOutcome, 'outcome' | 'record_id' | 'reason'> | undefined {
  const inWindow = history.find((h) => h.startedAt !== undefined && h.startedAt.getTime() >= windowStart.getTime());
  if (inWindow) {
    return {
      outcome: 'already-started',
      record_id: inWindow.record.execution_id,
      reason: `deployment ${inWindow.record.execution_id} started at ${inWindow.record.start_time ?? '?'} in this window (${inWindow.record.state})`,
    };
  }
  const unreadable = history.find((h) => h.startedAt === undefined);
  if (unreadable) {
    return { outcome: 'already-started', record_id: unreadable.record.execution_id, reason: `deployment ${unreadable.record.execution_id} has an unreadable start time; not starting again to be safe` };
  }
  const running = history.find((h) => /^running$/i.test(h.record.state));
  if (running) return { outcome: 'already-running', record_id: running.record.execution_id, reason: `deployment ${running.record.execution_id} started before this window is still running` };
  return undefined;
}

export interface DeployWindowDeps {
  /** Tasks this container started, by `task_id@window start` (history may lag a start by a moment). */
  readonly started: Map<string, string>;
}

async function deployTask(taskId: string, windowStart: Date, now: Date, ctx: RunContext<DeployWindowConfig>, deps: DeployWindowDeps): Promise<TaskOutcome & { transient?: true }> {
  const { runtime, logger, config } = ctx;
  const call: CallOptions = { signal: ctx.signal, credentials: ctx.invocation.temporaryCredentials, timeLeftMs: ctx.invocation.remainingMs };
  const key = `${taskId}@${windowStart.toISOString()}`;
  const remembered = deps.started.get(key);
  if (remembered) return { task_id: taskId, outcome: 'already-started', record_id: remembered, reason: `deployment ${remembered} was started in this window by this function instance` };

  const read = () => readHistory(runtime.client, taskId, { from: windowStart, to: now }, config.historyTimeZone, call);
  let verdict: ReturnType<typeof historyVerdict>;
  try {
    verdict = historyVerdict(await read(), windowStart);
  } catch (error) {
    return { task_id: taskId, outcome: 'failed', reason: `history unreadable: ${describeFailure(error)}`, ...(isTransientFailure(error) ? { transient: true as const } : {}) };
  }
  if (verdict) return { task_id: taskId, ...verdict };

  try {
    const started = await startDeployment({ client: runtime.client, logger, call }, { taskId, body: {}, actor: ctx.functionName, reconciles: true });
    deps.started.set(key, started.id);
    return { task_id: taskId, outcome: 'started', record_id: started.id };
  } catch (error) {
    if (error instanceof UpstreamError && error.errorCode === DEPLOY_BUSY_CODE) {
      return { task_id: taskId, outcome: 'already-running', reason: 'CodeArts Deploy says the application is being deployed' };
    }
    if (error instanceof UpstreamError && error.outcomeUnknown) {
      // The start may have happened: the history decides, before anything is sent again.
      const after = await read().catch(() => undefined);
      const found = after?.find((h) => h.startedAt !== undefined && h.startedAt.getTime() >= windowStart.getTime());
      if (found) {
        deps.started.set(key, found.record.execution_id);
        audit(logger, { actor: ctx.functionName, action: 'start-deploy-task', target: { task_id: taskId, record_id: found.record.execution_id }, outcome: 'reconciled' });
        return { task_id: taskId, outcome: 'reconciled', record_id: found.record.execution_id, reason: 'the start answered no result, but the history shows the deployment' };
      }
      // The one audit line of a start whose outcome stays unknown (the redelivery reads the history again).
      auditFailedStart(logger, ctx.functionName, taskId, error);
    }
    return { task_id: taskId, outcome: 'failed', reason: describeFailure(error), ...(isTransientFailure(error) ? { transient: true as const } : {}) };
  }
}

export async function runDeployWindow(firing: TimerFiring, ctx: RunContext<DeployWindowConfig>, deps: DeployWindowDeps): Promise<DeployWindowResult> {
  const { config, runtime, logger } = ctx;
  const now = runtime.now();
  const check = checkWindow(config.windows, now);
  if (!check.inside) {
    const result: DeployWindowResult = { status: 'skipped', reason: `${now.toISOString()} is ${check.reason}`, checked_at: now.toISOString(), tasks: [] };
    logger.info('Deploy window', { result, fired_at: firing.firedAt.toISOString() });
    return result;
  }
  const windowStart = currentWindowStart(config.windows, now) ?? now;
  const tasks: TaskOutcome[] = [];
  let retryable = false;
  for (const taskId of config.taskIds) {
    const { transient, ...outcome } = await deployTask(taskId, windowStart, now, ctx, deps);
    if (transient) retryable = true;
    tasks.push(outcome);
  }
  const result: DeployWindowResult = { status: 'done', checked_at: now.toISOString(), window_start: windowStart.toISOString(), tasks };
  const failed = tasks.some((t) => t.outcome === 'failed');
  (failed ? logger.error.bind(logger) : logger.info.bind(logger))('Deploy window', { result, fired_at: firing.firedAt.toISOString() });
  // A retry of this firing starts only what is still missing: the history says what already ran.
  if (retryable) throw new DeployWindowIncompleteError(result);
  return result;
}
