/**
 * Idempotency records for publishing (Powertools-style): a key is claimed before the upstream call,
 * completed with the result after it, released when the call failed before any side effect, and marked
 * unknown when it may have been applied (sent, no answer). An unknown record is claimed again by the same
 * request: the publish that follows reconciles (looks the name up, checks the items) before it sends, so a
 * retry is never blind, and the record still refuses the key with a different payload.
 *
 * The memory store guarantees this within one function instance for the record's lifetime (1 h).
 * Across instances the publish handler looks the name up upstream first, which stops a second package of
 * the same name unless the first is still being created while the lookup runs (DataArts refuses items
 * already packaged, which narrows that further). A shared store (e.g. DCS Redis or DynamoDB) plugs in
 * behind this interface for cross-instance key guarantees.
 */
export type IdempotencyRecord =
  | { readonly status: 'in-progress'; readonly fingerprint: string; readonly expiresAt: number }
  | { readonly status: 'completed'; readonly fingerprint: string; readonly expiresAt: number; readonly result: unknown }
  | { readonly status: 'unknown'; readonly fingerprint: string; readonly expiresAt: number; readonly accepted: boolean };

export type ClaimOutcome =
  /**
   * `reconciling`: the claim took over an unknown record (see markUnknown); `accepted`: one whose write upstream
   * had accepted.
   */
  | { readonly claimed: true; readonly accepted?: boolean; readonly reconciling?: boolean }
  | { readonly claimed: false; readonly record: IdempotencyRecord };

export interface IdempotencyStore {
  /**
   * Atomically claims the key unless a live record holds it: one in progress, one completed, or one of
   * another fingerprint. An unknown record of the same fingerprint is claimed (the caller reconciles).
   */
  claim(key: string, fingerprint: string): Promise<ClaimOutcome>;
  complete(key: string, fingerprint: string, result: unknown): Promise<void>;
  /**
   * The call may have been applied: the next claim of the same request must reconcile before sending.
   * `accepted`: upstream answered 2xx (its answer unreadable), so the request must never be sent again.
   */
  markUnknown(key: string, fingerprint: string, accepted: boolean): Promise<void>;
  release(key: string): Promise<void>;
}

export const IDEMPOTENCY_TTL_MS = 60 * 60 * 1000;
/** An in-progress claim older than this is considered abandoned (the invocation died). */
export const IN_PROGRESS_TTL_MS = 5 * 60 * 1000;

export function createMemoryIdempotencyStore(options: { now: () => Date; maxEntries?: number }): IdempotencyStore {
  const records = new Map<string, IdempotencyRecord>();
  const maxEntries = options.maxEntries ?? 10_000;
  const nowMs = () => options.now().getTime();
  const live = (key: string): IdempotencyRecord | undefined => {
    const record = records.get(key);
    if (record && record.expiresAt <= nowMs()) {
      records.delete(key);
      return undefined;
    }
    return record;
  };
  return {
    async claim(key, fingerprint) {
      const existing = live(key);
      if (existing && !(existing.status === 'unknown' && existing.fingerprint === fingerprint)) return { claimed: false, record: existing };
      const reconciling = existing?.status === 'unknown';
      const accepted = reconciling && existing.accepted;
      if (records.size >= maxEntries) {
        const oldest = records.keys().next();
        if (!oldest.done) records.delete(oldest.value);
      }
      records.set(key, { status: 'in-progress', fingerprint, expiresAt: nowMs() + IN_PROGRESS_TTL_MS });
      return accepted ? { claimed: true, accepted: true, reconciling } : reconciling ? { claimed: true, reconciling } : { claimed: true };
    },
    async complete(key, fingerprint, result) {
      records.set(key, { status: 'completed', fingerprint, result, expiresAt: nowMs() + IDEMPOTENCY_TTL_MS });
    },
    async markUnknown(key, fingerprint, accepted) {
      records.set(key, { status: 'unknown', fingerprint, accepted, expiresAt: nowMs() + IDEMPOTENCY_TTL_MS });
    },
    async release(key) {
      records.delete(key);
    },
  };
}

/** One memory store per runtime, i.e. per function instance (the runtime lives as long as the instance). */
const memoryStores = new WeakMap<object, IdempotencyStore>();

/** The runtime's shared store if one is plugged in, else this instance's memory store. */
export function idempotencyStoreOf(runtime: { readonly idempotency?: IdempotencyStore | undefined; readonly now: () => Date }): IdempotencyStore {
  if (runtime.idempotency) return runtime.idempotency;
  let store = memoryStores.get(runtime);
  if (!store) {
    store = createMemoryIdempotencyStore({ now: runtime.now });
    memoryStores.set(runtime, store);
  }
  return store;
}
