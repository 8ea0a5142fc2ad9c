/**
 * Where a cold start's time goes: `node --cpu-prof` of fresh processes loading a bundle and completing its
 * first invocation, each sample's self time attributed to what was running, split by phase: load
 * (`require`) and first invocation (the runner's monotonic marks are on the profile's clock). Inside the
 * bundle, time goes to the package (or project folder) of the source line that was running, through the
 * source map: profile a bundle built without minification, whose lines map one to one.
 */
import { mkdirSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { dirname, join, relative, resolve } from 'node:path';
import { ROOT } from '../lib/build';
import { readOutput, runNode } from '../lib/child';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  /** Self samples per source line (1-based) of the function. */
  positionTicks?: { line: number; ticks: number }[];
}

interface CpuProfile {
  nodes: ProfileNode[];
  startTime: number;
  samples: number[];
  timeDeltas: number[];
}

export interface Breakdown {
  /** category → ms (mean per run) in each phase. */
  readonly load: Map<string, number>;
  readonly invoke: Map<string, number>;
  readonly runs: number;
}

function categoryOfSource(path: string): string {
  const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(path);
  if (m) return m[1] as string;
  const rel = relative(ROOT, path);
  const parts = rel.split('/');
  if (parts[0] === 'shared' && parts.length > 2) return `(project) shared/${parts[1]}`;
  return `(project) ${parts.slice(0, Math.min(parts.length, 2)).join('/')}`;
}

function nodeCategory(url: string): string {
  if (url.startsWith('node:internal/source_map')) return 'Node: source maps (--enable-source-maps)';
  if (url.startsWith('node:internal/deps/undici')) return 'Node: undici (global fetch/Request)';
  if (url === 'node:internal/bootstrap/realm') return 'Node: compiling built-in modules';
  if (url.startsWith('node:internal/modules')) return 'Node: module loader (require)';
  if (/^node:(_http_|http|https|net|tls|_tls_|internal\/(http|net|tls|dns|stream_base))/.test(url)) return 'Node: http/https/net';
  if (/^node:(crypto|internal\/crypto)/.test(url)) return 'Node: crypto';
  if (/^node:(stream|internal\/(streams|webstreams))/.test(url)) return 'Node: streams';
  return 'Node: other internals';
}

/** The category of a frame outside the bundle; undefined for a bundle frame. */
function categorize(frame: ProfileNode['callFrame'], bundleUrl: string): string | undefined {
  const { url, functionName } = frame;
  if (url === bundleUrl) return undefined;
  if (functionName === '(garbage collector)') return 'V8: garbage collection';
  if (functionName === '(program)') return 'V8: (program) — lazy compilation and runtime';
  if (functionName === '(idle)') return 'idle (waiting for the upstream)';
  if (functionName === 'wrapSafe' || functionName === 'compileFunction') return 'V8: compile the bundle (parse)';
  if (url.includes('cold-runner') || url.includes('code-cache-runtime')) return '(harness)';
  if (url.startsWith('node:') || url === '') return nodeCategory(url);
  return url;
}

/** Profiles `runs` cold starts of `bundleFile` through the cold runner, with the given job and environment. */
export async function profileColdStart(options: {
  runner: string;
  bundleFile: string;
  job: string;
  env: Record<string, string>;
  runs: number;
  workDir: string;
  before?: () => void;
}): Promise<Breakdown> {
  const dir = join(options.workDir, 'profiles');
  const load = new Map<string, number>();
  const invoke = new Map<string, number>();
  let map: SourceMap | undefined;
  try {
    map = new SourceMap(JSON.parse(readFileSync(`${options.bundleFile}.map`, 'utf8')) as never);
  } catch {
    map = undefined;
  }
  const bundleUrl = `file://${options.bundleFile}`;
  for (let i = 0; i < options.runs; i++) {
    rmSync(dir, { recursive: true, force: true });
    mkdirSync(dir, { recursive: true });
    options.before?.();
    const out = join(options.workDir, 'profile.out.json');
    const run = await runNode(options.runner, [options.bundleFile, options.job, out], {
      env: options.env,
      nodeArgs: ['--cpu-prof', `--cpu-prof-dir=${dir}`, '--cpu-prof-interval=100'],
    });
    const result = readOutput<{ marksUs: [number, number, number] }>(out, run, `profiling ${options.bundleFile}`);
    const file = readdirSync(dir).find((f) => f.endsWith('.cpuprofile'));
    if (!file) throw new Error('no .cpuprofile written');
    const profile = JSON.parse(readFileSync(join(dir, file), 'utf8')) as CpuProfile;
    const byId = new Map(profile.nodes.map((n) => [n.id, n]));
    const [h0, h1, h2] = result.marksUs;
    // Self time per node and phase; a sample stands for the interval that ends at it.
    const selfByPhase = new Map<number, { load: number; invoke: number }>();
    let t = profile.startTime;
    for (let s = 0; s < profile.samples.length; s++) {
      const delta = profile.timeDeltas[s] ?? 0;
      t += delta;
      const phase = t > h0 && t <= h1 ? 'load' : t > h1 && t <= h2 ? 'invoke' : undefined;
      if (!phase) continue;
      const id = profile.samples[s] as number;
      const entry = selfByPhase.get(id) ?? { load: 0, invoke: 0 };
      entry[phase] += delta / 1000 / options.runs;
      selfByPhase.set(id, entry);
    }
    const credit = (key: string, ms: { load: number; invoke: number }, share: number) => {
      load.set(key, (load.get(key) ?? 0) + ms.load * share);
      invoke.set(key, (invoke.get(key) ?? 0) + ms.invoke * share);
    };
    for (const [id, ms] of selfByPhase) {
      const node = byId.get(id);
      if (!node) continue;
      const outside = categorize(node.callFrame, bundleUrl);
      if (outside !== undefined) {
        credit(outside, ms, 1);
        continue;
      }
      // Inside the bundle: split the node's self time over the source lines it was sampled on (the
      // bundle's top level runs the initialisation of every ES module, so the function alone says little).
      const ticks = node.positionTicks ?? [];
      const total = ticks.reduce((sum, p) => sum + p.ticks, 0);
      if (total === 0 || !map) {
        credit('(bundle, unmapped)', ms, 1);
        continue;
      }
      for (const p of ticks) {
        const entry = map.findEntry(p.line - 1, 1e6) as { originalSource?: string };
        credit(entry.originalSource ? categoryOfSource(resolve(dirname(options.bundleFile), entry.originalSource)) : '(bundle, unmapped)', ms, p.ticks / total);
      }
    }
  }
  return { load, invoke, runs: options.runs };
}

export function breakdownTable(title: string, b: Breakdown, limit = 16): string {
  const keys = [...new Set([...b.load.keys(), ...b.invoke.keys()])];
  const total = (k: string) => (b.load.get(k) ?? 0) + (b.invoke.get(k) ?? 0);
  keys.sort((a, c) => total(c) - total(a));
  const sum = (m: Map<string, number>) => [...m.values()].reduce((x, y) => x + y, 0);
  const shown = keys.slice(0, limit);
  const rest = keys.slice(limit);
  const row = (k: string, l: number, i: number) => `| ${k} | ${l.toFixed(1)} | ${i.toFixed(1)} | ${(l + i).toFixed(1)} |`;
  return [
    `#### ${title}`,
    '',
    `Self time by what was running (mean of ${b.runs} profiled cold starts, 0.1 ms sampling; profiling itself slows the process a little).`,
    '',
    '| running | load ms | first invocation ms | total ms |',
    '| --- | --- | --- | --- |',
    ...shown.map((k) => row(k, b.load.get(k) ?? 0, b.invoke.get(k) ?? 0)),
    ...(rest.length ? [row(`(${rest.length} more)`, rest.reduce((x, k) => x + (b.load.get(k) ?? 0), 0), rest.reduce((x, k) => x + (b.invoke.get(k) ?? 0), 0))] : []),
    row('**total**', sum(b.load), sum(b.invoke)),
  ].join('\n');
}
