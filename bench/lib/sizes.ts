/**
 * Bundle size of every function as deployed: the minified bundle (built as serverless-esbuild builds it),
 * and its zip: the FunctionGraph package made by `npm run package:functiongraph` (run into bench/.work;
 * else .build/functiongraph/ if there), or failing both the bundle and its source map zipped here with
 * jszip (DEFLATE), as serverless-esbuild packages them. The references are always zipped here.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';
import JSZip from 'jszip';
import { ROOT, WORK } from './build';
import { cleanEnv, runNode } from './child';
import type { BenchContext, Variant } from './context';
import { figure, NO_TARGET } from './results';
import { ratio } from './stats';

export const SIZE_TARGET_KB = 150;

const FUNCTIONGRAPH_BUILD = join(ROOT, '.build', 'functiongraph');
const FUNCTIONGRAPH_HERE = join(WORK, 'functiongraph');
const FUNCTIONGRAPH_PACKAGER = join(ROOT, 'scripts', 'functiongraph', 'package.ts');

/**
 * The FunctionGraph packages as `npm run package:functiongraph` makes them, built fresh into bench/.work
 * (not .build, which is the deployer's); undefined when the packager is missing or fails.
 */
async function packageForFunctionGraph(ctx: BenchContext): Promise<string | undefined> {
  if (!existsSync(FUNCTIONGRAPH_PACKAGER)) return undefined;
  const run = await runNode(FUNCTIONGRAPH_PACKAGER, ['--out', FUNCTIONGRAPH_HERE], { env: cleanEnv({}), nodeArgs: ['--import', 'tsx'], timeoutMs: 120_000 });
  if (run.code !== 0) {
    ctx.problems.push(`zip sizes: npm run package:functiongraph failed (${run.stderr.trim().split('\n').slice(-1)[0] ?? ''}); ${existsSync(FUNCTIONGRAPH_BUILD) ? '.build/functiongraph was used' : 'the bundles were zipped here'}`);
    return undefined;
  }
  return FUNCTIONGRAPH_HERE;
}

/** A zip under `dir` whose name is the function's (any case, any separators). */
function functionGraphZip(dir: string | undefined, name: string): string | undefined {
  if (!dir || !existsSync(dir)) return undefined;
  const want = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const zips: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.zip')) zips.push(path);
    }
  };
  walk(dir);
  return zips.find((z) => basename(z, '.zip').toLowerCase().replace(/[^a-z0-9]/g, '').endsWith(want));
}

async function zipBytes(v: Variant, fgDir: string | undefined): Promise<{ bytes: number; source: string; note?: string }> {
  const fg = v.fn ? (functionGraphZip(fgDir, v.fn.name) ?? functionGraphZip(FUNCTIONGRAPH_BUILD, v.fn.name)) : undefined;
  if (fg) {
    const index = join(dirname(fg), basename(fg, '.zip'), 'index.js');
    const note = existsSync(index) ? `its index.js: ${(statSync(index).size / 1024).toFixed(1)} KB` : undefined;
    const built = fg.startsWith(FUNCTIONGRAPH_HERE) ? 'npm run package:functiongraph, built now' : `${fg.slice(ROOT.length + 1)}, built ${statSync(fg).mtime.toISOString()}`;
    return { bytes: statSync(fg).size, source: `FunctionGraph package (${built})`, ...(note ? { note } : {}) };
  }
  // Zipped like the functions' packages: as FunctionGraph's (index.js alone) when those are measured,
  // else as serverless-esbuild's (the bundle and its source map).
  const withMap = fgDir === undefined && v.bundle.mapFile !== undefined;
  const zip = new JSZip();
  zip.file('index.js', readFileSync(v.bundle.file));
  if (withMap && v.bundle.mapFile) zip.file('index.js.map', readFileSync(v.bundle.mapFile));
  const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
  return { bytes: buffer.length, source: withMap ? 'bundle + source map, zipped here' : 'bundle alone, zipped here' };
}

export async function measureSizes(ctx: BenchContext): Promise<void> {
  const fgDir = await packageForFunctionGraph(ctx);
  const floorKb = ctx.floor.bundle.bytes / 1024;
  const sdkKb = ctx.officialSdk.bundle.bytes / 1024;
  const floorZip = (await zipBytes(ctx.floor, fgDir)).bytes / 1024;
  const sdkZip = (await zipBytes(ctx.officialSdk, fgDir)).bytes / 1024;
  for (const v of [ctx.floor, ctx.officialSdk, ...ctx.functions]) {
    const ours = v !== ctx.floor && v !== ctx.officialSdk;
    const kb = v.bundle.bytes / 1024;
    ctx.figures.push(
      figure({
        name: `bundle size: ${v.label}`,
        group: 'bundle-size',
        value: kb,
        unit: 'KB',
        stat: 'minified bundle (.js)',
        ratios: { vsFloor: ratio(kb, floorKb), vsOfficialSdk: ratio(kb, sdkKb) },
        ...(ours ? { target: `at most ${SIZE_TARGET_KB} KB minified`, met: kb <= SIZE_TARGET_KB } : { target: NO_TARGET }),
        note: `source map ${(v.bundle.mapBytes / 1024).toFixed(1)} KB`,
      }),
    );
  }
  for (const v of [ctx.floor, ctx.officialSdk, ...ctx.functions]) {
    const zip = await zipBytes(v, fgDir);
    const kb = zip.bytes / 1024;
    ctx.figures.push(
      figure({
        name: `zip size: ${v.label}`,
        group: 'bundle-size',
        value: kb,
        unit: 'KB',
        stat: zip.source,
        ratios: { vsFloor: ratio(kb, floorZip), vsOfficialSdk: ratio(kb, sdkZip) },
        target: NO_TARGET,
        ...(zip.note ? { note: zip.note } : {}),
      }),
    );
  }
}
