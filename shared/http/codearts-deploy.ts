/** The typed CodeArts Deploy calls. */
import type * as z from 'zod/mini';
import { requireCodeartsProjectId } from '../config/env';
import * as deploy from '../contracts/codearts-deploy';
import type { CallOptions, HuaweiCloudClient } from './client';

export async function startDeployTask(client: HuaweiCloudClient, taskId: string, body: deploy.StartDeployTaskBody, options: CallOptions = {}) {
  return client.call(deploy.startDeployTask, { pathParams: { task_id: taskId }, body }, options);
}

export async function listDeployTaskHistory(client: HuaweiCloudClient, taskId: string, query: z.input<typeof deploy.deployHistoryQuerySchema>, options: CallOptions = {}) {
  return client.call(deploy.listDeployTaskHistory, { pathParams: { project_id: requireCodeartsProjectId(client.config), id: taskId }, query }, options);
}
