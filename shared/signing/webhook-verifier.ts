/**
 * Verifies Standard Webhooks signatures (https://www.standardwebhooks.com/), the inverse of
 * shared/notify/webhook.ts's signWebhook:
 *   webhook-signature = `v1,` + base64(HMAC-SHA256(key, `${webhook-id}.${webhook-timestamp}.` + raw body bytes))
 * over the body bytes exactly as received (never re-serialised JSON), compared in constant time, with the
 * timestamp within 5 minutes of now either way. Several space-separated signatures may be sent during a key
 * rotation: one that matches is enough. Pure: the clock and the keys are given.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';

/** How far `webhook-timestamp` may be from now, either way (the Standard Webhooks default). */
export const WEBHOOK_TOLERANCE_SECONDS = 300;

export interface WebhookMessage {
  readonly id: string | undefined;
  readonly timestamp: string | undefined;
  readonly signature: string | undefined;
  readonly body: Uint8Array;
}

export type WebhookVerifyFailure = 'missing-headers' | 'malformed-id' | 'timestamp-out-of-window' | 'signature-mismatch';

/** Longer ids are refused: they are remembered for the replay window. */
export const MAX_WEBHOOK_ID_LENGTH = 256;

export type WebhookVerifyResult = { readonly ok: true; readonly keyIndex: number } | { readonly ok: false; readonly reason: WebhookVerifyFailure };

const SIGNATURE = /^v1,([A-Za-z0-9+/]+={0,2})$/;

/** Checks `message` against each key in turn; `keyIndex` says which one signed it. */
export function verifyWebhook(message: WebhookMessage, keys: readonly Uint8Array[], now: Date): WebhookVerifyResult {
  const { id, timestamp, signature } = message;
  if (!id || !timestamp || !signature) return { ok: false, reason: 'missing-headers' };
  if (id.length > MAX_WEBHOOK_ID_LENGTH) return { ok: false, reason: 'malformed-id' };
  if (!/^\d{1,12}$/.test(timestamp) || Math.abs(now.getTime() / 1000 - Number(timestamp)) > WEBHOOK_TOLERANCE_SECONDS) {
    return { ok: false, reason: 'timestamp-out-of-window' };
  }
  const sent = signature
    .split(' ')
    .map((entry) => SIGNATURE.exec(entry)?.[1])
    .filter((value): value is string => value !== undefined)
    .map((value) => Buffer.from(value, 'base64'));
  const prefix = Buffer.from(`${id}.${timestamp}.`, 'utf8');
  for (const [keyIndex, key] of keys.entries()) {
    const expected = createHmac('sha256', key).update(prefix).update(message.body).digest();
    // timingSafeEqual throws on unequal lengths, so the length is checked first (it is not secret).
    if (sent.some((candidate) => candidate.length === expected.length && timingSafeEqual(candidate, expected))) return { ok: true, keyIndex };
  }
  return { ok: false, reason: 'signature-mismatch' };
}
