/** POST /v1/release-packages/query → DataArts ListFactoryReleasePackages. */
import { defineRoute, httpFunction } from '../../shared/http-function';
import { queryReleasePackagesBodySchema, queryReleasePackagesResponseSchema } from '../../shared/contracts/dataarts';
import { resolveWorkspace, workspaceHeadersSchema } from '../../shared/releases/workspace';
import { queryReleasePackages } from '../../shared/http/dataarts';

export const queryReleasePackagesRoute = defineRoute({
  functionName: 'queryReleasePackages',
  method: 'POST',
  path: '/v1/release-packages/query',
  summary: 'Query release packages by name, applicant, deployer, status and time',
  scope: 'read',
  request: { headers: workspaceHeadersSchema, body: queryReleasePackagesBodySchema },
  response: queryReleasePackagesResponseSchema,
  handle: async ({ headers, body }, { runtime, principal, call }) => {
    const workspace = resolveWorkspace(runtime, principal, headers['x-workspace-id']);
    const { data } = await queryReleasePackages(runtime.client, body, { ...call, workspace });
    return { body: data };
  },
});

export const handler = httpFunction(queryReleasePackagesRoute);
