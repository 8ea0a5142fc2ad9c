/**
 * Cold start of every function and of the references: a fresh Node process loads the production bundle
 * and completes its first invocation against the local cloud (reset before each run). Each function is
 * compared with references that make its own upstream calls (bench/lib/upstream-calls.ts records them once,
 * then every reference run is checked to have made the same requests). Variants are interleaved in a
 * shuffled order every round so that machine noise hits all of them alike.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { localFunctionEnv } from '../../scripts/local-stack';
import type { UpstreamCalls } from '../references/common';
import { WORK } from './build';
import { cleanEnv, readOutput, runNode } from './child';
import type { BenchContext, Variant } from './context';
import { BENCH_TOKEN, invocationFor, type Invocation } from './events';
import { figure, NO_TARGET } from './results';
import { mulberry32, ratio, shuffled, spread } from './stats';
import { callsDiffer, startCallRecorder } from './upstream-calls';
import { ENDPOINT_VARIABLES } from './warm';

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

export const COLD_TARGET = 'at most 1.5× the floor and at most 0.5× the official SDK, each making the function\'s own upstream calls';

interface ColdVariant {
  readonly key: string;
  readonly label: string;
  /** '-' loads nothing: bare Node, for context. */
  readonly bundleFile: string;
  readonly exportName: string;
  readonly invocation: Invocation | undefined;
  /** A reference's calls to make (its BENCH_UPSTREAM_CALLS), checked against what the local cloud received. */
  readonly calls?: UpstreamCalls;
  /** A function's references: the keys of its floor and official-SDK variants. */
  readonly references?: { readonly floor: string; readonly officialSdk: string };
}

/** An API gateway request without credentials: a public route's. */
function isPublicRequest(event: unknown): boolean {
  if (typeof event !== 'object' || event === null || !('httpMethod' in event)) return false;
  const headers = (event as { headers?: Record<string, string> | null }).headers ?? {};
  return !Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
}

/** The `status` field of an HTTP answer's JSON body (it comes first in our results), from the body's first characters. */
const bodyStatus = (head: string | undefined) => /^\{"status":"([^"]*)"/.exec(head ?? '')?.[1];

/** Throws unless the first invocation answered what it must: an HTTP status, and the status its result or body carries. */
function checkAnswer(v: ColdVariant, out: RunnerOutput): void {
  const expected = v.invocation?.expectStatus;
  if (typeof expected === 'number' && out.status !== expected) {
    throw new Error(`cold start of ${v.key}: first invocation answered ${out.status}, expected ${expected}: ${out.bodyHead ?? ''}`);
  }
  const expectedResult = v.invocation?.expectResult;
  const resultStatus = typeof expected === 'number' ? bodyStatus(out.bodyHead) : out.resultStatus;
  if (expectedResult !== undefined && resultStatus !== expectedResult) {
    throw new Error(`cold start of ${v.key}: first invocation answered ${JSON.stringify(out.result ?? out.bodyHead ?? out.resultStatus ?? null).slice(0, 300)}, expected status "${expectedResult}"`);
  }
}

export interface ColdResult {
  readonly samples: ReadonlyMap<string, Samples>;
}

const describeCalls = (calls: UpstreamCalls) => {
  const n = calls.flat().length;
  return n === 0 ? 'none' : `${n} in ${calls.length} wave${calls.length === 1 ? '' : 's'}`;
};

/**
 * Each function's upstream calls in its first invocation: one cold start per function against a recorder
 * in front of the freshly reset local cloud.
 */
async function recordCalls(ctx: BenchContext, emulator: RunningEmulator, functions: readonly ColdVariant[], runFunction: (v: ColdVariant, env: Record<string, string>) => Promise<void>): Promise<Map<string, UpstreamCalls>> {
  const recorder = await startCallRecorder(emulator.url);
  const calls = new Map<string, UpstreamCalls>();
  try {
    for (const v of functions) {
      emulator.reset();
      try {
        await runFunction(v, Object.fromEntries(ENDPOINT_VARIABLES.map((name) => [name, recorder.url])));
        // None for a function that calls nothing upstream (openapi): its references then only load and answer.
        calls.set(v.key, recorder.take());
      } catch (error) {
        recorder.take();
        ctx.problems.push(`${v.key}: its upstream calls could not be recorded, so its cold start was not measured: ${error instanceof Error ? error.message.split('\n')[0] : String(error)}`);
      }
    }
  } finally {
    await recorder.close();
  }
  return calls;
}

export async function measureColdStarts(ctx: BenchContext): Promise<ColdResult> {
  const dir = join(WORK, 'cold');
  mkdirSync(dir, { recursive: true });
  const variants: ColdVariant[] = [{ key: 'node', label: 'bare node (no bundle)', bundleFile: '-', exportName: 'handler', invocation: undefined }];
  const functions: ColdVariant[] = [];
  for (const v of ctx.functions as Variant[]) {
    const fn = v.fn;
    if (!fn) continue;
    const invocation = invocationFor(fn.name);
    if (!invocation) {
      ctx.problems.push(`${fn.name}: the bench has no first invocation for it; its cold start was not measured`);
      continue;
    }
    functions.push({ key: v.key, label: v.label, bundleFile: v.bundle.file, exportName: fn.exportName, invocation });
  }

  const emulator = await startEmulator({ port: 0 });
  const baseEnv = { ...localFunctionEnv(emulator, BENCH_TOKEN), LOG_LEVEL: 'info', NODE_OPTIONS: ctx.settings.nodeOptions };
  const envOf = (v: ColdVariant) => cleanEnv({ ...baseEnv, ...(v.invocation?.env ?? {}), ...(v.calls ? { BENCH_UPSTREAM_CALLS: JSON.stringify(v.calls) } : {}) });
  const jobFile = (key: string) => join(dir, `${key.replace(/[^A-Za-z0-9_-]/g, '_')}.job.json`);
  const writeJob = (v: ColdVariant) => writeFileSync(jobFile(v.key), JSON.stringify({ event: v.invocation?.event ?? null, context: 'functiongraph', exportName: v.exportName }));

  /**
   * A function's references: the floor and the official-SDK path making its calls, invoked with its event
   * (an HTTP function's carries the bearer token they check; a timer's or pipeline event's asks for none).
   * listPendingItems' are the floor and official SDK of the other sections (one GET).
   */
  const addReferences = (v: ColdVariant, calls: UpstreamCalls): { floor: string; officialSdk: string } => {
    const keys = v.key === 'listPendingItems' ? { floor: 'floor', officialSdk: 'officialSdk' } : { floor: `floor:${v.key}`, officialSdk: `officialSdk:${v.key}` };
    const what = `${v.key}'s upstream calls (${describeCalls(calls)})`;
    // They answer 200 once every call got the status the function's got. A public route's request
    // (openapi's: no credentials) is not handed to them, so they check no credentials either.
    const event = v.invocation?.event ?? null;
    const invocation: Invocation = { event: isPublicRequest(event) ? null : event, expectStatus: 200 };
    variants.push(
      { key: keys.floor, label: `${ctx.floor.label}: ${what}`, bundleFile: ctx.floor.bundle.file, exportName: 'handler', invocation, calls },
      { key: keys.officialSdk, label: `${ctx.officialSdk.label}: ${what}`, bundleFile: ctx.officialSdk.bundle.file, exportName: 'handler', invocation, calls },
    );
    return keys;
  };

  const samples = new Map<string, Samples>();
  try {
    const recorded = await recordCalls(ctx, emulator, functions, async (v, env) => {
      writeJob(v);
      const outFile = join(dir, 'record.out.json');
      const run = await runNode(ctx.harness.cold, [v.bundleFile, jobFile(v.key), outFile], { env: cleanEnv({ ...baseEnv, ...(v.invocation?.env ?? {}), ...env }), timeoutMs: 60_000 });
      checkAnswer(v, readOutput<RunnerOutput>(outFile, run, `recording the calls of ${v.key}`));
    });
    for (const v of functions) {
      const calls = recorded.get(v.key);
      if (calls) variants.push({ ...v, references: addReferences(v, calls) });
    }
    for (const v of variants) {
      samples.set(v.key, { wall: [], ready: [], load: [], invoke: [], rssMb: [] });
      writeJob(v);
    }
    const once = async (v: ColdVariant): Promise<{ wallMs: number; out: RunnerOutput }> => {
      emulator.reset();
      const outFile = join(dir, `${v.key.replace(/[^A-Za-z0-9_-]/g, '_')}.out.json`);
      writeFileSync(outFile, '');
      const run = await runNode(ctx.harness.cold, [v.bundleFile, jobFile(v.key), outFile], { env: envOf(v), timeoutMs: 60_000 });
      const out = readOutput<RunnerOutput>(outFile, run, `cold start of ${v.key}`);
      checkAnswer(v, out);
      const differs = v.calls ? callsDiffer(v.calls, emulator.requests) : undefined;
      if (differs) throw new Error(`cold start of ${v.key}: not the function's calls: ${differs}`);
      return { wallMs: run.wallMs, out };
    };
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
  const n = ctx.reps.cold;
  // A function against its own references; the rest (bare node, the references) against listPendingItems' (one GET).
  const referencesOf = (v: ColdVariant) => v.references ?? { floor: 'floor', officialSdk: 'officialSdk' };
  for (const v of variants) {
    const s = samples.get(v.key);
    if (!s || s.failure || s.wall.length === 0) continue;
    const wall = spread(s.wall);
    const refs = referencesOf(v);
    const vsFloor = ratio(wall.median, median(refs.floor, (x) => x.wall));
    const vsOfficialSdk = ratio(wall.median, median(refs.officialSdk, (x) => x.wall));
    const vsOneGet = ratio(wall.median, median('floor', (x) => x.wall));
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
        ...(v.references
          ? {
              target: COLD_TARGET,
              met: vsFloor !== undefined && vsOfficialSdk !== undefined && vsFloor <= 1.5 && vsOfficialSdk <= 0.5,
              ...(v.references.floor === 'floor' || vsOneGet === undefined ? {} : { note: `${vsOneGet.toFixed(2)}× listPendingItems' floor (one GET)` }),
            }
          : { target: NO_TARGET }),
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
        ratios: { vsFloor: ratio(rss.median, median(referencesOf(v).floor, (x) => x.rssMb)), vsOfficialSdk: ratio(rss.median, median(referencesOf(v).officialSdk, (x) => x.rssMb)) },
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
