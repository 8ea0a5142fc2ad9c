/**
 * Rejecting a CodeArts Pipeline manual review. A review that was already decided (refused, passed, run
 * ended) answers a stable 409 ALREADY_DECIDED and nothing is sent: the step is read first, since what
 * CodeArts does with a second refusal is not documented; when it cannot be read, nothing is sent either. A review decided between the read and the
 * refusal is told the same way when CodeArts refuses the refusal, or answers `success: false`.
 * (The pipeline gate reads the step itself, so it tells rejectReview not to read it again.)
 */
import { BadGatewayError, ConflictError } from '../errors';
import type { PipelineRunDetail, RejectManualReviewResponse } from '../contracts/codearts-pipeline';
import type { CallOptions, HuaweiCloudClient } from '../http/client';
import { UpstreamError } from '../http/upstream-error';
import type { Logger } from '../logger';
import { audit } from '../audit';
import { rejectManualReview, showPipelineRunDetail } from '../http/codearts-pipeline';

export interface ReviewStep {
  readonly pipeline_id: string;
  readonly pipeline_run_id: string;
  readonly job_run_id: string;
  readonly step_run_id: string;
}

export interface ReviewDeps {
  readonly client: HuaweiCloudClient;
  readonly logger: Logger;
  readonly call: CallOptions;
}

/** Step statuses of a manual review that waits for a decision now (CodeArts Pipeline pauses the run there). */
export const WAITING_STEP_STATUSES: ReadonlySet<string> = new Set(['PAUSED', 'SUSPEND']);
/** Step statuses after which a review can no longer be decided: refused, passed, or the run ended. */
export const DECIDED_STEP_STATUSES: ReadonlySet<string> = new Set(['COMPLETED', 'FAILED', 'CANCELED', 'SKIPPED', 'IGNORED']);

export function findStep(detail: PipelineRunDetail, step: ReviewStep) {
  for (const stage of detail.stages) {
    for (const job of stage.jobs) {
      if (job.id !== step.job_run_id) continue;
      const found = job.steps.find((s) => s.id === step.step_run_id);
      if (found) return found;
    }
  }
  return undefined;
}

export class AlreadyDecidedError extends ConflictError {
  override readonly name: string = 'AlreadyDecidedError';
  constructor(readonly stepStatus: string) {
    super(`The manual review was already decided (step status ${stepStatus})`, { errorCode: 'HRF.0409.ALREADY_DECIDED' });
  }
}

/** The step's status when the review was already decided; undefined while it is not. A failed read throws. */
async function readDecided(deps: ReviewDeps, step: ReviewStep): Promise<string | undefined> {
  const { data } = await showPipelineRunDetail(deps.client, step.pipeline_id, step.pipeline_run_id, deps.call);
  const found = findStep(data, step);
  return found && DECIDED_STEP_STATUSES.has(found.status) ? found.status : undefined;
}

/** After a refusal failed: whether the review was decided, undefined too when that cannot be read. */
async function decidedStatus(deps: ReviewDeps, step: ReviewStep): Promise<string | undefined> {
  return readDecided(deps, step).catch(() => undefined);
}

export async function rejectReview(
  deps: ReviewDeps,
  request: { step: ReviewStep; actor: string; reason?: string; /** The caller has just read the step waiting. */ stepRead?: boolean },
): Promise<RejectManualReviewResponse> {
  const target = { ...request.step };
  const record = (outcome: 'succeeded' | 'skipped' | 'failed' | 'unknown', upstreamRequestId: string | undefined, reason: string | undefined) =>
    audit(deps.logger, { actor: request.actor, action: 'reject-manual-review', target, outcome, upstreamRequestId, reason });

  // A run that cannot be read is not refused blind: the refusal could be a second action on a decided review
  // (promise 7), so the read's failure is the answer and a retry reads again.
  const decidedBefore = request.stepRead ? undefined : await readDecided(deps, request.step);
  if (decidedBefore) {
    record('skipped', undefined, `already decided (${decidedBefore})`);
    throw new AlreadyDecidedError(decidedBefore);
  }
  let answer: Awaited<ReturnType<typeof rejectManualReview>>;
  try {
    answer = await rejectManualReview(deps.client, request.step, deps.call);
  } catch (error) {
    const rejected = error instanceof UpstreamError && error.kind === 'http' && error.status !== undefined && error.status >= 400 && error.status < 500;
    const decided = rejected && error.status !== 401 && error.status !== 403 ? await decidedStatus(deps, request.step) : undefined;
    const unknown = error instanceof UpstreamError && error.outcomeUnknown;
    record(
      decided ? 'skipped' : unknown ? 'unknown' : 'failed',
      error instanceof UpstreamError ? error.requestId : undefined,
      decided ? `already decided (${decided})` : error instanceof UpstreamError ? `${error.kind}${error.errorCode ? ` ${error.errorCode}` : ''}` : 'error',
    );
    if (decided) throw new AlreadyDecidedError(decided);
    throw error;
  }
  if (!answer.data.success) {
    // CodeArts did not refuse: decided meanwhile, or a refusal it would not make. Never reported as done.
    const decided = await decidedStatus(deps, request.step);
    record(decided ? 'skipped' : 'failed', answer.requestId, decided ? `already decided (${decided})` : 'success: false');
    if (decided) throw new AlreadyDecidedError(decided);
    throw new BadGatewayError('CodeArts Pipeline did not refuse the review (it answered success: false)', 'HRF.0502.NOT_REFUSED');
  }
  record('succeeded', answer.requestId, request.reason);
  return answer.data;
}
