/**
 * Bundle size of every function as deployed: the minified bundle, and its zip. The zip is the FunctionGraph
 * package from `npm run package:functiongraph` (.build/functiongraph/) when it is there; otherwise the
 * bundle and its source map zipped here with jszip (DEFLATE), as serverless-esbuild packages them.
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { basename, join } from 'node:path';
import JSZip from 'jszip';
import { ROOT } from './build';
import type { BenchContext, Variant } from './context';
import { figure, NO_TARGET } from './results';
import { ratio } from './stats';

export const SIZE_TARGET_KB = 150;

const FUNCTIONGRAPH_BUILD = join(ROOT, '.build', 'functiongraph');

/** A zip under .build/functiongraph/ whose name is the function's (any case, any separators). */
function functionGraphZip(name: string): string | undefined {
  if (!existsSync(FUNCTIONGRAPH_BUILD)) return undefined;
  const want = name.toLowerCase().replace(/[^a-z0-9]/g, '');
  const zips: string[] = [];
  const walk = (dir: string) => {
    for (const entry of readdirSync(dir, { withFileTypes: true })) {
      const path = join(dir, entry.name);
      if (entry.isDirectory()) walk(path);
      else if (entry.name.endsWith('.zip')) zips.push(path);
    }
  };
  walk(FUNCTIONGRAPH_BUILD);
  return zips.find((z) => basename(z, '.zip').toLowerCase().replace(/[^a-z0-9]/g, '').endsWith(want));
}

async function zipBytes(v: Variant): Promise<{ bytes: number; source: string }> {
  const fg = v.fn ? functionGraphZip(v.fn.name) : undefined;
  if (fg) return { bytes: statSync(fg).size, source: `FunctionGraph package ${fg.slice(ROOT.length + 1)}` };
  const zip = new JSZip();
  zip.file('index.js', readFileSync(v.bundle.file));
  if (v.bundle.mapFile) zip.file('index.js.map', readFileSync(v.bundle.mapFile));
  const buffer = await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 } });
  return { bytes: buffer.length, source: v.bundle.mapFile ? 'bundle + source map, zipped here' : 'bundle, zipped here' };
}

export async function measureSizes(ctx: BenchContext): Promise<void> {
  const floorKb = ctx.floor.bundle.bytes / 1024;
  const sdkKb = ctx.officialSdk.bundle.bytes / 1024;
  const floorZip = (await zipBytes(ctx.floor)).bytes / 1024;
  const sdkZip = (await zipBytes(ctx.officialSdk)).bytes / 1024;
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
    const zip = await zipBytes(v);
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
      }),
    );
  }
}
