/**
 * One cold start, in a fresh Node process: load a production bundle, complete its first invocation, write
 * what was measured inside the process to a file and exit at once. Bundled by run.ts to plain CommonJS so
 * that nothing but node itself is loaded before the function.
 *
 *   node cold-runner.js <bundle.js | -> <job.json> <out.json>
 *
 * job.json: { event, context: 'functiongraph' | 'lambda', exportName, loadOnly }. "-" loads nothing (bare Node).
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { contextFor, type ContextKind } from './contexts';

interface Job {
  readonly event: unknown;
  readonly context: ContextKind;
  readonly exportName?: string;
  /** Only load the bundle (isolated module load costs). */
  readonly loadOnly?: boolean;
}

type Handler = (event: unknown, context: unknown) => Promise<{ statusCode?: number } | undefined>;

async function main(): Promise<void> {
  const [bundlePath, jobPath, outPath] = process.argv.slice(2);
  if (!bundlePath || !jobPath || !outPath) throw new Error('usage: cold-runner <bundle.js|-> <job.json> <out.json>');
  const job = JSON.parse(readFileSync(jobPath, 'utf8')) as Job;
  const t0 = performance.now();
  const h0 = process.hrtime.bigint();
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  const mod = bundlePath === '-' ? undefined : (require(bundlePath) as Record<string, Handler>);
  const t1 = performance.now();
  const h1 = process.hrtime.bigint();
  let status: number | undefined;
  let result: unknown;
  if (mod && !job.loadOnly) {
    const handler = mod[job.exportName ?? 'handler'];
    if (typeof handler !== 'function') throw new Error(`${bundlePath} exports no ${job.exportName ?? 'handler'}`);
    const response = await handler(job.event, contextFor(job.context));
    status = response?.statusCode;
    result = response;
  }
  const t2 = performance.now();
  const h2 = process.hrtime.bigint();
  const usage = process.resourceUsage();
  const cpu = process.cpuUsage();
  writeFileSync(
    outPath,
    JSON.stringify({
      loadMs: t1 - t0,
      invokeMs: t2 - t1,
      // performance.now() counts from the process's time origin: bootstrap + load + first invocation.
      readyMs: t2,
      maxRssKb: usage.maxRSS,
      /** CPU time of the whole process so far (user + system). */
      cpuMs: (cpu.user + cpu.system) / 1000,
      // Monotonic clock marks (µs), the clock of --cpu-prof timestamps: load is [h0, h1], first invocation [h1, h2].
      marksUs: [h0, h1, h2].map((h) => Number(h / 1000n)),
      status,
      bodyHead: typeof (result as { body?: unknown } | undefined)?.body === 'string' ? ((result as { body: string }).body).slice(0, 300) : undefined,
      // Timer and event functions answer an object, not an HTTP response.
      resultStatus: typeof (result as { status?: unknown } | undefined)?.status === 'string' ? (result as { status: string }).status : undefined,
      result: status === undefined ? result : undefined,
    }),
  );
  process.exit(0);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exit(1);
});
