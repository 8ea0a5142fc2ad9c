/**
 * `npm run bench`: cold start, bundle size, warm overhead, scheduled-check throughput and signer throughput
 * of the functions, side by side with the floor (node:https + node:crypto) and the official Huawei SDK core,
 * in one run on one machine. Prints the table, writes bench/results.json and bench/RESULTS.md.
 * BENCH_QUICK=1 runs fewer repetitions.
 */
import { join } from 'node:path';
import { ROOT } from './lib/build';
import { measureColdStarts } from './lib/cold';
import { prepare, firstLine, type BenchContext } from './lib/context';
import { measureLoadCosts } from './lib/load-cost';
import { machine, resultsMarkdown } from './lib/report';
import { measureReleaseCheck } from './lib/release-check';
import { renderTable, writeResults } from './lib/results';
import { measureSigner } from './lib/signer';
import { measureSizes } from './lib/sizes';
import { measureWarmOverhead } from './lib/warm';
import { writeFileSync } from 'node:fs';

async function section(ctx: BenchContext, name: string, run: (ctx: BenchContext) => Promise<void>): Promise<boolean> {
  const t0 = performance.now();
  ctx.log(`— ${name}`);
  try {
    await run(ctx);
    ctx.log(`  ${name}: ${((performance.now() - t0) / 1000).toFixed(1)} s`);
    return true;
  } catch (error) {
    ctx.problems.push(`${name}: failed: ${firstLine(error)}`);
    ctx.log(`  ${name} FAILED: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}`);
    return false;
  }
}

async function main(): Promise<void> {
  const startedAt = new Date();
  const t0 = performance.now();
  const quick = process.env.BENCH_QUICK === '1';
  const log = (message: string) => process.stderr.write(`[bench] ${message}\n`);
  const ctx = await prepare(quick, log);
  let ok = true;
  ok = (await section(ctx, 'bundle sizes', measureSizes)) && ok;
  ok = (await section(ctx, 'cold starts', async (c) => void (await measureColdStarts(c)))) && ok;
  ok = (await section(ctx, 'warm overhead', measureWarmOverhead)) && ok;
  ok = (await section(ctx, 'release check', measureReleaseCheck)) && ok;
  ok = (await section(ctx, 'signer throughput', measureSigner)) && ok;
  ok = (await section(ctx, 'load cost', measureLoadCosts)) && ok;

  const m = machine();
  const durationMs = performance.now() - t0;
  writeResults(join(ROOT, 'bench', 'results.json'), ctx.figures);
  writeFileSync(join(ROOT, 'bench', 'RESULTS.md'), resultsMarkdown(ctx, m, startedAt, durationMs));
  process.stdout.write(`\n${renderTable(ctx.figures)}\n\n`);
  const missed = ctx.figures.filter((f) => !f.met);
  process.stdout.write(`${missed.length} of ${ctx.figures.filter((f) => f.target !== 'none (context)').length} targets missed${missed.length ? `: ${missed.map((f) => f.name).join('; ')}` : ''}\n`);
  for (const p of ctx.problems) process.stdout.write(`not measured: ${p}\n`);
  process.stdout.write(`Node ${m.node}, ${m.cpu}, ${m.cores} cores; ${(durationMs / 1000).toFixed(0)} s. Wrote bench/results.json and bench/RESULTS.md.\n`);
  if (!ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
