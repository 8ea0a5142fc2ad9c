/**
 * CodeArts Pipeline operations: ../shared/api-reference.md §2.5 and §3.3.
 * Endpoint `https://cloudpipeline-ext.{region}.myhuaweicloud.com` (exceptions in shared/config/endpoints.ts).
 */
import * as z from 'zod';
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
  name: z.string().optional(),
  task: z.string().optional(),
  business_type: z.string().optional(),
  status: z.string(),
  message: z.string().nullish(),
});
export const jobRunSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  status: z.string(),
  message: z.string().nullish(),
  steps: z.array(stepRunSchema).default([]),
});
export const stageRunSchema = z.object({
  id: z.string(),
  name: z.string().optional(),
  status: z.string(),
  jobs: z.array(jobRunSchema).default([]),
});

export const pipelineRunDetailSchema = z.object({
  id: z.string(),
  pipeline_id: z.string(),
  name: z.string().optional(),
  status: z.string(),
  run_number: z.number().int().optional(),
  start_time: z.number().int().optional(),
  end_time: z.number().int().optional(),
  stages: z.array(stageRunSchema).default([]),
});
export type PipelineRunDetail = z.infer<typeof pipelineRunDetailSchema>;

export const showPipelineRunDetail = defineOperation({
  name: 'ShowPipelineRunDetail',
  service: 'codeartsPipeline',
  method: 'GET',
  path: '/v5/{project_id}/api/pipelines/{pipeline_id}/pipeline-runs/detail',
  pathParams: z.strictObject({ project_id: codeartsIdSchema, pipeline_id: codeartsIdSchema }),
  query: z.strictObject({ pipeline_run_id: codeartsIdSchema.optional() }),
  headers: z.strictObject({}),
  body: undefined,
  response: pipelineRunDetailSchema,
  readOnly: true,
});
