/** Timer: the scheduled release check (wraps DataArts ListFactoryReleasePackages). See docs/timers-and-events.md. */
import { lazyConfig, loadReleaseCheckConfig, type ConfigSource, type ReleaseCheckConfig } from '../../shared/schedules/config';
import { runReleaseCheck, type ReleaseCheckDeps } from '../../shared/schedules/release-check';
import { timerFunction } from '../../shared/schedules/timer-function';
import type { RuntimeSource } from '../../shared/runtime';

export function createReleaseCheck(options: { runtime?: RuntimeSource; config?: ConfigSource<ReleaseCheckConfig> } & ReleaseCheckDeps = {}) {
  const { runtime, config, ...deps } = options;
  // Kept for the life of the instance: a warm instance sizes its first requests from the last firing.
  const openTotals = deps.openTotals ?? new Map<string, number>();
  return timerFunction({
    functionName: 'releaseCheck',
    config: config ?? lazyConfig(loadReleaseCheckConfig),
    ...(runtime ? { runtime } : {}),
    run: (firing, context) => runReleaseCheck(firing, context, { ...deps, openTotals }),
  });
}

export const handler = createReleaseCheck();
