/** Timer: deploy windows (wraps CodeArts Deploy StartDeployTask). See docs/timers-and-events.md. */
import { lazyConfig, loadDeployWindowConfig, type ConfigSource, type DeployWindowConfig } from '../../shared/schedules/config';
import { runDeployWindow } from '../../shared/schedules/deploy-window';
import { timerFunction } from '../../shared/schedules/timer-function';
import type { RuntimeSource } from '../../shared/runtime';

export function createDeployWindow(options: { runtime?: RuntimeSource; config?: ConfigSource<DeployWindowConfig> } = {}) {
  // What this container started, per task and window (the deployment history stays the authority).
  const started = new Map<string, string>();
  return timerFunction({
    functionName: 'deployWindow',
    config: options.config ?? lazyConfig(loadDeployWindowConfig),
    ...(options.runtime ? { runtime: options.runtime } : {}),
    run: (firing, context) => runDeployWindow(firing, context, { started }),
  });
}

export const handler = createDeployWindow();
