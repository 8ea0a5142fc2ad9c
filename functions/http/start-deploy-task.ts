/** POST /v1/deploy-tasks/{task_id}/start → CodeArts Deploy StartDeployTask. */
import '../../shared/zod-config';
import * as z from 'zod/mini';
import { defineRoute, httpFunction } from '../../shared/http-function';
import { codeartsIdSchema } from '../../shared/contracts/ids';
import { startDeployTaskBodySchema, startDeployTaskResponseSchema } from '../../shared/contracts/codearts-deploy';
import { startDeployment } from '../../shared/releases/deploy';
import { requireDeployTask } from '../../shared/inbound/authenticate';

export const startDeployTaskRoute = defineRoute({
  functionName: 'startDeployTask',
  method: 'POST',
  path: '/v1/deploy-tasks/{task_id}/start',
  summary: 'Start a CodeArts Deploy task (deploy an application)',
  description: "A client limited to some deploy tasks (its deploy_tasks) gets 403 for any other, and nothing is sent.",
  scope: 'deploy',
  request: { path: z.strictObject({ task_id: codeartsIdSchema }), body: startDeployTaskBodySchema },
  response: startDeployTaskResponseSchema,
  handle: async ({ path, body }, { runtime, principal, call, logger }) => {
    requireDeployTask(principal, path.task_id);
    const data = await startDeployment(
      { client: runtime.client, logger, call },
      { taskId: path.task_id, body, actor: principal.clientId },
    );
    return { body: data };
  },
});

export const handler = httpFunction(startDeployTaskRoute);
