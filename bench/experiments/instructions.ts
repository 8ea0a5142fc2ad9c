/**
 * Where a cold start's CPU goes, counted rather than timed: each bundle's cold start (load + first
 * invocation against the local cloud, as `npm run bench` runs it) once under valgrind's callgrind, which
 * counts the instructions executed. The count does not depend on what else the shared machine is doing,
 * so two builds compare to within ~0.5 % in one run. The instructions are grouped by what ran them (V8's
 * parser, bytecode generator, garbage collector, regexp compiler, the interpreter, …), each group against
 * the floor's.
 *
 * Node runs with no flags but `--random-seed=1`, which V8 leaves out of its flag hash. Any flag that V8
 * hashes (`--hash-seed` among them) makes Node's built-in code cache unusable, so Node parses its own
 * modules from source: that adds ~55 M instructions of parsing to every process, and it once made our
 * ratios here look better than they are (1.49× instead of 1.77× for listPendingItems). V8's hash-seed
 * set-up costs 7-16 M instructions, depending on the random seed: the same for every bundle under the
 * pinned seed, a different amount in each real process, so it is counted in its own row and left out of
 * the totals (which makes every ratio here slightly stricter than a real process's).
 *
 *   node --import tsx bench/experiments/instructions.ts [function …]      (default: listPendingItems releaseCheck)
 * Needs valgrind (Debian's package); writes bench/experiments/INSTRUCTIONS.md. About 10 s per bundle.
 */
import { execFileSync, spawn } from 'node:child_process';
import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../emulator';
import { localFunctionEnv } from '../../scripts/local-stack';
import { bundle, readServiceSettings, referenceSettings, ROOT, WORK } from '../lib/build';
import { cleanEnv, runNode } from '../lib/child';
import { buildHarness } from '../lib/context';
import { BENCH_TOKEN, invocationFor, listPendingItemsInvocation, type Invocation } from '../lib/events';
import { startCallRecorder } from '../lib/upstream-calls';
import { ENDPOINT_VARIABLES } from '../lib/warm';
import type { UpstreamCalls } from '../references/common';
import { machine } from '../lib/report';

const DIR = join(WORK, 'instructions');

/** What ran an instruction, by the symbol callgrind names (first match wins; the rest is "other"). */
const HASH_SEED = 'V8: hash-seed set-up (random per process; not in the totals)';
const GROUPS: ReadonlyArray<readonly [string, RegExp]> = [
  [HASH_SEED, /sprp|HashSeed/],
  ['V8: parse JavaScript', /Scanner|Parser|PreParser|AstValueFactory|AstRawString|Scope::|VariableMap|ExpressionScope|Utf16CharacterStream|PerfectKeywordHash|FuncNameInferrer|AstNodeFactory|ParseInfo|Zone::/],
  ['V8: generate bytecode', /Bytecode(ArrayWriter|Generator|RegisterOptimizer|ArrayBuilder)|SourcePositionTable|ConstantArrayBuilder|interpreter::|FeedbackMetadata/],
  ['V8: garbage collection', /Scavenger|Scaveng|MarkCompact|Heap::|IteratePointers|Sweeper|MemoryChunk|ConcurrentMarking|MinorMC|Evacuat|SemiSpace/],
  ['V8: compile regular expressions', /RegExp|Irregexp|CharacterRange|icu_|UnicodeSet|u_charType|enumEitherTrie|utrie/],
  ['V8: deserialise snapshots and code caches', /Deserializer|Snapshot|adler32/],
  ['V8: run bytecode (interpreter, builtins)', /Builtins_/],
  ['V8: objects, maps, inline caches, runtime', /LookupIterator|Map::|JSObject|DescriptorArray|TransitionsAccessor|Runtime_|IC::|FeedbackVector|Object::|String::|StringTable|Factory::|Handle|JSFunction|SharedFunctionInfo/],
  ['malloc/free/memcpy', /malloc|free|memcpy|memmove|memset|_int_/],
  ['OpenSSL', /ossl|EVP|SHA|sha256|OPENSSL|BN_|CRYPTO|ssl/],
];

interface Counted {
  readonly key: string;
  readonly total: number;
  readonly groups: Map<string, number>;
}

function group(symbol: string): string {
  return GROUPS.find(([, pattern]) => pattern.test(symbol))?.[0] ?? 'other (Node, libuv, V8 elsewhere)';
}

async function count(key: string, file: string, invocation: Invocation, emulator: RunningEmulator, runner: string, extraEnv: Record<string, string> = {}): Promise<Counted> {
  const job = join(DIR, `${key}.job.json`);
  const out = join(DIR, `${key}.callgrind`);
  writeFileSync(job, JSON.stringify({ event: invocation.event, context: 'functiongraph', exportName: 'handler' }));
  emulator.reset();
  const env = cleanEnv({ ...localFunctionEnv(emulator, BENCH_TOKEN), LOG_LEVEL: 'info', ...(invocation.env ?? {}), ...extraEnv });
  const args = ['--tool=callgrind', `--callgrind-out-file=${out}`, process.execPath, '--random-seed=1', runner, file, job, join(DIR, `${key}.out.json`)];
  const child = spawn('valgrind', args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString('utf8')));
  const code = await new Promise<number | null>((resolve) => child.once('exit', resolve));
  if (code !== 0) throw new Error(`${key}: valgrind exited with ${code}: ${stderr.slice(-500)}`);
  const annotated = execFileSync('callgrind_annotate', ['--threshold=100', out], { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });
  const groups = new Map<string, number>();
  let total = 0;
  for (const line of annotated.split('\n')) {
    const m = /^\s*([\d,]+) \([^)]*\)\s+(.*)$/.exec(line);
    if (!m || m[2]?.includes('PROGRAM TOTALS')) continue;
    const n = Number((m[1] as string).replace(/,/g, ''));
    const g = group(m[2] as string);
    if (g !== HASH_SEED) total += n;
    groups.set(g, (groups.get(g) ?? 0) + n);
  }
  return { key, total, groups };
}

/** The upstream calls of `name`'s first invocation (a plain run through the recorder), for its own floor. */
async function recordCalls(file: string, invocation: Invocation, emulator: RunningEmulator, runner: string): Promise<UpstreamCalls> {
  const recorder = await startCallRecorder(emulator.url);
  try {
    emulator.reset();
    const job = join(DIR, 'record.job.json');
    writeFileSync(job, JSON.stringify({ event: invocation.event, context: 'functiongraph', exportName: 'handler' }));
    const endpoints = Object.fromEntries(ENDPOINT_VARIABLES.map((name) => [name, recorder.url]));
    const run = await runNode(runner, [file, job, join(DIR, 'record.out.json')], { env: cleanEnv({ ...localFunctionEnv(emulator, BENCH_TOKEN), LOG_LEVEL: 'info', ...(invocation.env ?? {}), ...endpoints }) });
    if (run.code !== 0) throw new Error(`recording the calls of ${file}: exited with ${run.code}: ${run.stderr.slice(-300)}`);
    return recorder.take();
  } finally {
    await recorder.close();
  }
}

async function main(): Promise<void> {
  const names = process.argv.slice(2).length ? process.argv.slice(2) : ['listPendingItems', 'releaseCheck'];
  rmSync(DIR, { recursive: true, force: true });
  mkdirSync(DIR, { recursive: true });
  const settings = readServiceSettings();
  const runner = await buildHarness('bench/harness/cold-runner.ts', 'cold-runner.js');
  const floor = await bundle('bench/references/floor.ts', join(DIR, 'floor.js'), referenceSettings(settings.esbuild));
  const emulator = await startEmulator({ port: 0 });
  const counted: Counted[] = [];
  /** Each function's own floor: the same upstream calls (bench/lib/upstream-calls.ts), as in `npm run bench`. */
  const ownFloors = new Map<string, Counted>();
  try {
    counted.push(await count('floor', floor.file, listPendingItemsInvocation(), emulator, runner));
    for (const name of names) {
      const fn = settings.functions.find((f) => f.name === name);
      const invocation = invocationFor(name);
      if (!fn || !invocation) throw new Error(`no function ${name} with a first invocation in the bench`);
      const built = await bundle(fn.entry, join(DIR, `${name}.js`), settings.esbuild);
      counted.push(await count(name, built.file, invocation, emulator, runner));
      const calls = await recordCalls(built.file, invocation, emulator, runner);
      ownFloors.set(name, await count(`floor:${name}`, floor.file, { event: invocation.event, expectStatus: 200 }, emulator, runner, { BENCH_UPSTREAM_CALLS: JSON.stringify(calls) }));
      process.stderr.write(`[instructions] ${name} counted\n`);
    }
  } finally {
    await emulator.close();
  }
  const [base, ...ours] = counted as [Counted, ...Counted[]];
  const m = (n: number) => (n / 1e6).toFixed(1);
  const rowNames = [...GROUPS.map(([name]) => name).filter((name) => name !== HASH_SEED), 'other (Node, libuv, V8 elsewhere)'];
  const row = (name: string): string => {
    const cells = ours.map((c) => {
      const extra = (c.groups.get(name) ?? 0) - (base.groups.get(name) ?? 0);
      return `${m(c.groups.get(name) ?? 0)} (+${m(extra)})`;
    });
    return `| ${name} | ${m(base.groups.get(name) ?? 0)} | ${cells.join(' | ')} |`;
  };
  const rows = rowNames.map(row);
  const info = machine();
  const text = [
    '# Cold start, counted in instructions',
    '',
    `Taken ${new Date().toISOString()} by \`node --import tsx bench/experiments/instructions.ts\` on Node ${info.node}, ${info.cpu}: one cold start of each bundle (load + first invocation against the local cloud) under valgrind's callgrind, millions of instructions by what ran them, and (in brackets) above the floor's.`,
    '',
    `| what ran | floor | ${ours.map((c) => c.key).join(' | ')} |`,
    `| --- | --- | ${ours.map(() => '---').join(' | ')} |`,
    ...rows,
    `| **total** | ${m(base.total)} | ${ours.map((c) => `${m(c.total)} (${(c.total / base.total).toFixed(2)}× the floor)`).join(' | ')} |`,
    `| its own floor (its upstream calls) | — | ${ours.map((c) => { const own = ownFloors.get(c.key); return own ? `${m(own.total)}: ours ${(c.total / own.total).toFixed(2)}×` : '—'; }).join(' | ')} |`,
    row(HASH_SEED),
    '',
    'The floor column makes listPendingItems\' call (one GET); the last line counts each function\'s own floor, making the function\'s upstream calls in the same waves, as the cold-start figures of `npm run bench` compare them.',
    '',
  ].join('\n');
  writeFileSync(join(ROOT, 'bench', 'experiments', 'INSTRUCTIONS.md'), text);
  process.stdout.write(`${text}\n`);
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
