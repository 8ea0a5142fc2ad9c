/** The typed CodeArts Pipeline calls: each fills the CodeArts project id from the configuration. */
import { requireCodeartsProjectId } from '../config/env';
import * as pipeline from '../contracts/codearts-pipeline';
import type { CallOptions, HuaweiCloudClient } from './client';

export async function rejectManualReview(
  client: HuaweiCloudClient,
  path: { pipeline_id: string; pipeline_run_id: string; job_run_id: string; step_run_id: string },
  options: CallOptions = {},
) {
  return client.call(pipeline.rejectManualReview, { pathParams: { project_id: requireCodeartsProjectId(client.config), ...path } }, options);
}

export async function showPipelineRunDetail(client: HuaweiCloudClient, pipelineId: string, pipelineRunId: string | undefined, options: CallOptions = {}) {
  return client.call(
    pipeline.showPipelineRunDetail,
    { pathParams: { project_id: requireCodeartsProjectId(client.config), pipeline_id: pipelineId }, query: pipelineRunId ? { pipeline_run_id: pipelineRunId } : {} },
    options,
  );
}
