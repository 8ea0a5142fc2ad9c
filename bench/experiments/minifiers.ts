/**
 * Would another minifier bring the bundles over 150 KB under it? Builds every function as deployed
 * (serverless.yml's esbuild settings and plugins, esbuild's own minifier), then minifies each bundle again
 * with swc (already installed for Jest), from its safe defaults up to its unsafe compressions, and prints the
 * bytes against the 150 KB line (153,600 bytes, as `npm run bench` counts KB).
 *
 *   node --import tsx bench/experiments/minifiers.ts [function ...]
 *
 * Measured 2026-12-07 on 66044c5, over the eleven functions: swc saves 0.8–1.0 % with its defaults, 2.2–3.2 %
 * with three compress passes and top-level mangling, 2.5–4.1 % with its unsafe options as well. publish, the
 * pipeline webhook and the release train, which need 8.3 %, 8.7 % and 6.4 %, get 2.7–2.9 % and 3.5–3.8 %: none
 * goes under the line, so the build keeps esbuild's minifier and nothing here is used by it.
 */
import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { minify, type JsMinifyOptions } from '@swc/core';
import { bundle, readServiceSettings, WORK } from '../lib/build';

const LINE_BYTES = 150 * 1024;

const VARIANTS: ReadonlyArray<readonly [string, JsMinifyOptions]> = [
  ['swc defaults', { compress: true, mangle: true }],
  ['swc, 3 passes, top level', { compress: { passes: 3, toplevel: true, ecma: 2020 }, mangle: { toplevel: true }, ecma: 2020 }],
  [
    'swc, 3 passes, top level, unsafe',
    {
      compress: { passes: 3, toplevel: true, ecma: 2020, unsafe: true, unsafe_methods: true, unsafe_arrows: true, pure_getters: true },
      mangle: { toplevel: true },
      ecma: 2020,
    },
  ],
];

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

async function main(): Promise<void> {
  const settings = readServiceSettings();
  const names = process.argv.slice(2);
  const dir = join(WORK, 'minifiers');
  mkdirSync(dir, { recursive: true });
  for (const fn of settings.functions.filter((f) => names.length === 0 || names.includes(f.name))) {
    const built = await bundle(fn.entry, join(dir, `${fn.name}.js`), settings.esbuild);
    // The source map comment is not code; leave it out of both sides.
    const source = readFileSync(built.file, 'utf8').replace(/\n\/\/# sourceMappingURL=.*\n?$/, '\n');
    const esbuildBytes = Buffer.byteLength(source);
    const over = esbuildBytes - LINE_BYTES;
    const needed = over > 0 ? ` (needs ${((over / esbuildBytes) * 100).toFixed(1)} % off)` : '';
    process.stdout.write(`${fn.name}: esbuild ${kib(esbuildBytes)}${needed}\n`);
    for (const [label, options] of VARIANTS) {
      const { code } = await minify(source, { ...options, sourceMap: false, format: { comments: false } });
      const bytes = Buffer.byteLength(code);
      const saved = ((1 - bytes / esbuildBytes) * 100).toFixed(1);
      process.stdout.write(`  ${label}: ${kib(bytes)}, ${saved} % less, ${bytes <= LINE_BYTES ? 'under' : 'over'} the line\n`);
    }
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
