/**
 * Faults on demand: reproducible from a seed, decided before the request is processed (no side effect),
 * drop and stall that really drop and stall (optionally after the side effect), latency, path patterns,
 * the admin endpoint and the EMULATOR_* variables.
 */
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { faultsFromEnv, optionsFromEnv, startEmulator, SEED, type RunningEmulator } from '../../../emulator';
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
    [undefined, 503],
    [502 as const, 502],
  ])('answers server errors (serverErrorStatus %s) with %i APIG.0202 without a side effect', async (serverErrorStatus, status) => {
    emulator.setFaults({ serverErrorRatio: 1, ...(serverErrorStatus === undefined ? {} : { serverErrorStatus }) });
    const response = await publish();
    expect([response.status, response.body]).toStrictEqual([status, { error_code: 'APIG.0202', error_msg: 'Backend unavailable', request_id: response.headers['x-request-id'] }]);
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
});
