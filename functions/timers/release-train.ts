/** Timer: the release train (wraps DataArts CreateFactoryPendingItemsPackage). See docs/timers-and-events.md. */
import { lazyConfig, loadReleaseTrainConfig, type ConfigSource, type ReleaseTrainConfig } from '../../shared/schedules/config';
import { runReleaseTrain } from '../../shared/schedules/release-train';
import { timerFunction } from '../../shared/schedules/timer-function';
import type { RuntimeSource } from '../../shared/runtime';

export function createReleaseTrain(options: { runtime?: RuntimeSource; config?: ConfigSource<ReleaseTrainConfig> } = {}) {
  return timerFunction({
    functionName: 'releaseTrain',
    config: options.config ?? lazyConfig(loadReleaseTrainConfig),
    ...(options.runtime ? { runtime: options.runtime } : {}),
    run: runReleaseTrain,
  });
}

export const handler = createReleaseTrain();
