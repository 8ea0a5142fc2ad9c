/**
 * POST /v1/events/pipeline → the pipeline gate (CodeArts Pipeline RejectManualReview) for senders that
 * deliver pipeline events over HTTP: a CloudEvent in structured JSON mode, or its data in binary mode with
 * `ce-*` headers. The events delivered by EventGrid and EventBridge go to functions/events/pipeline-gate.ts.
 * See docs/timers-and-events.md.
 */
import '../../shared/zod-config';
import * as z from 'zod/mini';
import { defineRoute, httpFunction } from '../../shared/http-function';
import { dataIssues, parseHttpEvent } from '../../shared/platform/cloud-event';
import { resolveWorkspace } from '../../shared/releases/workspace';
import { lazyConfig, loadPipelineGateConfig } from '../../shared/schedules/config';
import { gateResultSchema, pipelineEventDataSchema, runPipelineGate, type WorkspaceChoice } from '../../shared/schedules/pipeline-gate';
import { ValidationError } from '../../shared/errors';
import { requirePipeline } from '../../shared/inbound/authenticate';
import { authenticateWebhook } from '../../shared/inbound/webhook-authentication';

const FUNCTION_NAME = 'pipelineEventWebhook';

/** The gate's own configuration (PIPELINE_GATE_APPROVAL_DEADLINE_MINUTES), read once per container as pipelineGate reads it. */
const gateConfig = lazyConfig(loadPipelineGateConfig);

const ceHeader = z.optional(z.string().check(z.maxLength(1024)));

/** Over HTTP, as on every route, a field the gate does not know is refused (400), not silently dropped. */
const strictEventDataSchema = z.strictObject(pipelineEventDataSchema.shape);


export const pipelineEventWebhookRoute = defineRoute({
  functionName: FUNCTION_NAME,
  method: 'POST',
  path: '/v1/events/pipeline',
  summary: 'Pipeline event webhook: reject a waiting manual review when its release package failed, was withdrawn or is unapproved past the deadline',
  description:
    'The body is a CloudEvents 1.0 event in structured JSON mode, or its data in binary mode with ce-* headers. Besides a bearer token or an app signature, a webhook client may sign the delivery the Standard Webhooks way (webhook-id, webhook-timestamp within 5 minutes, webhook-signature); the same signed delivery twice is refused (401) by the instance that took it. A malformed event, or event data that does not name a review and a package, is refused with 400 naming the field; nothing is called.',
  scope: 'review',
  webhookSignatures: authenticateWebhook,
  request: {
    headers: z.object({ 'ce-specversion': ceHeader, 'ce-id': ceHeader, 'ce-source': ceHeader, 'ce-type': ceHeader, 'ce-subject': ceHeader, 'ce-time': ceHeader }),
    body: z.unknown(),
    bodyRequired: true,
  },
  response: gateResultSchema,
  handle: async ({ body }, { runtime, principal, invocation, http, logger, signal }) => {
    // Over HTTP a malformed event is the caller's error, answered 400 naming the field, as on every route
    // (senders do not retry a 4xx); functions/events/pipeline-gate.ts acknowledges one, since an event source
    // would redeliver a failed invocation.
    const parsed = parseHttpEvent(http.headers, body);
    if (!parsed.ok) throw new ValidationError(`Invalid pipeline event: ${parsed.reason}`, [{ field: parsed.field, message: parsed.message }]);
    const data = strictEventDataSchema.safeParse(parsed.event.data);
    if (!data.success) {
      const fields = dataIssues(parsed.dataAt, data.error);
      throw new ValidationError(`Invalid pipeline event: ${[...new Set(fields.map((f) => f.field))].join(', ')}`, fields);
    }
    requirePipeline(principal, data.data.pipeline_id);
    const context = { functionName: FUNCTION_NAME, runtime, config: gateConfig(invocation, runtime), invocation, logger: logger.child({ caller: principal.clientId }), signal };
    // A workspace the caller may not use is a 403, as on every HTTP route.
    const choose: WorkspaceChoice = (requested) => ({ ok: true, workspace: resolveWorkspace(runtime, principal, requested) });
    return { body: await runPipelineGate(parsed.event, context, { chooseWorkspace: choose, sender: principal.clientId }) };
  },
});

export const handler = httpFunction(pipelineEventWebhookRoute);
