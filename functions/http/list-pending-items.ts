/** GET /v1/pending-items → DataArts ListFactoryPendingItems. */
import '../../shared/zod-config';
import * as z from 'zod/mini';
import { defineRoute, httpFunction } from '../../shared/http-function';
import { listPendingItemsQuerySchema, listPendingItemsResponseSchema } from '../../shared/contracts/dataarts';
import { resolveWorkspace, workspaceHeadersSchema } from '../../shared/releases/workspace';
import { listPendingItems } from '../../shared/http/dataarts';

/** Query strings are text: numbers must be plain digits (no " 5", "1e2" or "0x10" coerced into range). */
const wholeNumber = (min: number, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^(?:0|[1-9][0-9]{0,8})$/, 'must be a whole number')), z.transform(Number)),
    z.number().check(z.int(), z.gte(min), z.lte(max)),
  );

export const listPendingItemsRequestQuerySchema = z.extend(listPendingItemsQuerySchema, {
  limit: z.optional(wholeNumber(1, 100)),
  offset: z.optional(wholeNumber(0, 1_000_000)),
});

export const listPendingItemsRoute = defineRoute({
  functionName: 'listPendingItems',
  method: 'GET',
  path: '/v1/pending-items',
  summary: 'List pending items (jobs and scripts submitted in the development workspace, not yet released)',
  scope: 'read',
  request: { query: listPendingItemsRequestQuerySchema, headers: workspaceHeadersSchema },
  response: listPendingItemsResponseSchema,
  handle: async ({ query, headers }, { runtime, principal, call }) => {
    const workspace = resolveWorkspace(runtime, principal, headers['x-workspace-id']);
    const { data } = await listPendingItems(runtime.client, query, { ...call, workspace });
    return { body: data };
  },
});

export const handler = httpFunction(listPendingItemsRoute);
