/**
 * Production bundles, built the way serverless-esbuild builds them: the settings are read from
 * serverless.yml (custom.esbuild, with serverless-esbuild's defaults and the node20 target of
 * provider.runtime), so the benchmark follows the deployed configuration.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile } from 'esbuild';
import { parse } from 'yaml';

export const ROOT = join(__dirname, '..', '..');
export const WORK = join(ROOT, 'bench', '.work');

export interface ServiceFunction {
  /** The function's key in serverless.yml. */
  readonly name: string;
  /** Entry module, relative to the root, e.g. functions/http/list-pending-items.ts. */
  readonly entry: string;
  readonly exportName: string;
  readonly kind: 'http' | 'schedule' | 'other';
}

export interface ServiceSettings {
  readonly functions: readonly ServiceFunction[];
  /** The esbuild options serverless-esbuild would use (without entry and output). */
  readonly esbuild: BuildOptions;
  /** provider.environment.NODE_OPTIONS as deployed (e.g. --enable-source-maps). */
  readonly nodeOptions: string;
}

interface ServerlessYaml {
  provider?: { runtime?: string; environment?: Record<string, unknown> };
  custom?: { esbuild?: Record<string, unknown> };
  functions?: Record<string, { handler?: string; events?: Record<string, unknown>[] }>;
}

/** serverless-esbuild's own options, removed before the rest is handed to esbuild. */
const PLUGIN_OPTIONS = new Set([
  'concurrency', 'zipConcurrency', 'exclude', 'nativeZip', 'packager', 'packagePath', 'watch', 'keepOutputDirectory',
  'packagerOptions', 'installExtraArgs', 'outputFileExtension', 'outputBuildFolder', 'outputWorkFolder', 'nodeExternals',
  'skipBuild', 'skipRebuild', 'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'disposeContext', 'config',
]);

function entryOf(handler: string): { entry: string; exportName: string } {
  const dot = handler.lastIndexOf('.');
  return { entry: `${handler.slice(0, dot)}.ts`, exportName: handler.slice(dot + 1) };
}

export function readServiceSettings(path = join(ROOT, 'serverless.yml')): ServiceSettings {
  const doc = parse(readFileSync(path, 'utf8')) as ServerlessYaml;
  const runtime = doc.provider?.runtime ?? 'nodejs20.x';
  const node = /^nodejs(\d+)/.exec(runtime)?.[1] ?? '20';
  const custom = { ...(doc.custom?.esbuild ?? {}) };
  const exclude = Array.isArray(custom.exclude) ? (custom.exclude as string[]) : ['aws-sdk'];
  const external = Array.isArray(custom.external) ? (custom.external as string[]) : [];
  const esbuild: Record<string, unknown> = { bundle: true, platform: 'node', target: `node${node}` };
  for (const [key, value] of Object.entries(custom)) if (!PLUGIN_OPTIONS.has(key) && key !== 'external') esbuild[key] = value;
  esbuild.external = [...external, ...(exclude.includes('*') ? [] : exclude)];
  const functions = Object.entries(doc.functions ?? {}).map(([name, fn]): ServiceFunction => {
    const events = fn.events ?? [];
    const kind = events.some((e) => 'http' in e || 'httpApi' in e) ? 'http' : events.some((e) => 'schedule' in e) ? 'schedule' : 'other';
    return { name, ...entryOf(fn.handler ?? ''), kind };
  });
  const nodeOptions = String(doc.provider?.environment?.NODE_OPTIONS ?? '');
  return { functions, esbuild: esbuild as BuildOptions, nodeOptions };
}

export interface BuiltBundle {
  readonly entry: string;
  /** Absolute path of the .js file. */
  readonly file: string;
  readonly bytes: number;
  readonly mapFile: string | undefined;
  readonly mapBytes: number;
  readonly metafile: Metafile;
}

/** Bundles one entry with the service's settings (plus overrides, for experiments) into `outFile`. */
export async function bundle(entry: string, outFile: string, settings: BuildOptions, overrides: BuildOptions = {}): Promise<BuiltBundle> {
  const result = await build({
    ...settings,
    ...overrides,
    entryPoints: [join(ROOT, entry)],
    outfile: outFile,
    metafile: true,
    logLevel: 'silent',
    absWorkingDir: ROOT,
  });
  const mapFile = `${outFile}.map`;
  let mapBytes = 0;
  try {
    mapBytes = statSync(mapFile).size;
  } catch {
    mapBytes = 0;
  }
  return { entry, file: outFile, bytes: statSync(outFile).size, mapFile: mapBytes > 0 ? mapFile : undefined, mapBytes, metafile: result.metafile };
}

/** Input bytes per package in a bundle (node_modules/<pkg> or "(project)"), from esbuild's metafile. */
export function bytesByPackage(metafile: Metafile, outFile: string): Map<string, number> {
  const out = new Map<string, number>();
  const output = Object.entries(metafile.outputs).find(([path]) => outFile.endsWith(path) || path.endsWith('.js'))?.[1];
  if (!output) return out;
  for (const [input, { bytesInOutput }] of Object.entries(output.inputs)) {
    const m = /node_modules\/((?:@[^/]+\/)?[^/]+)/.exec(input);
    const key = m ? (m[1] as string) : '(project)';
    out.set(key, (out.get(key) ?? 0) + bytesInOutput);
  }
  return out;
}
