/**
 * The upstream calls a function makes in its first invocation, recorded so that the references (the floor
 * and the official SDK, bench/references/) make the same calls: a function is compared with the cheapest
 * and the usual way of making *its* requests, not one GET. A forwarder between the function and the local
 * cloud notes when each request arrived and when its answer left; requests sent before any answer of the
 * current wave came back were in flight together and form one wave, which the references send together too.
 */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { RecordedRequest } from '../../emulator';
import type { UpstreamCall, UpstreamCalls } from '../references/common';
import { forward } from './replay';

/** The request's own headers a reference sends (and signs); transport and authentication headers are its own. */
const CALL_HEADERS = ['workspace', 'x-project-id', 'content-type'] as const;

interface Timed {
  readonly call: UpstreamCall;
  readonly sentAt: number;
  answeredAt: number;
}

export interface CallRecorder {
  /** Point the function's endpoint variables here. */
  readonly url: string;
  /** The calls recorded so far, in waves; then forgets them. */
  take(): UpstreamCalls;
  close(): Promise<void>;
}

/** Groups requests into waves: a request joins the current wave when it was sent before any of the wave's answers arrived. */
export function wavesOf(requests: readonly Timed[]): UpstreamCalls {
  const waves: UpstreamCall[][] = [];
  let firstAnswer = -Infinity;
  for (const r of [...requests].sort((a, b) => a.sentAt - b.sentAt)) {
    const current = waves[waves.length - 1];
    if (current && r.sentAt < firstAnswer) {
      current.push(r.call);
      firstAnswer = Math.min(firstAnswer, r.answeredAt);
    } else {
      waves.push([r.call]);
      firstAnswer = r.answeredAt;
    }
  }
  return waves;
}

export async function startCallRecorder(targetUrl: string): Promise<CallRecorder> {
  const target = new URL(targetUrl);
  let recorded: Timed[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const sentAt = performance.now();
      const body = Buffer.concat(chunks);
      const [path = '/', query = ''] = (req.url ?? '/').split(/\?(.*)/s);
      const headers: Record<string, string> = {};
      for (const name of CALL_HEADERS) {
        const value = req.headers[name];
        if (typeof value === 'string') headers[name] = value;
      }
      forward(target, req.method ?? 'GET', req.url ?? '/', req.headers, body).then(
        (answer) => {
          const call: UpstreamCall = { method: req.method ?? 'GET', path, query, headers, body: body.length === 0 ? undefined : body.toString('utf8'), status: answer.status };
          recorded.push({ call, sentAt, answeredAt: performance.now() });
          res.writeHead(answer.status, { ...answer.headers, 'content-length': answer.body.length });
          res.end(answer.body);
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    take: () => {
      const waves = wavesOf(recorded);
      recorded = [];
      return waves;
    },
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

/** A call as compared: method, path, decoded query pairs in order, and the body's JSON value. */
function identity(method: string, path: string, query: string, body: string | undefined): string {
  const pairs = [...new URLSearchParams(query)].sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0));
  return JSON.stringify([method, path, pairs, body === undefined || body === '' ? null : (JSON.parse(body) as unknown)]);
}

/**
 * Why the requests a reference made differ from the function's calls (as multisets), or undefined when
 * they are the same requests.
 */
export function callsDiffer(calls: UpstreamCalls, received: readonly RecordedRequest[]): string | undefined {
  const expected = calls.flat().map((c) => identity(c.method, c.path, c.query, c.body)).sort();
  const got = received.map((r) => identity(r.method, r.path, r.query, r.body)).sort();
  if (JSON.stringify(expected) === JSON.stringify(got)) return undefined;
  return `expected ${expected.join(' ; ')} but the local cloud received ${got.join(' ; ')}`;
}
