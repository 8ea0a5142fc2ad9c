/**
 * What loading costs, module by module: each package (bench/experiments/load/*.ts) bundled alone the way a
 * function is bundled, then `require()`d in a fresh process, interleaved; plus each function bundle's own
 * load time. A diagnosis for the report, not a figure with a target.
 */
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, bytesByPackage, referenceSettings, ROOT, WORK, type BuiltBundle } from './build';
import { cleanEnv, readOutput, runNode } from './child';
import type { BenchContext } from './context';
import { mulberry32, shuffled, spread } from './stats';

const REFERENCE_MODULES = new Set(['official-sdk', 'node-http']);

interface LoadTarget {
  readonly name: string;
  readonly file: string;
  readonly bytes: number;
}

export async function measureLoadCosts(ctx: BenchContext): Promise<void> {
  const dir = join(WORK, 'load');
  mkdirSync(dir, { recursive: true });
  const targets: LoadTarget[] = [];
  for (const file of readdirSync(join(ROOT, 'bench/experiments/load')).filter((f) => f.endsWith('.ts')).sort()) {
    const name = file.replace(/\.ts$/, '');
    try {
      // The references' modules are bundled as their users would; ours with the project's plugins.
      const settings = REFERENCE_MODULES.has(name) ? referenceSettings(ctx.settings.esbuild) : ctx.settings.esbuild;
      const built = await bundle(`bench/experiments/load/${file}`, join(dir, `${name}.js`), settings);
      targets.push({ name, file: built.file, bytes: built.bytes });
    } catch (error) {
      ctx.problems.push(`load cost of ${name}: does not bundle (${error instanceof Error ? error.message.split('\n')[0] : String(error)})`);
    }
  }
  for (const v of [ctx.floor, ctx.officialSdk, ...ctx.functions]) targets.push({ name: `bundle: ${v.label}`, file: v.bundle.file, bytes: v.bundle.bytes });

  const job = join(dir, 'load.job.json');
  writeFileSync(job, JSON.stringify({ event: null, context: 'functiongraph', loadOnly: true }));
  const env = cleanEnv({ NODE_OPTIONS: ctx.settings.nodeOptions });
  const samples = new Map<string, number[]>(targets.map((t) => [t.name, []]));
  const random = mulberry32(7);
  const out = join(dir, 'load.out.json');
  for (const t of targets) await runNode(ctx.harness.cold, [t.file, job, out], { env }); // warm the disk cache
  for (let round = 0; round < ctx.reps.load; round++) {
    for (const t of shuffled(targets, random)) {
      const run = await runNode(ctx.harness.cold, [t.file, job, out], { env });
      const result = readOutput<{ loadMs: number }>(out, run, `loading ${t.name}`);
      samples.get(t.name)?.push(result.loadMs);
    }
  }
  const rows = targets.map((t) => {
    const s = spread(samples.get(t.name) ?? []);
    return `| ${t.name} | ${(t.bytes / 1024).toFixed(1)} | ${s.median.toFixed(1)} | ${s.min.toFixed(1)}–${s.max.toFixed(1)} |`;
  });
  ctx.diagnostics.push(
    [
      '### Load cost, module by module',
      '',
      `\`require()\` time of each package bundled alone the way the functions are (serverless.yml settings and plugins; NODE_OPTIONS ${ctx.settings.nodeOptions ? `\`${ctx.settings.nodeOptions}\`` : 'none'}), in a fresh process; median of ${ctx.reps.load}, interleaved. \`official-sdk\` and \`node-http\` are bundled like the references, without the project's plugins. \`contracts\` is zod plus every upstream schema: subtract \`zod\` for our schemas alone.`,
      '',
      '| module | bundle KB | load ms (median) | min–max |',
      '| --- | --- | --- | --- |',
      ...rows,
    ].join('\n'),
  );
  ctx.diagnostics.push(compositionTable([ctx.floor.bundle, ctx.officialSdk.bundle, ...ctx.functions.map((f) => f.bundle)], [ctx.floor.label, ctx.officialSdk.label, ...ctx.functions.map((f) => f.label)]));
}

/** Which packages make up each bundle (bytes in the output, from esbuild's metafile). */
function compositionTable(bundles: readonly BuiltBundle[], labels: readonly string[]): string {
  const rows = bundles.map((b, i) => {
    const parts = [...bytesByPackage(b.metafile, b.file).entries()].sort((a, c) => c[1] - a[1]);
    const top = parts.slice(0, 8).map(([pkg, bytes]) => `${pkg} ${(bytes / 1024).toFixed(1)}`);
    return `| ${labels[i] ?? b.entry} | ${(b.bytes / 1024).toFixed(1)} | ${top.join(', ')} |`;
  });
  return ['### What is in each bundle (KB in the minified output, largest first)', '', '| bundle | total KB | packages |', '| --- | --- | --- |', ...rows].join('\n');
}
