/**
 * The scheduled release check: over the window one firing covers, which release packages
 *  - have waited for approval (deploy_status 1) longer than the approval threshold,
 *  - failed (deploy_status 3),
 *  - have been releasing (deploy_status 5) longer than the releasing threshold.
 *
 * "New" means the condition began inside the window: a package is reported once, by the firing whose
 * window holds the moment it crossed its threshold (or failed). "Outstanding" counts every package in
 * that state at the window's end, reported or not. Withdrawn packages (delete_flag 1) are left out.
 * Everything is judged at the window's end, not at the time the check runs, so a duplicate or late
 * delivery of a firing reports the same packages.
 */
import '../zod-config';
import * as z from 'zod/mini';
import type { QueryReleasePackagesBody, ReleasePackage } from '../contracts/dataarts';
import { DEPLOY_STATUS } from '../contracts/dataarts';
import { collectAll } from '../http/paginate';
import { deliverWebhook, webhookDeliverySchema, webhookId } from '../notify/webhook';
import type { TimerFiring } from '../platform/timer-event';
import type { ReleaseCheckConfig } from './config';
import { firingWindow, type TimeWindow } from './schedule';
import { MINUTE_MS } from './time';
import type { RunContext } from './timer-function';
import { queryReleasePackages } from '../http/dataarts';

/** At most this many packages per list in a report; `new_total` keeps the full count. */
export const MAX_LISTED_PACKAGES = 100;

export const reportedPackageSchema = z.object({
  package_id: z.string(),
  package_name: z.string(),
  deploy_status: z.number().check(z.int()),
  apply_user_name: z.optional(z.string()),
  /** When the condition began: approval threshold crossed, failure, releasing threshold crossed. */
  since: z.string(),
  /** Minutes in the state at the window's end (for failures: since the failure). */
  minutes: z.number().check(z.int()),
});
export type ReportedPackage = z.infer<typeof reportedPackageSchema>;

const categorySchema = z.object({
  new: z.array(reportedPackageSchema),
  new_total: z.number().check(z.int()),
});

export const releaseCheckReportSchema = z.object({
  workspace: z.string(),
  window: z.object({ start: z.string(), end: z.string() }),
  thresholds: z.object({ approval_minutes: z.number().check(z.int()), releasing_minutes: z.number().check(z.int()) }),
  /** True when a list holds a new package: the webhook is called only then. */
  news: z.boolean(),
  /** False when the page cap stopped a query before every package was read. */
  complete: z.boolean(),
  awaiting_approval: z.extend(categorySchema, { outstanding: z.number().check(z.int()) }),
  failed: categorySchema,
  releasing_too_long: z.extend(categorySchema, { outstanding: z.number().check(z.int()) }),
});
export type ReleaseCheckReport = z.infer<typeof releaseCheckReportSchema>;

export interface Thresholds {
  readonly approvalMs: number;
  readonly releasingMs: number;
}

/**
 * Queries that find every candidate: open packages applied before the window's end, and failures inside
 * it. Oldest first, so that packages applied while the pages are read land after the last page.
 */
export function releaseCheckQueries(window: TimeWindow): { open: QueryReleasePackagesBody; failed: QueryReleasePackagesBody } {
  return {
    open: {
      deploy_status_filter: [DEPLOY_STATUS.pendingApproval, DEPLOY_STATUS.releasing],
      apply_end_time: window.end.getTime() - 1,
      order_column: 'apply_timestamp',
      sorted_direction: 'asc',
    },
    failed: {
      deploy_status_filter: [DEPLOY_STATUS.failed],
      deploy_begin_time: window.start.getTime(),
      deploy_end_time: window.end.getTime() - 1,
      order_column: 'apply_timestamp',
      sorted_direction: 'asc',
    },
  };
}

interface Candidate {
  readonly pkg: ReleasePackage;
  readonly sinceMs: number;
}

function summary(candidate: Candidate, windowEndMs: number, stateStartMs: number): ReportedPackage {
  const { pkg } = candidate;
  return {
    package_id: pkg.package_id,
    package_name: pkg.package_name,
    deploy_status: pkg.deploy_status,
    ...(pkg.apply_user_name === undefined ? {} : { apply_user_name: pkg.apply_user_name }),
    since: new Date(candidate.sinceMs).toISOString(),
    minutes: Math.floor((windowEndMs - stateStartMs) / MINUTE_MS),
  };
}

const bySince = (a: Candidate, b: Candidate) => a.sinceMs - b.sinceMs || Number(a.pkg.package_id) - Number(b.pkg.package_id);

function uniqueLive(packages: readonly ReleasePackage[]): ReleasePackage[] {
  const seen = new Map<string, ReleasePackage>();
  for (const pkg of packages) if (pkg.delete_flag !== 1 && !seen.has(pkg.package_id)) seen.set(pkg.package_id, pkg);
  return [...seen.values()];
}

/** Classifies the packages the two queries found. Pure. */
export function classifyPackages(input: {
  workspace: string;
  window: TimeWindow;
  thresholds: Thresholds;
  open: readonly ReleasePackage[];
  failed: readonly ReleasePackage[];
  complete?: boolean;
}): ReleaseCheckReport {
  const start = input.window.start.getTime();
  const end = input.window.end.getTime();
  const inWindow = (ms: number) => ms >= start && ms < end;

  const awaitingNew: Candidate[] = [];
  let awaitingOutstanding = 0;
  const releasingNew: Candidate[] = [];
  let releasingOutstanding = 0;
  const stateStart = new Map<string, number>();
  for (const pkg of uniqueLive(input.open)) {
    const applied = pkg.apply_timestamp;
    if (applied === undefined || applied >= end) continue;
    if (pkg.deploy_status === DEPLOY_STATUS.pendingApproval) {
      const crossed = applied + input.thresholds.approvalMs;
      stateStart.set(pkg.package_id, applied);
      if (crossed < end) awaitingOutstanding++;
      if (inWindow(crossed)) awaitingNew.push({ pkg, sinceMs: crossed });
    } else if (pkg.deploy_status === DEPLOY_STATUS.releasing) {
      const releasingSince = pkg.deploy_timestamp ?? applied;
      if (releasingSince >= end) continue;
      const crossed = releasingSince + input.thresholds.releasingMs;
      stateStart.set(pkg.package_id, releasingSince);
      if (crossed < end) releasingOutstanding++;
      if (inWindow(crossed)) releasingNew.push({ pkg, sinceMs: crossed });
    }
  }
  const failedNew: Candidate[] = [];
  for (const pkg of uniqueLive(input.failed)) {
    if (pkg.deploy_status !== DEPLOY_STATUS.failed) continue;
    const failedAt = pkg.deploy_timestamp ?? pkg.apply_timestamp;
    if (failedAt === undefined || !inWindow(failedAt)) continue;
    stateStart.set(pkg.package_id, failedAt);
    failedNew.push({ pkg, sinceMs: failedAt });
  }

  const list = (candidates: Candidate[]) =>
    candidates
      .sort(bySince)
      .slice(0, MAX_LISTED_PACKAGES)
      .map((c) => summary(c, end, stateStart.get(c.pkg.package_id) ?? c.sinceMs));
  return {
    workspace: input.workspace,
    window: { start: input.window.start.toISOString(), end: input.window.end.toISOString() },
    thresholds: { approval_minutes: Math.round(input.thresholds.approvalMs / MINUTE_MS), releasing_minutes: Math.round(input.thresholds.releasingMs / MINUTE_MS) },
    news: awaitingNew.length + failedNew.length + releasingNew.length > 0,
    complete: input.complete ?? true,
    awaiting_approval: { new: list(awaitingNew), new_total: awaitingNew.length, outstanding: awaitingOutstanding },
    failed: { new: list(failedNew), new_total: failedNew.length },
    releasing_too_long: { new: list(releasingNew), new_total: releasingNew.length, outstanding: releasingOutstanding },
  };
}

// ---- the run ------------------------------------------------------------------------------------

export const releaseCheckResultSchema = z.object({
  status: z.literal('reported'),
  report: releaseCheckReportSchema,
  notification: z.object({
    /** sent | not-needed (no news) | not-configured (no webhook) | failed (the receiver refused it for good). */
    state: z.enum(['sent', 'not-needed', 'not-configured', 'failed']),
    webhook_id: z.optional(z.string()),
    delivery: z.optional(webhookDeliverySchema),
  }),
});
export type ReleaseCheckResult = z.infer<typeof releaseCheckResultSchema>;

/** The webhook could not be delivered for now: the firing fails, so the platform delivers it again (same id). */
export class WebhookDeliveryError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookDeliveryError';
  }
}

export interface ReleaseCheckDeps {
  readonly fetch?: typeof fetch;
  readonly sleep?: (ms: number) => Promise<void>;
}

/** The body of the notification: a Standard Webhooks style envelope around the report. */
export function notificationBody(report: ReleaseCheckReport): string {
  return JSON.stringify({ type: 'release.check.report', timestamp: report.window.end, data: report });
}

export async function runReleaseCheck(firing: TimerFiring, ctx: RunContext<ReleaseCheckConfig>, deps: ReleaseCheckDeps = {}): Promise<ReleaseCheckResult> {
  const { config, runtime, logger } = ctx;
  const window = firingWindow(config.schedule, firing.firedAt);
  const call = { signal: ctx.signal, credentials: ctx.invocation.temporaryCredentials, workspace: config.workspace };
  const queries = releaseCheckQueries(window);
  const readAll = (body: QueryReleasePackagesBody) =>
    collectAll(async (offset, limit) => (await queryReleasePackages(runtime.client, { ...body, offset, limit }, call)).data, {
      limit: 100,
      maxPages: config.maxPages,
      concurrency: config.concurrency,
    });
  const [open, failed] = await Promise.all([readAll(queries.open), readAll(queries.failed)]);
  const complete = !open.truncated && !failed.truncated;
  const report = classifyPackages({
    workspace: config.workspace,
    window,
    thresholds: { approvalMs: config.approvalThresholdMs, releasingMs: config.releasingThresholdMs },
    open: open.items,
    failed: failed.items,
    complete,
  });
  logger.info('Release check report', {
    report,
    firing: { platform: firing.platform, fired_at: firing.firedAt.toISOString(), trigger: firing.trigger },
    pages: { open: open.pages, failed: failed.pages },
    ...(complete ? {} : { warning: `stopped at the page cap (RELEASE_CHECK_MAX_PAGES=${config.maxPages}): the report is incomplete` }),
  });

  if (!report.news) return { status: 'reported', report, notification: { state: 'not-needed' } };
  if (!config.webhook) return { status: 'reported', report, notification: { state: 'not-configured' } };

  // The id names the firing, not the content: every delivery of this window carries the same id.
  const id = webhookId([ctx.functionName, config.workspace, report.window.start, report.window.end]);
  const delivery = await deliverWebhook({
    url: config.webhook.url,
    id,
    body: notificationBody(report),
    secret: config.webhook.secret,
    now: runtime.now,
    signal: ctx.signal,
    ...(deps.fetch ? { fetch: deps.fetch } : {}),
    ...(deps.sleep ? { sleep: deps.sleep } : {}),
  });
  if (delivery.delivered) {
    logger.info('Webhook delivered', { webhook_id: id, status: delivery.status, attempts: delivery.attempts });
    return { status: 'reported', report, notification: { state: 'sent', webhook_id: id, delivery } };
  }
  if (!delivery.permanent) {
    logger.warn('Webhook not delivered; the firing will be retried', { webhook_id: id, delivery });
    throw new WebhookDeliveryError(`the webhook ${id} could not be delivered: ${delivery.error ?? 'unknown'}`);
  }
  logger.error('Webhook refused by the receiver', { webhook_id: id, delivery });
  return { status: 'reported', report, notification: { state: 'failed', webhook_id: id, delivery } };
}
