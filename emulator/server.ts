/**
 * The emulator's HTTP server (node:http): admin routes, then for service routes
 * record → decide faults, start the latency → (throttle, server error, drop/stall before: when the
 * latency has passed) → gateway auth → handler → (drop/stall after) → answer with X-Request-Id when the
 * latency has passed.
 *
 * Injected latency is the upstream's whole response time: a request is processed as soon as it has been
 * received, while its latency runs, and its answer leaves when the latency has passed (or when processing
 * is done, if that takes longer). The emulator's own CPU time is not added on top of the latency.
 */
import { randomBytes } from 'node:crypto';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { EmulatorClock } from './clock';
import { FaultInjector, type FaultDecision, type FaultSettings } from './faults';
import { authenticate } from './gateway-auth';
import { EmulatorError, apigError, type EmulatorRequest, type RouteResponse } from './http';
import { DEFAULT_IDENTITY, type EmulatorIdentity } from './identity';
import { recordableBody, recordableHeaders, type RecordedRequest } from './recorder';
import { RouteTable, type Caller, type EmulatorControl, type RouteDefinition } from './router';
import { builtInRoutes } from './routes';
import { DEFAULT_SEED_SIZE, seedTenant } from './seed';
import { EmulatorState } from './state';

export interface EmulatorOptions {
  /** Default 0 (a free port). */
  port?: number;
  /** Default 127.0.0.1. */
  host?: string;
  identity?: Partial<EmulatorIdentity>;
  /** Number of seeded release packages; default 40, tested up to 10,000. */
  seedSize?: number;
  faults?: FaultSettings;
  /** Initial clock: pins the clock at this instant. Default: real time. */
  now?: Date;
  /** Seed of the generated data; default 1. */
  dataSeed?: number;
  /** How long a started deployment runs (emulator clock); default 60 s. */
  deployDurationMs?: number;
  /** How long a release started by DeployFactoryPackages runs; default 30 s. */
  releaseDurationMs?: number;
  /** Lock an AK for 5 min after more than 5 consecutive signature failures, like the gateway; default true. */
  lockout?: boolean;
  /** Extra routes (e.g. a test's own service), matched after the built-in ones. */
  routes?: readonly RouteDefinition[];
}

export interface RunningEmulator {
  /** e.g. http://127.0.0.1:4010 (no trailing slash). */
  url: string;
  port: number;
  identity: EmulatorIdentity;
  state: EmulatorState;
  clock: EmulatorClock;
  setFaults(f: FaultSettings): void;
  getFaults(): FaultSettings;
  /** Every service request received (not the admin API), in arrival order; secrets removed. */
  requests: RecordedRequest[];
  /** Reseeds the state and clears recorded requests (faults and clock are kept). */
  reset(): void;
  close(): Promise<void>;
}

export const MAX_BODY_BYTES = 12 * 1024 * 1024;
const LOOPBACK = new Set(['127.0.0.1', '::1', '::ffff:127.0.0.1']);
const JSON_TYPE = 'application/json;charset=UTF-8';

function splitRawUrl(url: string): { rawPath: string; rawQuery: string } {
  let rest = url;
  if (!rest.startsWith('/')) {
    const m = /^[a-z][a-z0-9+.-]*:\/\/[^/?#]*/i.exec(rest);
    rest = m ? rest.slice(m[0].length) || '/' : `/${rest}`;
  }
  const hash = rest.indexOf('#');
  if (hash >= 0) rest = rest.slice(0, hash);
  const q = rest.indexOf('?');
  return q < 0 ? { rawPath: rest, rawQuery: '' } : { rawPath: rest.slice(0, q), rawQuery: rest.slice(q + 1) };
}

function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) tooLarge = true;
      else chunks.push(chunk);
    });
    req.on('end', () => resolve({ body: Buffer.concat(chunks), tooLarge }));
    req.on('error', reject);
  });
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

export async function startEmulator(options: EmulatorOptions = {}): Promise<RunningEmulator> {
  const identity: EmulatorIdentity = { ...DEFAULT_IDENTITY, ...options.identity };
  const clock = new EmulatorClock(options.now);
  const state = new EmulatorState(
    identity,
    clock,
    {
      deployDurationMs: options.deployDurationMs ?? 60_000,
      releaseDurationMs: options.releaseDurationMs ?? 30_000,
      dataSeed: options.dataSeed ?? 1,
      seedSize: Math.max(0, Math.floor(options.seedSize ?? DEFAULT_SEED_SIZE)),
    },
    seedTenant,
  );
  const faults = new FaultInjector(options.faults ?? {});
  const table = new RouteTable([...builtInRoutes(), ...(options.routes ?? [])]);
  const requests: RecordedRequest[] = [];
  const lockout = options.lockout ?? true;

  const control: EmulatorControl = {
    getFaults: () => faults.get(),
    setFaults: (settings) => faults.set(settings),
    requests,
    reset: () => {
      state.reset();
      requests.length = 0;
    },
  };

  /** A response serialised, ready to write. */
  interface Prepared {
    readonly status: number;
    readonly headers: Record<string, string | number>;
    readonly text: string;
  }

  function prepare(requestId: string, response: RouteResponse): Prepared {
    const text = response.body === undefined ? '' : JSON.stringify(response.body);
    const headers: Record<string, string | number> = { 'X-Request-Id': requestId, ...response.headers };
    if (text !== '') headers['Content-Type'] = JSON_TYPE;
    headers['Content-Length'] = Buffer.byteLength(text);
    return { status: response.status, headers, text };
  }

  function write(res: ServerResponse, prepared: Prepared): void {
    if (res.destroyed || res.headersSent) return;
    res.writeHead(prepared.status, prepared.headers);
    res.end(prepared.text);
  }

  function send(res: ServerResponse, requestId: string, response: RouteResponse): void {
    if (res.destroyed || res.headersSent) return;
    write(res, prepare(requestId, response));
  }

  /** Sends status and headers, then never the body (the client has to give up). */
  function stall(res: ServerResponse, requestId: string, response: RouteResponse): void {
    if (res.destroyed || res.headersSent) return;
    const text = response.body === undefined ? '{}' : JSON.stringify(response.body);
    res.writeHead(response.status, { 'X-Request-Id': requestId, ...response.headers, 'Content-Type': JSON_TYPE, 'Content-Length': Buffer.byteLength(text) });
    res.flushHeaders();
  }

  async function runRoute(route: RouteDefinition, request: EmulatorRequest, caller: Caller): Promise<RouteResponse> {
    try {
      return await route.handler({ request, state, clock, identity, caller, control });
    } catch (error) {
      if (error instanceof EmulatorError) return error.toResponse();
      return { status: 500, body: { error_code: 'EMULATOR.0500', error_msg: error instanceof Error ? error.message : 'internal error' } };
    }
  }

  async function handle(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const requestId = randomBytes(16).toString('hex');
    const method = (req.method ?? 'GET').toUpperCase();
    const { rawPath, rawQuery } = splitRawUrl(req.url ?? '/');
    const { body, tooLarge } = await readBody(req);
    const query = new URLSearchParams(rawQuery);
    const match = table.match(method, rawPath);
    const base = {
      method,
      rawPath,
      rawQuery,
      query,
      headers: req.headers,
      body,
      bodyText: body.toString('utf8'),
      requestId,
      remoteAddress: req.socket.remoteAddress,
    };

    // ---- admin API ----
    if (rawPath === '/_emulator' || rawPath.startsWith('/_emulator/')) {
      if (!LOOPBACK.has(req.socket.remoteAddress ?? '')) {
        send(res, requestId, { status: 403, body: { error_code: 'EMULATOR.0403', error_msg: 'The admin API answers loopback callers only.' } });
        return;
      }
      if (match.kind !== 'found') {
        send(res, requestId, { status: 404, body: { error_code: 'EMULATOR.0404', error_msg: `No admin route ${method} ${rawPath}` } });
        return;
      }
      send(res, requestId, await runRoute(match.route, { ...base, params: match.params }, { kind: 'none' }));
      return;
    }

    // ---- service routes ----
    const record: RecordedRequest = {
      method,
      path: rawPath,
      query: rawQuery,
      headers: recordableHeaders(req.headers),
      body: recordableBody(rawPath, base.bodyText),
      status: null,
      operation: match.kind === 'found' ? match.route.name : undefined,
      fault: undefined,
      time: clock.now().toISOString(),
      requestId,
    };
    requests.push(record);
    const answer = (response: RouteResponse) => {
      record.status = response.status;
      send(res, requestId, response);
    };

    if (tooLarge) {
      answer(apigError(413, 'APIG.0201', 'Request entity too large', requestId).toResponse());
      return;
    }
    if (match.kind !== 'found') {
      answer(apigError(404, 'APIG.0101', 'The API does not exist or has not been published in the environment', requestId).toResponse());
      return;
    }
    const route = match.route;
    const request: EmulatorRequest = { ...base, params: match.params };

    let decision: FaultDecision | undefined;
    /** Resolves when the injected latency, counted from the request's arrival, has passed. */
    let latencyPassed: Promise<void> | undefined;
    if (faults.applies(route.faults ?? 'service', rawPath)) {
      decision = faults.decide();
      record.fault = decision.fault;
      if (decision.latencyMs > 0) latencyPassed = sleep(decision.latencyMs);
      // A fault that answers (or drops, or stalls) without processing the request acts when the latency
      // has passed. A request that is processed is processed at once, while its latency runs; "at once"
      // is after this round of I/O, so that requests that arrived together have all started their latency
      // before the first of them takes the thread.
      const unprocessed =
        decision.fault === 'throttle' || decision.fault === 'server-error' || (decision.timing === 'before' && (decision.fault === 'drop' || decision.fault === 'stall'));
      if (unprocessed && latencyPassed) await latencyPassed;
      else if (latencyPassed) await new Promise<void>((resolve) => setImmediate(resolve));
      const settings = faults.get();
      if (decision.fault === 'throttle') {
        const headers = settings.retryAfterSeconds === undefined ? undefined : { 'Retry-After': String(settings.retryAfterSeconds) };
        answer(apigError(429, 'APIG.0308', 'The throttling threshold has been reached: policy user over ratelimit, limit:100, time:1 minute', requestId, headers).toResponse());
        return;
      }
      if (decision.fault === 'server-error') {
        const status = settings.serverErrorStatus ?? 503;
        // APIG's codes: 0202 backend unavailable, 0201 (among others) backend timeout.
        answer((status === 504 ? apigError(504, 'APIG.0201', 'Backend timeout', requestId) : apigError(status, 'APIG.0202', 'Backend unavailable', requestId)).toResponse());
        return;
      }
      if (decision.timing === 'before' && decision.fault === 'drop') {
        req.socket.destroy();
        return;
      }
      if (decision.timing === 'before' && decision.fault === 'stall') {
        record.status = 200;
        stall(res, requestId, { status: 200 });
        return;
      }
    }

    let response: RouteResponse;
    try {
      const caller: Caller = (route.auth ?? 'gateway') === 'gateway' ? authenticate(request, state, { lockout }) : { kind: 'none' };
      response = await runRoute(route, request, caller);
    } catch (error) {
      if (!(error instanceof EmulatorError)) throw error;
      response = error.toResponse();
    }

    // Serialised while the latency runs; written (or dropped, or stalled) when it has passed, at once if
    // processing took longer.
    const prepared = prepare(requestId, response);
    if (latencyPassed) await latencyPassed;
    if (decision?.fault === 'drop') {
      req.socket.destroy();
      return;
    }
    if (decision?.fault === 'stall') {
      record.status = response.status;
      stall(res, requestId, response);
      return;
    }
    record.status = response.status;
    write(res, prepared);
  }

  const server: Server = createServer((req, res) => {
    handle(req, res).catch((error: unknown) => {
      if (!res.headersSent && !res.destroyed) {
        res.writeHead(500, { 'Content-Type': JSON_TYPE });
        res.end(JSON.stringify({ error_code: 'EMULATOR.0500', error_msg: error instanceof Error ? error.message : 'internal error' }));
      }
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address() as AddressInfo;
  const host = options.host ?? '127.0.0.1';
  const urlHost = host.includes(':') ? `[${host}]` : host;

  return {
    url: `http://${urlHost}:${address.port}`,
    port: address.port,
    identity,
    state,
    clock,
    setFaults: (settings) => faults.set(settings),
    getFaults: () => faults.get(),
    requests,
    reset: control.reset,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      }),
  };
}
