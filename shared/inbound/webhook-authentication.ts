/**
 * Standard Webhooks deliveries as a way in, for the routes that receive webhooks only (the route passes this
 * to its chain: `webhookSignatures: authenticateWebhook`), so that no other function carries the verifier.
 */
import { createHash } from 'node:crypto';
import { UnauthorizedError } from '../errors';
import { verifyWebhook, WEBHOOK_TOLERANCE_SECONDS, type WebhookVerifyFailure } from '../signing/webhook-verifier';
import type { HttpRequest } from '../platform/http-event';
import type { InboundAuthConfig, Principal } from './clients';

/** Authenticates a request that carries a Standard Webhooks signature (and no Authorization header). */
export type WebhookAuthenticator = (request: HttpRequest, auth: InboundAuthConfig, now: Date) => Principal;

const WEBHOOK_FAILURES: Readonly<Record<WebhookVerifyFailure, string>> = {
  'missing-headers': 'webhook-id, webhook-timestamp and webhook-signature are all required',
  'malformed-id': 'the webhook-id is too long',
  'timestamp-out-of-window': `the webhook-timestamp is more than ${WEBHOOK_TOLERANCE_SECONDS / 60} minutes from server time`,
  'signature-mismatch': 'the webhook signature is not valid',
};

/** A Standard Webhooks delivery: the signature over id, timestamp and the raw body, from a known sender, not seen before. */
export const authenticateWebhook: WebhookAuthenticator = (request, auth, now) => {
  const { 'webhook-id': id, 'webhook-timestamp': timestamp, 'webhook-signature': signature } = request.headers;
  const result = verifyWebhook({ id, timestamp, signature, body: request.rawBody }, auth.webhookSenders.map((sender) => sender.key), now);
  if (!result.ok) throw new UnauthorizedError(`Authentication failed: ${WEBHOOK_FAILURES[result.reason]}`);
  const sender = auth.webhookSenders[result.keyIndex];
  if (!sender) throw new UnauthorizedError('Authentication failed: the webhook signature is not valid');
  // The very same signed delivery again is a replay, whichever sender's key it is checked against (a sender
  // rotating its key is configured twice, and a capture signed with both would verify with either); a sender's
  // own redelivery is signed anew, with a new timestamp.
  const delivery = `${id}\n${timestamp}\n${createHash('sha256').update(request.rawBody).digest('base64')}`;
  auth.recentDeliveries.take(delivery, sender.principal.clientId, now, {
    received: 'this signed delivery',
    advice: 'a redelivery is signed again, with a new webhook-timestamp',
    plural: 'signed deliveries',
    refusal: 'unauthorized',
  });
  return sender.principal;
};
