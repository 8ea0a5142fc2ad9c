/**
 * Standard Webhooks deliveries as a way in (shared/inbound/webhook-authentication.ts): a sender rotating its
 * key is configured twice, and a delivery signed with both keys verifies with either. A capture of it, sent
 * again with one of its signatures left out, is still the same delivery and is refused.
 */
import { Webhook } from 'standardwebhooks';
import type { HttpError } from '../../../shared/errors';
import { buildInboundAuth, type ClientsDocument } from '../../../shared/inbound/clients';
import { authenticateWebhook } from '../../../shared/inbound/webhook-authentication';
import type { HttpRequest } from '../../../shared/platform/http-event';

const OLD_SECRET = `whsec_${Buffer.from('old-webhook-secret-0123456789').toString('base64')}`;
const NEW_SECRET = `whsec_${Buffer.from('new-webhook-secret-0123456789').toString('base64')}`;
const NOW = new Date('2026-11-23T08:00:00Z');

const delivery = (signature: string, body = '{"event":"release"}', at = NOW): HttpRequest => ({
  method: 'POST',
  path: '/v1/events/pipeline',
  addressedPath: undefined,
  pathParameters: {},
  query: {},
  headers: { 'webhook-id': 'msg_1', 'webhook-timestamp': String(Math.floor(at.getTime() / 1000)), 'webhook-signature': signature },
  rawBody: Buffer.from(body),
  gatewayRequestId: undefined,
  sourceIp: undefined,
});

/** Who a delivery authenticates as, or the refusal's status, code and message. */
function outcome(auth: ReturnType<typeof buildInboundAuth>, request: HttpRequest, now = NOW) {
  try {
    return authenticateWebhook(request, auth, now).clientId;
  } catch (error) {
    const { statusCode, errorCode, message, headers } = error as HttpError;
    return { statusCode, errorCode, message, headers };
  }
}

describe('Webhook deliveries during a key rotation', () => {
  it('takes a delivery signed with both keys once, however many of its signatures a replay keeps', () => {
    // Prepare: the same sender under its old and its new key.
    const auth = buildInboundAuth({
      clients: [
        { id: 'sender-old', type: 'webhook', webhook_secret: OLD_SECRET, scopes: ['review'] },
        { id: 'sender-new', type: 'webhook', webhook_secret: NEW_SECRET, scopes: ['review'] },
      ],
    } as ClientsDocument);
    const body = '{"event":"release"}';
    const signedOld = new Webhook(OLD_SECRET).sign('msg_1', NOW, body);
    const signedNew = new Webhook(NEW_SECRET).sign('msg_1', NOW, body);
    const later = new Date(NOW.getTime() + 2000);

    // Act: the delivery; its replays with both, the new or the old signature; the sender's redelivery, signed anew.
    const outcomes = [
      outcome(auth, delivery(`${signedOld} ${signedNew}`)),
      outcome(auth, delivery(signedNew)),
      outcome(auth, delivery(signedOld)),
      outcome(auth, delivery(new Webhook(NEW_SECRET).sign('msg_1', later, body), body, later), later),
    ];

    // Assess
    const REPLAY = {
      statusCode: 401,
      errorCode: 'HRF.0401',
      message: 'Authentication failed: this signed delivery was received already (a redelivery is signed again, with a new webhook-timestamp)',
      headers: { 'WWW-Authenticate': 'Bearer, SDK-HMAC-SHA256' },
    };
    expect(outcomes).toStrictEqual(['sender-old', REPLAY, REPLAY, 'sender-new']);
  });
});

describe('Replay memory shares', () => {
  it('gives one share to each client that can change something, however many keys it has', () => {
    // Prepare: two write clients (one with two app keys), a read-only one; two webhook senders.
    const app = (id: string, key: string, scopes: string[]) => ({ id, type: 'app', app_key: key, app_secret: `secret-of-${key}-0123456789abcdef`, scopes });
    const auth = buildInboundAuth({
      clients: [
        app('ci', 'ci-key-1', ['publish']),
        app('ci', 'ci-key-2', ['publish']),
        app('deployer', 'deployer-key', ['read', 'deploy']),
        app('dashboard', 'dashboard-key', ['read']),
        { id: 'sender-old', type: 'webhook', webhook_secret: OLD_SECRET, scopes: ['review'] },
        { id: 'sender-new', type: 'webhook', webhook_secret: NEW_SECRET, scopes: ['review'] },
      ],
    } as ClientsDocument);

    // Act + Assess: 50,000 signatures for two clients, 10,000 deliveries for two senders.
    expect([auth.recentSignatures.ownerCapacity, auth.recentDeliveries.ownerCapacity]).toStrictEqual([25_000, 5_000]);
  });
});
