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
    const unknown = error instanceof UpstreamError && error.outcomeUnknown;
    if (unknown && request.reconciles) throw error;
    audit(deps.logger, {
      actor: request.actor,
      action: 'start-deploy-task',
      target: { task_id: request.taskId },
      outcome: unknown ? 'unknown' : 'failed',
      upstreamRequestId: error instanceof UpstreamError ? error.requestId : undefined,
      reason: error instanceof UpstreamError ? `${error.kind}${error.errorCode ? ` ${error.errorCode}` : ''}${error.outcomeUnknown ? ' (outcome unknown)' : ''}` : 'error',
    });
    throw error;
  }
}
