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
import { ConnectionPool } from '../http/client';
import { walkPages, type Page } from '../http/paginate';
import { deliverWebhook, webhookDeliverySchema, webhookId } from '../notify/webhook';
import type { TimerFiring } from '../platform/timer-event';
import type { ReleaseCheckConfig } from './config';
import { windowOfFiring, type TimeWindow } from './schedule';
import { MINUTE_MS } from './time';
import { describeFailure, isTransientFailure, type RunContext } from './timer-function';
import { UpstreamError } from '../http/upstream-error';
import { abortableSleep } from '../sleep';
import { DEADLINE_MARGIN_MS } from '../platform/invocation';
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
  /** When the package entered the state it is reported in (for the minutes in it). */
  readonly stateStartMs: number;
}

function summary(candidate: Candidate, windowEndMs: number, stateStartMs: number): ReportedPackage {
  const { pkg } = candidate;
  return {
    package_id: pkg.package_id,
    package_name: pkg.package_name,
    deploy_status: pkg.deploy_status,
    ...(pkg.apply_user_name == null ? {} : { apply_user_name: pkg.apply_user_name }),
    since: new Date(candidate.sinceMs).toISOString(),
    minutes: Math.floor((windowEndMs - stateStartMs) / MINUTE_MS),
  };
}

const bySince = (a: Candidate, b: Candidate) => a.sinceMs - b.sinceMs || Number(a.pkg.package_id) - Number(b.pkg.package_id);

/**
 * Classifies the packages of the two queries as their pages come, each list in its page order, keeping
 * only the packages that are news (and the ids seen, to skip a package that shows up twice): a check over
 * 10,000 packages does not hold them all. `report()` gives exactly what {@link classifyPackages} gives for
 * the same lists.
 */
export class ReleaseClassifier {
  private readonly start: number;
  private readonly end: number;
  private readonly awaitingNew: Candidate[] = [];
  private awaitingOutstanding = 0;
  private readonly releasingNew: Candidate[] = [];
  private releasingOutstanding = 0;
  private readonly failedNew: Candidate[] = [];
  /** Live packages already classified, per list: the first occurrence of a package wins. */
  private readonly seenOpen = new Set<string>();
  private readonly seenFailed = new Set<string>();
  /** Failures in the window, by package: a package also listed as open counts its minutes from the failure. */
  private readonly failedAt = new Map<string, number>();

  constructor(private readonly input: { workspace: string; window: TimeWindow; thresholds: Thresholds }) {
    this.start = input.window.start.getTime();
    this.end = input.window.end.getTime();
  }

  private inWindow(ms: number): boolean {
    return ms >= this.start && ms < this.end;
  }

  /** Packages of the open query (pending approval, releasing), in page order. */
  addOpen(packages: readonly ReleasePackage[]): void {
    const { end } = this;
    for (const pkg of packages) {
      if (pkg.delete_flag === 1 || this.seenOpen.has(pkg.package_id)) continue;
      this.seenOpen.add(pkg.package_id);
      const applied = pkg.apply_timestamp;
      if (applied == null || applied >= end) continue;
      if (pkg.deploy_status === DEPLOY_STATUS.pendingApproval) {
        const crossed = applied + this.input.thresholds.approvalMs;
        if (crossed < end) this.awaitingOutstanding++;
        if (this.inWindow(crossed)) this.awaitingNew.push({ pkg, sinceMs: crossed, stateStartMs: applied });
      } else if (pkg.deploy_status === DEPLOY_STATUS.releasing) {
        const releasingSince = pkg.deploy_timestamp ?? applied;
        if (releasingSince >= end) continue;
        const crossed = releasingSince + this.input.thresholds.releasingMs;
        if (crossed < end) this.releasingOutstanding++;
        if (this.inWindow(crossed)) this.releasingNew.push({ pkg, sinceMs: crossed, stateStartMs: releasingSince });
      }
    }
  }

  /** Packages of the failed query, in page order. */
  addFailed(packages: readonly ReleasePackage[]): void {
    for (const pkg of packages) {
      if (pkg.delete_flag === 1 || this.seenFailed.has(pkg.package_id)) continue;
      this.seenFailed.add(pkg.package_id);
      if (pkg.deploy_status !== DEPLOY_STATUS.failed) continue;
      const failedAt = pkg.deploy_timestamp ?? pkg.apply_timestamp;
      if (failedAt == null || !this.inWindow(failedAt)) continue;
      this.failedAt.set(pkg.package_id, failedAt);
      this.failedNew.push({ pkg, sinceMs: failedAt, stateStartMs: failedAt });
    }
  }

  report(complete = true): ReleaseCheckReport {
    const { input, end } = this;
    const list = (candidates: Candidate[]) =>
      [...candidates]
        .sort(bySince)
        .slice(0, MAX_LISTED_PACKAGES)
        .map((c) => summary(c, end, this.failedAt.get(c.pkg.package_id) ?? c.stateStartMs));
    return {
      workspace: input.workspace,
      window: { start: input.window.start.toISOString(), end: input.window.end.toISOString() },
      thresholds: { approval_minutes: Math.round(input.thresholds.approvalMs / MINUTE_MS), releasing_minutes: Math.round(input.thresholds.releasingMs / MINUTE_MS) },
      news: this.awaitingNew.length + this.failedNew.length + this.releasingNew.length > 0,
      complete,
      awaiting_approval: { new: list(this.awaitingNew), new_total: this.awaitingNew.length, outstanding: this.awaitingOutstanding },
      failed: { new: list(this.failedNew), new_total: this.failedNew.length },
      releasing_too_long: { new: list(this.releasingNew), new_total: this.releasingNew.length, outstanding: this.releasingOutstanding },
    };
  }
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
  const classifier = new ReleaseClassifier(input);
  classifier.addOpen(input.open);
  classifier.addFailed(input.failed);
  return classifier.report(input.complete ?? true);
}

// ---- the run ------------------------------------------------------------------------------------

export const releaseCheckResultSchema = z.union([
  z.object({
    status: z.literal('reported'),
    report: releaseCheckReportSchema,
    notification: z.object({
      /** sent | not-needed (no news) | not-configured (no webhook) | failed (the receiver refused it for good). */
      state: z.enum(['sent', 'not-needed', 'not-configured', 'failed']),
      webhook_id: z.optional(z.string()),
      delivery: z.optional(webhookDeliverySchema),
    }),
  }),
  /** DataArts refused the queries in a way that would not change on a redelivery (a 4xx, a bad answer). */
  z.object({ status: z.literal('failed'), reason: z.string(), window: z.object({ start: z.string(), end: z.string() }) }),
]);
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
  /**
   * The open-package totals this instance's earlier firings found, by workspace: a warm instance sizes
   * the open query's first wave from it (see {@link openFirstWave}). One map per handler.
   */
  readonly openTotals?: Map<string, number>;
}

/**
 * How many pages of open packages to ask for before the first tells the total. Open packages pile up
 * with no bound (every package still awaiting approval or releasing), so a cold instance asks for
 * `concurrency` pages at once rather than spend a round trip on the first page alone, at the price of
 * up to concurrency - 1 pages answered empty. A warm instance asks for the pages the previous firing's
 * total fills: none wasted while the total holds, one round trip more on the firing where it outgrows a
 * page.
 */
export function openFirstWave(previousTotal: number | undefined, concurrency: number, pageSize = 100): number {
  if (previousTotal === undefined) return concurrency;
  return Math.min(concurrency, Math.max(1, Math.ceil(previousTotal / pageSize)));
}

/** The body of the notification: a Standard Webhooks style envelope around the report. */
export function notificationBody(report: ReleaseCheckReport): string {
  return JSON.stringify({ type: 'release.check.report', timestamp: report.window.end, data: report });
}

export async function runReleaseCheck(firing: TimerFiring, ctx: RunContext<ReleaseCheckConfig>, deps: ReleaseCheckDeps = {}): Promise<ReleaseCheckResult> {
  const window = windowOfFiring(ctx.config.schedule, firing.firedAt, ctx.logger);
  await untilWindowEnds(window, ctx, deps);
  try {
    return await checkWindow(firing, window, ctx, deps);
  } catch (error) {
    // Throttling, 5xx, network failures and deadlines are thrown, so the platform delivers the firing again.
    if (!(error instanceof UpstreamError) || isTransientFailure(error)) throw error;
    const failed = { status: 'failed' as const, reason: describeFailure(error), window: { start: window.start.toISOString(), end: window.end.toISOString() } };
    ctx.logger.error('Release check failed', { reason: failed.reason, window: failed.window });
    return failed;
  }
}

/** The time kept for the reads after a wait for the window's end. */
const WINDOW_READ_BUDGET_MS = 20_000;

/**
 * A firing a little before the end of the window it covers (the tolerance of `firingWindow`: a rate timer
 * created at an offset just before a boundary) would read the window before it is over, and a package that
 * fails in its last seconds would be in no window's report. Such a firing waits for the end (at most the
 * tolerance, 60 s: serverless.yml gives releaseCheck 120 s), when the invocation has the time to wait and then
 * read; otherwise it fails at once, and its redelivery, later, reads the window.
 */
async function untilWindowEnds(window: TimeWindow, ctx: RunContext<ReleaseCheckConfig>, deps: ReleaseCheckDeps): Promise<void> {
  const waitMs = window.end.getTime() - ctx.runtime.now().getTime();
  if (waitMs <= 0) return;
  const leftMs = (ctx.invocation.remainingMs() ?? Infinity) - DEADLINE_MARGIN_MS - WINDOW_READ_BUDGET_MS;
  if (waitMs > leftMs) throw new Error(`the window ends in ${Math.ceil(waitMs / 1000)} s, too late for this invocation to read it: its redelivery will`);
  ctx.logger.info('Waiting for the window to end', { window_end: window.end.toISOString(), wait_ms: waitMs });
  await (deps.sleep ? deps.sleep(waitMs) : abortableSleep(waitMs, ctx.signal));
  ctx.signal.throwIfAborted();
}

async function checkWindow(firing: TimerFiring, window: TimeWindow, ctx: RunContext<ReleaseCheckConfig>, deps: ReleaseCheckDeps): Promise<ReleaseCheckResult> {
  const { config, runtime, logger } = ctx;
  const call = { signal: ctx.signal, credentials: ctx.invocation.temporaryCredentials, timeLeftMs: ctx.invocation.remainingMs, workspace: config.workspace };
  const queries = releaseCheckQueries(window);
  // Each page is classified as it is taken (in order), so the packages are not all held at once.
  const classifier = new ReleaseClassifier({ workspace: config.workspace, window, thresholds: { approvalMs: config.approvalThresholdMs, releasingMs: config.releasingThresholdMs } });
  // Per query, `concurrency` requests on the network (the pool's connections) and as many more pages asked
  // for: their requests wait in the pool, prepared, and each goes out the moment an answer frees a
  // connection, not after that answer has been parsed, validated and classified.
  /** Aborted when either query fails: the check has failed, and the other query's pages are not needed. */
  const check = new AbortController();
  const readAll = async (body: QueryReleasePackagesBody, firstWave: number, onPage: (page: Page<ReleasePackage>) => void) => {
    const pool = new ConnectionPool(config.concurrency);
    const client = runtime.client.through(pool);
    // A walk that ends cancels what it still has in flight (pages it no longer needs, or every page once
    // it has failed), rather than leave it to be retried; a walk that fails stops the other query too.
    const walk = new AbortController();
    const options = { ...call, signal: AbortSignal.any([call.signal, walk.signal, check.signal]) };
    try {
      return await walkPages(async (offset, limit) => (await queryReleasePackages(client, { ...body, offset, limit }, options)).data, onPage, {
        limit: 100,
        maxPages: config.maxPages,
        concurrency: config.concurrency,
        ahead: config.concurrency,
        firstWave,
      });
    } catch (error) {
      check.abort();
      throw error;
    } finally {
      walk.abort();
      pool.close();
    }
  };
  const [open, failed] = await Promise.all([
    readAll(queries.open, openFirstWave(deps.openTotals?.get(config.workspace), config.concurrency), (page) => classifier.addOpen(page.data)),
    // Failures are bounded by the window: their first page goes out alone.
    readAll(queries.failed, 1, (page) => classifier.addFailed(page.data)),
  ]);
  deps.openTotals?.set(config.workspace, open.total);
  const capped = open.truncated || failed.truncated;
  const short = open.shortOfTotal || failed.shortOfTotal;
  const complete = !capped && !short;
  const report = classifier.report(complete);
  const warning = capped
    ? `stopped at the page cap (RELEASE_CHECK_MAX_PAGES=${config.maxPages}): the report is incomplete`
    : 'DataArts served fewer release packages than it counted (packages changed while the pages were read, or paging reads offsets otherwise): the report is incomplete';
  logger.info('Release check report', {
    report,
    firing: { platform: firing.platform, fired_at: firing.firedAt.toISOString(), trigger: firing.trigger },
    pages: { open: open.pages, failed: failed.pages },
    ...(complete ? {} : { warning }),
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
