/**
 * Outgoing webhooks signed the Standard Webhooks way (https://www.standardwebhooks.com/):
 *   webhook-id:        a stable id per message (receivers deduplicate on it)
 *   webhook-timestamp: seconds since the epoch, at the time of sending
 *   webhook-signature: `v1,` + base64(HMAC-SHA256(key, `${id}.${timestamp}.${body}`))
 * The secret is configured as `whsec_<base64 of 24..64 random bytes>`; the key is the decoded bytes.
 *
 * Delivery is a POST of the exact body bytes that were signed. Network errors, 408, 429 and 5xx are
 * retried (at most `maxAttempts`, re-signed each time, same id); any other answer is final. Redirects
 * are not followed.
 */
import '../zod-config';
import { createHash, createHmac } from 'node:crypto';
import * as z from 'zod/mini';

export interface WebhookSecret {
  /** The configured `whsec_…` value (registered with the logger as a secret). */
  readonly value: string;
  readonly key: Buffer;
}

export class WebhookSecretError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'WebhookSecretError';
  }
}

const SECRET_PREFIX = 'whsec_';

/** Parses a `whsec_<base64>` secret of 24 to 64 bytes. */
export function parseWebhookSecret(value: string): WebhookSecret {
  if (!value.startsWith(SECRET_PREFIX)) throw new WebhookSecretError('must have the form whsec_<base64>');
  const encoded = value.slice(SECRET_PREFIX.length);
  if (!/^[A-Za-z0-9+/]+={0,2}$/.test(encoded) || encoded.length % 4 !== 0) throw new WebhookSecretError('must be base64 after whsec_');
  const key = Buffer.from(encoded, 'base64');
  if (key.length < 24 || key.length > 64) throw new WebhookSecretError(`must decode to 24..64 bytes (got ${key.length})`);
  return { value, key };
}

/** A Standard Webhooks message id derived from its parts: the same parts always give the same id. */
export function webhookId(parts: readonly string[]): string {
  return `msg_${createHash('sha256').update(parts.join('\n')).digest('base64url').slice(0, 32)}`;
}

export const webhookHeadersSchema = z.object({
  'content-type': z.literal('application/json'),
  'webhook-id': z.string(),
  'webhook-timestamp': z.string().check(z.regex(/^\d+$/)),
  'webhook-signature': z.string().check(z.regex(/^v1,[A-Za-z0-9+/]+={0,2}$/)),
});
export type WebhookHeaders = z.infer<typeof webhookHeadersSchema>;

export function signWebhook(input: { id: string; timestampSeconds: number; body: string; secret: WebhookSecret }): WebhookHeaders {
  const signature = createHmac('sha256', input.secret.key).update(`${input.id}.${input.timestampSeconds}.${input.body}`, 'utf8').digest('base64');
  return {
    'content-type': 'application/json',
    'webhook-id': input.id,
    'webhook-timestamp': String(input.timestampSeconds),
    'webhook-signature': `v1,${signature}`,
  };
}

export const webhookDeliverySchema = z.object({
  delivered: z.boolean(),
  attempts: z.number().check(z.int()),
  /** The receiver's last HTTP status, when it answered. */
  status: z.optional(z.number().check(z.int())),
  /** Why it was not delivered. */
  error: z.optional(z.string()),
  /** False when retrying later could help (network failure, 429, 5xx). */
  permanent: z.optional(z.boolean()),
});
export type WebhookDelivery = z.infer<typeof webhookDeliverySchema>;

export interface DeliverOptions {
  readonly url: string;
  readonly id: string;
  /** The exact JSON text to send. */
  readonly body: string;
  readonly secret: WebhookSecret;
  readonly now: () => Date;
  /**
   * The invocation's: aborts an attempt in flight and ends a wait between attempts at once, so delivery never
   * outlasts the invocation (a receiver's Retry-After may ask for more time than is left).
   */
  readonly signal?: AbortSignal | undefined;
  readonly fetch?: typeof fetch;
  /** Waits between attempts (injected by tests); the wait also ends when `signal` aborts. */
  readonly sleep?: (ms: number) => Promise<void>;
  readonly maxAttempts?: number;
  /** Per-attempt timeout. */
  readonly attemptTimeoutMs?: number;
}

/**
 * Waits `ms` (with `sleep` when one is injected), or until `signal` aborts, whichever comes first. The timer is
 * left referenced, since it is what keeps the process alive between attempts (Lambda ends an invocation whose
 * event loop drains, whatever the handler's promise), and cleared on abort so that it holds nothing after.
 */
async function pause(sleep: ((ms: number) => Promise<void>) | undefined, ms: number, signal: AbortSignal | undefined): Promise<void> {
  if (sleep && !signal) return sleep(ms);
  if (signal?.aborted) return;
  let timer: ReturnType<typeof setTimeout> | undefined;
  let stop = (): void => undefined;
  const ended = new Promise<void>((resolve) => {
    stop = resolve;
    signal?.addEventListener('abort', stop, { once: true });
    if (!sleep) timer = setTimeout(resolve, ms);
  });
  try {
    await Promise.race(sleep ? [sleep(ms), ended] : [ended]);
  } finally {
    clearTimeout(timer);
    signal?.removeEventListener('abort', stop);
  }
}
const BACKOFF_MS = [1_000, 2_000, 4_000];
const MAX_RETRY_AFTER_MS = 10_000;

function retryAfterMs(header: string | null): number | undefined {
  if (!header || !/^\d+$/.test(header.trim())) return undefined;
  return Math.min(Number(header.trim()) * 1000, MAX_RETRY_AFTER_MS);
}

/** ECONNREFUSED, TimeoutError, …: what went wrong, without the URL (fetch errors cross realms, so duck-typed). */
function failureName(error: unknown): string {
  const e = error as { name?: unknown; cause?: { code?: unknown } } | null;
  if (typeof e?.cause?.code === 'string') return e.cause.code;
  return typeof e?.name === 'string' ? e.name : 'error';
}

const transient = (status: number) => status === 408 || status === 429 || status >= 500;

/** Sends a signed webhook; never throws for delivery failures (the result says what happened). */
export async function deliverWebhook(options: DeliverOptions): Promise<WebhookDelivery> {
  const send = options.fetch ?? fetch;
  const maxAttempts = Math.max(1, options.maxAttempts ?? 3);
  let last: WebhookDelivery = { delivered: false, attempts: 0, error: 'not sent', permanent: false };
  for (let attempt = 1; attempt <= maxAttempts; attempt++) {
    if (options.signal?.aborted) return { ...last, attempts: attempt - 1, error: attempt === 1 ? 'out of time' : `${last.error ?? 'not delivered'}; out of time for attempt ${attempt}`, permanent: false };
    const headers = signWebhook({ id: options.id, timestampSeconds: Math.floor(options.now().getTime() / 1000), body: options.body, secret: options.secret });
    const timeout = AbortSignal.timeout(options.attemptTimeoutMs ?? 10_000);
    let wait = BACKOFF_MS[Math.min(attempt - 1, BACKOFF_MS.length - 1)] as number;
    try {
      const response = await send(options.url, {
        method: 'POST',
        headers: { ...headers, 'user-agent': 'hwc-release-functions' },
        body: options.body,
        redirect: 'manual',
        signal: options.signal ? AbortSignal.any([options.signal, timeout]) : timeout,
      });
      await response.arrayBuffer().catch(() => undefined);
      if (response.status >= 200 && response.status < 300) return { delivered: true, attempts: attempt, status: response.status };
      last = { delivered: false, attempts: attempt, status: response.status, error: `the receiver answered ${response.status}`, permanent: !transient(response.status) };
      if (!transient(response.status)) return last;
      wait = retryAfterMs(response.headers.get('retry-after')) ?? wait;
    } catch (error) {
      last = { delivered: false, attempts: attempt, error: `the receiver could not be reached (${failureName(error)})`, permanent: false };
    }
    if (attempt < maxAttempts) await pause(options.sleep, wait, options.signal);
  }
  return last;
}
