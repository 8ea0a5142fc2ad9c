/**
 * releaseCheck's paging on the network: a counting proxy (a real node:http server on port 0) in front of the
 * local cloud, which answers after an injected latency, counts each query's requests in flight (received by
 * the proxy, not yet answered). Each query keeps at most RELEASE_CHECK_DEFAULTS.concurrency requests on the
 * network, the open query does use all of them, and the report is the one the pages call for.
 */
import { createServer, request, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { startEmulator, type RunningEmulator } from '../../../emulator';
import { createReleaseCheck } from '../../../functions/timers/release-check';
import { loadHuaweiCloudConfig } from '../../../shared/config/env';
import { HuaweiCloudClient } from '../../../shared/http/client';
import { createRuntime, fixedRuntime } from '../../../shared/runtime';
import { RELEASE_CHECK_DEFAULTS } from '../../../shared/schedules/config';
import { lambdaContext } from '../../helpers/contexts';
import { testEnv } from '../../helpers/runtime';
import { awsScheduledEvent, requestsOf } from './support';

type Query = 'open' | 'failed';

interface CountingProxy {
  readonly url: string;
  readonly maxInFlight: Record<Query, number>;
  close(): Promise<void>;
}

/** Forwards every request to `target` as received (the signature still verifies) and counts those in flight per query. */
async function startCountingProxy(target: string): Promise<CountingProxy> {
  const upstream = new URL(target);
  const inFlight: Record<Query, number> = { open: 0, failed: 0 };
  const maxInFlight: Record<Query, number> = { open: 0, failed: 0 };
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const query: Query = /"deploy_status_filter":\[3\]/.test(body.toString('utf8')) ? 'failed' : 'open';
      inFlight[query]++;
      maxInFlight[query] = Math.max(maxInFlight[query], inFlight[query]);
      const forwarded = request({ host: upstream.hostname, port: upstream.port, method: req.method, path: req.url, headers: req.headers }, (answer) => {
        const parts: Buffer[] = [];
        answer.on('data', (c: Buffer) => parts.push(c));
        answer.on('end', () => {
          inFlight[query]--;
          res.writeHead(answer.statusCode ?? 502, answer.headers);
          res.end(Buffer.concat(parts));
        });
      });
      forwarded.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    maxInFlight,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

let cloud: RunningEmulator;
let proxy: CountingProxy;

beforeAll(async () => {
  cloud = await startEmulator({ now: new Date('2026-11-23T08:00:10Z'), seedSize: 2_000, faults: { latencyMs: 30 } });
  proxy = await startCountingProxy(cloud.url);
});

afterAll(async () => {
  await proxy.close();
  await cloud.close();
});

describe('releaseCheck: requests on the network', () => {
  it(`keeps at most ${RELEASE_CHECK_DEFAULTS.concurrency} requests per query in flight, uses them all, and reports every page`, async () => {
    // Prepare: every seeded package is at least an hour old; with zero thresholds each live open one is outstanding
    const env = testEnv(proxy.url, { HUAWEICLOUD_CALL_DEADLINE_MS: '10000', RELEASE_CHECK_APPROVAL_THRESHOLD_MINUTES: '0', RELEASE_CHECK_RELEASING_THRESHOLD_MINUTES: '0' });
    const now = () => cloud.clock.now();
    const client = new HuaweiCloudClient({ config: loadHuaweiCloudConfig(env), now, sleep: async () => undefined, random: () => 0.5 });
    const handler = createReleaseCheck({ runtime: fixedRuntime(createRuntime(env, { client, now })) });
    const cycle = Array.from({ length: 2_000 }, (_, i) => i % 5);

    // Act
    const result = await handler(awsScheduledEvent('2026-11-23T08:00:00Z'), lambdaContext());

    // Assess
    expect(result).toStrictEqual({
      status: 'reported',
      report: {
        workspace: cloud.identity.workspace,
        window: { start: '2026-11-23T07:45:00.000Z', end: '2026-11-23T08:00:00.000Z' },
        thresholds: { approval_minutes: 0, releasing_minutes: 0 },
        news: false,
        complete: true,
        awaiting_approval: { new: [], new_total: 0, outstanding: cycle.filter((c) => c === 0).length },
        failed: { new: [], new_total: 0 },
        releasing_too_long: { new: [], new_total: 0, outstanding: cycle.filter((c) => c === 3).length },
      },
      notification: { state: 'not-needed' },
    });
    // 1,200 open packages (pending, releasing, withdrawn): 12 pages; the failed query: 1 page
    expect(requestsOf(cloud, 'ListFactoryReleasePackages')).toHaveLength(13);
    expect(proxy.maxInFlight).toStrictEqual({ open: RELEASE_CHECK_DEFAULTS.concurrency, failed: 1 });
  });
});
