/**
 * Which failures are retried, and how long to wait (../shared/reliability.md promises 8–9).
 * Official Huawei SDKs retry nothing by default; this policy is ours.
 */

export const MAX_ATTEMPTS = 3;
export const BACKOFF_CAP_MS = 30_000;
/** Huawei advises 2–5 s after APIG.0308; full jitter over [0, 2 s·2^n] with a 1 s floor. */
const THROTTLE_BASE_MS = 2_000;
const THROTTLE_FLOOR_MS = 1_000;
const DEFAULT_BASE_MS = 200;

export type FailureClass =
  | { readonly type: 'throttled'; readonly retryAfterMs: number | undefined }
  | { readonly type: 'bad-gateway' | 'unavailable' | 'gateway-timeout'; readonly retryAfterMs: number | undefined }
  /** The connection was refused: nothing was sent, so even a write may be retried. */
  | { readonly type: 'not-sent' }
  /** The request may have been sent (reset, dropped, timed out mid-way). */
  | { readonly type: 'maybe-sent' }
  | { readonly type: 'final' };

export function isRetryable(failure: FailureClass, readOnly: boolean): boolean {
  switch (failure.type) {
    case 'throttled':
    case 'not-sent':
      return true; // the gateway throttled before the backend, or nothing left this machine
    case 'bad-gateway':
    case 'unavailable':
    case 'maybe-sent':
      return readOnly; // a write is never retried blindly: it may have been applied
    case 'gateway-timeout':
      return readOnly;
    case 'final':
      return false;
  }
}

/**
 * The three HTTP-date forms (RFC 9110 §5.6.7: IMF-fixdate, RFC 850, asctime). Date.parse alone reads almost
 * anything as a date ("soon 5", "Retry in 60": a past day, i.e. "retry now"); it then only checks the month
 * and the time of day.
 */
const HTTP_DATE = /^(?:[A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT|[A-Z][a-z]{5,8}, \d\d-[A-Z][a-z]{2}-\d\d \d\d:\d\d:\d\d GMT|[A-Z][a-z]{2} [A-Z][a-z]{2} [ \d]\d \d\d:\d\d:\d\d \d{4})$/;

/**
 * Retry-After: delta seconds or an HTTP date (RFC 9110 §10.2.3); undefined when absent or unreadable. Capped
 * at BACKOFF_CAP_MS where it is read: the value is kept on the error and passed on as our own Retry-After.
 */
export function parseRetryAfter(value: string | undefined, now: Date): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^[0-9]+$/.test(trimmed)) return Math.min(BACKOFF_CAP_MS, Number(trimmed) * 1000);
  if (!HTTP_DATE.test(trimmed)) return undefined;
  // asctime has no zone and is GMT (V8 would read it as local time).
  const date = Date.parse(trimmed.endsWith('GMT') ? trimmed : `${trimmed} GMT`);
  return Number.isFinite(date) ? Math.min(BACKOFF_CAP_MS, Math.max(0, date - now.getTime())) : undefined;
}

/** Delay before attempt `attempt + 1` (attempt counts from 1), full jitter, Retry-After honoured and capped. */
export function backoffDelayMs(failure: FailureClass, attempt: number, random: () => number): number {
  const retryAfter = 'retryAfterMs' in failure ? failure.retryAfterMs : undefined;
  // Even a "Retry-After: 0" waits the throttling floor: Huawei asks for seconds after APIG.0308.
  if (retryAfter !== undefined) return Math.min(BACKOFF_CAP_MS, failure.type === 'throttled' ? Math.max(THROTTLE_FLOOR_MS, retryAfter) : retryAfter);
  if (failure.type === 'throttled') {
    const ceiling = Math.min(BACKOFF_CAP_MS, THROTTLE_BASE_MS * 2 ** (attempt - 1));
    return Math.max(THROTTLE_FLOOR_MS, Math.round(random() * ceiling));
  }
  return Math.round(random() * Math.min(BACKOFF_CAP_MS, DEFAULT_BASE_MS * 2 ** (attempt - 1)));
}
