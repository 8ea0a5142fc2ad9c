/**
 * Outgoing webhooks: Standard Webhooks signatures verified by the `standardwebhooks` receiver library
 * (valid, one of several, tampered body, wrong secret, old timestamp, missing headers) and deterministic ids.
 * Delivery to a real receiver: test/integration/timers/webhook-delivery.test.ts.
 */
import { Webhook } from 'standardwebhooks';
import { parseWebhookSecret, signWebhook, webhookId, WebhookSecretError } from '../../../shared/notify/webhook';

const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('test-webhook-secret-0123456789').toString('base64')}`;
const NOW = new Date('2026-11-23T08:00:05Z');
const secret = parseWebhookSecret(TEST_WEBHOOK_SECRET);

/** Runs `verify` as if the receiver's clock showed `now`. */
function verifyAt(now: Date, payload: string, headers: Record<string, string>, key = TEST_WEBHOOK_SECRET): unknown {
  const spy = jest.spyOn(Date, 'now').mockReturnValue(now.getTime());
  try {
    return new Webhook(key).verify(payload, headers);
  } finally {
    spy.mockRestore();
  }
}

describe('Webhook: secrets and ids', () => {
  it('reads a whsec_ secret into its key bytes', () => {
    expect(secret).toStrictEqual({ value: TEST_WEBHOOK_SECRET, key: Buffer.from('test-webhook-secret-0123456789') });
  });

  it.each([
    ['test-webhook-secret-0123456789', 'must have the form whsec_<base64>'],
    ['whsec_not base64', 'must be base64 after whsec_'],
    [`whsec_${Buffer.from('too-short').toString('base64')}`, 'must decode to 24..64 bytes (got 9)'],
  ])('refuses the secret %j', (value, message) => {
    expect(() => parseWebhookSecret(value)).toThrow(new WebhookSecretError(message));
  });

  it('derives the same id from the same parts and another from other parts', () => {
    const a = webhookId(['releaseCheck', '2026-11-23T07:45:00.000Z', '2026-11-23T08:00:00.000Z']);
    expect([a, webhookId(['releaseCheck', '2026-11-23T07:45:00.000Z', '2026-11-23T08:00:00.000Z']) === a, webhookId(['releaseCheck', '2026-11-23T08:00:00.000Z', '2026-11-23T08:15:00.000Z']) === a]).toStrictEqual([
      expect.stringMatching(/^msg_[A-Za-z0-9_-]{32}$/),
      true,
      false,
    ]);
  });
});

describe('Webhook: signatures a Standard Webhooks receiver verifies', () => {
  const body = JSON.stringify({ type: 'release.check.report', data: { news: true } });
  const headers = signWebhook({ id: 'msg_1', timestampSeconds: Math.floor(NOW.getTime() / 1000), body, secret });

  it('signs id.timestamp.body the way the standardwebhooks library does', () => {
    const expected = new Webhook(TEST_WEBHOOK_SECRET).sign('msg_1', NOW, body);
    expect(headers).toStrictEqual({ 'content-type': 'application/json', 'webhook-id': 'msg_1', 'webhook-timestamp': '1795420805', 'webhook-signature': expected });
  });

  it('is verified by the receiver', () => {
    expect(verifyAt(NOW, body, headers)).toStrictEqual({ type: 'release.check.report', data: { news: true } });
  });

  it('is verified when it is one of several signatures (key rotation)', () => {
    expect(verifyAt(NOW, body, { ...headers, 'webhook-signature': `v1,${Buffer.alloc(32).toString('base64')} ${headers['webhook-signature']}` })).toStrictEqual({
      type: 'release.check.report',
      data: { news: true },
    });
  });

  it.each([
    ['a tampered body', () => verifyAt(NOW, body.replace('true', 'false'), headers), 'No matching signature found'],
    ['a wrong secret', () => verifyAt(NOW, body, headers, `whsec_${Buffer.from('another-secret-0123456789abcd').toString('base64')}`), 'No matching signature found'],
    ['a timestamp 6 minutes old', () => verifyAt(new Date(NOW.getTime() + 6 * 60_000), body, headers), 'Message timestamp too old'],
    ['missing headers', () => verifyAt(NOW, body, { 'webhook-id': 'msg_1' }), 'Missing required headers'],
  ])('is refused with %s', (_case, act, message) => {
    expect(act).toThrow(message);
  });
});
