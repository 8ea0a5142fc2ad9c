/** POST /v1/pipelines/{pipeline_id}/runs/{pipeline_run_id}/jobs/{job_run_id}/steps/{step_run_id}/refuse → CodeArts Pipeline RejectManualReview. */
import '../../shared/zod-config';
import * as z from 'zod/mini';
import { defineRoute, httpFunction } from '../../shared/http-function';
import { codeartsIdSchema } from '../../shared/contracts/ids';
import { rejectManualReviewResponseSchema } from '../../shared/contracts/codearts-pipeline';
import { rejectReview } from '../../shared/releases/review';
import { requirePipeline } from '../../shared/inbound/authenticate';

export const rejectManualReviewRoute = defineRoute({
  functionName: 'rejectManualReview',
  method: 'POST',
  path: '/v1/pipelines/{pipeline_id}/runs/{pipeline_run_id}/jobs/{job_run_id}/steps/{step_run_id}/refuse',
  summary: 'Reject a CodeArts Pipeline manual review that is waiting',
  description:
    'A review that was already decided answers 409 HRF.0409.ALREADY_DECIDED and nothing is sent again. A client limited to some pipelines (its pipelines) gets 403 for any other, and nothing is sent.',
  scope: 'review',
  request: {
    path: z.strictObject({
      pipeline_id: codeartsIdSchema,
      pipeline_run_id: codeartsIdSchema,
      job_run_id: codeartsIdSchema,
      step_run_id: codeartsIdSchema,
    }),
  },
  response: rejectManualReviewResponseSchema,
  handle: async ({ path }, { runtime, principal, call, logger }) => {
    requirePipeline(principal, path.pipeline_id);
    const data = await rejectReview(
      { client: runtime.client, logger, call },
      { step: path, actor: principal.clientId },
    );
    return { body: data };
  },
});

export const handler = httpFunction(rejectManualReviewRoute);
