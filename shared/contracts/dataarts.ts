/**
 * DataArts Studio (DataArts Factory v2) operations: ../shared/api-reference.md §2.1–2.3 and §3.1.
 * Endpoint `https://dayu.{region}.myhuaweicloud.com`.
 */
import * as z from 'zod';
import { defineOperation } from './operation';
import { iamProjectIdSchema, pendingItemIdSchema, releasePackageIdSchema, userIdSchema, workspaceIdSchema } from './ids';

const projectPath = z.strictObject({ project_id: iamProjectIdSchema });
const workspaceHeaderRequired = z.strictObject({ workspace: workspaceIdSchema });
const workspaceHeaderOptional = z.strictObject({ workspace: workspaceIdSchema.optional() });
const int = z.number().int();
/** Epoch milliseconds (13 digits). */
const epochMs = z.number().int().nonnegative();

/** 1 job, 2 script. */
export const taskTypeSchema = z.union([z.literal(1), z.literal(2)]);
/** 1 add, 2 modify, 3 delete. */
export const updateTypeSchema = z.union([z.literal(1), z.literal(2), z.literal(3)]);
/** 1 pending approval, 2 success, 3 failed, 5 releasing. */
export const deployStatusSchema = z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(5)]);
export const DEPLOY_STATUS = { pendingApproval: 1, success: 2, failed: 3, releasing: 5 } as const;

// ---- list pending items: GET /v2/{project_id}/factory/pending-items --------------------------------

export const listPendingItemsQuerySchema = z.strictObject({
  submit_user_name: z.string().min(1).max(128).optional(),
  item_name: z.string().min(1).max(256).optional(),
  update_type: z.enum(['1', '2', '3']).optional(),
  task_type: z.enum(['1', '2']).optional(),
  /** Epoch milliseconds as a string (the API types it as a string). */
  start_time: z.string().regex(/^[0-9]{1,13}$/, 'must be epoch milliseconds').optional(),
  end_time: z.string().regex(/^[0-9]{1,13}$/, 'must be epoch milliseconds').optional(),
  limit: z.coerce.number().int().min(1).max(100).optional(),
  offset: z.coerce.number().int().min(0).max(1_000_000).optional(),
});

export const pendingItemSchema = z.object({
  pending_item_id: pendingItemIdSchema,
  item_name: z.string(),
  task_id: z.string().optional(),
  task_type: int,
  update_type: int,
  package_flag: int,
  pending_version: int.optional(),
  deployed_version: int.optional(),
  project_id: z.string().optional(),
  submit_timestamp: epochMs.optional(),
  submit_user_id: z.string().optional(),
  submit_user_name: z.string().optional(),
});
export type PendingItem = z.infer<typeof pendingItemSchema>;

export const listPendingItemsResponseSchema = z.object({
  total: int.nonnegative(),
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

export const publishPackageBodySchema = z.strictObject({
  apply_user_id: userIdSchema,
  package_name: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[\p{L}\p{N}_.\-]+$/u, 'may hold only letters, digits, "_", "-" and "."'),
  pending_item_list: z
    .array(pendingItemIdSchema)
    .min(1)
    .max(MAX_PENDING_ITEMS_PER_PACKAGE)
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id'),
  approver_ids: z
    .array(userIdSchema)
    .min(1)
    .max(20)
    .refine((ids) => new Set(ids).size === ids.length, 'must not repeat an id'),
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

export const queryReleasePackagesBodySchema = z.strictObject({
  key_word: z.string().min(1).max(128).optional(),
  apply_user_name: z.string().min(1).max(128).optional(),
  deploy_user_name: z.string().min(1).max(128).optional(),
  apply_begin_time: epochMs.optional(),
  apply_end_time: epochMs.optional(),
  deploy_begin_time: epochMs.optional(),
  deploy_end_time: epochMs.optional(),
  apply_user_name_filter: z.array(z.string().min(1).max(128)).max(100).optional(),
  deploy_user_name_filter: z.array(z.string().min(1).max(128)).max(100).optional(),
  deploy_status_filter: z.array(deployStatusSchema).max(4).optional(),
  sorted_direction: z.enum(['asc', 'desc']).optional(),
  order_column: z.enum(['apply_timestamp', 'deploy_timestamp', 'package_name']).optional(),
  limit: z.number().int().min(1).max(100).optional(),
  offset: z.number().int().min(0).max(1_000_000).optional(),
});
export type QueryReleasePackagesBody = z.infer<typeof queryReleasePackagesBodySchema>;

export const packageApproverSchema = z.object({ user_id: z.string(), user_name: z.string().optional() });

export const releasePackageSchema = z.object({
  package_id: releasePackageIdSchema,
  package_name: z.string(),
  deploy_status: int,
  delete_flag: int.optional(),
  apply_timestamp: epochMs.optional(),
  deploy_timestamp: epochMs.optional(),
  apply_user_id: z.string().optional(),
  apply_user_name: z.string().optional(),
  deploy_user_id: z.string().optional(),
  deploy_user_name: z.string().optional(),
  package_approvers: z.array(packageApproverSchema).default([]),
  project_id: z.string().optional(),
  workspace_id: z.string().optional(),
});
export type ReleasePackage = z.infer<typeof releasePackageSchema>;

export const queryReleasePackagesResponseSchema = z.object({
  total: int.nonnegative(),
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
  pending_item_id: z.string().optional(),
  item_name: z.string().optional(),
  task_id: z.string().optional(),
  task_type: int.optional(),
  update_type: int.optional(),
  deploy_status: int.optional(),
  start_job_status: int.optional(),
  pending_version: int.optional(),
  deployed_version: int.optional(),
  submit_timestamp: epochMs.optional(),
  submit_user_id: z.string().optional(),
  submit_user_name: z.string().optional(),
});

export const showPackageDetailResponseSchema = z.object({
  release_package: releasePackageSchema,
  task_details: z.array(packageTaskDetailSchema).default([]),
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
