/**
 * Warm overhead: the time a warm invocation adds above its upstream round trip, for our listPendingItems,
 * the floor and the official-SDK reference, all making the same GET against the same local server in one
 * process (bench/harness/warm-runner.ts). The server answers a response captured from the local cloud, so
 * every variant parses and validates a real body.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { localFunctionEnv } from '../../scripts/local-stack';
import { signedCall } from '../../test/helpers/emulator';
import { WORK } from './build';
import { cleanEnv, readOutput, runNode } from './child';
import type { BenchContext } from './context';
import { BENCH_TOKEN, listPendingItemsInvocation } from './events';
import { figure, NO_TARGET } from './results';
import { quantile, ratio } from './stats';

export const WARM_TARGET_MS = 1;
export const ENDPOINT_VARIABLES = ['HUAWEICLOUD_ENDPOINT_DATAARTS', 'HUAWEICLOUD_ENDPOINT_CODEARTS_DEPLOY', 'HUAWEICLOUD_ENDPOINT_CODEARTS_PIPELINE', 'HUAWEICLOUD_ENDPOINT_IAM'];

export interface Captured {
  readonly status: number;
  readonly headers: Record<string, string>;
  readonly body: string;
}

/** A signed GET of pending items (limit 5) from the local cloud: the response the warm server replays. */
export async function capture(emulator: RunningEmulator, path: string): Promise<Captured> {
  const response = await signedCall(emulator, { method: 'GET', path, headers: { workspace: emulator.identity.workspace } });
  const headers: Record<string, string> = {};
  for (const name of ['content-type', 'x-request-id']) {
    const value = response.headers[name];
    if (typeof value === 'string') headers[name] = value;
  }
  return { status: response.status, headers, body: response.text };
}

export interface WarmOutput {
  readonly samples: Record<string, number[]>;
  readonly upstreamRequests: { method: string; path: string; headerNames: string[] }[];
}

export async function measureWarmOverhead(ctx: BenchContext): Promise<void> {
  const ours = ctx.functions.find((f) => f.key === 'listPendingItems');
  if (!ours) ctx.problems.push('warm overhead: listPendingItems did not bundle; only the references were measured');
  const emulator = await startEmulator({ port: 0 });
  let canned: Captured;
  const rawPath = `/v2/${emulator.identity.projectId}/factory/pending-items?limit=5&offset=0`;
  let env: Record<string, string>;
  try {
    canned = await capture(emulator, rawPath);
    if (canned.status !== 200) throw new Error(`capturing pending items answered ${canned.status}: ${canned.body.slice(0, 200)}`);
    env = cleanEnv({ ...localFunctionEnv(emulator, BENCH_TOKEN), LOG_LEVEL: 'info', NODE_OPTIONS: ctx.settings.nodeOptions });
  } finally {
    await emulator.close();
  }
  const dir = join(WORK, 'warm');
  mkdirSync(dir, { recursive: true });
  const invocation = listPendingItemsInvocation();
  const variants: Record<string, string> = { floor: ctx.floor.bundle.file, officialSdk: ctx.officialSdk.bundle.file };
  if (ours) variants.ours = ours.bundle.file;
  const job = join(dir, 'warm.job.json');
  const out = join(dir, 'warm.out.json');
  writeFileSync(
    job,
    JSON.stringify({
      variants,
      event: invocation.event,
      context: 'functiongraph',
      expectStatus: invocation.expectStatus,
      canned,
      rawPath,
      endpointVariables: ENDPOINT_VARIABLES,
      iterations: ctx.reps.warmIterations,
      warmup: ctx.reps.warmup,
    }),
  );
  ctx.log(`warm overhead: ${ctx.reps.warmIterations} invocations of each of ${Object.keys(variants).length} variants, plus the bare round trip`);
  const run = await runNode(ctx.harness.warm, [job, out], { env, timeoutMs: 240_000 });
  const result = readOutput<WarmOutput>(out, run, 'warm overhead');

  const raw = result.samples.raw ?? [];
  const q = (name: string, p: number) => quantile(result.samples[name] ?? [], p);
  const overhead = (name: string, p: number) => q(name, p) - quantile(raw, p);
  const n = ctx.reps.warmIterations;
  ctx.figures.push(
    figure({
      name: 'warm round trip: bare http.request',
      group: 'warm-overhead',
      value: quantile(raw, 0.5),
      unit: 'ms',
      stat: `p50 of ${n} calls (p99 ${quantile(raw, 0.99).toFixed(3)} ms)`,
      target: NO_TARGET,
    }),
  );
  const labels: Record<string, string> = { floor: ctx.floor.label, officialSdk: ctx.officialSdk.label, ours: 'listPendingItems' };
  for (const name of Object.keys(variants)) {
    for (const p of [0.5, 0.99]) {
      const value = overhead(name, p);
      const isTarget = name === 'ours' && p === 0.5;
      ctx.figures.push(
        figure({
          name: `warm overhead ${p === 0.5 ? 'p50' : 'p99'}: ${labels[name]}`,
          group: 'warm-overhead',
          value,
          unit: 'ms',
          stat: `${p === 0.5 ? 'p50' : 'p99'} of ${n} invocations minus the bare round trip's`,
          ratios: { vsFloor: ratio(value, overhead('floor', p)), vsOfficialSdk: ratio(value, overhead('officialSdk', p)) },
          ...(isTarget ? { target: `p50 under ${WARM_TARGET_MS} ms`, met: value < WARM_TARGET_MS } : { target: NO_TARGET }),
        }),
      );
    }
  }
  ctx.diagnostics.push(
    [
      '### Warm overhead: what reached the upstream (first requests)',
      '',
      'One line per distinct request: the bare round trip, the floor, the official SDK and ours (in the order first seen).',
      '',
      ...[...new Set(result.upstreamRequests.map((r) => `- ${r.method} ${r.path} — headers: ${r.headerNames.join(', ')}`))],
    ].join('\n'),
  );
}
