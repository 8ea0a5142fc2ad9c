/**
 * Faults on demand: reproducible from a seed, decided before the request is processed (no side effect),
 * drop and stall that really drop and stall (optionally after the side effect), latency (the upstream's
 * whole response time: processing overlaps it), path patterns, the admin endpoint and the EMULATOR_* variables.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type Socket } from 'node:net';
import { defineRoutes, faultsFromEnv, optionsFromEnv, startEmulator, SEED, type RunningEmulator } from '../../../emulator';
import { admin, send, signFor, signedCall } from '../../helpers/emulator';

const NOW = new Date('2025-06-01T08:00:00Z');
let emulator: RunningEmulator;
let base: string;

beforeAll(async () => {
  emulator = await startEmulator({ now: NOW });
  base = `/v2/${emulator.identity.projectId}/factory`;
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.setFaults({});
  emulator.clock.set(NOW);
  emulator.reset();
});

const ws = () => ({ workspace: emulator.identity.workspace });
const listItems = () => signedCall(emulator, { method: 'GET', path: `${base}/pending-items?limit=1`, headers: ws() });
const publishBody = (name = 'fault_release') => ({
  apply_user_id: SEED.users.applicant,
  package_name: name,
  pending_item_list: SEED.unpackagedItemIds.slice(0, 2),
  approver_ids: [SEED.users.approver],
});
const publish = (name?: string) => signedCall(emulator, { method: 'POST', path: `${base}/pending-items/package`, headers: ws(), body: publishBody(name) });
const packageCount = () => emulator.state.packages.length;
const firstItemsPackaged = () => SEED.unpackagedItemIds.slice(0, 2).map((id) => emulator.state.pendingItems.get(id)?.package_flag);

/** Sends a signed request and resolves as soon as the status line and headers arrive (body not awaited). */
function headersOnly(path: string, method: string, body?: unknown): Promise<{ response: IncomingMessage; ended: Promise<'ended' | 'still waiting'> }> {
  const signed = signFor(emulator, { method, path, headers: ws(), ...(body === undefined ? {} : { body }) });
  const url = new URL(emulator.url);
  return new Promise((resolve, reject) => {
    const outgoing = httpRequest({ host: url.hostname, port: url.port, method, path, headers: signed.headers, agent: false }, (response) => {
      const ended = new Promise<'ended' | 'still waiting'>((done) => {
        const timer = setTimeout(() => {
          outgoing.destroy();
          done('still waiting');
        }, 300);
        response.resume();
        response.on('end', () => {
          clearTimeout(timer);
          done('ended');
        });
        response.on('error', () => undefined);
      });
      resolve({ response, ended });
    });
    outgoing.on('error', reject);
    outgoing.end(signed.body);
  });
}

describe('Emulator faults: reproducible from a seed', () => {
  const statuses = async (n: number) => {
    const out: number[] = [];
    for (let i = 0; i < n; i++) out.push((await listItems()).status);
    return out;
  };

  it('gives the same sequence of faults for the same seed, and another for another seed', async () => {
    // Act
    emulator.setFaults({ throttleRatio: 0.3, serverErrorRatio: 0.2, seed: 42 });
    const first = await statuses(40);
    emulator.setFaults({ throttleRatio: 0.3, serverErrorRatio: 0.2, seed: 42 });
    const second = await statuses(40);
    emulator.setFaults({ throttleRatio: 0.3, serverErrorRatio: 0.2, seed: 7 });
    const other = await statuses(40);
    // Assess
    expect(second).toStrictEqual(first);
    expect(other).not.toStrictEqual(first);
    expect(new Set(first)).toStrictEqual(new Set([200, 429, 503]));
    expect(emulator.requests.slice(0, 40).map((r) => r.status)).toStrictEqual(first);
    expect(emulator.requests.slice(0, 40).map((r) => r.fault ?? null)).toStrictEqual(
      first.map((s) => (s === 429 ? 'throttle' : s === 503 ? 'server-error' : null)),
    );
  });

  it('gives the same sequence from a fresh emulator with the same seed in its options', async () => {
    emulator.setFaults({ throttleRatio: 0.5, seed: 99 });
    const here = await statuses(20);
    const other = await startEmulator({ now: NOW, faults: { throttleRatio: 0.5, seed: 99 } });
    try {
      const there: number[] = [];
      for (let i = 0; i < 20; i++) {
        there.push((await signedCall(other, { method: 'GET', path: `${base}/pending-items?limit=1`, headers: ws() })).status);
      }
      expect(there).toStrictEqual(here);
    } finally {
      await other.close();
    }
  });
});

describe('Emulator faults: throttling and server errors have no side effect', () => {
  it('answers 429 APIG.0308 without creating a package', async () => {
    emulator.setFaults({ throttleRatio: 1 });
    const response = await publish();
    expect(response.status).toBe(429);
    expect(response.body).toStrictEqual({
      error_code: 'APIG.0308',
      error_msg: 'The throttling threshold has been reached: policy user over ratelimit, limit:100, time:1 minute',
      request_id: response.headers['x-request-id'],
    });
    expect(response.headers['retry-after']).toBeUndefined();
    expect([packageCount(), firstItemsPackaged()]).toStrictEqual([40, [0, 0]]);
  });

  it('sends Retry-After when configured', async () => {
    emulator.setFaults({ throttleRatio: 1, retryAfterSeconds: 3 });
    const response = await publish();
    expect([response.status, response.headers['retry-after']]).toStrictEqual([429, '3']);
  });

  it.each([
    [undefined, 503, 'APIG.0202', 'Backend unavailable'],
    [502 as const, 502, 'APIG.0202', 'Backend unavailable'],
    [504 as const, 504, 'APIG.0201', 'Backend timeout'],
  ])('answers server errors (serverErrorStatus %s) with %i %s without a side effect', async (serverErrorStatus, status, code, message) => {
    emulator.setFaults({ serverErrorRatio: 1, ...(serverErrorStatus === undefined ? {} : { serverErrorStatus }) });
    const response = await publish();
    expect([response.status, response.body]).toStrictEqual([status, { error_code: code, error_msg: message, request_id: response.headers['x-request-id'] }]);
    expect(packageCount()).toBe(40);
  });

  it('throttles even a badly signed request without authenticating it (faults come first)', async () => {
    emulator.setFaults({ throttleRatio: 1 });
    const response = await send(emulator.url, { method: 'GET', path: `${base}/pending-items` });
    expect(response.status).toBe(429);
  });
});

describe('Emulator faults: drop and stall', () => {
  it('drops the connection without an answer and without a side effect', async () => {
    emulator.setFaults({ dropRatio: 1 });
    await expect(publish()).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect(packageCount()).toBe(40);
    expect(emulator.requests.map((r) => [r.operation, r.status, r.fault])).toStrictEqual([['CreateFactoryPendingItemsPackage', null, 'drop']]);
  });

  it('drops after the side effect with faultTiming "after" (outcome unknown to the client)', async () => {
    emulator.setFaults({ dropRatio: 1, faultTiming: 'after' });
    await expect(publish()).rejects.toThrow(/socket hang up|ECONNRESET/);
    expect([packageCount(), firstItemsPackaged()]).toStrictEqual([41, [1, 1]]);
    emulator.setFaults({});
    const found = await signedCall(emulator, { method: 'POST', path: `${base}/release-packages`, body: { key_word: 'fault_release' } });
    expect((found.body as { total: number }).total).toBe(1);
  });

  it('stalls: status and headers arrive, the body never does, and the request had no side effect', async () => {
    emulator.setFaults({ stallRatio: 1 });
    const { response, ended } = await headersOnly(`${base}/pending-items/package`, 'POST', publishBody());
    expect(response.statusCode).toBe(200);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
    expect(await ended).toBe('still waiting');
    expect(packageCount()).toBe(40);
  });

  it('stalls after the side effect with faultTiming "after", with the real status', async () => {
    emulator.setFaults({ stallRatio: 1, faultTiming: 'after' });
    const { response, ended } = await headersOnly(`${base}/pending-items/package`, 'POST', publishBody());
    expect(response.statusCode).toBe(200);
    expect(Number(response.headers['content-length'])).toBeGreaterThan(0);
    expect(await ended).toBe('still waiting');
    expect(packageCount()).toBe(41);
  });

  it('makes a client with a deadline give up', async () => {
    emulator.setFaults({ stallRatio: 1 });
    await expect(signedCall(emulator, { method: 'GET', path: `${base}/pending-items`, headers: ws(), timeoutMs: 200 })).rejects.toThrow('timed out');
  });
});

describe("Emulator faults: latency is the upstream's whole response time", () => {
  /** A service route whose processing the test ends: it says when it starts, and answers once released. */
  function gatedRoute() {
    let release!: () => void;
    const released = new Promise<void>((resolve) => (release = resolve));
    let started!: (at: number) => void;
    const startedAt = new Promise<number>((resolve) => (started = resolve));
    const routes = defineRoutes([
      {
        name: 'SlowOperation',
        method: 'POST',
        pattern: '/v2/{project_id}/slow',
        auth: 'none',
        handler: async () => {
          started(performance.now());
          await released;
          return { status: 200, body: { done: true } };
        },
      },
    ]);
    return { routes, startedAt, release };
  }
  const slowCall = (e: RunningEmulator) => send(e.url, { method: 'POST', path: '/v2/p/slow', body: '{}' });
  /** A service route that keeps the emulator's one thread busy for `ms`, as filtering 10,000 packages does. */
  const busyRoutes = (ms: number) =>
    defineRoutes([
      {
        name: 'BusyOperation',
        method: 'POST',
        pattern: '/v2/{project_id}/busy',
        auth: 'none',
        handler: () => {
          const until = performance.now() + ms;
          while (performance.now() < until);
          return { status: 200, body: { done: true } };
        },
      },
    ]);

  it('processes a request as soon as it arrives, while the latency runs, and answers when the latency has passed', async () => {
    // Prepare
    const slow = gatedRoute();
    const e = await startEmulator({ now: NOW, routes: slow.routes, faults: { latencyMs: 600 } });
    try {
      // Act
      const sentAt = performance.now();
      const answer = slowCall(e);
      const startedAfter = (await slow.startedAt) - sentAt;
      slow.release();
      await new Promise((resolve) => setTimeout(resolve, 50));
      const statusWhileWaiting = e.requests.map((r) => r.status);
      const response = await answer;
      const answeredAfter = performance.now() - sentAt;

      // Assess: processing began long before the latency had passed (it used to begin only then)
      expect(startedAfter).toBeLessThan(300);
      expect(statusWhileWaiting).toStrictEqual([null]);
      expect([response.status, response.body]).toStrictEqual([200, { done: true }]);
      expect(answeredAfter).toBeGreaterThanOrEqual(599);
      expect(e.requests.map((r) => [r.operation, r.status])).toStrictEqual([['SlowOperation', 200]]);
    } finally {
      await e.close();
    }
  });

  it('answers as soon as processing is done when it takes longer than the latency, without adding the latency again', async () => {
    // Prepare
    const slow = gatedRoute();
    const e = await startEmulator({ now: NOW, routes: slow.routes, faults: { latencyMs: 200 } });
    try {
      // Act
      const sentAt = performance.now();
      const answer = slowCall(e);
      await slow.startedAt;
      await new Promise((resolve) => setTimeout(resolve, 400));
      const releasedAt = performance.now();
      slow.release();
      const response = await answer;
      const answeredAt = performance.now();

      // Assess
      expect([response.status, response.body]).toStrictEqual([200, { done: true }]);
      expect(releasedAt - sentAt).toBeGreaterThanOrEqual(399);
      expect(answeredAt - releasedAt).toBeLessThan(200);
    } finally {
      await e.close();
    }
  });

  it('answers requests that arrive together at about the latency, although its one thread processes them in turn', async () => {
    // Prepare: four connections the emulator has taken (each has answered a health check), on which four
    // requests are then written at once, so they arrive together; 4 × 80 ms of processing fit in the
    // 500 ms latency, and processed first and delayed after, the answers would come 80 ms apart (at 580,
    // 660, 740 and 820 ms)
    const e = await startEmulator({ now: NOW, routes: busyRoutes(80), faults: { latencyMs: 500 } });
    const url = new URL(e.url);
    const sockets = await Promise.all(
      Array.from(
        { length: 4 },
        () =>
          new Promise<Socket>((resolve, reject) => {
            const socket = connect(Number(url.port), url.hostname, () => socket.write('GET /_emulator/health HTTP/1.1\r\nHost: emulator\r\n\r\n'));
            socket.once('data', () => resolve(socket));
            socket.on('error', reject);
          }),
      ),
    );
    try {
      // Act
      const sentAt = performance.now();
      const answered = sockets.map(
        (socket) =>
          new Promise<{ head: string; ms: number }>((resolve) => {
            const chunks: Buffer[] = [];
            socket.removeAllListeners('data');
            socket.on('data', (c: Buffer) => chunks.push(c));
            socket.on('end', () => resolve({ head: Buffer.concat(chunks).toString('utf8').split('\r\n')[0] ?? '', ms: performance.now() - sentAt }));
          }),
      );
      for (const socket of sockets) socket.write('POST /v2/p/busy HTTP/1.1\r\nHost: emulator\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}');
      const answers = await Promise.all(answered);

      // Assess
      const times = answers.map((a) => a.ms);
      expect(answers.map((a) => a.head)).toStrictEqual(Array.from({ length: 4 }, () => 'HTTP/1.1 200 OK'));
      expect(Math.min(...times)).toBeGreaterThanOrEqual(499);
      expect(Math.max(...times) - Math.min(...times)).toBeLessThan(150);
    } finally {
      for (const socket of sockets) socket.destroy();
      await e.close();
    }
  });

  it('still waits for the latency before a throttled or failed answer, without processing the request', async () => {
    // Act
    emulator.setFaults({ throttleRatio: 1, latencyMs: 200 });
    const throttledAt = performance.now();
    const throttled = await publish();
    const throttledAfter = performance.now() - throttledAt;
    emulator.setFaults({ serverErrorRatio: 1, latencyMs: 200 });
    const failedAt = performance.now();
    const failed = await publish();
    const failedAfter = performance.now() - failedAt;

    // Assess
    expect([throttled.status, failed.status]).toStrictEqual([429, 503]);
    expect(throttledAfter).toBeGreaterThanOrEqual(199);
    expect(failedAfter).toBeGreaterThanOrEqual(199);
    expect([packageCount(), firstItemsPackaged()]).toStrictEqual([40, [0, 0]]);
  });

  it('drops a request after the latency and without a side effect with faultTiming "before"', async () => {
    // Act
    emulator.setFaults({ dropRatio: 1, latencyMs: 200 });
    const sentAt = performance.now();
    const outcome = await publish().then(
      () => 'answered',
      (error: Error) => error.message,
    );
    const droppedAfter = performance.now() - sentAt;

    // Assess
    expect(outcome).toMatch(/socket hang up|ECONNRESET/);
    expect(droppedAfter).toBeGreaterThanOrEqual(199);
    expect(packageCount()).toBe(40);
  });

  it('applies the side effect at once and drops the connection when the latency has passed with faultTiming "after"', async () => {
    // Act
    emulator.setFaults({ dropRatio: 1, faultTiming: 'after', latencyMs: 600 });
    const sentAt = performance.now();
    let settled = false;
    const outcome = publish().then(
      () => 'answered',
      (error: Error) => error.message,
    );
    void outcome.finally(() => (settled = true));
    while (packageCount() === 40 && performance.now() - sentAt < 5_000) await new Promise((resolve) => setTimeout(resolve, 10));
    const appliedAfter = performance.now() - sentAt;
    const settledWhenApplied = settled;
    const message = await outcome;
    const droppedAfter = performance.now() - sentAt;

    // Assess
    expect([packageCount(), firstItemsPackaged()]).toStrictEqual([41, [1, 1]]);
    expect(appliedAfter).toBeLessThan(300);
    expect(settledWhenApplied).toBe(false);
    expect(message).toMatch(/socket hang up|ECONNRESET/);
    expect(droppedAfter).toBeGreaterThanOrEqual(599);
  });
});

describe('Emulator faults: latency, scope and settings', () => {
  it('adds latency before answering', async () => {
    emulator.setFaults({ latencyMs: 150 });
    const started = Date.now();
    expect((await listItems()).status).toBe(200);
    expect(Date.now() - started).toBeGreaterThanOrEqual(145);
  });

  it('applies only to paths matching pathPattern', async () => {
    emulator.setFaults({ throttleRatio: 1, pathPattern: '/pending-items$' });
    expect((await listItems()).status).toBe(429);
    expect((await signedCall(emulator, { method: 'POST', path: `${base}/release-packages`, body: {} })).status).toBe(200);
  });

  it('leaves IAM alone unless the pattern names it, and never faults the admin API', async () => {
    const iam = () =>
      send(emulator.url, {
        method: 'POST',
        path: '/v3/auth/tokens',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ auth: { identity: { methods: ['password'], password: { user: { domain: { name: 'emulator-domain' }, name: 'emulator-user', password: 'emulator-password-0001' } } } } }),
      });
    emulator.setFaults({ throttleRatio: 1 });
    expect((await iam()).status).toBe(201);
    expect((await admin(emulator, 'GET', '/health')).status).toBe(200);
    emulator.setFaults({ throttleRatio: 1, pathPattern: '^/v3/auth/' });
    expect((await iam()).status).toBe(429);
  });

  it('is set and read through the admin API, which validates the settings', async () => {
    const put = await admin(emulator, 'PUT', '/faults', { throttleRatio: 1, seed: 5, faultTiming: 'after' });
    expect([put.status, put.body]).toStrictEqual([200, { throttleRatio: 1, seed: 5, faultTiming: 'after' }]);
    expect((await admin(emulator, 'GET', '/faults')).body).toStrictEqual({ throttleRatio: 1, seed: 5, faultTiming: 'after' });
    expect((await listItems()).status).toBe(429);
    for (const bad of [{ throttleRatio: 2 }, { throttleRatio: 0.6, dropRatio: 0.6 }, { pathPattern: '(' }, { unknown: 1 }]) {
      const response = await admin(emulator, 'PUT', '/faults', bad);
      expect([response.status, (response.body as { error_code: string }).error_code]).toStrictEqual([400, 'EMULATOR.0400']);
    }
    expect(() => emulator.setFaults({ stallRatio: -1 })).toThrow('stallRatio must be a number in [0, 1]');
  });

  it('is read from EMULATOR_* variables', () => {
    expect(
      faultsFromEnv({
        EMULATOR_LATENCY_MS: '20',
        EMULATOR_THROTTLE_RATIO: '0.1',
        EMULATOR_5XX_RATIO: '0.05',
        EMULATOR_DROP_RATIO: '0.01',
        EMULATOR_STALL_RATIO: '0.02',
        EMULATOR_FAULT_SEED: '1234',
        EMULATOR_FAULT_TIMING: 'after',
        EMULATOR_FAULT_PATH_PATTERN: '^/v2/',
      }),
    ).toStrictEqual({ latencyMs: 20, throttleRatio: 0.1, serverErrorRatio: 0.05, dropRatio: 0.01, stallRatio: 0.02, seed: 1234, faultTiming: 'after', pathPattern: '^/v2/' });
    expect(() => faultsFromEnv({ EMULATOR_THROTTLE_RATIO: 'lots' })).toThrow('EMULATOR_THROTTLE_RATIO: must be a number, got "lots"');
    expect(optionsFromEnv({ EMULATOR_PORT: '4999', EMULATOR_SEED_SIZE: '10000', EMULATOR_AK: 'OTHERAK', EMULATOR_NOW: '2025-01-01T00:00:00Z' })).toStrictEqual({
      port: 4999,
      host: '127.0.0.1',
      identity: expect.objectContaining({ accessKey: 'OTHERAK', secretKey: 'hwc-local-emulator-secret-key-0000000001' }),
      faults: {},
      seedSize: 10000,
      now: new Date('2025-01-01T00:00:00Z'),
    });
    expect(optionsFromEnv({}).port).toBe(4010);
  });

  it('names the variable of a malformed setting, as npm start does (not the option behind it)', () => {
    const refusals = [
      { EMULATOR_5XX_RATIO: '2' },
      { EMULATOR_FAULT_PATH_PATTERN: '(' },
      { EMULATOR_PORT: '99999' },
      { EMULATOR_SEED_SIZE: '-1' },
      { EMULATOR_THROTTLE_RATIO: '0.6', EMULATOR_5XX_RATIO: '0.6' },
    ].map((env) => {
      try {
        optionsFromEnv(env);
        return 'accepted';
      } catch (error) {
        return `${(error as Error).name}: ${(error as Error).message}`;
      }
    });
    expect(refusals).toStrictEqual([
      'ConfigError: EMULATOR_5XX_RATIO: must be a number in [0, 1], got "2"',
      'ConfigError: EMULATOR_FAULT_PATH_PATTERN: must be a regular expression, got "("',
      'ConfigError: EMULATOR_PORT: must be a port number (0-65535), got "99999"',
      'ConfigError: EMULATOR_SEED_SIZE: must be a whole number, got "-1"',
      'ConfigError: EMULATOR_THROTTLE_RATIO + EMULATOR_5XX_RATIO + EMULATOR_DROP_RATIO + EMULATOR_STALL_RATIO: must add up to at most 1',
    ]);
  });
});
