/**
 * Scheduled-check throughput: releaseCheck (functions/timers/release-check.ts) over 10,000 release packages
 * with 50 ms of injected upstream latency, against the ideal under its configured concurrency and rate limit.
 */
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './build';
import type { BenchContext } from './context';

export const RELEASE_CHECK_ENTRY = 'functions/timers/release-check.ts';

export async function measureReleaseCheck(ctx: BenchContext): Promise<void> {
  if (!existsSync(join(ROOT, RELEASE_CHECK_ENTRY))) {
    ctx.problems.push(`release check: ${RELEASE_CHECK_ENTRY} does not exist yet`);
    return;
  }
  ctx.problems.push('release check: not wired yet');
}
