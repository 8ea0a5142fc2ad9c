/**
 * DataArts Studio (DataArts Factory v2) operations: ../shared/api-reference.md §2.1–2.3 and §3.1.
 * Endpoint `https://dayu.{region}.myhuaweicloud.com`.
 */
import '../zod-config';
import * as z from 'zod/mini';
import { listOf } from './fields';
import { defineOperation } from './operation';
import { iamProjectIdSchema, pendingItemIdSchema, releasePackageIdSchema, userIdSchema, workspaceIdSchema } from './ids';
import { textSchema } from './text';

const projectPath = z.strictObject({ project_id: iamProjectIdSchema });
const workspaceHeaderRequired = z.strictObject({ workspace: workspaceIdSchema });
const workspaceHeaderOptional = z.strictObject({ workspace: z.optional(workspaceIdSchema) });
const int = z.number().check(z.int());
/** Epoch milliseconds (13 digits). */
const epochMs = z.number().check(z.int(), z.nonnegative());
/** Epoch milliseconds as a string (the pending-items query types it as a string). */
const epochMsText = z.string().check(z.regex(/^[0-9]{1,13}$/, 'must be epoch milliseconds'));
const count = z.number().check(z.int(), z.nonnegative());

/** 1 job, 2 script. */
export const taskTypeSchema = z.union([z.literal(1), z.literal(2)]);
/** 1 add, 2 modify, 3 delete. */
export const updateTypeSchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);
/** 1 pending approval, 2 success, 3 failed, 5 releasing. */
export const deployStatusSchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(5)]);
export const DEPLOY_STATUS = { pendingApproval: 1, success: 2, failed: 3, releasing: 5 } as const;

// ---- list pending items: GET /v2/{project_id}/factory/pending-items --------------------------------

export const listPendingItemsQuerySchema = z.strictObject({
  submit_user_name: z.optional(textSchema(1, 128)),
  item_name: z.optional(textSchema(1, 256)),
  update_type: z.optional(z.enum(['1', '2', '3'])),
  task_type: z.optional(z.enum(['1', '2'])),
  start_time: z.optional(epochMsText),
  end_time: z.optional(epochMsText),
  limit: z.optional(z.coerce.number().check(z.int(), z.gte(1), z.lte(100))),
  offset: z.optional(z.coerce.number().check(z.int(), z.gte(0), z.lte(1_000_000))),
});

export const pendingItemSchema = z.object({
  pending_item_id: pendingItemIdSchema,
  item_name: z.string(),
  task_id: z.nullish(z.string()),
  task_type: int,
  update_type: int,
  package_flag: int,
  pending_version: z.nullish(int),
  deployed_version: z.nullish(int),
  project_id: z.nullish(z.string()),
  submit_timestamp: z.nullish(epochMs),
  submit_user_id: z.nullish(z.string()),
  submit_user_name: z.nullish(z.string()),
});
export type PendingItem = z.infer<typeof pendingItemSchema>;

export const listPendingItemsResponseSchema = z.object({
  total: count,
  data: z.array(pendingItemSchema),
});
export type ListPendingItemsResponse = z.infer<typeof listPendingItemsResponseSchema>;

export const listPendingItems = defineOperation({
  name: 'ListFactoryPendingItems',
  service: 'dataarts',
  method: 'GET',
  path: '/v2/{project_id}/factory/pending-items',
  pathParams: projectPath,
  query: listPendingItemsQuerySchema,
  headers: workspaceHeaderRequired,
  body: undefined,
  response: listPendingItemsResponseSchema,
  readOnly: true,
});

// ---- publish pending items: POST /v2/{project_id}/factory/pending-items/package ------------------

export const MAX_PENDING_ITEMS_PER_PACKAGE = 100;

const distinct = (ids: readonly string[]) => new Set(ids).size === ids.length;

/**
 * Package names: letters and digits of any script, "_", "-" and ".". V8 builds the \p{L}\p{N} class from
 * ICU's tables the first time the pattern runs (~6 M instructions, about 2 ms of a cold start), so a name
 * of ASCII letters and digits, the usual kind, is accepted by a plain class first; zod reports, and the
 * OpenAPI document shows, the full pattern.
 */
class PackageNamePattern extends RegExp {
  override test(value: string): boolean {
    return /^[A-Za-z0-9_.-]+$/.test(value) || super.test(value);
  }
}
const packageNamePattern = /* @__PURE__ */ new PackageNamePattern('^[\\p{L}\\p{N}_.\\-]+$', 'u');

export const publishPackageBodySchema = z.strictObject({
  apply_user_id: userIdSchema,
  package_name: z.string().check(z.minLength(1), z.maxLength(128), z.regex(packageNamePattern, 'may hold only letters, digits, "_", "-" and "."')),
  pending_item_list: z.array(pendingItemIdSchema).check(z.minLength(1), z.maxLength(MAX_PENDING_ITEMS_PER_PACKAGE), z.refine(distinct, 'must not repeat an id')),
  approver_ids: z.array(userIdSchema).check(z.minLength(1), z.maxLength(20), z.refine(distinct, 'must not repeat an id')),
});
export type PublishPackageBody = z.infer<typeof publishPackageBodySchema>;

export const publishPackageResponseSchema = z.object({
  package_name: z.string(),
  release_package_id: releasePackageIdSchema,
});
export type PublishPackageResponse = z.infer<typeof publishPackageResponseSchema>;

export const publishPendingItems = defineOperation({
  name: 'CreateFactoryPendingItemsPackage',
  service: 'dataarts',
  method: 'POST',
  path: '/v2/{project_id}/factory/pending-items/package',
  pathParams: projectPath,
  query: z.strictObject({}),
  headers: workspaceHeaderRequired,
  body: publishPackageBodySchema,
  response: publishPackageResponseSchema,
  readOnly: false,
});

// ---- query release packages: POST /v2/{project_id}/factory/release-packages ----------------------

/** A keyword or a user name: 1-128 characters of text. */
const shortText = textSchema(1, 128);

export const queryReleasePackagesBodySchema = z.strictObject({
  key_word: z.optional(shortText),
  apply_user_name: z.optional(shortText),
  deploy_user_name: z.optional(shortText),
  apply_begin_time: z.optional(epochMs),
  apply_end_time: z.optional(epochMs),
  deploy_begin_time: z.optional(epochMs),
  deploy_end_time: z.optional(epochMs),
  apply_user_name_filter: z.optional(z.array(shortText).check(z.maxLength(100))),
  deploy_user_name_filter: z.optional(z.array(shortText).check(z.maxLength(100))),
  deploy_status_filter: z.optional(z.array(deployStatusSchema).check(z.maxLength(4))),
  sorted_direction: z.optional(z.enum(['asc', 'desc'])),
  order_column: z.optional(z.enum(['apply_timestamp', 'deploy_timestamp', 'package_name'])),
  limit: z.optional(z.number().check(z.int(), z.gte(1), z.lte(100))),
  offset: z.optional(z.number().check(z.int(), z.gte(0), z.lte(1_000_000))),
});
export type QueryReleasePackagesBody = z.infer<typeof queryReleasePackagesBodySchema>;

export const packageApproverSchema = z.object({ user_id: z.string(), user_name: z.nullish(z.string()) });

export const releasePackageSchema = z.object({
  package_id: releasePackageIdSchema,
  package_name: z.string(),
  deploy_status: int,
  delete_flag: z.nullish(int),
  apply_timestamp: z.nullish(epochMs),
  deploy_timestamp: z.nullish(epochMs),
  apply_user_id: z.nullish(z.string()),
  apply_user_name: z.nullish(z.string()),
  deploy_user_id: z.nullish(z.string()),
  deploy_user_name: z.nullish(z.string()),
  package_approvers: listOf(packageApproverSchema),
  project_id: z.nullish(z.string()),
  workspace_id: z.nullish(z.string()),
});
export type ReleasePackage = z.infer<typeof releasePackageSchema>;

export const queryReleasePackagesResponseSchema = z.object({
  total: count,
  data: z.array(releasePackageSchema),
});
export type QueryReleasePackagesResponse = z.infer<typeof queryReleasePackagesResponseSchema>;

export const queryReleasePackages = defineOperation({
  name: 'ListFactoryReleasePackages',
  service: 'dataarts',
  method: 'POST',
  path: '/v2/{project_id}/factory/release-packages',
  pathParams: projectPath,
  query: z.strictObject({}),
  headers: workspaceHeaderOptional,
  body: queryReleasePackagesBodySchema,
  response: queryReleasePackagesResponseSchema,
  readOnly: true,
});

// ---- neighbour: package detail: GET /v2/{project_id}/factory/release-packages/{package_id} -----

export const packageTaskDetailSchema = z.object({
  pending_item_id: z.nullish(z.string()),
  item_name: z.nullish(z.string()),
  task_id: z.nullish(z.string()),
  task_type: z.nullish(int),
  update_type: z.nullish(int),
  deploy_status: z.nullish(int),
  start_job_status: z.nullish(int),
  pending_version: z.nullish(int),
  deployed_version: z.nullish(int),
  submit_timestamp: z.nullish(epochMs),
  submit_user_id: z.nullish(z.string()),
  submit_user_name: z.nullish(z.string()),
});

export const showPackageDetailResponseSchema = z.object({
  release_package: releasePackageSchema,
  task_details: listOf(packageTaskDetailSchema),
});
export type ShowPackageDetailResponse = z.infer<typeof showPackageDetailResponseSchema>;

export const showPackageDetail = defineOperation({
  name: 'ShowFactoryPackageDetail',
  service: 'dataarts',
  method: 'GET',
  path: '/v2/{project_id}/factory/release-packages/{package_id}',
  pathParams: z.strictObject({ project_id: iamProjectIdSchema, package_id: releasePackageIdSchema }),
  query: z.strictObject({}),
  headers: workspaceHeaderOptional,
  body: undefined,
  response: showPackageDetailResponseSchema,
  readOnly: true,
});
