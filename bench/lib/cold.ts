/**
 * Cold start of every function and of both references: a fresh Node process loads the production bundle
 * and completes its first invocation against the local cloud (reset before each run). Variants are
 * interleaved in a shuffled order every round so that machine noise hits all of them alike.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator } from '../../emulator';
import { localFunctionEnv } from '../../scripts/local-stack';
import { WORK } from './build';
import { cleanEnv, readOutput, runNode } from './child';
import type { BenchContext, Variant } from './context';
import { BENCH_TOKEN, invocationFor, listPendingItemsInvocation, type Invocation } from './events';
import { figure, NO_TARGET } from './results';
import { mulberry32, ratio, shuffled, spread } from './stats';

interface RunnerOutput {
  readonly loadMs: number;
  readonly invokeMs: number;
  readonly readyMs: number;
  readonly maxRssKb: number;
  readonly status?: number;
  readonly bodyHead?: string;
  readonly resultStatus?: string;
  readonly result?: unknown;
}

interface Samples {
  wall: number[];
  ready: number[];
  load: number[];
  invoke: number[];
  rssMb: number[];
  failure?: string;
}

export const COLD_TARGET = 'at most 1.5× the floor and at most 0.5× the official SDK';

interface ColdVariant {
  readonly key: string;
  readonly label: string;
  /** '-' loads nothing: bare Node, for context. */
  readonly bundleFile: string;
  readonly exportName: string;
  readonly invocation: Invocation | undefined;
}

export interface ColdResult {
  readonly samples: ReadonlyMap<string, Samples>;
}

export async function measureColdStarts(ctx: BenchContext): Promise<ColdResult> {
  const dir = join(WORK, 'cold');
  mkdirSync(dir, { recursive: true });
  const variants: ColdVariant[] = [
    { key: 'node', label: 'bare node (no bundle)', bundleFile: '-', exportName: 'handler', invocation: undefined },
    { key: 'floor', label: ctx.floor.label, bundleFile: ctx.floor.bundle.file, exportName: 'handler', invocation: listPendingItemsInvocation() },
    { key: 'officialSdk', label: ctx.officialSdk.label, bundleFile: ctx.officialSdk.bundle.file, exportName: 'handler', invocation: listPendingItemsInvocation() },
  ];
  for (const v of ctx.functions as Variant[]) {
    const fn = v.fn;
    if (!fn) continue;
    const invocation = invocationFor(fn.name);
    if (!invocation) {
      ctx.problems.push(`${fn.name}: the bench has no first invocation for it; its cold start was not measured`);
      continue;
    }
    variants.push({ key: v.key, label: v.label, bundleFile: v.bundle.file, exportName: fn.exportName, invocation });
  }

  const emulator = await startEmulator({ port: 0 });
  const baseEnv = { ...localFunctionEnv(emulator, BENCH_TOKEN), LOG_LEVEL: 'info', NODE_OPTIONS: ctx.settings.nodeOptions };
  const envOf = (v: ColdVariant) => cleanEnv({ ...baseEnv, ...(v.invocation?.env ?? {}) });
  const samples = new Map<string, Samples>(variants.map((v) => [v.key, { wall: [], ready: [], load: [], invoke: [], rssMb: [] }]));
  const jobFile = (key: string) => join(dir, `${key}.job.json`);
  for (const v of variants) {
    writeFileSync(jobFile(v.key), JSON.stringify({ event: v.invocation?.event ?? null, context: 'functiongraph', exportName: v.exportName }));
  }

  const once = async (v: ColdVariant): Promise<{ wallMs: number; out: RunnerOutput }> => {
    emulator.reset();
    const outFile = join(dir, `${v.key}.out.json`);
    writeFileSync(outFile, '');
    const run = await runNode(ctx.harness.cold, [v.bundleFile, jobFile(v.key), outFile], { env: envOf(v), timeoutMs: 60_000 });
    const out = readOutput<RunnerOutput>(outFile, run, `cold start of ${v.key}`);
    const expected = v.invocation?.expectStatus;
    if (typeof expected === 'number' && out.status !== expected) {
      throw new Error(`cold start of ${v.key}: first invocation answered ${out.status}, expected ${expected}: ${out.bodyHead ?? ''}`);
    }
    const expectedResult = v.invocation?.expectResult;
    if (expectedResult !== undefined && out.resultStatus !== expectedResult) {
      throw new Error(`cold start of ${v.key}: first invocation answered ${JSON.stringify(out.result ?? out.resultStatus ?? null).slice(0, 300)}, expected status "${expectedResult}"`);
    }
    return { wallMs: run.wallMs, out };
  };

  try {
    // One unrecorded round: disk cache and the emulator's own first requests.
    for (const v of variants) {
      try {
        await once(v);
      } catch (error) {
        (samples.get(v.key) as Samples).failure = error instanceof Error ? error.message : String(error);
      }
    }
    const random = mulberry32(20250101);
    for (let round = 0; round < ctx.reps.cold; round++) {
      ctx.log(`cold start round ${round + 1}/${ctx.reps.cold}`);
      for (const v of shuffled(variants, random)) {
        const s = samples.get(v.key) as Samples;
        if (s.failure) continue;
        try {
          const { wallMs, out } = await once(v);
          s.wall.push(wallMs);
          s.ready.push(out.readyMs);
          s.load.push(out.loadMs);
          s.invoke.push(out.invokeMs);
          s.rssMb.push(out.maxRssKb / 1024);
        } catch (error) {
          s.failure = error instanceof Error ? error.message : String(error);
        }
      }
    }
  } finally {
    await emulator.close();
  }

  for (const v of variants) {
    const failure = samples.get(v.key)?.failure;
    if (failure) ctx.problems.push(`${v.key}: cold start not measured: ${failure.split('\n').slice(0, 4).join(' / ')}`);
  }
  addFigures(ctx, variants, samples);
  return { samples };
}

function addFigures(ctx: BenchContext, variants: readonly ColdVariant[], samples: ReadonlyMap<string, Samples>): void {
  const median = (key: string, pick: (s: Samples) => number[]) => {
    const s = samples.get(key);
    return s && !s.failure && pick(s).length ? spread(pick(s)).median : undefined;
  };
  const floorWall = median('floor', (s) => s.wall);
  const sdkWall = median('officialSdk', (s) => s.wall);
  const floorRss = median('floor', (s) => s.rssMb);
  const sdkRss = median('officialSdk', (s) => s.rssMb);
  const n = ctx.reps.cold;
  for (const v of variants) {
    const s = samples.get(v.key);
    if (!s || s.failure || s.wall.length === 0) continue;
    const wall = spread(s.wall);
    const ours = v.key !== 'node' && v.key !== 'floor' && v.key !== 'officialSdk';
    const vsFloor = ratio(wall.median, floorWall);
    const vsOfficialSdk = ratio(wall.median, sdkWall);
    ctx.figures.push(
      figure({
        name: `cold start: ${v.label}`,
        group: 'cold-start',
        value: wall.median,
        min: wall.min,
        max: wall.max,
        samples: wall.n,
        unit: 'ms',
        stat: `median of ${n} fresh processes (wall, spawn to exit)`,
        ratios: { vsFloor, vsOfficialSdk },
        ...(ours ? { target: COLD_TARGET, met: vsFloor !== undefined && vsOfficialSdk !== undefined && vsFloor <= 1.5 && vsOfficialSdk <= 0.5 } : { target: NO_TARGET }),
      }),
    );
  }
  for (const v of variants) {
    const s = samples.get(v.key);
    if (!s || s.failure || s.rssMb.length === 0) continue;
    const rss = spread(s.rssMb);
    ctx.figures.push(
      figure({
        name: `cold start peak memory: ${v.label}`,
        group: 'cold-start-memory',
        value: rss.median,
        min: rss.min,
        max: rss.max,
        samples: rss.n,
        unit: 'MB',
        stat: `median maxRSS of ${n} processes`,
        ratios: { vsFloor: ratio(rss.median, floorRss), vsOfficialSdk: ratio(rss.median, sdkRss) },
        target: NO_TARGET,
      }),
    );
  }
  // The split inside the process, for the diagnosis (not figures: the wall time above is the measure).
  const rows = variants
    .filter((v) => samples.get(v.key)?.wall.length)
    .map((v) => {
      const s = samples.get(v.key) as Samples;
      const m = (xs: number[]) => spread(xs).median.toFixed(1);
      return `| ${v.label} | ${m(s.wall)} | ${m(s.ready)} | ${m(s.load)} | ${m(s.invoke)} | ${m(s.rssMb)} |`;
    });
  ctx.diagnostics.push(
    [
      '### Cold start, split inside the process (medians)',
      '',
      'wall: spawn to exit, as seen by the parent. ready: `performance.now()` at the end of the first invocation (Node bootstrap + load + first invocation). load: `require()` of the bundle. first invocation: the handler call, including its upstream round trip to the local cloud.',
      '',
      '| variant | wall ms | ready ms | load ms | first invocation ms | maxRSS MB |',
      '| --- | --- | --- | --- | --- | --- |',
      ...rows,
    ].join('\n'),
  );
}
