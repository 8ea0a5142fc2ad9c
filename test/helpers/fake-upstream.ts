/**
 * A scripted upstream on a real node:http server (port 0) for HTTP client tests: each request gets the next
 * scripted response (status, headers, body), or 'drop' (the socket is destroyed without an answer), or
 * 'stall' (status and headers, then a body that never comes), or 'hang' (no answer at all). Every received request is recorded exactly
 * as it arrived: method, raw url, lowercase headers, body text.
 */
import { createServer, type IncomingHttpHeaders, type Server, type ServerResponse } from 'node:http';
import type { Socket } from 'node:net';

export interface UpstreamRequest {
  readonly method: string;
  /** The request target exactly as received (path and query, not decoded). */
  readonly url: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: IncomingHttpHeaders;
  readonly body: string;
}

export interface ScriptedAnswer {
  readonly status: number;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is sent as JSON (with Content-Type application/json); a string is sent as is. */
  readonly body?: unknown;
}

export type ScriptedResponse = ScriptedAnswer | 'drop' | 'stall' | 'hang';

/** Decides the answer from the request (e.g. routes IAM and service calls apart). */
export type Responder = (request: UpstreamRequest, index: number) => ScriptedResponse;

export interface FakeUpstream {
  /** e.g. http://127.0.0.1:40123 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  /** Every request received, in arrival order. */
  readonly requests: UpstreamRequest[];
  /** Queues answers, used in order before the fallback. */
  script(...responses: ScriptedResponse[]): void;
  /** The answer when the queue is empty (default: 500 FAKE.0000). */
  setFallback(fallback: ScriptedResponse | Responder): void;
  /** Clears the queue, the fallback and the recorded requests. */
  reset(): void;
  close(): Promise<void>;
}

const NOT_SCRIPTED: ScriptedAnswer = { status: 500, body: { error_code: 'FAKE.0000', error_msg: 'no scripted response' } };

function answer(res: ServerResponse, scripted: ScriptedAnswer): void {
  const headers: Record<string, string> = { ...scripted.headers };
  let text = '';
  if (scripted.body !== undefined) {
    if (typeof scripted.body === 'string') text = scripted.body;
    else {
      text = JSON.stringify(scripted.body);
      if (!Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = 'application/json';
    }
  }
  headers['Content-Length'] = String(Buffer.byteLength(text));
  res.writeHead(scripted.status, headers);
  res.end(text);
}

export async function startFakeUpstream(fallback: ScriptedResponse | Responder = NOT_SCRIPTED): Promise<FakeUpstream> {
  const requests: UpstreamRequest[] = [];
  const queue: ScriptedResponse[] = [];
  let fallbackAnswer: ScriptedResponse | Responder = fallback;
  const sockets = new Set<Socket>();

  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const url = req.url ?? '';
      const q = url.indexOf('?');
      const request: UpstreamRequest = {
        method: req.method ?? '',
        url,
        rawPath: q < 0 ? url : url.slice(0, q),
        rawQuery: q < 0 ? '' : url.slice(q + 1),
        headers: req.headers,
        body: Buffer.concat(chunks).toString('utf8'),
      };
      const index = requests.length;
      requests.push(request);
      const next = queue.shift() ?? (typeof fallbackAnswer === 'function' ? fallbackAnswer(request, index) : fallbackAnswer);
      if (next === 'drop') {
        req.socket.destroy();
        return;
      }
      if (next === 'hang') return;
      if (next === 'stall') {
        res.writeHead(200, { 'Content-Type': 'application/json', 'Content-Length': '1000' });
        res.flushHeaders();
        res.write('{"total":');
        return;
      }
      answer(res, next);
    });
  });
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;

  return {
    url: `http://127.0.0.1:${port}`,
    port,
    requests,
    script(...responses) {
      queue.push(...responses);
    },
    setFallback(value) {
      fallbackAnswer = value;
    },
    reset() {
      queue.length = 0;
      requests.length = 0;
      fallbackAnswer = NOT_SCRIPTED;
    },
    async close() {
      for (const socket of sockets) socket.destroy();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** A port nothing listens on (a server was bound to it and closed): connecting is refused. */
export async function closedPortUrl(): Promise<string> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  const port = typeof address === 'object' && address ? address.port : 0;
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return `http://127.0.0.1:${port}`;
}

/** An injectable sleep that records each delay and resolves at once. */
export function recordingSleep(onSleep?: (ms: number) => void): { sleep: (ms: number) => Promise<void>; delays: number[] } {
  const delays: number[] = [];
  return {
    delays,
    sleep: async (ms: number) => {
      delays.push(ms);
      onSleep?.(ms);
    },
  };
}

/** A clock for injection: starts at `start`, moves only when told. */
export function manualClock(start: Date): { now: () => Date; advance: (ms: number) => void; set: (date: Date) => void } {
  let current = start.getTime();
  return {
    now: () => new Date(current),
    advance: (ms) => {
      current += ms;
    },
    set: (date) => {
      current = date.getTime();
    },
  };
}

/** One fake upstream for a test file, started in beforeAll, reset before each test, closed after all. */
export function useFakeUpstream(): { readonly server: FakeUpstream } {
  let server: FakeUpstream | undefined;
  beforeAll(async () => {
    server = await startFakeUpstream();
  });
  afterAll(async () => {
    await server?.close();
  });
  beforeEach(() => {
    server?.reset();
  });
  return {
    get server(): FakeUpstream {
      if (!server) throw new Error('the fake upstream starts in beforeAll');
      return server;
    },
  };
}
