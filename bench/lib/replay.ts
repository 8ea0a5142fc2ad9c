/**
 * A replaying upstream: forwards a request it has not seen to the local cloud once, then answers the same
 * request (method, path, query and body) from memory after exactly `latencyMs`, with no processing of its
 * own. It separates the time a function spends from the time the local cloud spends serving it.
 */
import { createServer, request, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface Stored {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: Buffer;
}

export interface ReplayUpstream {
  readonly url: string;
  readonly stats: { hits: number; misses: number };
  close(): Promise<void>;
}

/** Sends one request on to `target` as received (the Host header too, so a signature still verifies). */
export function forward(target: URL, method: string, path: string, headers: IncomingHttpHeaders, body: Buffer): Promise<Stored> {
  return new Promise((resolve, reject) => {
    const req = request({ host: target.hostname, port: target.port, method, path, headers }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        const keep: Record<string, string> = {};
        for (const name of ['content-type', 'x-request-id']) {
          const value = res.headers[name];
          if (typeof value === 'string') keep[name] = value;
        }
        resolve({ status: res.statusCode ?? 502, headers: keep, body: Buffer.concat(chunks) });
      });
    });
    req.on('error', reject);
    req.end(body);
  });
}

export async function startReplayUpstream(targetUrl: string, latencyMs: number): Promise<ReplayUpstream> {
  const target = new URL(targetUrl);
  const store = new Map<string, Stored>();
  const stats = { hits: 0, misses: 0 };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const body = Buffer.concat(chunks);
      const key = `${req.method} ${req.url} ${body.toString('utf8')}`;
      const answer = (stored: Stored) =>
        setTimeout(() => {
          res.writeHead(stored.status, { ...stored.headers, 'content-length': stored.body.length });
          res.end(stored.body);
        }, latencyMs);
      const known = store.get(key);
      if (known) {
        stats.hits++;
        answer(known);
        return;
      }
      stats.misses++;
      forward(target, req.method ?? 'GET', req.url ?? '/', req.headers, body).then(
        (stored) => {
          if (stored.status >= 200 && stored.status < 300) store.set(key, stored);
          answer(stored);
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  return {
    url: `http://127.0.0.1:${port}`,
    stats,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}
