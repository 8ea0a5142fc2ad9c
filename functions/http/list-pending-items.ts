/** GET /v1/pending-items → DataArts ListFactoryPendingItems. */
import { defineRoute, httpFunction } from '../../shared/http-function';
import { listPendingItemsQuerySchema, listPendingItemsResponseSchema } from '../../shared/contracts/dataarts';
import { resolveWorkspace, workspaceHeadersSchema } from '../../shared/releases/workspace';

export const listPendingItemsRoute = defineRoute({
  functionName: 'listPendingItems',
  method: 'GET',
  path: '/v1/pending-items',
  summary: 'List pending items (jobs and scripts submitted in the development workspace, not yet released)',
  scope: 'read',
  request: { query: listPendingItemsQuerySchema, headers: workspaceHeadersSchema },
  response: listPendingItemsResponseSchema,
  handle: async ({ query, headers }, { runtime, principal, signal, invocation }) => {
    const workspace = resolveWorkspace(runtime, principal, headers['x-workspace-id']);
    const { data } = await runtime.client.listPendingItems(query, { workspace, signal, credentials: invocation.temporaryCredentials });
    return { body: data };
  },
});

export const handler = httpFunction(listPendingItemsRoute);
