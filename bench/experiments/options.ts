/**
 * What would make the functions meet the cold-start and size targets, measured before anyone changes
 * shared/ or functions/: experimental builds of the same sources (bench/experiments/plugins.ts), other
 * runtime flags, a V8 code cache and a precomputed OpenAPI document, each cold-started interleaved with
 * the floor and the official-SDK reference, exactly as `npm run bench` does; plus a --cpu-prof breakdown.
 *
 *   node --import tsx bench/experiments/options.ts      (BENCH_QUICK=1 for fewer runs)
 * Writes bench/experiments/RESULTS.md.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { BuildOptions } from 'esbuild';
import { startEmulator } from '../../emulator';
import { localFunctionEnv } from '../../scripts/local-stack';
import { buildOpenApiDocument } from '../../shared/openapi';
import { httpRoutes } from '../../functions/http/routes';
import { API_VERSION } from '../../functions/http/openapi';
import { bundle, referenceSettings, ROOT, WORK, type BuiltBundle } from '../lib/build';
import { cleanEnv, readOutput, runNode } from '../lib/child';
import { buildHarness, HARNESS } from '../lib/context';
import { BENCH_TOKEN, invocationFor, lastQuarterHour, listPendingItemsInvocation, timerInvocation, type Invocation } from '../lib/events';
import { CHECK_LATENCY_MS, CHECK_PACKAGES, RELEASE_CHECK_ENTRY } from '../lib/release-check';
import { RELEASE_CHECK_DEFAULTS } from '../../shared/schedules/config';
import { readServiceSettings } from '../lib/build';
import { machine } from '../lib/report';
import { mulberry32, shuffled, spread } from '../lib/stats';
import { writeCodeCacheLoader } from './code-cache';
import { axiosLazyGlobalFormData, lazyAxios, rewriteProjectSources, speculativeFirstPages, trimAxiosForNode, unmarkedProjectSources } from './plugins';
import { breakdownTable, profileColdStart } from './profile';
import { capture, ENDPOINT_VARIABLES, type WarmOutput } from '../lib/warm';
import { quantile } from '../lib/stats';

const QUICK = process.env.BENCH_QUICK === '1';
const RUNS = QUICK ? 5 : 12;
const PROFILE_RUNS = QUICK ? 3 : 8;
const DIR = join(WORK, 'experiments');

interface Experiment {
  readonly key: string;
  readonly what: string;
  readonly fn: 'listPendingItems' | 'openapi' | 'reference';
  /** The file the cold runner requires. */
  file: string;
  bundle?: BuiltBundle;
  entry?: string;
  overrides?: BuildOptions;
  readonly nodeOptions?: string;
  readonly invocation: Invocation;
  readonly env?: Record<string, string>;
}

const log = (m: string) => process.stderr.write(`[experiments] ${m}\n`);

/** Same code, ignoring the source map comment (it names the file). */
function sameBytes(a: string, b: string): boolean {
  const code = (file: string) => readFileSync(file, 'utf8').replace(/\/\/# sourceMappingURL=.*\s*$/, '');
  return code(a) === code(b);
}

async function main(): Promise<void> {
  const started = Date.now();
  const settings = readServiceSettings();
  mkdirSync(DIR, { recursive: true });
  const cold = await buildHarness('bench/harness/cold-runner.ts', 'cold-runner.js');
  const base: BuildOptions = settings.esbuild;
  const fnEntry = (name: string) => settings.functions.find((f) => f.name === name)?.entry ?? '';
  const build = (key: string, entry: string, overrides: BuildOptions = {}) => bundle(entry, join(DIR, `${key}.js`), base, overrides);
  const lazy: BuildOptions = { plugins: [rewriteProjectSources(lazyAxios)] };
  const document = JSON.stringify(buildOpenApiDocument(httpRoutes, { version: API_VERSION }));

  const list = listPendingItemsInvocation();
  const openapi = invocationFor('openapi') as Invocation;
  const experiments: Experiment[] = [];
  const add = async (e: Omit<Experiment, 'file'>, entry: string, overrides: BuildOptions = {}) => {
    const built = e.fn === 'reference' ? await bundle(entry, join(DIR, `${e.key}.js`), referenceSettings(base)) : await build(e.key, entry, overrides);
    // A change the sources or serverless.yml already make gives the deployed bundle byte for byte: say so.
    const deployed = experiments.find((x) => x.fn === e.fn && x.key.endsWith('.deployed'));
    const sameRuntime = !e.key.endsWith('Cache') && (e.nodeOptions ?? settings.nodeOptions) === (deployed?.nodeOptions ?? settings.nodeOptions);
    const same = deployed?.bundle !== undefined && e.key !== deployed.key && sameRuntime && sameBytes(deployed.bundle.file, built.file);
    const what = same ? `${e.what} — already applied: the same bytes as deployed` : e.what;
    experiments.push({ ...e, what, bundle: built, file: built.file, entry, overrides });
  };
  log('building the variants');
  await add({ key: 'floor', what: 'floor (node:https + node:crypto)', fn: 'reference', invocation: list }, 'bench/references/floor.ts');
  await add({ key: 'officialSdk', what: 'official SDK core 3.1.211', fn: 'reference', invocation: list }, 'bench/references/official-sdk.ts');
  await add({ key: 'list.deployed', what: 'as deployed', fn: 'listPendingItems', invocation: list }, fnEntry('listPendingItems'));
  const flagged = /--enable-source-maps/.test(settings.nodeOptions);
  experiments.push({
    ...(experiments.at(-1) as Experiment),
    key: 'list.sourceMapsFlag',
    what: flagged ? 'as deployed, without NODE_OPTIONS=--enable-source-maps' : 'as deployed, with NODE_OPTIONS=--enable-source-maps (for comparison)',
    nodeOptions: flagged ? settings.nodeOptions.replace(/--enable-source-maps/, '').trim() : `${settings.nodeOptions} --enable-source-maps`.trim(),
  });
  await add({ key: 'list.noSourceMap', what: 'esbuild sourcemap: false, no flag', fn: 'listPendingItems', invocation: list, nodeOptions: '' }, fnEntry('listPendingItems'), { sourcemap: false });
  await add({ key: 'list.unmarked', what: 'without build/pure-calls.js (every schema and contract of the imported modules kept)', fn: 'listPendingItems', invocation: list }, fnEntry('listPendingItems'), {
    plugins: [unmarkedProjectSources()],
  });
  await add({ key: 'list.lazyAxios', what: 'axios required on first client creation', fn: 'listPendingItems', invocation: list }, fnEntry('listPendingItems'), lazy);
  await add({ key: 'list.deployedCache', what: 'as deployed + V8 code cache, no flag', fn: 'listPendingItems', invocation: list, nodeOptions: '' }, fnEntry('listPendingItems'));
  await add(
    { key: 'list.keepNames', what: `esbuild keepNames: ${!base.keepNames} (deployed: ${Boolean(base.keepNames)})`, fn: 'listPendingItems', invocation: list },
    fnEntry('listPendingItems'),
    { keepNames: !base.keepNames },
  );
  await add({ key: 'openapi.deployed', what: 'as deployed', fn: 'openapi', invocation: openapi }, fnEntry('openapi'));
  await add({ key: 'openapi.precomputed', what: 'document generated at build time', fn: 'openapi', invocation: openapi }, 'bench/experiments/entries/openapi-precomputed.ts', { define: { __OPENAPI_DOCUMENT__: JSON.stringify(document) } });

  const emulator = await startEmulator({ port: 0 });
  const fnEnv = { ...localFunctionEnv(emulator, BENCH_TOKEN), LOG_LEVEL: 'info' };
  const envFor = (e: Experiment) => cleanEnv({ ...fnEnv, NODE_OPTIONS: e.nodeOptions ?? settings.nodeOptions });
  const jobFor = (e: Experiment) => {
    const job = join(DIR, `${e.key}.job.json`);
    writeFileSync(job, JSON.stringify({ event: e.invocation.event, context: 'functiongraph', exportName: 'handler' }));
    return job;
  };
  const once = async (e: Experiment, extraEnv: Record<string, string> = {}) => {
    emulator.reset();
    const out = join(DIR, `${e.key}.out.json`);
    const run = await runNode(cold, [e.file, jobFor(e), out], { env: { ...envFor(e), ...extraEnv } });
    const result = readOutput<{ status?: number; readyMs: number; loadMs: number; invokeMs: number; maxRssKb: number; bodyHead?: string }>(out, run, e.key);
    if (result.status !== e.invocation.expectStatus) throw new Error(`${e.key}: answered ${result.status}: ${result.bodyHead ?? ''}`);
    if (run.stderr.includes('code cache rejected')) throw new Error(`${e.key}: the V8 code cache was rejected`);
    return { wallMs: run.wallMs, ...result };
  };

  try {
    // Code cache: a training run writes the cache, then the loader is what is measured.
    for (const e of experiments.filter((x) => x.key.endsWith('Cache'))) {
      const loader = writeCodeCacheLoader(e.file);
      e.file = loader;
      await once(e, { BENCH_CODE_CACHE: 'write' });
    }
    for (const e of experiments) await once(e); // warm the disk cache; checks every variant answers
    const samples = new Map(experiments.map((e) => [e.key, { wall: [] as number[], ready: [] as number[], load: [] as number[], invoke: [] as number[], rss: [] as number[] }]));
    const random = mulberry32(99);
    for (let r = 0; r < RUNS; r++) {
      log(`round ${r + 1}/${RUNS}`);
      for (const e of shuffled(experiments, random)) {
        const res = await once(e);
        const s = samples.get(e.key);
        s?.wall.push(res.wallMs);
        s?.ready.push(res.readyMs);
        s?.load.push(res.loadMs);
        s?.invoke.push(res.invokeMs);
        s?.rss.push(res.maxRssKb / 1024);
      }
    }
    const med = (key: string, pick: 'wall' | 'ready' | 'load' | 'invoke' | 'rss') => spread(samples.get(key)?.[pick] ?? []).median;
    const floor = med('floor', 'wall');
    const sdk = med('officialSdk', 'wall');
    const rows = experiments.map((e) => {
      const wall = spread(samples.get(e.key)?.wall ?? []);
      const vsFloor = wall.median / floor;
      const vsSdk = wall.median / sdk;
      const meets = e.fn !== 'reference' ? (vsFloor <= 1.5 && vsSdk <= 0.5 ? 'yes' : 'no') : '—';
      const kb = e.bundle ? (e.bundle.bytes / 1024).toFixed(1) : '';
      return `| ${e.fn} | ${e.what} | ${kb} | ${wall.median.toFixed(1)} (${wall.min.toFixed(0)}–${wall.max.toFixed(0)}) | ${med(e.key, 'load').toFixed(1)} | ${med(e.key, 'invoke').toFixed(1)} | ${med(e.key, 'rss').toFixed(1)} | ${vsFloor.toFixed(2)}× | ${vsSdk.toFixed(2)}× | ${meets} |`;
    });

    log('profiling');
    const profiled: string[] = [];
    for (const key of ['list.deployed', 'list.unmarked', 'officialSdk']) {
      const e = experiments.find((x) => x.key === key) as Experiment;
      // The same variant without minification, so that the source map resolves each sampled line.
      const readable = await bundle(e.entry ?? '', join(DIR, `${key}.profile.js`), base, { ...e.overrides, minify: false });
      const b = await profileColdStart({ runner: cold, bundleFile: readable.file, job: jobFor(e), env: envFor(e), runs: PROFILE_RUNS, workDir: DIR, before: () => emulator.reset() });
      profiled.push(breakdownTable(`${e.fn === 'reference' ? e.what : `${e.fn}: ${e.what}`} (profiled unminified)`, b));
    }

    log('warm overhead of the variants');
    const rawPath = `/v2/${emulator.identity.projectId}/factory/pending-items?limit=5&offset=0`;
    const canned = await capture(emulator, rawPath);
    const warmKeys = ['floor', 'officialSdk', 'list.deployed', 'list.unmarked', 'list.lazyAxios'];
    const warmJob = join(DIR, 'warm.job.json');
    const warmOut = join(DIR, 'warm.out.json');
    writeFileSync(
      warmJob,
      JSON.stringify({
        variants: Object.fromEntries(warmKeys.map((k) => [k, (experiments.find((e) => e.key === k) as Experiment).file])),
        event: list.event,
        context: 'functiongraph',
        expectStatus: list.expectStatus,
        canned,
        rawPath,
        endpointVariables: ENDPOINT_VARIABLES,
        iterations: QUICK ? 600 : 2000,
        warmup: 300,
      }),
    );
    const warmHarness = await buildHarness('bench/harness/warm-runner.ts', 'warm-runner.js');
    const warmRun = await runNode(warmHarness, [warmJob, warmOut], { env: cleanEnv({ ...fnEnv, NODE_OPTIONS: settings.nodeOptions }), timeoutMs: 240_000 });
    const warm = readOutput<WarmOutput>(warmOut, warmRun, 'warm overhead');
    const raw = warm.samples.raw ?? [];
    const warmRows = warmKeys.map((k) => {
      const e = experiments.find((x) => x.key === k) as Experiment;
      const xs = warm.samples[k] ?? [];
      const o50 = quantile(xs, 0.5) - quantile(raw, 0.5);
      const o99 = quantile(xs, 0.99) - quantile(raw, 0.99);
      return `| ${e.fn} | ${e.what} | ${o50.toFixed(3)} | ${o99.toFixed(3)} |`;
    });

    log('isolated module loads');
    const isolatedRows = await isolatedLoads(cold, base, settings.nodeOptions);

    log('release check variants');
    const checkRows = await releaseCheckVariants(cold, base, settings.nodeOptions);

    const m = machine();
    const text = [
      '# Cold-start options, measured',
      '',
      `Taken ${new Date(started).toISOString()} by \`node --import tsx bench/experiments/options.ts\`${QUICK ? ' (BENCH_QUICK=1)' : ''} on Node ${m.node}, ${m.cpu}, ${m.cores} cores. ` +
        `Each variant is the same source bundled like production (serverless.yml custom.esbuild) with one change, cold-started ${RUNS} times interleaved with the others ` +
        '(fresh process: load + first invocation against the local cloud, wall time spawn to exit), with the deployed NODE_OPTIONS unless stated.',
      '',
      '| function | variant | bundle KB | wall ms median (min–max) | load ms | first invocation ms | maxRSS MB | vs floor | vs official SDK | meets cold-start target |',
      '| --- | --- | --- | --- | --- | --- | --- | --- | --- | --- |',
      ...rows,
      '',
      '## Warm overhead of the same variants',
      '',
      `Per-invocation time above the bare round trip (p50 and p99 of ${QUICK ? 600 : 2000} warm invocations each, alternating, against one local server replaying a captured response; as in \`npm run bench\`).`,
      '',
      '| function | variant | overhead p50 ms | overhead p99 ms |',
      '| --- | --- | --- | --- |',
      ...warmRows,
      '',
      '## Libraries alone',
      '',
      `\`require()\` of a bundle holding only the library (and one small schema), built with the functions' esbuild options but none of serverless.yml's plugins, plus only the change named; median of ${RUNS} fresh processes, interleaved (deployed NODE_OPTIONS).`,
      '',
      '| module | bundle KB | load ms median (min–max) |',
      '| --- | --- | --- |',
      ...isolatedRows,
      '',
      `## Release check (${CHECK_PACKAGES} packages, ${CHECK_LATENCY_MS} ms latency)`,
      '',
      `The first invocation in a fresh process, ${QUICK ? 2 : 4} runs per variant interleaved, against the local cloud as in \`npm run bench\`; every variant must give the same report.`,
      '',
      '| variant | bundle KB | check ms median (min–max) | vs ideal | upstream requests |',
      '| --- | --- | --- | --- | --- |',
      ...checkRows,
      '',
      '## Where the time goes (--cpu-prof)',
      '',
      ...profiled.flatMap((t) => [t, '']),
    ].join('\n');
    writeFileSync(join(ROOT, 'bench', 'experiments', 'RESULTS.md'), text);
    process.stdout.write(`${text}\n`);
    log(`done in ${((Date.now() - started) / 1000).toFixed(0)} s (harness in ${HARNESS})`);
  } finally {
    await emulator.close();
  }
}

/** Load time of single libraries, bundled like a function; rows of the table. */
async function isolatedLoads(cold: string, base: BuildOptions, nodeOptions: string): Promise<string[]> {
  const entries = [
    { what: "zod, `import { z } from 'zod'`", entry: 'bench/experiments/isolated/zod-named.ts', overrides: {} as BuildOptions },
    { what: "zod, `import * as z from 'zod'`", entry: 'bench/experiments/isolated/zod-namespace.ts', overrides: {} },
    { what: 'zod/mini', entry: 'bench/experiments/isolated/zod-mini.ts', overrides: {} },
    { what: 'axios as published (no plugins)', entry: 'bench/experiments/isolated/axios-trimmed.ts', overrides: {} },
    { what: 'axios, trimmed (stubs + FormData on first use)', entry: 'bench/experiments/isolated/axios-trimmed.ts', overrides: { plugins: [trimAxiosForNode(), axiosLazyGlobalFormData()] } },
  ];
  // Without serverless.yml's own plugins, so that each row is the library with exactly the change it names.
  const built = await Promise.all(entries.map((e, i) => bundle(e.entry, join(DIR, `isolated-${i}.js`), referenceSettings(base), e.overrides)));
  const job = join(DIR, 'isolated.job.json');
  writeFileSync(job, JSON.stringify({ event: null, context: 'functiongraph', loadOnly: true }));
  const env = cleanEnv({ NODE_OPTIONS: nodeOptions });
  const out = join(DIR, 'isolated.out.json');
  const samples = entries.map(() => [] as number[]);
  const random = mulberry32(11);
  for (let r = 0; r < RUNS; r++) {
    for (const i of shuffled(entries.map((_, k) => k), random)) {
      const run = await runNode(cold, [(built[i] as BuiltBundle).file, job, out], { env });
      samples[i]?.push(readOutput<{ loadMs: number }>(out, run, entries[i]?.what ?? '').loadMs);
    }
  }
  return entries.map((e, i) => {
    const t = spread(samples[i] ?? []);
    return `| ${e.what} | ${((built[i] as BuiltBundle).bytes / 1024).toFixed(1)} | ${t.median.toFixed(1)} (${t.min.toFixed(1)}–${t.max.toFixed(1)}) |`;
  });
}

/** releaseCheck built two ways, over 10,000 packages with 50 ms latency; rows of the table. */
async function releaseCheckVariants(cold: string, base: BuildOptions, nodeOptions: string): Promise<string[]> {
  const variants = [
    { key: 'check.deployed', what: 'as deployed', overrides: {} as BuildOptions },
    { key: 'check.speculative', what: 'first `concurrency` pages requested together', overrides: { plugins: [rewriteProjectSources(speculativeFirstPages)] } },
  ];
  const built = new Map<string, BuiltBundle>();
  for (const v of variants) built.set(v.key, await bundle(RELEASE_CHECK_ENTRY, join(DIR, `${v.key}.js`), base, v.overrides));
  // A pinned clock: every reset seeds the same packages at the same instants, so every run gives one report.
  const now = new Date();
  const emulator = await startEmulator({ port: 0, seedSize: CHECK_PACKAGES, faults: { latencyMs: CHECK_LATENCY_MS }, now });
  const times = new Map<string, number[]>(variants.map((v) => [v.key, []]));
  const requests = new Map<string, number>();
  const reports = new Map<string, string>();
  try {
    const env = cleanEnv({ ...localFunctionEnv(emulator, BENCH_TOKEN), LOG_LEVEL: 'info', NODE_OPTIONS: nodeOptions });
    const job = join(DIR, 'check.job.json');
    writeFileSync(job, JSON.stringify({ event: timerInvocation(lastQuarterHour(now.getTime())).event, context: 'functiongraph' }));
    const random = mulberry32(5);
    for (let r = 0; r < (QUICK ? 2 : 4); r++) {
      for (const v of shuffled(variants, random)) {
        emulator.reset();
        const out = join(DIR, `${v.key}.out.json`);
        const run = await runNode(cold, [(built.get(v.key) as BuiltBundle).file, job, out], { env, timeoutMs: 120_000 });
        const result = readOutput<{ invokeMs: number; result?: { status?: string; report?: unknown } }>(out, run, v.key);
        if (result.result?.status !== 'reported') throw new Error(`${v.key}: ${JSON.stringify(result.result).slice(0, 300)}`);
        reports.set(v.key, JSON.stringify(result.result.report));
        requests.set(v.key, emulator.requests.filter((q) => q.operation === 'ListFactoryReleasePackages').length);
        times.get(v.key)?.push(result.invokeMs);
      }
    }
  } finally {
    await emulator.close();
  }
  const reference = reports.get('check.deployed');
  for (const v of variants) if (reports.get(v.key) !== reference) throw new Error(`${v.key}: its report differs from the deployed build's`);
  const ideal = ((requests.get('check.deployed') ?? 0) / RELEASE_CHECK_DEFAULTS.concurrency) * CHECK_LATENCY_MS;
  return variants.map((v) => {
    const t = spread(times.get(v.key) ?? []);
    const kb = ((built.get(v.key) as BuiltBundle).bytes / 1024).toFixed(1);
    return `| ${v.what} | ${kb} | ${t.median.toFixed(0)} (${t.min.toFixed(0)}–${t.max.toFixed(0)}) | ${(t.median / ideal).toFixed(2)}× | ${requests.get(v.key)} |`;
  });
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
