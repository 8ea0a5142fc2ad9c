/**
 * The next runs of a cron expression, found with previousRun alone (the functions only ever look back):
 * look 1 s, 2 s, 4 s, … ahead until a run lies in between, then bisect down to the second holding the
 * first one (runs fall on whole seconds). Lets tests list a schedule's firings forwards, as croner's
 * nextRuns does, without the shipped module carrying a forward search.
 */
import type { CronExpression } from '../../shared/schedules/cron';

const SECOND = 1000;

function nextRun(cron: CronExpression, t: number): number | undefined {
  const after = (x: number) => (cron.previousRun(new Date(x))?.getTime() ?? t) > t;
  let [lo, hi] = [t, t + SECOND];
  while (!after(hi)) {
    if (hi - t > 2 ** 45) return undefined;
    [lo, hi] = [hi, t + (hi - t) * 2];
  }
  while (hi - lo > SECOND) {
    const mid = lo + Math.floor((hi - lo) / 2);
    if (after(mid)) hi = mid;
    else lo = mid;
  }
  return cron.previousRun(new Date(hi))?.getTime();
}

/** The next `count` runs after `after` (fewer when the pattern stops), as croner's nextRuns(count, after). */
export function nextRuns(cron: CronExpression, count: number, after: Date): Date[] {
  const runs: Date[] = [];
  let t: number | undefined = after.getTime();
  while (runs.length < count && (t = nextRun(cron, t)) !== undefined) runs.push(new Date(t));
  return runs;
}
