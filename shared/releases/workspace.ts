/** The DataArts workspace of a request: X-Workspace-Id when sent (allow-listed), else the configured default. */
import '../zod-config';
import * as z from 'zod/mini';
import { ForbiddenError, ValidationError } from '../errors';
import { workspaceIdSchema } from '../contracts/ids';
import type { Principal } from '../inbound/clients';
import type { Runtime } from '../runtime';

export const workspaceHeadersSchema = z.object({ 'x-workspace-id': z.optional(workspaceIdSchema) });

export function resolveWorkspace(runtime: Runtime, principal: Principal, requested: string | undefined): string {
  const workspace = requested ?? runtime.config.dataartsWorkspace;
  if (!workspace) {
    throw new ValidationError('No workspace: send X-Workspace-Id or configure HUAWEICLOUD_DATAARTS_WORKSPACE', [
      { field: 'headers.x-workspace-id', message: 'is required when no default workspace is configured' },
    ]);
  }
  // One answer for "not allowed" whatever the reason, so callers learn nothing about other workspaces.
  if (!runtime.workspaceAllowList.has(workspace) || (principal.workspaces && !principal.workspaces.has(workspace))) {
    throw new ForbiddenError('This credential may not use that workspace');
  }
  return workspace;
}
