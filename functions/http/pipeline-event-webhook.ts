/**
 * POST /v1/events/pipeline → the pipeline gate (CodeArts Pipeline RejectManualReview) for senders that
 * deliver pipeline events over HTTP: a CloudEvent in structured JSON mode, or its data in binary mode with
 * `ce-*` headers. The events delivered by EventGrid and EventBridge go to functions/events/pipeline-gate.ts.
 * See docs/timers-and-events.md.
 */
import '../../shared/zod-config';
import * as z from 'zod/mini';
import { defineRoute, httpFunction } from '../../shared/http-function';
import { parseHttpEvent } from '../../shared/platform/cloud-event';
import { resolveWorkspace } from '../../shared/releases/workspace';
import { lazyConfig, loadPipelineGateConfig } from '../../shared/schedules/config';
import { gateResultSchema, runPipelineGate, type WorkspaceChoice } from '../../shared/schedules/pipeline-gate';

const FUNCTION_NAME = 'pipelineEventWebhook';

/** The gate's own configuration (PIPELINE_GATE_APPROVAL_DEADLINE_MINUTES), read once per container as pipelineGate reads it. */
const gateConfig = lazyConfig(loadPipelineGateConfig);

const ceHeader = z.optional(z.string().check(z.maxLength(1024)));

export const pipelineEventWebhookRoute = defineRoute({
  functionName: FUNCTION_NAME,
  method: 'POST',
  path: '/v1/events/pipeline',
  summary: 'Pipeline event webhook: reject a waiting manual review when its release package failed, was withdrawn or is unapproved past the deadline',
  description:
    'The body is a CloudEvents 1.0 event in structured JSON mode, or its data in binary mode with ce-* headers. A malformed event is acknowledged with status "ignored" (200), never retried.',
  scope: 'review',
  request: {
    headers: z.object({ 'ce-specversion': ceHeader, 'ce-id': ceHeader, 'ce-source': ceHeader, 'ce-type': ceHeader, 'ce-subject': ceHeader, 'ce-time': ceHeader }),
    body: z.unknown(),
    bodyRequired: true,
  },
  response: gateResultSchema,
  handle: async ({ body }, { runtime, principal, invocation, http, logger, signal }) => {
    const parsed = parseHttpEvent(http.headers, body);
    if (!parsed.ok) {
      // A 200, not a 400: the sender must not retry an event that can never be read.
      logger.warn('Malformed pipeline event acknowledged without action', { reason: parsed.reason });
      return { body: { status: 'ignored' as const, reason: parsed.reason } };
    }
    const context = { functionName: FUNCTION_NAME, runtime, config: gateConfig(invocation, runtime), invocation, logger: logger.child({ caller: principal.clientId }), signal };
    // A workspace the caller may not use is a 403, as on every HTTP route.
    const choose: WorkspaceChoice = (requested) => ({ ok: true, workspace: resolveWorkspace(runtime, principal, requested) });
    return { body: await runPipelineGate(parsed.event, context, { chooseWorkspace: choose }) };
  },
});

export const handler = httpFunction(pipelineEventWebhookRoute);
