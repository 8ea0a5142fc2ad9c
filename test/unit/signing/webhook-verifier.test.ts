/**
 * Inbound Standard Webhooks verification against deliveries signed here by the `standardwebhooks` library
 * (the reference implementation), in the six cases of the published vector (valid, one of several
 * signatures, tampered body, wrong secret, old timestamp, missing headers), plus a timestamp from the future,
 * an overlong id, and the replay window.
 */
import { Webhook } from 'standardwebhooks';
import { parseWebhookSecret } from '../../../shared/notify/webhook';
import { verifyWebhook, WEBHOOK_TOLERANCE_SECONDS } from '../../../shared/signing/webhook-verifier';

const SECRET = `whsec_${Buffer.from('test-webhook-secret-0123456789').toString('base64')}`;
const OTHER_SECRET = `whsec_${Buffer.from('another-secret-0123456789abcd').toString('base64')}`;
const KEY = parseWebhookSecret(SECRET).key;
const OTHER_KEY = parseWebhookSecret(OTHER_SECRET).key;
const SENT_AT = new Date('2026-11-23T08:00:00Z');
const BODY = '{"specversion":"1.0","id":"evt-1","source":"s","type":"t","data":{"ok":true}}';
const ID = 'msg_2KWPBgLlAfxdpx2AI54pPJ85f4W';

/** A delivery as the reference library signs it. */
function delivery(options: { secret?: string; body?: string; at?: Date } = {}) {
  const at = options.at ?? SENT_AT;
  const signature = new Webhook(options.secret ?? SECRET).sign(ID, at, options.body ?? BODY);
  return { id: ID, timestamp: String(Math.floor(at.getTime() / 1000)), signature, body: Buffer.from(BODY) };
}

const seconds = (s: number) => new Date(SENT_AT.getTime() + s * 1000);

describe('Standard Webhooks verification', () => {
  it.each([
    ['a valid delivery', delivery(), [KEY], { ok: true, keyIndex: 0 }],
    ['one valid signature among several (key rotation)', { ...delivery(), signature: `${delivery({ secret: OTHER_SECRET }).signature} ${delivery().signature}` }, [KEY], { ok: true, keyIndex: 0 }],
    ['the second of two senders', delivery({ secret: OTHER_SECRET }), [KEY, OTHER_KEY], { ok: true, keyIndex: 1 }],
    ['a tampered body', { ...delivery(), body: Buffer.from(BODY.replace('true', 'false')) }, [KEY], { ok: false, reason: 'signature-mismatch' }],
    ['a wrong secret', delivery({ secret: OTHER_SECRET }), [KEY], { ok: false, reason: 'signature-mismatch' }],
    ['no sender configured', delivery(), [], { ok: false, reason: 'signature-mismatch' }],
    ['a signature that is not v1', { ...delivery(), signature: delivery().signature.replace('v1,', 'v2,') }, [KEY], { ok: false, reason: 'signature-mismatch' }],
    ['a truncated signature', { ...delivery(), signature: delivery().signature.slice(0, 20) }, [KEY], { ok: false, reason: 'signature-mismatch' }],
    ['missing headers', { ...delivery(), timestamp: undefined }, [KEY], { ok: false, reason: 'missing-headers' }],
    ['an id longer than 256 characters', { ...delivery(), id: 'x'.repeat(257) }, [KEY], { ok: false, reason: 'malformed-id' }],
    ['a timestamp that is not a number', { ...delivery(), timestamp: '1e9' }, [KEY], { ok: false, reason: 'timestamp-out-of-window' }],
  ])('%s', (_name, message, keys, expected) => {
    expect(verifyWebhook(message, keys, seconds(30))).toStrictEqual(expected);
  });

  it.each([
    [-WEBHOOK_TOLERANCE_SECONDS, { ok: true, keyIndex: 0 }],
    [WEBHOOK_TOLERANCE_SECONDS, { ok: true, keyIndex: 0 }],
    [WEBHOOK_TOLERANCE_SECONDS + 1, { ok: false, reason: 'timestamp-out-of-window' }],
    [-(WEBHOOK_TOLERANCE_SECONDS + 1), { ok: false, reason: 'timestamp-out-of-window' }],
  ])('received %i s after it was signed', (after, expected) => {
    expect(verifyWebhook(delivery(), [KEY], seconds(after))).toStrictEqual(expected);
  });

  it('verifies the raw body bytes, not a re-serialised JSON', () => {
    const spaced = '{ "specversion": "1.0", "id": "evt-1" }';
    const signed = delivery({ body: spaced });
    const reserialised = Buffer.from(JSON.stringify(JSON.parse(spaced)));
    expect([verifyWebhook({ ...signed, body: Buffer.from(spaced) }, [KEY], SENT_AT), verifyWebhook({ ...signed, body: reserialised }, [KEY], SENT_AT)]).toStrictEqual([
      { ok: true, keyIndex: 0 },
      { ok: false, reason: 'signature-mismatch' },
    ]);
  });
});
