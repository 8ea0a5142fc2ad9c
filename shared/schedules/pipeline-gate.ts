/**
 * The pipeline gate's event and decision. A pipeline run waits at a manual review step until the DataArts
 * release package it depends on is released; the gate rejects the review when the package
 *  - was withdrawn (delete_flag 1),
 *  - failed (deploy_status 3), or
 *  - still awaits approval (deploy_status 1) past the approval deadline (counted from its application),
 * and otherwise leaves the review to its reviewers, saying why.
 */
import '../zod-config';
import { createHash } from 'node:crypto';
import * as z from 'zod/mini';
import { codeartsIdSchema, releasePackageIdSchema, workspaceIdSchema } from '../contracts/ids';
import { DEPLOY_STATUS, type ReleasePackage } from '../contracts/dataarts';
import type { PipelineRunDetail } from '../contracts/codearts-pipeline';
import type { CallOptions } from '../http/client';
import { UpstreamError } from '../http/upstream-error';
import { ConfigError, ConflictError, HttpError } from '../errors';
import { UnsupportedRegionError } from '../config/endpoints';
import { idempotencyStoreOf } from '../idempotency/store';
import type { ReceivedEvent } from '../platform/cloud-event';
import { AlreadyDecidedError, findStep, rejectReview, WAITING_STEP_STATUSES, type ReviewStep } from '../releases/review';
import type { PipelineGateConfig } from './config';
import { MINUTE_MS } from './time';
import { describeFailure, isTransientFailure, type RunContext } from './timer-function';
import { showPipelineRunDetail } from '../http/codearts-pipeline';
import { showPackageDetail } from '../http/dataarts';

/** The data of a pipeline event: the review step that waits, and the package it depends on. */
export const pipelineEventDataSchema = z.object({
  pipeline_id: codeartsIdSchema,
  pipeline_run_id: codeartsIdSchema,
  job_run_id: codeartsIdSchema,
  step_run_id: codeartsIdSchema,
  package_id: releasePackageIdSchema,
  /** The DataArts workspace of the package; default HUAWEICLOUD_DATAARTS_WORKSPACE. */
  workspace_id: z.optional(workspaceIdSchema),
});
export type PipelineEventData = z.infer<typeof pipelineEventDataSchema>;

export const gateDecisionSchema = z.object({
  action: z.enum(['reject', 'leave']),
  reason: z.string(),
});
export type GateDecision = z.infer<typeof gateDecisionSchema>;

/** Decides from the package as it is now. Pure. */
export function gateDecision(pkg: ReleasePackage, now: Date, approvalDeadlineMs: number): GateDecision {
  const id = pkg.package_id;
  if (pkg.delete_flag === 1) return { action: 'reject', reason: `release package ${id} was withdrawn` };
  if (pkg.deploy_status === DEPLOY_STATUS.failed) return { action: 'reject', reason: `release package ${id} failed to release` };
  const deadlineMinutes = Math.round(approvalDeadlineMs / MINUTE_MS);
  if (pkg.deploy_status === DEPLOY_STATUS.pendingApproval) {
    if (pkg.apply_timestamp == null) return { action: 'leave', reason: `release package ${id} awaits approval; its application time is unknown` };
    const waited = now.getTime() - pkg.apply_timestamp;
    const waitedMinutes = Math.floor(waited / MINUTE_MS);
    if (waited > approvalDeadlineMs) {
      return { action: 'reject', reason: `release package ${id} has awaited approval for ${waitedMinutes} minutes, past the ${deadlineMinutes}-minute deadline` };
    }
    return { action: 'leave', reason: `release package ${id} awaits approval (${waitedMinutes} of ${deadlineMinutes} minutes)` };
  }
  if (pkg.deploy_status === DEPLOY_STATUS.success) return { action: 'leave', reason: `release package ${id} was released` };
  if (pkg.deploy_status === DEPLOY_STATUS.releasing) return { action: 'leave', reason: `release package ${id} is releasing` };
  return { action: 'leave', reason: `release package ${id} has the unknown status ${pkg.deploy_status}` };
}

// ---- the run ------------------------------------------------------------------------------------

export const gateResultSchema = z.object({
  /**
   * rejected: the review was refused; left: the review stays with its reviewers; skipped: nothing to do
   * (the review was already decided, the step is not in the run); duplicate: this event was handled
   * already; ignored: the event is malformed; failed: upstream refused for good.
   */
  status: z.enum(['rejected', 'left', 'skipped', 'duplicate', 'ignored', 'failed']),
  reason: z.string(),
  event_id: z.optional(z.string()),
  step: z.optional(z.object({ pipeline_id: z.string(), pipeline_run_id: z.string(), job_run_id: z.string(), step_run_id: z.string() })),
  package_id: z.optional(z.string()),
});
export type GateResult = z.infer<typeof gateResultSchema>;

/** The workspace to read the package in, or why the event may not name it. */
export type WorkspaceChoice = (requested: string | undefined) => { ok: true; workspace: string } | { ok: false; reason: string };

export interface GateDeps {
  readonly chooseWorkspace: WorkspaceChoice;
  /**
   * The authenticated caller who delivered the event over HTTP (absent for platform events): events are
   * deduplicated per sender, since two senders' ids are theirs to choose and must not collide.
   */
  readonly sender?: string | undefined;
}

function describeIssue(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  return issue ? `data.${issue.path.join('.')}: ${issue.message}`.replace(/\.:/, ':') : 'data: invalid';
}

/**
 * A 404 from CodeArts Pipeline itself (a `DEVPIPE.*` code) says the pipeline or its run no longer exists: an
 * event about it has nothing left to gate (the run-not-found code is not documented, so any `DEVPIPE.*` 404
 * counts). Two kinds of 404 are not about the run and would otherwise end every event as a quiet skip, switching
 * the gate off unseen, so they fail the event instead: no such project (a wrong HUAWEICLOUD_CODEARTS_PROJECT_ID)
 * and a 404 that is not the service's own (`APIG.0101`, no such API: a wrong endpoint, or none at all).
 */
const PROJECT_NOT_FOUND_CODES: ReadonlySet<string> = new Set(['DEVPIPE.00011412', 'DEVPIPE.30021001']);

function runGone(error: unknown): boolean {
  if (!(error instanceof UpstreamError && error.kind === 'http' && error.status === 404 && error.errorCode !== undefined)) return false;
  return error.errorCode.startsWith('DEVPIPE.') && !PROJECT_NOT_FOUND_CODES.has(error.errorCode);
}

/**
 * DataArts refusing the package read for a reason of ours, not the package's: our credentials (401, 403), no
 * such API (`APIG.0101`: a wrong endpoint) or no such workspace (`DLF.0819`). Left to its reviewers, every
 * review would pass the gate unseen while it lasts, so the event fails instead; a package it cannot find
 * (`DLF.3051`) is still left.
 */
const DATAARTS_CONFIG_CODES: ReadonlySet<string> = new Set(['APIG.0101', 'DLF.0819']);

function ourDataArtsFault(error: unknown): boolean {
  return error instanceof UpstreamError && (error.status === 401 || error.status === 403 || DATAARTS_CONFIG_CODES.has(error.errorCode ?? ''));
}

/**
 * A failure the gate cannot explain to a sender (a bug, not Huawei Cloud's answer nor our configuration): it
 * fails the invocation (a 500 that says nothing, over HTTP) rather than travel in a result's reason.
 */
function unexpected(error: unknown): boolean {
  return !(error instanceof UpstreamError || error instanceof HttpError || error instanceof ConfigError || error instanceof UnsupportedRegionError);
}

/** Whether a manual-review step still waits for a decision (shared/releases/review.ts holds the statuses). */
function waiting(status: string): boolean {
  return WAITING_STEP_STATUSES.has(status);
}

async function gate(data: PipelineEventData, workspace: string, ctx: RunContext<PipelineGateConfig>): Promise<GateResult> {
  const { runtime, logger, config } = ctx;
  const step: ReviewStep = { pipeline_id: data.pipeline_id, pipeline_run_id: data.pipeline_run_id, job_run_id: data.job_run_id, step_run_id: data.step_run_id };
  const call: CallOptions = { signal: ctx.signal, credentials: ctx.invocation.temporaryCredentials, timeLeftMs: ctx.invocation.remainingMs };
  const base = { step, package_id: data.package_id };
  const permanent = (error: unknown, what: string): GateResult => {
    if (isTransientFailure(error) || unexpected(error)) throw error;
    return { status: 'failed', reason: `${what}: ${describeFailure(error)}`, ...base };
  };

  // 1. Is the review still waiting? A second delivery finds it decided and stops here.
  let detail: PipelineRunDetail;
  try {
    detail = (await showPipelineRunDetail(runtime.client, step.pipeline_id, step.pipeline_run_id, call)).data;
  } catch (error) {
    if (runGone(error)) return { status: 'skipped', reason: `the pipeline run could not be found (${describeFailure(error)})`, ...base };
    return permanent(error, 'the pipeline run could not be read');
  }
  const found = findStep(detail, step);
  if (!found) return { status: 'skipped', reason: 'the step is not in this pipeline run', ...base };
  if (!waiting(found.status)) return { status: 'skipped', reason: `the review is no longer waiting (step status ${found.status})`, ...base };

  // 2. The package it depends on.
  let pkg: ReleasePackage;
  try {
    pkg = (await showPackageDetail(runtime.client, data.package_id, { ...call, workspace })).data.release_package;
  } catch (error) {
    if (ourDataArtsFault(error)) return permanent(error, `release package ${data.package_id} could not be read`);
    if (isTransientFailure(error) || unexpected(error)) throw error;
    return { status: 'left', reason: `release package ${data.package_id} could not be read, so the review is left to its reviewers (${describeFailure(error)})`, ...base };
  }
  const decision = gateDecision(pkg, runtime.now(), config.approvalDeadlineMs);
  if (decision.action === 'leave') return { status: 'left', reason: decision.reason, ...base };

  // 3. Reject, once.
  try {
    await rejectReview({ client: runtime.client, logger, call }, { step, actor: ctx.functionName, reason: decision.reason, stepRead: true });
    return { status: 'rejected', reason: decision.reason, ...base };
  } catch (error) {
    if (error instanceof AlreadyDecidedError) return { status: 'skipped', reason: `the review was decided meanwhile (step status ${error.stepStatus})`, ...base };
    return permanent(error, 'the review could not be rejected');
  }
}

/**
 * Handles one pipeline event: validates its data, deduplicates it by (sender, source, id) within the container,
 * reads the run, then the package, and rejects or leaves the review.
 */
export async function runPipelineGate(event: ReceivedEvent, ctx: RunContext<PipelineGateConfig>, deps: GateDeps): Promise<GateResult> {
  const { logger, runtime } = ctx;
  const eventId = { event_id: event.id };
  const finish = (result: GateResult): GateResult => {
    logger.info('Pipeline gate', { result, event: { id: event.id, source: event.source, type: event.type, delivery: event.delivery } });
    return result;
  };
  const parsed = pipelineEventDataSchema.safeParse(event.data);
  if (!parsed.success) {
    const reason = describeIssue(parsed.error);
    logger.warn('Malformed pipeline event acknowledged without action', { reason, event_id: event.id, source: event.source });
    return { status: 'ignored', reason, ...eventId };
  }
  const data = parsed.data;
  const chosen = deps.chooseWorkspace(data.workspace_id);
  if (!chosen.ok) {
    logger.warn('Pipeline event for a workspace this function may not use', { reason: chosen.reason, event_id: event.id });
    return { status: 'ignored', reason: chosen.reason, ...eventId };
  }

  const key = JSON.stringify([ctx.functionName, deps.sender ?? null, event.source, event.id]);
  const fingerprint = createHash('sha256').update(JSON.stringify(data)).digest('hex');
  const store = idempotencyStoreOf(runtime);
  const claim = await store.claim(key, fingerprint);
  if (!claim.claimed && claim.record.fingerprint !== fingerprint) {
    // CloudEvents: source + id identify one event. The same id with other data is not a redelivery, and
    // answering it as a duplicate would leave its review ungated without a word.
    const reason = `event ${event.id} from ${event.source} was received before with other data: an event id must not be reused`;
    if (deps.sender !== undefined) throw new ConflictError(reason, { errorCode: 'HRF.0409.EVENT_ID_REUSED' });
    logger.warn('Pipeline event id reused with other data; acknowledged without action', { reason, event_id: event.id, source: event.source });
    return { status: 'ignored', reason, ...eventId };
  }
  if (!claim.claimed) {
    const previous = claim.record.status === 'completed' ? (claim.record.result as GateResult) : undefined;
    return finish({
      status: 'duplicate',
      reason: previous ? `event ${event.id} was handled already (${previous.status}: ${previous.reason})` : `event ${event.id} is being handled by another delivery`,
      ...eventId,
    });
  }
  try {
    const result = { ...(await gate(data, chosen.workspace, ctx)), ...eventId };
    await store.complete(key, fingerprint, result);
    return finish(result);
  } catch (error) {
    // Nothing was decided: a redelivery of this event must be able to try again.
    await store.release(key);
    throw error;
  }
}
