/**
 * Publishing pending items as a release package, safe to retry (../shared/reliability.md promises 1–5):
 *  - a name that already exists answers with that package when it holds the same items, 409 otherwise;
 *  - an unknown outcome (timeout after sending) is reconciled by looking the name up before sending again;
 *  - an Idempotency-Key makes calls that differ in name safe too (same key + other payload: 422;
 *    a duplicate while the first is in flight: 409 with Retry-After); identical publishes (promise 1's
 *    canonical request) are serialised whatever keys they carry, or none;
 *  - items already in a release package (package_flag ≠ 0) are refused, 422 naming each, before the publish
 *    is sent: the pending items are read (concurrently with the name lookup) rather than trusting upstream to
 *    refuse them, which its documentation does not say it does.
 * Used by the HTTP function and by the releaseTrain timer.
 */
import { createHash } from 'node:crypto';
import { ConflictError, UnprocessableError, type FieldIssue } from '../errors';
import type { PublishPackageBody, ReleasePackage } from '../contracts/dataarts';
import type { CallOptions, HuaweiCloudClient } from '../http/client';
import { UpstreamError } from '../http/upstream-error';
import { collectAll, walkPages } from '../http/paginate';
import type { IdempotencyStore } from '../idempotency/store';
import type { Logger } from '../logger';
import { audit } from '../audit';
import { listPendingItems, publishPendingItems, queryReleasePackages, showPackageDetail } from '../http/dataarts';

export interface PublishResult {
  readonly package_name: string;
  readonly release_package_id: string;
  /** True when the package existed already (a retry); nothing new was created. */
  readonly replayed: boolean;
}

export interface PublishRequest {
  readonly workspace: string;
  readonly body: PublishPackageBody;
  readonly actor: string;
  readonly idempotencyKey?: string | undefined;
  /** The caller has just read these items unpackaged (the release train): they are not read again. */
  readonly itemsChecked?: boolean;
}

/** publishOnce's own options, decided by publishReleasePackage from its idempotency record. */
interface PublishOnceOptions {
  /** DataArts accepted this very request before (a 2xx it could not read): look it up, never send it. */
  readonly lookUpOnly?: boolean;
  /** An earlier attempt of this very request has an unknown outcome: packaged items may be its own doing. */
  readonly afterUnknown?: boolean;
}

export interface PublishDeps {
  readonly client: HuaweiCloudClient;
  readonly store: IdempotencyStore;
  readonly logger: Logger;
  readonly call: Omit<CallOptions, 'workspace'>;
}

export const IN_FLIGHT_RETRY_AFTER_SECONDS = 5;
/** The code of the 409 a duplicate gets while the first publish is in flight. */
export const IN_PROGRESS_CODE = 'HRF.0409.IN_PROGRESS';
/** The code of the 409 when DataArts served the name lookup fewer packages than it counted (worth a retry). */
export const NAME_LOOKUP_INCOMPLETE = 'HRF.0409.NAME_LOOKUP_INCOMPLETE';

/** The code of the 422 when an Idempotency-Key comes back with another payload. */
export const KEY_REUSED_CODE = 'HRF.0422.IDEMPOTENCY_KEY_REUSED';

const sha256 = (value: unknown): string => createHash('sha256').update(JSON.stringify(value)).digest('hex');
/** User ids are hex: the same user in another letter case is the same user. */
const userIds = (ids: readonly string[]): string[] => ids.map((id) => id.toLowerCase()).sort();

/** The whole payload, to tell a key's replay from its reuse with another payload. */
export function publishFingerprint(workspace: string, body: PublishPackageBody): string {
  return sha256({
    workspace,
    package_name: body.package_name,
    apply_user_id: body.apply_user_id.toLowerCase(),
    pending_item_list: [...body.pending_item_list].sort(),
    approver_ids: userIds(body.approver_ids),
  });
}

/**
 * The store key of promise 1's duplicate: {workspace, sorted items, name, sorted approvers}. Held while any
 * such publish is in flight (or its outcome unknown), whatever Idempotency-Key it carries: a client that
 * makes a new key per retry, or sends one without, would otherwise reach DataArts twice.
 */
function duplicateKey(workspace: string, body: PublishPackageBody): string {
  return `fp:${sha256([workspace, body.package_name, [...body.pending_item_list].sort(), userIds(body.approver_ids)])}`;
}

/** Pages of a name lookup: key_word matches substrings, so the exact name may sit past the first page. */
export const NAME_LOOKUP_MAX_PAGES = 20;

/**
 * The package with exactly this name, if any: a live one first; a withdrawn one only when asked.
 * Reads every page of the substring search (up to NAME_LOOKUP_MAX_PAGES). When that cap cuts the search
 * short without finding the name, whether the name is free cannot be told: that is a 409, never a guess
 * (a guess of "free" could publish the same package twice; in a reconciliation it keeps the outcome unknown).
 */
export async function findPackageByName(
  client: HuaweiCloudClient,
  workspace: string,
  name: string,
  call: Omit<CallOptions, 'workspace'>,
  options: { includeWithdrawn?: boolean } = {},
): Promise<ReleasePackage | undefined> {
  const { items, truncated, shortOfTotal, total } = await collectAll(
    // Oldest first, by the one sort column DataArts documents: a package created while the pages are read
    // joins the end instead of shifting the pages not yet read.
    async (offset, limit) => (await queryReleasePackages(client, { key_word: name, limit, offset, order_column: 'apply_timestamp', sorted_direction: 'asc' }, { ...call, workspace })).data,
    { limit: 100, maxPages: NAME_LOOKUP_MAX_PAGES, concurrency: 2 },
  );
  const named = items.filter((p) => p.package_name === name);
  const found = named.find((p) => p.delete_flag !== 1) ?? (options.includeWithdrawn ? named[0] : undefined);
  if (!found && shortOfTotal) {
    // Packages changing while the pages were read can do this, and a retry may see them settled; a DataArts
    // that always serves it so (reading offset as a page number) would not, so no Retry-After invites a loop.
    throw new ConflictError(
      `DataArts counted ${total} release packages with names containing "${name}" but served only ${items.length}, so whether the name is free cannot be checked: retry`,
      { errorCode: NAME_LOOKUP_INCOMPLETE },
    );
  }
  if (!found && truncated) {
    throw new ConflictError(
      `More than ${NAME_LOOKUP_MAX_PAGES * 100} release packages have names containing "${name}", so whether the name is free cannot be checked: choose a more specific package_name`,
      { errorCode: 'HRF.0409.NAME_UNVERIFIABLE' },
    );
  }
  return found;
}

/** Pages of pending items a publish reads to check its items (100 a page). */
export const PENDING_CHECK_MAX_PAGES = 50;

/**
 * The items of a publish that are already in a release package, as field issues. An id not found among the
 * pending items is left for upstream to judge: the list's completeness is not documented.
 */
async function packagedItems(deps: PublishDeps, request: PublishRequest): Promise<FieldIssue[]> {
  const wanted = new Set(request.body.pending_item_list);
  const flags = new Map<string, number>();
  await walkPages(
    async (offset, limit) => (await listPendingItems(deps.client, { offset, limit }, { ...deps.call, workspace: request.workspace })).data,
    (page) => {
      for (const item of page.data) if (wanted.has(item.pending_item_id)) flags.set(item.pending_item_id, item.package_flag);
    },
    { limit: 100, maxPages: PENDING_CHECK_MAX_PAGES, concurrency: 2 },
  );
  const issues: FieldIssue[] = [];
  request.body.pending_item_list.forEach((id, index) => {
    const flag = flags.get(id);
    if (flag !== undefined && flag !== 0) issues.push({ field: `body.pending_item_list.${index}`, message: `is already in a release package (package_flag ${flag})` });
  });
  return issues;
}

async function packageItems(client: HuaweiCloudClient, workspace: string, packageId: string, call: Omit<CallOptions, 'workspace'>): Promise<string[]> {
  const { data } = await showPackageDetail(client, packageId, { ...call, workspace });
  return data.task_details.map((t) => t.pending_item_id).filter((id): id is string => id != null);
}

function sameSet(a: readonly string[], b: readonly string[]): boolean {
  if (a.length !== b.length) return false;
  const set = new Set(a);
  return b.every((id) => set.has(id));
}

/**
 * Answers for a package of this name that exists already: the same package, or 409. The same means the same
 * items, applicant and approvers: a package someone else applied for, or sent to other approvers, is not
 * this request's. A field DataArts leaves out (no applicant, no approvers listed) cannot tell them apart.
 */
async function answerExisting(
  deps: PublishDeps,
  request: PublishRequest,
  existing: ReleasePackage,
): Promise<PublishResult> {
  const items = await packageItems(deps.client, request.workspace, existing.package_id, deps.call);
  const approvers = existing.package_approvers.map((a) => a.user_id);
  const other = !sameSet(items, request.body.pending_item_list)
    ? 'other items'
    : (existing.apply_user_id != null && existing.apply_user_id.toLowerCase() !== request.body.apply_user_id.toLowerCase()) ||
        (approvers.length > 0 && !sameSet(userIds(approvers), userIds(request.body.approver_ids)))
      ? 'another applicant or other approvers'
      : undefined;
  if (other) {
    throw new ConflictError(`A release package named "${existing.package_name}" already exists with ${other}`, { errorCode: 'HRF.0409.PACKAGE_NAME_TAKEN' });
  }
  return { package_name: existing.package_name, release_package_id: existing.package_id, replayed: true };
}

/** The ids of the items that `packagedItems` found packaged. */
function packagedIds(request: PublishRequest, packaged: readonly FieldIssue[]): string {
  return packaged.map((issue) => request.body.pending_item_list[Number(issue.field.split('.').pop())]).join(', ');
}

/** The outcome of a publish is unknown and could not be settled: the caller must not assume either way. */
export function unsettled(cause: unknown, packageName: string, why = 'looking it up failed', accepted = false): UpstreamError {
  return new UpstreamError(`The publish of "${packageName}" may have been applied; ${why}, so its outcome is unknown`, {
    operation: 'CreateFactoryPendingItemsPackage',
    kind: accepted ? 'invalid-response' : cause instanceof UpstreamError && cause.kind === 'timeout' ? 'timeout' : 'network',
    outcomeUnknown: true,
    cause,
  });
}

/**
 * The packaged items of a publish, read while the name lookup runs. On a first attempt it is best effort:
 * when the pending items cannot be read (or one of them is malformed), upstream judges the items as before,
 * so the check can only refuse earlier, never block a publish. `strict` (after an unknown outcome): they are
 * what tells whether the earlier attempt landed, so a failed read answers `{ unreadable }` and the outcome
 * stays unknown. Whoever does not wait for it cancels it.
 */
function startItemCheck(deps: PublishDeps, request: PublishRequest, strict: boolean): { result: Promise<FieldIssue[] | { unreadable: unknown }>; cancel: () => void } {
  const controller = new AbortController();
  const signal = deps.call.signal ? AbortSignal.any([deps.call.signal, controller.signal]) : controller.signal;
  const result = packagedItems({ ...deps, call: { ...deps.call, signal } }, request).catch((error: unknown) => {
    if (strict) return { unreadable: error };
    if (!controller.signal.aborted) deps.logger.warn('Pending items could not be checked before publishing; upstream will judge them', { error });
    return [];
  });
  return { result, cancel: () => controller.abort() };
}

async function publishOnce(deps: PublishDeps, request: PublishRequest, options: PublishOnceOptions = {}): Promise<PublishResult> {
  // Both reads at once; the check counts only when no package has the name yet (a retry's items are
  // packaged by that very package).
  const afterUnknown = options.afterUnknown === true;
  const check = request.itemsChecked ? undefined : startItemCheck(deps, request, afterUnknown);
  const target = { workspace: request.workspace, package_name: request.body.package_name, pending_item_list: request.body.pending_item_list };
  /** A publish answered without sending is audited too: replayed by name, or refused (name taken or not checkable, items packaged). */
  const auditUnsent = (outcome: 'replayed' | 'refused' | 'unknown', extra: { release_package_id?: string; reason?: string }) =>
    audit(deps.logger, {
      actor: request.actor,
      action: 'publish-release-package',
      target: extra.release_package_id ? { ...target, release_package_id: extra.release_package_id } : target,
      outcome,
      idempotencyKey: request.idempotencyKey,
      reason: extra.reason,
    });
  /**
   * A read that stops this attempt before it sends. A 409 is the caller's; anything else is passed on on a
   * first attempt (nothing was sent), but after an unknown outcome it leaves that outcome unknown (audited so).
   */
  const unsent = (error: unknown, why: string, extra: { release_package_id?: string } = {}): unknown => {
    const conflict = error instanceof ConflictError;
    if (conflict || afterUnknown) auditUnsent(afterUnknown ? 'unknown' : 'refused', { ...extra, reason: conflict ? error.errorCode : why });
    return conflict || !afterUnknown ? error : unsettled(error, request.body.package_name, why, options.lookUpOnly);
  };
  let existing: ReleasePackage | undefined;
  try {
    existing = await findPackageByName(deps.client, request.workspace, request.body.package_name, deps.call);
  } catch (error) {
    check?.cancel();
    throw unsent(error, 'looking it up failed');
  }
  if (existing) {
    check?.cancel();
    try {
      const replayed = await answerExisting(deps, request, existing);
      auditUnsent('replayed', { release_package_id: existing.package_id });
      return replayed;
    } catch (error) {
      throw unsent(error, 'reading the package of that name failed', { release_package_id: existing.package_id });
    }
  }
  if (options.lookUpOnly) {
    check?.cancel();
    auditUnsent('unknown', { reason: 'accepted before; not listed yet' });
    throw unsettled(undefined, request.body.package_name, 'DataArts accepted it before (its answer could not be read) and does not list it yet', true);
  }
  const checked = (await check?.result) ?? [];
  // Only after an unknown outcome (a strict check): whether the earlier attempt landed cannot be told.
  if (!Array.isArray(checked)) throw unsent(checked.unreadable, 'reading its pending items failed');
  const packaged = checked;
  if (packaged.length > 0 && options.afterUnknown) {
    // The earlier attempt may have packaged them where the name lookup does not show it yet: still unknown.
    auditUnsent('unknown', { reason: 'items packaged; the name is not listed yet' });
    throw unsettled(undefined, request.body.package_name, `its items ${packagedIds(request, packaged)} are in a release package now that the name lookup does not list`);
  }
  if (packaged.length > 0) {
    auditUnsent('refused', { reason: 'items already packaged' });
    throw new UnprocessableError(
      `Some pending items are already in a release package: ${packaged.map((issue) => issue.field).join(', ')}`,
      'HRF.0422.ITEMS_PACKAGED',
      packaged,
    );
  }
  const auditFailure = (error: unknown, outcome: 'failed' | 'unknown') =>
    audit(deps.logger, {
      actor: request.actor,
      action: 'publish-release-package',
      target,
      outcome,
      upstreamRequestId: error instanceof UpstreamError ? error.requestId : undefined,
      idempotencyKey: request.idempotencyKey,
      reason: error instanceof UpstreamError ? `${error.kind}${error.errorCode ? ` ${error.errorCode}` : ''}` : 'error',
    });
  /**
   * After an unknown outcome: the package as the name lookup finds it now (the lookup failing keeps it unknown).
   * `beforeResend`: the items are read too, and when the name is not listed but an item is packaged now, the
   * write may have landed where the lookup does not show it yet, so nothing is sent again (promise 4).
   */
  const reconcile = async (cause: unknown, beforeResend = false): Promise<PublishResult | undefined> => {
    const items = beforeResend ? startItemCheck(deps, request, true) : undefined;
    let created: ReleasePackage | undefined;
    try {
      created = await findPackageByName(deps.client, request.workspace, request.body.package_name, deps.call);
    } catch (error) {
      items?.cancel();
      auditFailure(cause, 'unknown'); // the one audit line of an attempt whose outcome stays unknown
      throw unsettled(error, request.body.package_name);
    }
    if (!created) {
      const packaged = (await items?.result) ?? [];
      if (Array.isArray(packaged) && packaged.length === 0) return undefined;
      auditFailure(cause, 'unknown');
      // Items that cannot be read cannot show the write did not land: nothing is sent again.
      throw Array.isArray(packaged)
        ? unsettled(cause, request.body.package_name, `its items ${packagedIds(request, packaged)} are in a release package now that the name lookup does not list`)
        : unsettled(packaged.unreadable, request.body.package_name, 'reading its pending items failed');
    }
    items?.cancel();
    let result: PublishResult;
    try {
      result = await answerExisting(deps, request, created);
    } catch (error) {
      // The write was sent and its outcome is still unknown: its one audit line, and never a released key
      // (a package of this name with other items is the caller's 409; a detail that cannot be read keeps it unknown).
      auditFailure(cause, 'unknown');
      throw error instanceof ConflictError ? error : unsettled(error, request.body.package_name, 'reading the package of that name failed');
    }
    audit(deps.logger, {
      actor: request.actor,
      action: 'publish-release-package',
      target: { ...target, release_package_id: created.package_id },
      outcome: 'reconciled',
      idempotencyKey: request.idempotencyKey,
    });
    return { ...result, replayed: false };
  };

  // An earlier call's unknown attempt counts as this call's own: whatever a send now meets, it may have landed.
  let unknownBefore = afterUnknown;
  for (let attempt = 1; ; attempt++) {
    try {
      const { data, requestId } = await publishPendingItems(deps.client, request.body, { ...deps.call, workspace: request.workspace });
      audit(deps.logger, {
        actor: request.actor,
        action: 'publish-release-package',
        target: { ...target, release_package_id: data.release_package_id },
        outcome: 'succeeded',
        upstreamRequestId: requestId,
        idempotencyKey: request.idempotencyKey,
      });
      return { package_name: data.package_name, release_package_id: data.release_package_id, replayed: false };
    } catch (error) {
      const unknown = error instanceof UpstreamError && error.outcomeUnknown;
      // A refusal right after an unknown first attempt may be the first attempt landing late (its items
      // are packaged now): look once more before reporting it.
      if (unknownBefore && error instanceof UpstreamError && error.kind === 'http') {
        const late = await reconcile(error);
        if (late) return late;
      }
      if (!unknown || attempt >= 2) {
        // After an unknown first attempt, whatever the second met, the first may still have been applied.
        const stillUnknown = unknown || unknownBefore;
        auditFailure(error, stillUnknown ? 'unknown' : 'failed');
        throw stillUnknown && !unknown ? unsettled(error, request.body.package_name, 'sending it again failed') : error;
      }
      // The publish may have been applied: look before sending anything again.
      deps.logger.warn('Publish outcome unknown; reconciling by package name', { package_name: request.body.package_name });
      // A 2xx that could not be read was taken: it is never sent again, so there is nothing to check the items for.
      const settled = await reconcile(error, (error as UpstreamError).kind !== 'invalid-response');
      if (settled) return settled;
      // Answered 2xx (or with a body too big to read): DataArts took it. A lookup that does not show it yet
      // is behind; sending again could publish twice.
      if ((error as UpstreamError).kind === 'invalid-response') {
        auditFailure(error, 'unknown');
        throw error;
      }
      unknownBefore = true;
    }
  }
}

export async function publishReleasePackage(deps: PublishDeps, request: PublishRequest): Promise<PublishResult> {
  const { store } = deps;
  const fingerprint = publishFingerprint(request.workspace, request.body);
  const target = { workspace: request.workspace, package_name: request.body.package_name, pending_item_list: request.body.pending_item_list };
  /** A request refused by its records is audited like any other refusal (promise 18), then thrown. */
  const refuse = (error: ConflictError | UnprocessableError) => {
    audit(deps.logger, { actor: request.actor, action: 'publish-release-package', target, outcome: 'refused', idempotencyKey: request.idempotencyKey, reason: error.errorCode });
    return error;
  };
  // An Idempotency-Key is the caller's own: scoped to the caller, so two callers choosing the same key
  // neither collide nor see each other's results. Not to the workspace: that is part of the payload, so the
  // key reused in another workspace is a 422 like any other payload.
  const own = request.idempotencyKey ? `key:${JSON.stringify([request.actor, request.idempotencyKey])}` : undefined;
  const ownClaim = own ? await store.claim(own, fingerprint) : undefined;
  if (ownClaim && !ownClaim.claimed) {
    if (ownClaim.record.fingerprint !== fingerprint) {
      throw refuse(
        new UnprocessableError('This Idempotency-Key was already used with a different request', KEY_REUSED_CODE, [
          { field: 'headers.idempotency-key', message: 'was used with a different payload' },
        ]),
      );
    }
    // (A store hands back an unknown record of this fingerprint as claimed; one that does not is treated as busy.)
    if (ownClaim.record.status !== 'completed') {
      throw refuse(new ConflictError('A request with this Idempotency-Key is in progress', { errorCode: IN_PROGRESS_CODE, retryAfterSeconds: IN_FLIGHT_RETRY_AFTER_SECONDS }));
    }
    const previous = ownClaim.record.result as PublishResult;
    audit(deps.logger, {
      actor: request.actor,
      action: 'publish-release-package',
      target: { workspace: request.workspace, package_name: previous.package_name, release_package_id: previous.release_package_id },
      outcome: 'replayed',
      idempotencyKey: request.idempotencyKey,
    });
    return { ...previous, replayed: true };
  }
  // Every holder of the duplicate key has the same payload, so the key is its own fingerprint. It is only
  // held (in flight) or unknown, never completed: afterwards the name lookup answers from upstream's state.
  const duplicate = duplicateKey(request.workspace, request.body);
  const duplicateClaim = await store.claim(duplicate, duplicate);
  if (!duplicateClaim.claimed) {
    // The caller's key goes back as it was: free, or unknown (its retry must still reconcile).
    if (own && ownClaim?.reconciling) await store.markUnknown(own, fingerprint, ownClaim.accepted === true);
    else if (own) await store.release(own);
    throw refuse(new ConflictError('An identical publish is in progress', { errorCode: IN_PROGRESS_CODE, retryAfterSeconds: IN_FLIGHT_RETRY_AFTER_SECONDS }));
  }
  const records: Array<[string, string]> = own ? [[own, fingerprint], [duplicate, duplicate]] : [[duplicate, duplicate]];
  // Either record unknown: this request (or an identical one under another key) may have been applied.
  const reconciling = ownClaim?.reconciling === true || duplicateClaim.reconciling === true;
  const acceptedBefore = ownClaim?.accepted === true || duplicateClaim.accepted === true;
  try {
    const result = await publishOnce(deps, request, { lookUpOnly: acceptedBefore, afterUnknown: reconciling });
    // A key's result is remembered (replayed for an hour).
    if (own) await store.complete(own, fingerprint, { ...result, replayed: false });
    await store.release(duplicate);
    return result;
  } catch (error) {
    // An unknown outcome is remembered, not released: a retry of the same request claims it again and
    // reconciles first (publishOnce looks the name up and checks the items before it sends), while the key
    // with another payload stays refused. Keeping it in progress instead would refuse every retry with 409
    // until it expired, so a redelivered release train would give up on a publish nobody is making. A write
    // DataArts answered 2xx (its answer unreadable) is remembered as accepted: never sent again.
    // A claim that was reconciling stays unknown whatever stopped it (a read that failed, a refusal of the
    // resend): only a package found, or a publish answered, settles an earlier attempt.
    const unknown = error instanceof UpstreamError && error.outcomeUnknown;
    const accepted = acceptedBefore || (unknown && error.kind === 'invalid-response');
    for (const [key, fp] of records) {
      if (reconciling || unknown) await store.markUnknown(key, fp, accepted);
      else await store.release(key);
    }
    throw error;
  }
}
