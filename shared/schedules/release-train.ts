/**
 * The release train: on each firing, every pending item (package_flag 0) that matches the rules and was
 * submitted before the firing's scheduled time leaves as one release package, named from a prefix and
 * the firing (`train_20261123T0800Z`). The name is the firing's identity: a duplicate or retried delivery
 * finds the package of that name and publishes nothing (shared/releases/publish.ts answers it as a
 * replay). It is also the publish's Idempotency-Key, so a redelivery in the same instance after an unknown
 * outcome reconciles that very publish, and never sends another selection under the name.
 *
 * A package holds at most 100 items (the API's limit, or RELEASE_TRAIN_MAX_ITEMS): the oldest
 * submissions go first, the rest stay pending for the next train and are counted as deferred.
 */
import '../zod-config';
import * as z from 'zod/mini';
import type { PendingItem, ReleasePackage } from '../contracts/dataarts';
import { audit } from '../audit';
import { ConflictError, UnprocessableError } from '../errors';
import type { CallOptions, HuaweiCloudClient } from '../http/client';
import { collectAll } from '../http/paginate';
import { UpstreamError } from '../http/upstream-error';
import { idempotencyStoreOf } from '../idempotency/store';
import type { TimerFiring } from '../platform/timer-event';
import { findPackageByName, IN_PROGRESS_CODE, KEY_REUSED_CODE, NAME_LOOKUP_INCOMPLETE, publishReleasePackage, unsettled } from '../releases/publish';
import type { ReleaseTrainConfig, ReleaseTrainRules } from './config';
import { windowOfFiring, type TimeWindow } from './schedule';
import { compactUtcMinute } from './time';
import { describeFailure, isTransientFailure, type RunContext } from './timer-function';
import { checkWindow } from './windows';
import { listPendingItems } from '../http/dataarts';

export function trainPackageName(prefix: string, window: TimeWindow): string {
  return `${prefix}_${compactUtcMinute(window.end)}`;
}

/** Why an item is not on this train, or undefined when it is. */
export function ruleMismatch(item: PendingItem, rules: ReleaseTrainRules, windowEnd: Date): string | undefined {
  if (item.package_flag !== 0) return 'already packaged';
  if (item.submit_timestamp != null && item.submit_timestamp >= windowEnd.getTime()) return 'submitted after the departure';
  if (rules.taskTypes.length > 0 && !rules.taskTypes.includes(item.task_type)) return 'task type';
  if (rules.updateTypes.length > 0 && !rules.updateTypes.includes(item.update_type)) return 'update type';
  if (
    rules.submitters.length > 0 &&
    !rules.submitters.some((s) => s === item.submit_user_name || s === item.submit_user_id)
  ) {
    return 'submitter';
  }
  if (rules.itemPattern && !rules.itemPattern.test(item.item_name)) return 'item name';
  return undefined;
}

const MISMATCH_PHRASES: Readonly<Record<string, string>> = {
  'task type': 'of another task type (RELEASE_TRAIN_TASK_TYPES)',
  'update type': 'of another update type (RELEASE_TRAIN_UPDATE_TYPES)',
  submitter: 'from other submitters (RELEASE_TRAIN_SUBMITTERS)',
  'item name': 'not matching RELEASE_TRAIN_ITEM_PATTERN',
};

/** Why the items missed the train, counted: `: 30 submitted after the departure, 10 already packaged` (most first). */
function mismatchCounts(items: readonly PendingItem[], rules: ReleaseTrainRules, window: TimeWindow): string {
  const counts = new Map<string, number>();
  for (const item of items) {
    const why = ruleMismatch(item, rules, window.end);
    if (why !== undefined) counts.set(why, (counts.get(why) ?? 0) + 1);
  }
  const parts = [...counts].sort((a, b) => b[1] - a[1]).map(([why, n]) => `${n} ${MISMATCH_PHRASES[why] ?? why}`);
  return parts.length > 0 ? `: ${parts.join(', ')}` : '';
}

export const trainSelectionSchema = z.object({
  /** Pending item ids on this train, oldest submission first. */
  selected: z.array(z.string()),
  /** Matching items left for the next train (over the size limit). */
  deferred: z.array(z.string()),
  /** Items seen that did not match a rule. */
  unmatched: z.number().check(z.int()),
});
export type TrainSelection = z.infer<typeof trainSelectionSchema>;

const bySubmission = (a: PendingItem, b: PendingItem) =>
  (a.submit_timestamp ?? 0) - (b.submit_timestamp ?? 0) || Number(a.pending_item_id) - Number(b.pending_item_id);

/** Chooses the items of one train. Pure. */
export function selectTrainItems(items: readonly PendingItem[], rules: ReleaseTrainRules, window: TimeWindow, maxItems: number): TrainSelection {
  const unique = new Map<string, PendingItem>();
  for (const item of items) if (!unique.has(item.pending_item_id)) unique.set(item.pending_item_id, item);
  const matching: PendingItem[] = [];
  let unmatched = 0;
  for (const item of unique.values()) {
    if (ruleMismatch(item, rules, window.end) === undefined) matching.push(item);
    else unmatched++;
  }
  matching.sort(bySubmission);
  const ids = matching.map((i) => i.pending_item_id);
  return { selected: ids.slice(0, maxItems), deferred: ids.slice(maxItems), unmatched };
}

// ---- the run ------------------------------------------------------------------------------------

export const releaseTrainResultSchema = z.object({
  /**
   * published: a new package; replayed: this firing's package exists already (a duplicate or retried
   * delivery); skipped: nothing to do (outside the allowed windows, nothing pending); failed: upstream
   * refused the package for good (retrying the firing would not help).
   */
  status: z.enum(['published', 'replayed', 'skipped', 'failed']),
  reason: z.optional(z.string()),
  window: z.object({ start: z.string(), end: z.string() }),
  package_name: z.string(),
  release_package_id: z.optional(z.string()),
  items: z.array(z.string()),
  deferred: z.array(z.string()),
});
export type ReleaseTrainResult = z.infer<typeof releaseTrainResultSchema>;

/** Any package with exactly this name, withdrawn ones included: a withdrawn train is not sent again. */
function pendingQuery(rules: ReleaseTrainRules): { task_type?: '1' | '2'; update_type?: '1' | '2' | '3' } {
  // A single allowed value is filtered upstream too (fewer pages); every rule is checked here anyway.
  return {
    ...(rules.taskTypes.length === 1 ? { task_type: String(rules.taskTypes[0]) as '1' | '2' } : {}),
    ...(rules.updateTypes.length === 1 ? { update_type: String(rules.updateTypes[0]) as '1' | '2' | '3' } : {}),
  };
}

export async function runReleaseTrain(firing: TimerFiring, ctx: RunContext<ReleaseTrainConfig>): Promise<ReleaseTrainResult> {
  const { config, runtime, logger } = ctx;
  const window = windowOfFiring(config.schedule, firing.firedAt, logger);
  const name = trainPackageName(config.prefix, window);
  const base = { window: { start: window.start.toISOString(), end: window.end.toISOString() }, package_name: name };
  const call: CallOptions = { signal: ctx.signal, credentials: ctx.invocation.temporaryCredentials, timeLeftMs: ctx.invocation.remainingMs, workspace: config.workspace };
  const done = (result: ReleaseTrainResult): ReleaseTrainResult => {
    const log = result.status === 'failed' ? logger.error.bind(logger) : logger.info.bind(logger);
    log('Release train', { result });
    return result;
  };

  if (config.windows) {
    const check = checkWindow(config.windows, window.end);
    if (!check.inside) return done({ status: 'skipped', reason: `the departure at ${base.window.end} is ${check.reason}`, ...base, items: [], deferred: [] });
  }
  let existing: ReleasePackage | undefined;
  try {
    existing = await findPackageByName(runtime.client, config.workspace, name, call, { includeWithdrawn: true });
  } catch (error) {
    // The lookup was served short of its total: a redelivery may see the packages settled.
    if (error instanceof ConflictError && error.errorCode === NAME_LOOKUP_INCOMPLETE) throw error;
    // The name cannot be told free (too many packages contain it): a redelivery would not do better.
    if (error instanceof ConflictError) return done({ status: 'failed', reason: error.message, ...base, items: [], deferred: [] });
    throw error;
  }
  if (existing) {
    return done({
      status: 'replayed',
      reason: existing.delete_flag === 1 ? `the package ${name} of this firing exists already (withdrawn)` : `the package ${name} of this firing exists already`,
      ...base,
      release_package_id: existing.package_id,
      items: [],
      deferred: [],
    });
  }

  const listed = await collectAll<PendingItem>(
    async (offset, limit) => (await listPendingItems(runtime.client, { ...pendingQuery(config.rules), offset, limit }, call)).data,
    { limit: 100, maxPages: 100, concurrency: 4 },
  );
  if (listed.shortOfTotal) {
    logger.warn('DataArts served fewer pending items than it counted: the train takes those it was given', { counted: listed.total, served: listed.items.length });
  }
  const selection = selectTrainItems(listed.items, config.rules, window, config.maxItems);
  if (selection.selected.length === 0) {
    return done({ status: 'skipped', reason: `no pending item matches the rules (${listed.items.length} pending, ${selection.unmatched} not matching${mismatchCounts(listed.items, config.rules, window)})`, ...base, items: [], deferred: [] });
  }
  if (selection.deferred.length > 0) {
    logger.warn('Release train full: the newest items wait for the next train', { package_name: name, limit: config.maxItems, deferred: selection.deferred.length });
  }

  const body = { apply_user_id: config.applicantId, package_name: name, pending_item_list: selection.selected, approver_ids: [...config.approverIds] };
  const outcome = { ...base, items: selection.selected, deferred: selection.deferred };
  try {
    const published = await publishReleasePackage(
      { client: runtime.client, store: idempotencyStoreOf(runtime), logger, call: { signal: call.signal, credentials: call.credentials, timeLeftMs: call.timeLeftMs } },
      { workspace: config.workspace, body, actor: ctx.functionName, idempotencyKey: name, itemsChecked: true },
    );
    return done({ status: published.replayed ? 'replayed' : 'published', ...outcome, release_package_id: published.release_package_id });
  } catch (error) {
    // This instance sent another selection under this name before (the firing's key), its outcome unknown or
    // not listed yet: this one could make a second package of the name. A redelivery looks again.
    if (error instanceof UnprocessableError && error.errorCode === KEY_REUSED_CODE) throw unsettled(error, name, 'another selection of this firing was sent before');
    // Another delivery of this firing, in this instance, is publishing the same items: it owns the outcome
    // (and is redelivered itself if that outcome is unknown), so this one has nothing left to do.
    if (error instanceof ConflictError && error.errorCode === IN_PROGRESS_CODE) {
      return done({ status: 'skipped', reason: `another delivery of this firing is publishing ${name}`, ...base, items: [], deferred: [] });
    }
    // The publish's own name lookup served short: a redelivery may see the packages settled, as above.
    if (error instanceof ConflictError && error.errorCode === NAME_LOOKUP_INCOMPLETE) throw error;
    if (error instanceof ConflictError) return done({ status: 'failed', reason: error.message, ...outcome });
    if (isTransientFailure(error)) throw error;
    // A concurrent delivery of this firing may have packaged the same items first: look again.
    const raced =
      error instanceof UpstreamError
        ? await findPackageByName(runtime.client, config.workspace, name, call, { includeWithdrawn: true }).catch((lookup: unknown) => {
            if (lookup instanceof ConflictError) return undefined; // cannot tell: report the failure itself
            throw lookup;
          })
        : undefined;
    if (raced) return done({ status: 'replayed', reason: `the package ${name} of this firing was published by another delivery`, ...base, release_package_id: raced.package_id, items: [], deferred: [] });
    return done({ status: 'failed', reason: describeFailure(error), ...outcome });
  }
}
