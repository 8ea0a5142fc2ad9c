/**
 * The bench's references make a function's own upstream calls: the recorder in front of the local cloud
 * notes a function's requests in waves, and the floor and the official-SDK reference replay them, signed,
 * against the local cloud (real servers on port 0). No timing is asserted: speed lives in `npm run bench`.
 */
import { request as httpRequest } from 'node:http';
import { startEmulator, type RunningEmulator } from '../../../emulator';
import { localFunctionEnv } from '../../../scripts/local-stack';
import { signRequest } from '../../../shared/signing/signer';
import { callsDiffer, startCallRecorder } from '../../../bench/lib/upstream-calls';
import type { GatewayResponse, UpstreamCall, UpstreamCalls } from '../../../bench/references/common';
import { signedCall } from '../../helpers/emulator';

const TOKEN = 'bench-references-test-token-0001';
type Reference = (event: unknown) => Promise<GatewayResponse>;

let emulator: RunningEmulator;
const savedEnv = { ...process.env };

beforeAll(async () => {
  // A pinned clock seeds the same timestamps on every reset (signatures use real time: within 15 minutes of it).
  emulator = await startEmulator({ port: 0, now: new Date() });
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => emulator.reset());
afterEach(() => {
  process.env = { ...savedEnv };
  emulator.setFaults({});
});

/** A signed request sent to `baseUrl` (signed for that host), answered as status and parsed body. */
function signedVia(baseUrl: string, method: string, path: string, body?: unknown): Promise<{ status: number; body: unknown }> {
  const text = body === undefined ? undefined : JSON.stringify(body);
  const signed = signRequest({ method, url: `${baseUrl}${path}`, headers: { 'content-type': 'application/json', workspace: emulator.identity.workspace }, body: text }, emulator.identity, { now: new Date() });
  return new Promise((resolve, reject) => {
    const url = new URL(`${baseUrl}${path}`);
    const req = httpRequest(url, { method, headers: { ...signed.headers }, agent: false }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: JSON.parse(Buffer.concat(chunks).toString('utf8')) as unknown }));
    });
    req.on('error', reject);
    req.end(text);
  });
}

const project = () => emulator.identity.projectId;
const listCall = (limit: number): UpstreamCall => ({
  method: 'GET',
  path: `/v2/${project()}/factory/pending-items`,
  query: `limit=${limit}`,
  headers: { 'content-type': 'application/json', workspace: emulator.identity.workspace },
  body: undefined,
  status: 200,
});
const queryCall = (): UpstreamCall => ({
  method: 'POST',
  path: `/v2/${project()}/factory/release-packages`,
  query: '',
  headers: { 'content-type': 'application/json', workspace: emulator.identity.workspace },
  body: '{"limit":2}',
  status: 200,
});

/** A reference handler loaded afresh with the local function environment and `calls`. */
function loadReference(file: 'floor' | 'official-sdk', calls: UpstreamCalls): Reference {
  process.env = { ...savedEnv, ...localFunctionEnv(emulator, TOKEN), BENCH_UPSTREAM_CALLS: JSON.stringify(calls) };
  let handler: Reference | undefined;
  jest.isolateModules(() => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    handler = (require(`../../../bench/references/${file}`) as { handler: Reference }).handler;
  });
  return handler as Reference;
}

const gatewayEvent = (token: string) => ({ httpMethod: 'GET', headers: { authorization: `Bearer ${token}` }, queryStringParameters: {} });

describe('Bench: the call recorder', () => {
  it('forwards each request to the local cloud and records the calls in waves, with what the local cloud answered', async () => {
    // Prepare: answers take 300 ms, so the two first requests are in flight together for sure.
    emulator.setFaults({ latencyMs: 300 });
    const recorder = await startCallRecorder(emulator.url);
    try {
      // Act
      const both = await Promise.all([signedVia(recorder.url, 'GET', `/v2/${project()}/factory/pending-items?limit=1`), signedVia(recorder.url, 'GET', `/v2/${project()}/factory/pending-items?limit=2`)]);
      const after = await signedVia(recorder.url, 'POST', `/v2/${project()}/factory/release-packages`, { limit: 2 });
      const waves = recorder.take();
      // Assess
      expect(both.map((r) => r.status)).toStrictEqual([200, 200]);
      expect(after.status).toBe(200);
      const first = [...(waves[0] ?? [])].sort((a, b) => a.query.localeCompare(b.query));
      expect([first, waves[1]]).toStrictEqual([[listCall(1), listCall(2)], [queryCall()]]);
      expect(waves).toHaveLength(2);
      expect(recorder.take()).toStrictEqual([]);
    } finally {
      await recorder.close();
    }
  });
});

describe.each(['floor', 'official-sdk'] as const)('Bench: the %s reference', (file) => {
  it('makes the recorded calls, wave by wave, and answers 200 with the last answer', async () => {
    // Prepare
    const calls: UpstreamCalls = [[listCall(1), listCall(2)], [queryCall()]];
    const expected = await signedCall(emulator, { method: 'POST', path: `/v2/${project()}/factory/release-packages`, headers: { workspace: emulator.identity.workspace }, body: { limit: 2 } });
    emulator.reset();
    const handler = loadReference(file, calls);
    // Act
    const response = await handler(gatewayEvent(TOKEN));
    // Assess
    const body = file === 'floor' ? expected.body : { ...(expected.body as object), httpStatusCode: 200 };
    expect(response).toStrictEqual({ statusCode: 200, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), isBase64Encoded: false });
    expect(callsDiffer(calls, emulator.requests)).toBeUndefined();
    expect(emulator.requests.map((r) => r.status)).toStrictEqual([200, 200, 200]);
  });

  it('answers 502 when a call does not get the status the function got', async () => {
    const handler = loadReference(file, [[{ ...listCall(1), status: 404 }]]);
    const response = await handler({ kind: 'timer event' });
    expect(response).toStrictEqual({ statusCode: 502, headers: { 'Content-Type': 'application/json' }, body: '{"error_code":"HRF.0502","error_msg":"upstream 200"}', isBase64Encoded: false });
  });

  it('refuses an API gateway request without the bearer token, calling nothing', async () => {
    const handler = loadReference(file, [[listCall(1)]]);
    const response = await handler(gatewayEvent('not-the-token'));
    expect(response).toStrictEqual({ statusCode: 401, headers: { 'Content-Type': 'application/json' }, body: '{"error_code":"HRF.0401","error_msg":"unauthorized"}', isBase64Encoded: false });
    expect(emulator.requests).toStrictEqual([]);
  });
});
