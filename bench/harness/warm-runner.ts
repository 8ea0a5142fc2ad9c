/**
 * Warm per-invocation overhead, in one process: a local node:http server answers every request with a
 * response captured from the local cloud, and the bare round trip (a raw http.request), the floor, the
 * official-SDK reference and our function each call it in turn, thousands of times, already warm.
 * Overhead = a variant's latency quantile minus the bare round trip's same quantile.
 *
 *   node warm-runner.js <job.json> <out.json>
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { createServer, request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import type { AddressInfo } from 'node:net';
import { contextFor, type ContextKind } from './contexts';

interface Canned {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

interface Job {
  /** name → bundle path; each is invoked with `event`. */
  readonly variants: Record<string, string>;
  readonly event: unknown;
  readonly context: ContextKind;
  readonly expectStatus: number;
  readonly canned: Canned;
  /** The upstream path the raw round trip requests (path and query). */
  readonly rawPath: string;
  /** Environment variables naming the upstream endpoint, pointed at the local server. */
  readonly endpointVariables: readonly string[];
  readonly iterations: number;
  readonly warmup: number;
}

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number }>;

function rawGet(port: number, path: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const req = httpRequest({ host: '127.0.0.1', port, path, method: 'GET', headers: { accept: 'application/json' } }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => {
        JSON.parse(Buffer.concat(chunks).toString('utf8'));
        resolve(res.statusCode ?? 0);
      });
    });
    req.on('error', reject);
    req.end();
  });
}

async function main(): Promise<void> {
  const [jobPath, outPath] = process.argv.slice(2);
  if (!jobPath || !outPath) throw new Error('usage: warm-runner <job.json> <out.json>');
  const job = JSON.parse(readFileSync(jobPath, 'utf8')) as Job;
  const body = Buffer.from(job.canned.body, 'utf8');
  const seen: { method: string; path: string; headers: IncomingHttpHeaders }[] = [];
  const server = createServer((req, res) => {
    if (seen.length < 8) seen.push({ method: req.method ?? '', path: req.url ?? '', headers: req.headers });
    req.resume();
    req.on('end', () => {
      res.writeHead(job.canned.status, { ...job.canned.headers, 'content-length': body.length });
      res.end(body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as AddressInfo).port;
  for (const name of job.endpointVariables) process.env[name] = `http://127.0.0.1:${port}`;

  const calls: Record<string, () => Promise<void>> = {
    raw: async () => {
      const status = await rawGet(port, job.rawPath);
      if (status !== job.canned.status) throw new Error(`raw: status ${status}`);
    },
  };
  for (const [name, file] of Object.entries(job.variants)) {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const handler = (require(file) as { handler: Handler }).handler;
    calls[name] = async () => {
      const event = structuredClone(job.event);
      const context = contextFor(job.context);
      const t0 = performance.now();
      const response = await handler(event, context);
      last = performance.now() - t0;
      if (response.statusCode !== job.expectStatus) throw new Error(`${name}: status ${response.statusCode}, expected ${job.expectStatus}`);
    };
  }
  let last = 0;
  const names = Object.keys(calls);
  const samples: Record<string, number[]> = Object.fromEntries(names.map((n) => [n, [] as number[]]));
  const timed = async (name: string): Promise<number> => {
    const call = calls[name] as () => Promise<void>;
    if (name === 'raw') {
      const t0 = performance.now();
      await call();
      return performance.now() - t0;
    }
    await call();
    return last;
  };
  for (let i = 0; i < job.warmup; i++) for (const name of names) await timed(name);
  for (let i = 0; i < job.iterations; i++) {
    // Rotate the order every iteration, so no variant always follows the same one.
    for (let k = 0; k < names.length; k++) {
      const name = names[(i + k) % names.length] as string;
      (samples[name] as number[]).push(await timed(name));
    }
  }
  server.close();
  writeFileSync(
    outPath,
    JSON.stringify({ samples, upstreamRequests: seen.map((s) => ({ method: s.method, path: s.path, headerNames: Object.keys(s.headers).sort() })) }),
  );
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
