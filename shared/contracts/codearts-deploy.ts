/**
 * CodeArts Deploy operations: ../shared/api-reference.md §2.4 and §3.2.
 * Endpoint `https://codearts-deploy.{region}.myhuaweicloud.com`.
 */
import '../zod-config';
import * as z from 'zod/mini';
import { listOf } from './fields';
import { defineOperation } from './operation';
import { codeartsIdSchema } from './ids';
import { textSchema } from './text';

export const deployParamSchema = z.strictObject({
  key: textSchema(1, 128),
  value: textSchema(0, 8192),
  type: z.enum(['text', 'host_group', 'encrypt', 'enum']),
});

export const startDeployTaskBodySchema = z.strictObject({
  params: z.optional(z.array(deployParamSchema).check(z.maxLength(100))),
  /** Roll back to an earlier deployment record. */
  record_id: z.optional(codeartsIdSchema),
  /** "0" any source may trigger, "1" only pipelines. */
  trigger_source: z.optional(z.enum(['0', '1'])),
});
export type StartDeployTaskBody = z.infer<typeof startDeployTaskBodySchema>;

export const appComponentSchema = z.object({
  task_id: z.nullish(z.string()),
  app_id: z.nullish(z.string()),
  app_name: z.nullish(z.string()),
  comp_id: z.nullish(z.string()),
  comp_name: z.nullish(z.string()),
  domain_id: z.nullish(z.string()),
  region: z.nullish(z.string()),
  state: z.nullish(z.string()),
});

export const startDeployTaskResponseSchema = z.object({
  /** The deployment record id. */
  id: z.string().check(z.minLength(1)),
  task_id: z.string(),
  job_name: z.nullish(z.string()),
  app_component_list: listOf(appComponentSchema),
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

const isoDate = z.string().check(z.regex(/^\d{4}-\d{2}-\d{2}$/, 'must be yyyy-MM-dd'));

export const deployHistoryQuerySchema = z.strictObject({
  page: z.coerce.number().check(z.int(), z.gte(1)),
  size: z.coerce.number().check(z.int(), z.gte(1), z.lte(100)),
  start_date: isoDate,
  end_date: isoDate,
});

export const deployRecordSchema = z.object({
  execution_id: z.string(),
  state: z.string(),
  start_time: z.nullish(z.string()),
  end_time: z.nullish(z.string()),
  duration: z.nullish(z.string()),
  operator: z.nullish(z.string()),
  nickname: z.nullish(z.string()),
  release_id: z.nullish(z.number().check(z.int())),
  type: z.nullish(z.string()),
});
export type DeployRecord = z.infer<typeof deployRecordSchema>;

export const deployHistoryResponseSchema = z.object({
  total_num: z.number().check(z.int(), z.nonnegative()),
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
