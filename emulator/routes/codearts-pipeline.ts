/**
 * CodeArts Pipeline (../shared/api-reference.md §2.5, §3.3): refuse or pass a manual review step, and
 * show a run's detail. The path project is the CodeArts project id.
 */
import type { PipelineRunDetail, RejectManualReviewResponse } from '../../shared/contracts/codearts-pipeline';
import { pipelineError } from '../http';
import type { RouteContext, RouteDefinition } from '../router';
import { passRun, refuseRun } from '../seed';

/** Not documented; the emulator's code for "this step is not waiting for a manual review". */
export const PIPELINE_STEP_NOT_WAITING = 'DEVPIPE.00011415';

function checkProject(ctx: RouteContext): void {
  if (ctx.request.params.project_id !== ctx.identity.codeartsProjectId) {
    throw pipelineError(404, 'DEVPIPE.00011412', 'The project does not exist.');
  }
}

function findRun(ctx: RouteContext, runId: string | undefined): PipelineRunDetail {
  const pipeline = ctx.state.pipelines.get(ctx.request.params.pipeline_id ?? '');
  if (!pipeline) throw pipelineError(404, 'DEVPIPE.00011401', 'The pipeline does not exist.');
  let run: PipelineRunDetail | undefined;
  if (runId === undefined) {
    for (const candidate of pipeline.runs.values()) if (!run || (candidate.run_number ?? 0) > (run.run_number ?? 0)) run = candidate;
  } else run = pipeline.runs.get(runId);
  if (!run) throw pipelineError(404, 'DEVPIPE.30011001', 'The pipeline run does not exist.');
  return run;
}

function decide(decision: 'refuse' | 'pass') {
  return (ctx: RouteContext) => {
    checkProject(ctx);
    const { pipeline_run_id: runId, job_run_id: jobRunId = '', step_run_id: stepRunId = '' } = ctx.request.params;
    const run = findRun(ctx, runId ?? '');
    const job = run.stages.flatMap((s) => s.jobs).find((j) => j.id === jobRunId);
    const step = job?.steps.find((s) => s.id === stepRunId);
    if (!job || !step) throw pipelineError(404, 'DEVPIPE.30011001', 'The job or step does not exist in this run.');
    if (step.task !== 'official_devcloud_manualReview') throw pipelineError(400, PIPELINE_STEP_NOT_WAITING, 'The step is not a manual review.');
    if (step.status !== 'PAUSED') {
      throw pipelineError(400, PIPELINE_STEP_NOT_WAITING, `The manual review is not waiting for a decision (status ${step.status}).`);
    }
    const now = ctx.clock.nowMs();
    if (decision === 'refuse') refuseRun(run, { jobRunId, stepRunId }, now, `Refused by ${callerName(ctx)}`);
    else passRun(run, { jobRunId, stepRunId }, now);
    const body: RejectManualReviewResponse = { success: true };
    return { status: 200, body };
  };
}

function callerName(ctx: RouteContext): string {
  return ctx.caller.kind === 'token' ? ctx.caller.userName : ctx.identity.iamUser;
}

function showRunDetail(ctx: RouteContext) {
  checkProject(ctx);
  const runId = ctx.request.query.get('pipeline_run_id');
  const run = findRun(ctx, runId === null || runId === '' ? undefined : runId);
  const body: PipelineRunDetail = structuredClone(run);
  return { status: 200, body };
}

const REVIEW = '/v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/{pipeline_run_id}/jobs/{job_run_id}/steps/{step_run_id}';

export const codeartsPipelineRoutes: readonly RouteDefinition[] = [
  { name: 'ShowPipelineRunDetail', method: 'GET', pattern: '/v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/detail', handler: showRunDetail },
  { name: 'RejectManualReview', method: 'POST', pattern: `${REVIEW}/refuse`, handler: decide('refuse') },
  { name: 'AcceptManualReview', method: 'POST', pattern: `${REVIEW}/pass`, handler: decide('pass') },
];
