/** Webhook delivery to a real node:http receiver on port 0: verified by standardwebhooks, retries, permanent failures (sleep injected). */
import { execFile } from 'node:child_process';
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { deliverWebhook, parseWebhookSecret } from '../../../shared/notify/webhook';

const TEST_WEBHOOK_SECRET = `whsec_${Buffer.from('test-webhook-secret-0123456789').toString('base64')}`;
const NOW = new Date('2026-11-23T08:00:05Z');
const secret = parseWebhookSecret(TEST_WEBHOOK_SECRET);

function verifyAt(now: Date, payload: string, headers: Record<string, string>): unknown {
  const spy = jest.spyOn(Date, 'now').mockReturnValue(now.getTime());
  try {
    return new Webhook(TEST_WEBHOOK_SECRET).verify(payload, headers);
  } finally {
    spy.mockRestore();
  }
}

interface Received {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

describe('Webhook: delivery to a real node:http receiver', () => {
  let server: Server;
  let url: string;
  const received: Received[] = [];
  let answers: number[] = [];

  beforeAll(async () => {
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
        const status = answers.shift() ?? 204;
        res.writeHead(status, status === 429 ? { 'Retry-After': '3' } : {});
        res.end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/release`;
  });

  afterAll(async () => {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  beforeEach(() => {
    received.length = 0;
    answers = [];
  });

  const deliver = (sleeps: number[], now = () => NOW) =>
    deliverWebhook({ url, id: 'msg_fixed', body: '{"n":1}', secret, now, sleep: async (ms) => void sleeps.push(ms) });

  it('POSTs the exact signed bytes, which the receiver verifies', async () => {
    // Act
    const result = await deliver([]);
    // Assess
    const [first] = received;
    expect(result).toStrictEqual({ delivered: true, attempts: 1, status: 204 });
    expect(verifyAt(NOW, first?.body ?? '', first?.headers as Record<string, string>)).toStrictEqual({ n: 1 });
  });

  it('retries 503 and 429 (honouring Retry-After) with the same id, re-signed, then succeeds', async () => {
    // Prepare
    answers = [503, 429];
    const sleeps: number[] = [];
    let tick = 0;
    // Act
    const result = await deliver(sleeps, () => new Date(NOW.getTime() + 1000 * tick++));
    // Assess
    expect(result).toStrictEqual({ delivered: true, attempts: 3, status: 204 });
    expect(sleeps).toStrictEqual([1000, 3000]);
    expect(received.map((r) => [r.headers['webhook-id'], r.headers['webhook-timestamp']])).toStrictEqual([
      ['msg_fixed', '1795420805'],
      ['msg_fixed', '1795420806'],
      ['msg_fixed', '1795420807'],
    ]);
  });

  it('does not retry a 400: the failure is permanent', async () => {
    answers = [400];
    expect(await deliver([])).toStrictEqual({ delivered: false, attempts: 1, status: 400, error: 'the receiver answered 400', permanent: true });
  });

  it('gives up after three 500s, saying a later retry could help', async () => {
    answers = [500, 500, 500];
    const sleeps: number[] = [];
    expect([await deliver(sleeps), sleeps]).toStrictEqual([{ delivered: false, attempts: 3, status: 500, error: 'the receiver answered 500', permanent: false }, [1000, 2000]]);
  });

  it('stops waiting for a retry when the invocation runs out of time, however long the receiver asks to wait', async () => {
    // The receiver asks for 10 s (Retry-After, capped there); the invocation's signal ends the wait long before.
    answers = [503];
    const slowReceiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        received.push({ headers: req.headers, body: '' });
        res.writeHead(answers.shift() ?? 204, { 'Retry-After': '10' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => slowReceiver.listen(0, '127.0.0.1', resolve));
    try {
      const result = await deliverWebhook({
        url: `http://127.0.0.1:${(slowReceiver.address() as AddressInfo).port}/hooks/release`,
        id: 'msg_fixed',
        body: '{"n":1}',
        secret,
        now: () => NOW,
        signal: AbortSignal.timeout(300),
      });
      expect([result, received.length]).toStrictEqual([
        { delivered: false, attempts: 1, status: 503, error: 'the receiver answered 503; out of time for attempt 2', permanent: false },
        1,
      ]);
    } finally {
      await new Promise<void>((resolve) => slowReceiver.close(() => resolve()));
    }
  });

  it('keeps the process alive through the wait between attempts (Lambda ends an invocation whose event loop drains)', async () => {
    // A fresh Node process with nothing else to keep it alive: only the delivery's own wait can.
    answers = [503, 503];
    const script = [
      `const { deliverWebhook, parseWebhookSecret } = require(${JSON.stringify(require.resolve('../../../shared/notify/webhook'))});`,
      `deliverWebhook({ url: ${JSON.stringify(url)}, id: 'msg_fixed', body: '{"n":1}', secret: parseWebhookSecret(${JSON.stringify(TEST_WEBHOOK_SECRET)}), now: () => new Date(), maxAttempts: 2, signal: AbortSignal.timeout(20000) })`,
      `  .then((result) => process.stdout.write(JSON.stringify(result)));`,
    ].join('\n');
    const output = await new Promise<string>((resolve, reject) => {
      execFile(process.execPath, ['--import', 'tsx', '--input-type=commonjs', '-e', script], { timeout: 15_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
    });
    expect([JSON.parse(output || '{}'), received.length]).toStrictEqual([
      { delivered: false, attempts: 2, status: 503, error: 'the receiver answered 503', permanent: false },
      2,
    ]);
  });

  it('lets the process end once the invocation runs out of time: the wait a receiver asked for holds nothing after', async () => {
    // The receiver asks for 10 s; the invocation's 300 ms end the wait, and the process must not live on for it.
    const slowReceiver = createServer((req, res) => {
      req.resume();
      req.on('end', () => {
        res.writeHead(503, { 'Retry-After': '10', Connection: 'close' });
        res.end();
      });
    });
    await new Promise<void>((resolve) => slowReceiver.listen(0, '127.0.0.1', resolve));
    try {
      const script = [
        `const { deliverWebhook, parseWebhookSecret } = require(${JSON.stringify(require.resolve('../../../shared/notify/webhook'))});`,
        `deliverWebhook({ url: 'http://127.0.0.1:${(slowReceiver.address() as AddressInfo).port}/hook', id: 'msg_fixed', body: '{}', secret: parseWebhookSecret(${JSON.stringify(TEST_WEBHOOK_SECRET)}), now: () => new Date(), signal: AbortSignal.timeout(300) })`,
        `  .then((result) => process.stdout.write(JSON.stringify(result)));`,
      ].join('\n');
      // A timer left behind would hold the process for the 10 s asked: the 5 s limit kills it, and this fails.
      const output = await new Promise<string>((resolve, reject) => {
        execFile(process.execPath, ['--import', 'tsx', '--input-type=commonjs', '-e', script], { timeout: 5_000 }, (error, stdout) => (error ? reject(error) : resolve(stdout)));
      });
      expect(JSON.parse(output || '{}')).toStrictEqual({ delivered: false, attempts: 1, status: 503, error: 'the receiver answered 503; out of time for attempt 2', permanent: false });
    } finally {
      await new Promise<void>((resolve) => slowReceiver.close(() => resolve()));
    }
  });

  it('reports an unreachable receiver as transient', async () => {
    // A port that was free a moment ago: nothing listens there.
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, '127.0.0.1', resolve));
    const port = (closed.address() as AddressInfo).port;
    await new Promise<void>((resolve) => closed.close(() => resolve()));
    const result = await deliverWebhook({ url: `http://127.0.0.1:${port}/none`, id: 'msg_x', body: '{}', secret, now: () => NOW, sleep: async () => undefined, maxAttempts: 2 });
    expect(result).toStrictEqual({ delivered: false, attempts: 2, error: 'the receiver could not be reached (ECONNREFUSED)', permanent: false });
  });
});
