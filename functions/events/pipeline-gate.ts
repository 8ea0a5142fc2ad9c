/**
 * Pipeline gate (wraps CodeArts Pipeline RejectManualReview). One function, two triggers:
 *  - pipeline events: a CloudEvent (EventGrid → FunctionGraph) or an EventBridge event (→ Lambda);
 *  - the HTTP webhook `POST /v1/events/pipeline`, authenticated like every HTTP route (scope `review`),
 *    carrying a CloudEvent (structured JSON body, or binary mode with `ce-*` headers).
 * See docs/timers-and-events.md.
 */
import '../../shared/zod-config';
import * as z from 'zod/mini';
import { defineRoute, httpFunction, type AnyRouteSpec } from '../../shared/http-function';
import { parseHttpEvent } from '../../shared/platform/cloud-event';
import { resolveWorkspace } from '../../shared/releases/workspace';
import { lazyRuntime, type Runtime, type RuntimeSource } from '../../shared/runtime';
import { lazyConfig, loadPipelineGateConfig, type ConfigSource, type PipelineGateConfig } from '../../shared/schedules/config';
import { gateResultSchema, runPipelineGate, type WorkspaceChoice } from '../../shared/schedules/pipeline-gate';
import { eventFunction } from '../../shared/schedules/timer-function';

const FUNCTION_NAME = 'pipelineGate';

/** Events (no caller identity): the configured default workspace or one of HRF_WORKSPACE_ALLOWLIST. */
function allowListed(runtime: Runtime): WorkspaceChoice {
  return (requested) => {
    const workspace = requested ?? runtime.config.dataartsWorkspace;
    if (!workspace) return { ok: false, reason: 'the event names no workspace_id and HUAWEICLOUD_DATAARTS_WORKSPACE is not set' };
    if (!runtime.workspaceAllowList.has(workspace)) return { ok: false, reason: `workspace ${workspace} is not allowed (HRF_WORKSPACE_ALLOWLIST)` };
    return { ok: true, workspace };
  };
}

const ceHeader = z.optional(z.string().check(z.maxLength(1024)));

export function pipelineGateRoute(config: ConfigSource<PipelineGateConfig>) {
  return defineRoute({
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
        logger.warn('Malformed pipeline event acknowledged without action', { reason: parsed.reason });
        return { body: { status: 'ignored' as const, reason: parsed.reason } };
      }
      const context = { functionName: FUNCTION_NAME, runtime, config: config(invocation, runtime), invocation, logger: logger.child({ caller: principal.clientId }), signal };
      // A workspace the caller may not use is a 403, as on every HTTP route.
      const choose: WorkspaceChoice = (requested) => ({ ok: true, workspace: resolveWorkspace(runtime, principal, requested) });
      return { body: await runPipelineGate(parsed.event, context, { chooseWorkspace: choose }) };
    },
  });
}

/** The webhook route with the function's own configuration (for the OpenAPI document and the local server). */
export const pipelineGateHttpRoute = pipelineGateRoute(lazyConfig(loadPipelineGateConfig));

export function createPipelineGate(options: { runtime?: RuntimeSource; config?: ConfigSource<PipelineGateConfig> } = {}) {
  const runtime = options.runtime ?? lazyRuntime();
  const config = options.config ?? lazyConfig(loadPipelineGateConfig);
  const onEvent = eventFunction({
    functionName: FUNCTION_NAME,
    config,
    runtime,
    run: (event, context) => runPipelineGate(event, context, { chooseWorkspace: allowListed(context.runtime) }),
  });
  const onHttp = httpFunction(pipelineGateRoute(config) as unknown as AnyRouteSpec, runtime);
  /** API gateway requests go through the HTTP chain; everything else is an event. */
  return async (event: unknown, context: unknown) => {
    const isHttp = event !== null && typeof event === 'object' && 'httpMethod' in event;
    return isHttp ? onHttp(event, context as never) : onEvent(event, context);
  };
}

export const handler = createPipelineGate();
