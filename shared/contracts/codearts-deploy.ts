/**
 * CodeArts Deploy operations: ../shared/api-reference.md §2.4 and §3.2.
 * Endpoint `https://codearts-deploy.{region}.myhuaweicloud.com`.
 */
import * as z from 'zod';
import { defineOperation } from './operation';
import { codeartsIdSchema } from './ids';

export const deployParamSchema = z.strictObject({
  key: z.string().min(1).max(128),
  value: z.string().max(8192),
  type: z.enum(['text', 'host_group', 'encrypt', 'enum']),
});

export const startDeployTaskBodySchema = z.strictObject({
  params: z.array(deployParamSchema).max(100).optional(),
  /** Roll back to an earlier deployment record. */
  record_id: codeartsIdSchema.optional(),
  /** "0" any source may trigger, "1" only pipelines. */
  trigger_source: z.enum(['0', '1']).optional(),
});
export type StartDeployTaskBody = z.infer<typeof startDeployTaskBodySchema>;

export const appComponentSchema = z.object({
  task_id: z.string().optional(),
  app_id: z.string().optional(),
  app_name: z.string().optional(),
  comp_id: z.string().optional(),
  comp_name: z.string().optional(),
  domain_id: z.string().optional(),
  region: z.string().optional(),
  state: z.string().optional(),
});

export const startDeployTaskResponseSchema = z.object({
  /** The deployment record id. */
  id: z.string().min(1),
  task_id: z.string(),
  job_name: z.string().optional(),
  app_component_list: z.array(appComponentSchema).default([]),
});
export type StartDeployTaskResponse = z.infer<typeof startDeployTaskResponseSchema>;

export const startDeployTask = defineOperation({
  name: 'StartDeployTask',
  service: 'codeartsDeploy',
  method: 'POST',
  path: '/v2/tasks/{task_id}/start',
  pathParams: z.strictObject({ task_id: codeartsIdSchema }),
  query: z.strictObject({}),
  headers: z.strictObject({}),
  body: startDeployTaskBodySchema,
  response: startDeployTaskResponseSchema,
  readOnly: false,
});

// ---- neighbour: deployment history: GET /v2/{project_id}/task/{id}/history -----------------------

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'must be yyyy-MM-dd');

export const deployHistoryQuerySchema = z.strictObject({
  page: z.coerce.number().int().min(1),
  size: z.coerce.number().int().min(1).max(100),
  start_date: isoDate,
  end_date: isoDate,
});

export const deployRecordSchema = z.object({
  execution_id: z.string(),
  state: z.string(),
  start_time: z.string().optional(),
  end_time: z.string().optional(),
  duration: z.string().optional(),
  operator: z.string().optional(),
  nickname: z.string().optional(),
  release_id: z.number().int().optional(),
  type: z.string().optional(),
});
export type DeployRecord = z.infer<typeof deployRecordSchema>;

export const deployHistoryResponseSchema = z.object({
  total_num: z.number().int().nonnegative(),
  result: z.array(deployRecordSchema),
});
export type DeployHistoryResponse = z.infer<typeof deployHistoryResponseSchema>;

export const listDeployTaskHistory = defineOperation({
  name: 'ListDeployTaskHistoryByDate',
  service: 'codeartsDeploy',
  method: 'GET',
  path: '/v2/{project_id}/task/{id}/history',
  pathParams: z.strictObject({ project_id: codeartsIdSchema, id: codeartsIdSchema }),
  query: deployHistoryQuerySchema,
  headers: z.strictObject({}),
  body: undefined,
  response: deployHistoryResponseSchema,
  readOnly: true,
});
