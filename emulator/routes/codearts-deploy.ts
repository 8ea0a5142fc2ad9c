/**
 * CodeArts Deploy (../shared/api-reference.md §2.4, §3.2): start a deploy task, its history by date, and the
 * doc-only deployment status. A deployment runs for `deployDurationMs` of emulator clock, then ends in
 * the task's outcome (evaluated lazily when read). Errors are shape B `{error:{code,message},status:"failed"}`.
 */
import { z } from 'zod';
import {
  deployHistoryQuerySchema,
  startDeployTaskBodySchema,
  type DeployHistoryResponse,
  type StartDeployTaskResponse,
} from '../../shared/contracts/codearts-deploy';
import { deployError, describeIssue, jsonBody, queryObject, type EmulatorError } from '../http';
import type { RouteContext, RouteDefinition } from '../router';
import { SEED_USERS } from '../seed';
import type { DeploymentRecord, DeployTaskRecord, EmulatorUser } from '../state';

/** Not documented; the emulator's code for a malformed request. */
export const DEPLOY_INVALID_PARAMETER = 'Deploy.00011002';
const invalid = (detail: string): EmulatorError => deployError(400, DEPLOY_INVALID_PARAMETER, `Invalid request parameter: ${detail}`);

function findTask(ctx: RouteContext, id: string): DeployTaskRecord {
  const task = ctx.state.deployTasks.get(id);
  if (!task) throw deployError(404, 'Deploy.00011020', 'The application does not exist or has been deleted.');
  return task;
}

function operator(ctx: RouteContext): EmulatorUser {
  const id = ctx.caller.kind === 'token' ? ctx.caller.userId : SEED_USERS.caller;
  return ctx.state.users.get(id) ?? { id, name: ctx.identity.iamUser, roles: [] };
}

const startBody = z.object(startDeployTaskBodySchema.shape);

function startDeployTask(ctx: RouteContext) {
  const task = findTask(ctx, ctx.request.params.task_id ?? '');
  const raw = jsonBody(ctx.request, () => invalid('the request body is not valid JSON'));
  if (raw === undefined) throw invalid('the request body is required');
  const parsed = startBody.safeParse(raw);
  if (!parsed.success) throw invalid(describeIssue(parsed.error));
  if (parsed.data.record_id !== undefined) {
    const record = ctx.state.deployments.get(parsed.data.record_id);
    if (!record || record.taskId !== task.id) throw deployError(400, 'Deploy.00011303', 'The deployment record does not exist.');
  }
  if (ctx.state.runningDeployment(task.id)) {
    throw deployError(400, 'Deploy.00011027', 'The application is being deployed. Try again later.');
  }
  const deployment = ctx.state.addDeployment(task, {
    startedAtMs: ctx.clock.nowMs(),
    durationMs: ctx.state.settings.deployDurationMs,
    operator: operator(ctx),
    params: parsed.data.params ?? [],
  });
  const body: StartDeployTaskResponse = {
    id: deployment.id,
    task_id: task.id,
    job_name: deployment.jobName,
    app_component_list: [
      {
        task_id: task.id,
        app_id: task.appId,
        app_name: task.appName,
        comp_id: task.compId,
        comp_name: task.compName,
        domain_id: ctx.identity.domainId,
        region: ctx.identity.region,
        state: '1',
      },
    ],
  };
  return { status: 200, body };
}

const pad = (n: number) => String(n).padStart(2, '0');
/** `yyyy-MM-dd HH:mm:ss` (UTC). */
export function formatDeployTime(ms: number): string {
  const d = new Date(ms);
  return `${d.getUTCFullYear()}-${pad(d.getUTCMonth() + 1)}-${pad(d.getUTCDate())} ${pad(d.getUTCHours())}:${pad(d.getUTCMinutes())}:${pad(d.getUTCSeconds())}`;
}

function formatDuration(ms: number): string {
  const s = Math.floor(ms / 1000);
  return `${pad(Math.floor(s / 3600))}:${pad(Math.floor((s % 3600) / 60))}:${pad(s % 60)}`;
}

const DAY_MS = 24 * 60 * 60_000;

function history(ctx: RouteContext) {
  const projectId = ctx.request.params.project_id;
  if (projectId !== ctx.identity.codeartsProjectId && projectId !== ctx.identity.projectId) {
    throw deployError(403, 'Deploy.00011154', 'Insufficient permissions for this project.');
  }
  const task = findTask(ctx, ctx.request.params.id ?? '');
  const parsed = deployHistoryQuerySchema.safeParse(queryObject(ctx.request.query, Object.keys(deployHistoryQuerySchema.shape)));
  if (!parsed.success) throw invalid(describeIssue(parsed.error));
  const q = parsed.data;
  const start = Date.parse(`${q.start_date}T00:00:00Z`);
  const end = Date.parse(`${q.end_date}T00:00:00Z`);
  const realDay = (ms: number, text: string) => !Number.isNaN(ms) && new Date(ms).toISOString().slice(0, 10) === text;
  if (!realDay(start, q.start_date) || !realDay(end, q.end_date)) throw invalid('start_date and end_date must be real dates (yyyy-MM-dd)');
  if (end < start) throw invalid('end_date must not be before start_date');
  if (end - start > 30 * DAY_MS) throw invalid('the date range must not exceed 30 days');
  const inRange = ctx.state
    .deploymentsOf(task.id)
    .filter((d) => d.startedAtMs >= start && d.startedAtMs < end + DAY_MS)
    .sort((a, b) => b.startedAtMs - a.startedAtMs);
  const page = inRange.slice((q.page - 1) * q.size, q.page * q.size);
  const body: DeployHistoryResponse = { total_num: inRange.length, result: page.map((d) => historyRecord(ctx, d)) };
  return { status: 200, body };
}

function historyRecord(ctx: RouteContext, d: DeploymentRecord): DeployHistoryResponse['result'][number] {
  const state = ctx.state.deploymentState(d);
  const endMs = state === 'running' ? undefined : d.startedAtMs + d.durationMs;
  return {
    execution_id: d.id,
    state,
    start_time: formatDeployTime(d.startedAtMs),
    ...(endMs === undefined ? {} : { end_time: formatDeployTime(endMs) }),
    duration: formatDuration((endMs ?? ctx.clock.nowMs()) - d.startedAtMs),
    operator: d.operatorId,
    nickname: d.operatorName,
    release_id: d.releaseId,
    type: 'deploy',
  };
}

/** ShowDeployStatus (doc-only): the state of one deployment record. */
function deployStatus(ctx: RouteContext) {
  const task = findTask(ctx, ctx.request.params.task_id ?? '');
  const recordId = ctx.request.query.get('record_id');
  if (!recordId) throw invalid('record_id is required');
  const d = ctx.state.deployments.get(recordId);
  if (!d || d.taskId !== task.id) throw deployError(400, 'Deploy.00011303', 'The deployment record does not exist.');
  const state = ctx.state.deploymentState(d);
  return {
    status: 200,
    body: {
      status: 'success',
      result: {
        status: state,
        record_id: d.id,
        task_id: task.id,
        step: state === 'running' ? 'running' : 'finish',
        start_time: formatDeployTime(d.startedAtMs),
        end_time: state === 'running' ? '' : formatDeployTime(d.startedAtMs + d.durationMs),
        nick_name: d.operatorName,
      },
    },
  };
}

export const codeartsDeployRoutes: readonly RouteDefinition[] = [
  { name: 'StartDeployTask', method: 'POST', pattern: '/v2/tasks/{task_id}/start', handler: startDeployTask },
  { name: 'ShowDeployStatus', method: 'GET', pattern: '/v2/tasks/{task_id}/state', handler: deployStatus },
  { name: 'ListDeployTaskHistoryByDate', method: 'GET', pattern: '/v2/{project_id}/task/{id}/history', handler: history },
];
