/**
 * `npm run package:functiongraph [-- --stage <stage>] [--out <dir>]`: one zip per function of serverless.yml,
 * ready for FunctionGraph, and the manifest the deploy reads. The functions' non-secret settings are fixed
 * in the manifest here, so a stage other than `local` is refused while one they need is empty (settings.ts).
 *
 *   .build/functiongraph/
 *     manifest.json          name, handler, runtime, memory, timeout, environment, triggers of each function
 *     <key>.zip              index.js (exports `handler`; FunctionGraph handler `index.handler`), nothing else
 *     <key>/index.js         the same bundle, and its source map index.js.map (kept out of the zip)
 *
 * One esbuild call bundles every function (bundle, minify, platform node, target node20, CommonJS, the
 * plugins of custom.esbuild.plugins, keepNames as serverless.yml says). The zips are byte-for-byte
 * reproducible (fixed entry dates and modes), so an unchanged function keeps its sha256 and the deploy
 * leaves it alone.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { basename, dirname, join, relative, resolve } from 'node:path';
import { build, type Plugin } from 'esbuild';
import JSZip from 'jszip';
import {
  FUNCTIONGRAPH_HANDLER,
  FUNCTIONGRAPH_RUNTIME,
  MANIFEST_FILE,
  MANIFEST_VERSION,
  manifestSchema,
  type Manifest,
  type ManifestFunction,
} from './manifest';
import { readService, ROOT, type ReadServiceOptions, type ServiceDescription } from './service';
import { checkRequiredSettings, moduleOf } from './settings';

export const DEFAULT_OUT_DIR = join(ROOT, '.build', 'functiongraph');
/** Zip entries carry this date (the earliest a zip can hold), so that a rebuild gives the same bytes. */
const ZIP_DATE = new Date(Date.UTC(1980, 0, 1, 0, 0, 0));

export interface PackageOptions extends ReadServiceOptions {
  readonly outDir?: string;
}

export interface PackageResult {
  readonly manifest: Manifest;
  readonly outDir: string;
  readonly manifestPath: string;
  readonly buildMs: number;
}

const ENTRY_NAMESPACE = 'functiongraph-entry';

/** Each function's entry is a virtual module re-exporting its handler as `handler`. */
function entryPlugin(service: ServiceDescription): Plugin {
  const byKey = new Map(service.functions.map((fn) => [fn.key, fn]));
  return {
    name: 'functiongraph-entries',
    setup(b) {
      b.onResolve({ filter: /^functiongraph-entry:/ }, (args) => ({ path: args.path.slice(ENTRY_NAMESPACE.length + 1), namespace: ENTRY_NAMESPACE }));
      b.onLoad({ filter: /.*/, namespace: ENTRY_NAMESPACE }, (args) => {
        const fn = byKey.get(args.path);
        if (!fn) return { errors: [{ text: `unknown function ${args.path}` }] };
        return { contents: `export { ${fn.exportName} as handler } from ${JSON.stringify(fn.entry)};\n`, resolveDir: dirname(fn.entry), loader: 'js' };
      });
    },
  };
}

/**
 * The plugins of custom.esbuild.plugins (a CommonJS file exporting an array of esbuild plugins, relative
 * to serverless.yml), as serverless-esbuild loads them: the FunctionGraph bundles are built like the
 * Lambda ones.
 */
function configuredPlugins(root: string, esbuild: Readonly<Record<string, unknown>>): Plugin[] {
  const file = esbuild.plugins;
  if (file === undefined) return [];
  if (typeof file !== 'string') throw new Error('custom.esbuild.plugins must be the path of a file exporting esbuild plugins');
  const loaded = require(resolve(root, file)) as unknown;
  const plugins = Array.isArray(loaded) ? loaded : [loaded];
  for (const plugin of plugins) {
    if (!plugin || typeof plugin !== 'object' || typeof (plugin as Plugin).name !== 'string' || typeof (plugin as Plugin).setup !== 'function') {
      throw new Error(`custom.esbuild.plugins: ${file} must export esbuild plugins ({ name, setup })`);
    }
  }
  return plugins as Plugin[];
}

function externals(esbuild: Readonly<Record<string, unknown>>): string[] {
  const external = Array.isArray(esbuild.external) ? esbuild.external.map(String) : [];
  const exclude = Array.isArray(esbuild.exclude) ? esbuild.exclude.map(String) : [];
  // Nothing but index.js goes into the zip, so an excluded package must be one the runtime provides.
  return [...external, ...exclude.filter((name) => name !== '*')];
}

export function sha256Hex(data: Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** A zip holding exactly `index.js`, reproducible for the same bytes. */
export async function zipIndexJs(code: Uint8Array): Promise<Buffer> {
  const zip = new JSZip();
  zip.file('index.js', code, { date: ZIP_DATE, unixPermissions: 0o644, createFolders: false });
  return zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE', compressionOptions: { level: 9 }, platform: 'UNIX' });
}

function prepareOutDir(outDir: string): void {
  if (existsSync(outDir)) {
    const entries = readdirSync(outDir);
    if (entries.length > 0 && !entries.includes(MANIFEST_FILE)) {
      throw new Error(`${outDir} is not empty and holds no ${MANIFEST_FILE}: refusing to replace it`);
    }
    rmSync(outDir, { recursive: true, force: true });
  }
  mkdirSync(outDir, { recursive: true });
}

/** Builds every function of serverless.yml for FunctionGraph. */
export async function packageFunctionGraph(options: PackageOptions = {}): Promise<PackageResult> {
  const started = Date.now();
  const service = readService(options);
  // Before the previous build is removed: a refused build leaves it as it was.
  checkRequiredSettings(
    service.stage,
    service.functions.map((fn) => ({ key: fn.key, module: moduleOf(options.root ?? ROOT, fn.entry), environment: fn.environment })),
  );
  const outDir = resolve(options.outDir ?? DEFAULT_OUT_DIR);

  const result =
    service.functions.length === 0
      ? { outputFiles: [] }
      : await build({
          entryPoints: service.functions.map((fn) => ({ in: `${ENTRY_NAMESPACE}:${fn.key}`, out: `${fn.key}/index` })),
          outdir: outDir,
          bundle: true,
          minify: true,
          platform: 'node',
          target: 'node20',
          format: 'cjs',
          sourcemap: 'external',
          keepNames: service.esbuild.keepNames === true,
          external: externals(service.esbuild),
          absWorkingDir: options.root ?? ROOT,
          plugins: [entryPlugin(service), ...configuredPlugins(options.root ?? ROOT, service.esbuild)],
          write: false,
          logLevel: 'silent',
        });

  // Everything is built and checked in memory first: a build that fails (esbuild, a trigger the manifest
  // refuses) leaves the previous build as it was, and the deploy can still use it.
  const outputs = new Map(result.outputFiles.map((file) => [relative(outDir, file.path), file]));
  const functions: ManifestFunction[] = [];
  const files: Array<[string, Uint8Array]> = [];
  for (const fn of service.functions) {
    const code = outputs.get(join(fn.key, 'index.js'));
    const map = outputs.get(join(fn.key, 'index.js.map'));
    if (!code) throw new Error(`esbuild produced no bundle for ${fn.key}`);
    files.push([join(fn.key, 'index.js'), code.contents]);
    if (map) files.push([join(fn.key, 'index.js.map'), map.contents]);
    const zip = await zipIndexJs(code.contents);
    const zipName = `${fn.key}.zip`;
    files.push([zipName, zip]);
    functions.push({
      key: fn.key,
      name: fn.name,
      description: fn.description,
      handler: FUNCTIONGRAPH_HANDLER,
      runtime: FUNCTIONGRAPH_RUNTIME,
      memoryMB: fn.memoryMB,
      timeoutSeconds: fn.timeoutSeconds,
      zip: zipName,
      codeSha256: sha256Hex(zip),
      zipBytes: zip.length,
      bundleBytes: code.contents.length,
      ...(map ? { sourceMap: `${fn.key}/index.js.map` } : {}),
      environment: { ...fn.environment },
      triggers: [...fn.triggers],
      manualEvents: [...fn.manualEvents],
    });
  }

  const parsed = manifestSchema.safeParse({ manifestVersion: MANIFEST_VERSION, service: service.service, stage: service.stage, functions });
  if (!parsed.success) {
    // Named by the function's key and the event, not by an index into a zod dump.
    const issue = parsed.error.issues[0];
    const [, index, ...rest] = issue?.path ?? [];
    const key = typeof index === 'number' ? functions[index]?.key : undefined;
    throw new Error(`serverless.yml: ${key ? `functions.${key}` : 'the service'}${rest.length > 0 ? `: ${rest.join('.')}` : ''}: ${issue?.message ?? 'is invalid'} (nothing was written: the previous build is kept)`);
  }
  const manifest = parsed.data;
  prepareOutDir(outDir);
  for (const [file, contents] of files) {
    mkdirSync(dirname(join(outDir, file)), { recursive: true });
    writeFileSync(join(outDir, file), contents);
  }
  const manifestPath = join(outDir, MANIFEST_FILE);
  writeFileSync(manifestPath, `${JSON.stringify(manifest, null, 2)}\n`);
  return { manifest, outDir, manifestPath, buildMs: Date.now() - started };
}

// ---- CLI ----------------------------------------------------------------------------------------

export function parseArgs(argv: readonly string[], known: readonly string[], flags: readonly string[] = []): Record<string, string | true> {
  const out: Record<string, string | true> = {};
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i] as string;
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(arg);
    if (!m) throw new Error(`unexpected argument "${arg}"`);
    const name = m[1] as string;
    if (flags.includes(name)) {
      out[name] = true;
      continue;
    }
    if (!known.includes(name)) throw new Error(`unknown option --${name} (options: ${[...known, ...flags].map((k) => `--${k}`).join(', ')})`);
    const value = m[2] ?? argv[++i];
    if (value === undefined || value.startsWith('--')) throw new Error(`--${name} needs a value`);
    out[name] = value;
  }
  return out;
}

function kB(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} kB`;
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['stage', 'out']);
  const { manifest, outDir, buildMs } = await packageFunctionGraph({
    ...(typeof args.stage === 'string' ? { stage: args.stage } : {}),
    ...(typeof args.out === 'string' ? { outDir: args.out } : {}),
  });
  const lines = [`Packaged ${manifest.functions.length} functions of ${manifest.service} (stage ${manifest.stage}) for FunctionGraph in ${buildMs} ms → ${relative(process.cwd(), outDir) || '.'}`];
  for (const fn of manifest.functions) {
    const triggers = fn.triggers.map((t) => (t.type === 'APIG' ? `APIG ${t.method} ${t.path}` : `TIMER ${t.scheduleType} ${t.schedule}`)).join(', ');
    lines.push(`  ${basename(fn.zip).padEnd(28)} ${kB(fn.zipBytes).padStart(9)}  ${fn.name}  [${triggers || 'no triggers'}]`);
    for (const manual of fn.manualEvents) lines.push(`    manual: ${manual.event}: ${manual.reason}`);
  }
  process.stdout.write(`${lines.join('\n')}\n`);
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`package:functiongraph failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
