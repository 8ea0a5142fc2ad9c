/**
 * CodeArts Pipeline operations: ../shared/api-reference.md §2.5 and §3.3.
 * Endpoint `https://cloudpipeline-ext.{region}.myhuaweicloud.com` (exceptions in shared/config/endpoints.ts).
 */
import '../zod-config';
import * as z from 'zod/mini';
import { listOf } from './fields';
import { defineOperation } from './operation';
import { codeartsIdSchema } from './ids';

export const reviewStepPathSchema = z.strictObject({
  /** The CodeArts project id, not the IAM project id. */
  project_id: codeartsIdSchema,
  pipeline_id: codeartsIdSchema,
  pipeline_run_id: codeartsIdSchema,
  job_run_id: codeartsIdSchema,
  step_run_id: codeartsIdSchema,
});
export type ReviewStepPath = z.infer<typeof reviewStepPathSchema>;

export const rejectManualReviewResponseSchema = z.object({ success: z.boolean() });
export type RejectManualReviewResponse = z.infer<typeof rejectManualReviewResponseSchema>;

export const rejectManualReview = defineOperation({
  name: 'RejectManualReview',
  service: 'codeartsPipeline',
  method: 'POST',
  path: '/v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/{pipeline_run_id}/jobs/{job_run_id}/steps/{step_run_id}/refuse',
  pathParams: reviewStepPathSchema,
  query: z.strictObject({}),
  headers: z.strictObject({}),
  body: undefined,
  response: rejectManualReviewResponseSchema,
  readOnly: false,
});

// ---- neighbour: run detail: GET /v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/detail --

export const stepRunSchema = z.object({
  id: z.string(),
  name: z.nullish(z.string()),
  task: z.nullish(z.string()),
  business_type: z.nullish(z.string()),
  status: z.string(),
  message: z.nullish(z.string()),
});
export const jobRunSchema = z.object({
  id: z.string(),
  name: z.nullish(z.string()),
  status: z.string(),
  message: z.nullish(z.string()),
  steps: listOf(stepRunSchema),
});
export const stageRunSchema = z.object({
  id: z.string(),
  name: z.nullish(z.string()),
  status: z.string(),
  jobs: listOf(jobRunSchema),
});

export const pipelineRunDetailSchema = z.object({
  id: z.string(),
  pipeline_id: z.string(),
  name: z.nullish(z.string()),
  status: z.string(),
  run_number: z.nullish(z.number().check(z.int())),
  start_time: z.nullish(z.number().check(z.int())),
  end_time: z.nullish(z.number().check(z.int())),
  stages: listOf(stageRunSchema),
});
export type PipelineRunDetail = z.infer<typeof pipelineRunDetailSchema>;

export const showPipelineRunDetail = defineOperation({
  name: 'ShowPipelineRunDetail',
  service: 'codeartsPipeline',
  method: 'GET',
  path: '/v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/detail',
  pathParams: z.strictObject({ project_id: codeartsIdSchema, pipeline_id: codeartsIdSchema }),
  query: z.strictObject({ pipeline_run_id: z.optional(codeartsIdSchema) }),
  headers: z.strictObject({}),
  body: undefined,
  response: pipelineRunDetailSchema,
  readOnly: true,
});
