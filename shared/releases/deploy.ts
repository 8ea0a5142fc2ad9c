/** Starting a CodeArts deploy task, with its audit line. A start is a write: never retried blindly. */
import type { StartDeployTaskBody, StartDeployTaskResponse } from '../contracts/codearts-deploy';
import type { CallOptions, HuaweiCloudClient } from '../http/client';
import { UpstreamError } from '../http/upstream-error';
import type { Logger } from '../logger';
import { audit } from '../audit';
import { startDeployTask } from '../http/codearts-deploy';

export interface DeployDeps {
  readonly client: HuaweiCloudClient;
  readonly logger: Logger;
  readonly call: CallOptions;
}

/**
 * Starts the task and writes its one audit line. `reconciles`: the caller settles an unknown outcome itself
 * (the deploy window reads the history) and writes that line (reconciled, or unknown), so none is written here.
 */
export async function startDeployment(
  deps: DeployDeps,
  request: { taskId: string; body: StartDeployTaskBody; actor: string; reconciles?: boolean },
): Promise<StartDeployTaskResponse> {
  try {
    const { data, requestId } = await startDeployTask(deps.client, request.taskId, request.body, deps.call);
    audit(deps.logger, {
      actor: request.actor,
      action: 'start-deploy-task',
      target: { task_id: request.taskId, record_id: data.id },
      outcome: 'succeeded',
      upstreamRequestId: requestId,
    });
    return data;
  } catch (error) {
    if (!(request.reconciles && error instanceof UpstreamError && error.outcomeUnknown)) auditFailedStart(deps.logger, request.actor, request.taskId, error);
    throw error;
  }
}

/** The audit line of a start that did not succeed: `unknown` when it may have happened, else `failed`. */
export function auditFailedStart(logger: Logger, actor: string, taskId: string, error: unknown): void {
  const upstream = error instanceof UpstreamError ? error : undefined;
  audit(logger, {
    actor,
    action: 'start-deploy-task',
    target: { task_id: taskId },
    outcome: upstream?.outcomeUnknown ? 'unknown' : 'failed',
    upstreamRequestId: upstream?.requestId,
    reason: upstream ? `${upstream.kind}${upstream.errorCode ? ` ${upstream.errorCode}` : ''}` : 'error',
  });
}
