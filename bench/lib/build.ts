/**
 * Production bundles, built the way serverless-esbuild builds them: the settings are read from
 * serverless.yml (custom.esbuild, with serverless-esbuild's defaults and the node20 target of
 * provider.runtime), so the benchmark follows the deployed configuration.
 */
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { parse } from 'yaml';

export const ROOT = join(__dirname, '..', '..');
export const WORK = join(ROOT, 'bench', '.work');

export interface ServiceFunction {
  /** The function's key in serverless.yml. */
  readonly name: string;
  /** Entry module, relative to the root, e.g. functions/http/list-pending-items.ts. */
  readonly entry: string;
  readonly exportName: string;
}

export interface ServiceSettings {
  readonly functions: readonly ServiceFunction[];
  /** The esbuild options serverless-esbuild would use (without entry and output). */
  readonly esbuild: BuildOptions;
  /** provider.environment.NODE_OPTIONS as a deploy from this environment sets it (variables resolved). */
  readonly nodeOptions: string;
}

interface ServerlessYaml {
  provider?: { runtime?: string; environment?: Record<string, unknown> };
  custom?: { esbuild?: Record<string, unknown> };
  functions?: Record<string, { handler?: string }>;
}

/** serverless-esbuild's own options, removed before the rest is handed to esbuild. */
const PLUGIN_OPTIONS = new Set([
  'concurrency', 'zipConcurrency', 'exclude', 'nativeZip', 'packager', 'packagePath', 'watch', 'keepOutputDirectory',
  'packagerOptions', 'installExtraArgs', 'outputFileExtension', 'outputBuildFolder', 'outputWorkFolder', 'nodeExternals',
  'skipBuild', 'skipRebuild', 'skipBuildExcludeFns', 'stripEntryResolveExtensions', 'disposeContext', 'config',
]);

/**
 * Resolves the serverless variables a value may hold, as a deploy from this environment would:
 * `${env:NAME, 'default'}` (the variable, else the default) and `${opt:name, 'default'}` (the default).
 */
export function resolveVariables(value: string, env: Readonly<Record<string, string | undefined>> = process.env): string {
  return value.replace(/\$\{(env|opt):([A-Za-z0-9_-]+)(?:\s*,\s*(?:'([^']*)'|"([^"]*)"))?\}/g, (_all, kind: string, name: string, single?: string, double?: string) => {
    const fallback = single ?? double ?? '';
    return kind === 'env' ? (env[name] ?? fallback) : fallback;
  });
}

/** custom.esbuild.plugins: an array, or a path to a module exporting one (or a function returning one), as serverless-esbuild reads it. */
function loadPlugins(value: unknown, doc: ServerlessYaml): Plugin[] {
  if (value === undefined) return [];
  if (Array.isArray(value)) return value as Plugin[];
  if (typeof value !== 'string') throw new TypeError('custom.esbuild.plugins must be a path or an array');
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  let loaded = require(join(ROOT, value)) as unknown;
  if (loaded && typeof loaded === 'object' && 'default' in loaded && (loaded as { __esModule?: boolean }).__esModule) loaded = (loaded as { default: unknown }).default;
  if (typeof loaded === 'function') loaded = (loaded as (serverless: unknown) => unknown)({ service: { custom: doc.custom, provider: doc.provider } });
  if (!Array.isArray(loaded)) throw new TypeError(`${value} exports no array of esbuild plugins`);
  return loaded as Plugin[];
}

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
  for (const [key, value] of Object.entries(custom)) if (!PLUGIN_OPTIONS.has(key) && key !== 'external' && key !== 'plugins') esbuild[key] = value;
  esbuild.external = [...external, ...(exclude.includes('*') ? [] : exclude)];
  const plugins = loadPlugins(custom.plugins, doc);
  if (plugins.length > 0) esbuild.plugins = plugins;
  const functions = Object.entries(doc.functions ?? {}).map(([name, fn]): ServiceFunction => ({ name, ...entryOf(fn.handler ?? '') }));
  const nodeOptions = resolveVariables(String(doc.provider?.environment?.NODE_OPTIONS ?? '')).trim();
  return { functions, esbuild: esbuild as BuildOptions, nodeOptions };
}

/**
 * The settings for a reference: the service's esbuild options without its plugins. The plugins are this
 * project's own work on what it bundles (part of "ours"); a reference is bundled as its user would.
 */
export function referenceSettings(settings: BuildOptions): BuildOptions {
  const { plugins: _ours, ...options } = settings;
  return options;
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
    // An experiment's plugins run before the service's own (esbuild takes the first that answers).
    plugins: [...(overrides.plugins ?? []), ...(settings.plugins ?? [])],
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
