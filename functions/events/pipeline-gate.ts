/**
 * Pipeline gate (wraps CodeArts Pipeline RejectManualReview) on pipeline events: a CloudEvent (EventGrid →
 * FunctionGraph) or an EventBridge event (→ Lambda). Anything else, an API gateway request included, is
 * acknowledged as "ignored" without calling anything: the HTTP webhook is its own function,
 * functions/http/pipeline-event-webhook.ts. See docs/timers-and-events.md.
 */
import type { Runtime, RuntimeSource } from '../../shared/runtime';
import { lazyConfig, loadPipelineGateConfig, type ConfigSource, type PipelineGateConfig } from '../../shared/schedules/config';
import { runPipelineGate, type WorkspaceChoice } from '../../shared/schedules/pipeline-gate';
import { eventFunction } from '../../shared/schedules/timer-function';

/** Events (no caller identity): the configured default workspace or one of HRF_WORKSPACE_ALLOWLIST. */
function allowListed(runtime: Runtime): WorkspaceChoice {
  return (requested) => {
    const workspace = requested ?? runtime.config.dataartsWorkspace;
    if (!workspace) return { ok: false, reason: 'the event names no workspace_id and HUAWEICLOUD_DATAARTS_WORKSPACE is not set' };
    if (!runtime.workspaceAllowList.has(workspace)) return { ok: false, reason: `workspace ${workspace} is not allowed (HRF_WORKSPACE_ALLOWLIST)` };
    return { ok: true, workspace };
  };
}

export function createPipelineGate(options: { runtime?: RuntimeSource; config?: ConfigSource<PipelineGateConfig> } = {}) {
  return eventFunction({
    functionName: 'pipelineGate',
    config: options.config ?? lazyConfig(loadPipelineGateConfig),
    ...(options.runtime ? { runtime: options.runtime } : {}),
    run: (event, context) => runPipelineGate(event, context, { chooseWorkspace: allowListed(context.runtime) }),
  });
}

export const handler = createPipelineGate();
