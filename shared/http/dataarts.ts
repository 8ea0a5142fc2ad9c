/** The typed DataArts Factory calls: each fills the project id and the workspace header from the configuration. */
import type * as z from 'zod/mini';
import { requireWorkspace } from '../config/env';
import * as dataarts from '../contracts/dataarts';
import type { CallOptions, HuaweiCloudClient } from './client';

/** The workspace a call must name: the caller's, else the configured default (or the ConfigError naming it). */
function workspace(client: HuaweiCloudClient, options: CallOptions): string {
  return options.workspace ?? requireWorkspace(client.config);
}

/** Calls that work without a workspace send one only when there is one. */
function optionalWorkspace(client: HuaweiCloudClient, options: CallOptions): Record<string, string> {
  const chosen = options.workspace ?? client.config.dataartsWorkspace;
  return chosen ? { workspace: chosen } : {};
}

export async function listPendingItems(client: HuaweiCloudClient, query: z.input<typeof dataarts.listPendingItemsQuerySchema>, options: CallOptions = {}) {
  return client.call(dataarts.listPendingItems, { pathParams: { project_id: client.config.projectId }, query, headers: { workspace: workspace(client, options) } }, options);
}

export async function publishPendingItems(client: HuaweiCloudClient, body: dataarts.PublishPackageBody, options: CallOptions = {}) {
  return client.call(dataarts.publishPendingItems, { pathParams: { project_id: client.config.projectId }, headers: { workspace: workspace(client, options) }, body }, options);
}

export async function queryReleasePackages(client: HuaweiCloudClient, body: dataarts.QueryReleasePackagesBody, options: CallOptions = {}) {
  return client.call(dataarts.queryReleasePackages, { pathParams: { project_id: client.config.projectId }, headers: optionalWorkspace(client, options), body }, options);
}

export async function showPackageDetail(client: HuaweiCloudClient, packageId: string, options: CallOptions = {}) {
  return client.call(
    dataarts.showPackageDetail,
    { pathParams: { project_id: client.config.projectId, package_id: packageId }, headers: optionalWorkspace(client, options) },
    options,
  );
}
