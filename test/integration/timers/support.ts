/**
 * Shared pieces of the timer and event integration tests: a runtime on the local cloud whose clock is the
 * emulator's and whose client never really waits between retries, timer events built from the captured
 * fixtures, counting upstream requests, and redelivering a firing the way a platform retries it.
 */
import { createServer, type IncomingHttpHeaders, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Webhook } from 'standardwebhooks';
import { startEmulator, type RunningEmulator } from '../../../emulator';
import { loadHuaweiCloudConfig } from '../../../shared/config/env';
import { HuaweiCloudClient } from '../../../shared/http/client';
import { createRuntime, fixedRuntime, type Runtime } from '../../../shared/runtime';
import awsScheduled from '../../fixtures/events/aws/scheduled.json';
import fgTimer from '../../fixtures/events/functiongraph/timer.json';
import { testEnv } from '../../helpers/runtime';
import { capturedLogLines } from '../../helpers/logs';

export const WEBHOOK_SECRET = `whsec_${Buffer.from('test-webhook-secret-0123456789').toString('base64')}`;

/** A runtime on the emulator: its clock, no real waiting between retries, a 10 s call budget. */
export function cloudRuntime(emulator: RunningEmulator, env: Record<string, string> = {}): Runtime {
  const fullEnv = testEnv(emulator.url, { HUAWEICLOUD_CALL_DEADLINE_MS: '10000', ...env });
  const now = () => emulator.clock.now();
  const client = new HuaweiCloudClient({ config: loadHuaweiCloudConfig(fullEnv), now, sleep: async () => undefined, random: () => 0.5 });
  return createRuntime(fullEnv, { client, now });
}

export const runtimeSource = (emulator: RunningEmulator, env: Record<string, string> = {}) => fixedRuntime(cloudRuntime(emulator, env));

/** The captured EventBridge scheduled event, at another time. */
export function awsScheduledEvent(time: string): Record<string, unknown> {
  return { ...structuredClone(awsScheduled), time };
}

/** The captured FunctionGraph timer event, at another time (written with +08:00 like the fixture). */
export function functionGraphTimerEvent(time: string): Record<string, unknown> {
  const shanghai = new Date(new Date(time).getTime() + 8 * 3_600_000).toISOString().replace(/\.\d{3}Z$/, '+08:00');
  return { ...structuredClone(fgTimer), time: shanghai };
}

/** Requests the emulator received for an operation; `applied` keeps those answered 2xx. */
export function requestsOf(emulator: RunningEmulator, operation: string, options: { applied?: boolean } = {}) {
  return emulator.requests.filter((r) => r.operation === operation && (!options.applied || (r.status !== null && r.status >= 200 && r.status < 300)));
}

/**
 * Delivers the same event until the function returns (a platform retries a failed invocation with the
 * same event); answers the result and how many deliveries it took.
 */
export async function deliverUntilDone<R>(invoke: () => Promise<R>, maxDeliveries = 8): Promise<{ result: R; deliveries: number; errors: string[] }> {
  const errors: string[] = [];
  for (let delivery = 1; delivery <= maxDeliveries; delivery++) {
    try {
      return { result: await invoke(), deliveries: delivery, errors };
    } catch (error) {
      errors.push(error instanceof Error ? error.name : 'error');
    }
  }
  throw new Error(`still failing after ${maxDeliveries} deliveries: ${errors.join(', ')}`);
}

export interface ReceivedWebhook {
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

/** A real node:http webhook receiver on port 0 that answers the listed statuses, then 204. */
export async function startReceiver(): Promise<{ url: string; received: ReceivedWebhook[]; answers: number[]; close: () => Promise<void> }> {
  const received: ReceivedWebhook[] = [];
  const answers: number[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      received.push({ headers: req.headers, body: Buffer.concat(chunks).toString('utf8') });
      res.writeHead(answers.shift() ?? 204);
      res.end();
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}/hooks/release-check`,
    received,
    answers,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

/** Verifies a received webhook as a Standard Webhooks receiver whose clock shows `now`. */
export function verifyWebhook(received: ReceivedWebhook, now: Date): unknown {
  const spy = jest.spyOn(Date, 'now').mockReturnValue(now.getTime());
  try {
    return new Webhook(WEBHOOK_SECRET).verify(received.body, received.headers as Record<string, string>);
  } finally {
    spy.mockRestore();
  }
}

/** Log entries written since `mark` (a `capturedLogLines.length` taken earlier) that match. */
export function logsSince(mark: number, predicate: (entry: Record<string, unknown>) => boolean): Record<string, unknown>[] {
  return capturedLogLines
    .slice(mark)
    .map((line) => JSON.parse(line) as Record<string, unknown>)
    .filter(predicate);
}

/** The current end of the captured log, to pass to logsSince. */
export const logMark = (): number => capturedLogLines.length;

/**
 * One local cloud for a test file, pinned at `now` and reset before each test (faults cleared, clock back at
 * `now`), with the test's captured logs. `emulator` is readable once the file's beforeAll has run.
 */
export function useLocalCloud(options: { now: Date; seedSize: number }) {
  let emulator: RunningEmulator | undefined;
  let mark = 0;
  beforeAll(async () => {
    emulator = await startEmulator({ now: options.now, seedSize: options.seedSize });
  });
  afterAll(async () => {
    await emulator?.close();
  });
  beforeEach(() => {
    const cloud = current();
    cloud.setFaults({});
    cloud.clock.set(options.now);
    cloud.reset();
    mark = logMark();
  });
  function current(): RunningEmulator {
    if (!emulator) throw new Error('the local cloud starts in beforeAll');
    return emulator;
  }
  return {
    get emulator(): RunningEmulator {
      return current();
    },
    /** Log entries of the current test matching the predicate. */
    logs: (predicate: (entry: Record<string, unknown>) => boolean) => logsSince(mark, predicate),
  };
}
