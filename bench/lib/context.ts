/** What every section of the run shares: settings, repetitions, bundles, and where problems are noted. */
import { build as esbuild } from 'esbuild';
import { join } from 'node:path';
import { bundle, readServiceSettings, referenceSettings, ROOT, WORK, type BuiltBundle, type ServiceFunction, type ServiceSettings } from './build';
import type { Figure } from './results';
import { describeEsbuild } from './report';

export interface Repetitions {
  /** Cold starts per variant (interleaved). */
  readonly cold: number;
  /** Isolated module loads per package. */
  readonly load: number;
  readonly warmIterations: number;
  readonly warmup: number;
  readonly signerRounds: number;
  readonly signerBatch: number;
  /** Runs of the 10,000-package release check. */
  readonly check: number;
}

export function repetitions(quick: boolean): Repetitions {
  return quick
    ? { cold: 5, load: 4, warmIterations: 600, warmup: 200, signerRounds: 4, signerBatch: 2000, check: 2 }
    : { cold: 15, load: 10, warmIterations: 3000, warmup: 500, signerRounds: 12, signerBatch: 5000, check: 5 };
}

export interface Variant {
  /** floor | officialSdk | a function's name. */
  readonly key: string;
  readonly label: string;
  readonly bundle: BuiltBundle;
  readonly fn?: ServiceFunction;
}

export interface BenchContext {
  readonly quick: boolean;
  readonly reps: Repetitions;
  readonly settings: ServiceSettings;
  readonly floor: Variant;
  readonly officialSdk: Variant;
  /** Our functions that bundled. */
  readonly functions: readonly Variant[];
  readonly harness: { readonly cold: string; readonly warm: string; readonly signer: string };
  readonly figures: Figure[];
  /** Markdown sections for RESULTS.md below the table. */
  readonly diagnostics: string[];
  /** Things that could not be measured, with the reason. */
  readonly problems: string[];
  log(message: string): void;
}

export const BUNDLES = join(WORK, 'bundles');
export const HARNESS = join(WORK, 'harness');

/** The measuring harness: plain CommonJS, not minified, loaded before the function in every variant alike. */
export async function buildHarness(entry: string, outName: string): Promise<string> {
  const outfile = join(HARNESS, outName);
  await esbuild({ entryPoints: [join(ROOT, entry)], bundle: true, platform: 'node', target: 'node20', format: 'cjs', outfile, logLevel: 'silent', absWorkingDir: ROOT });
  return outfile;
}

export async function prepare(quick: boolean, log: (m: string) => void): Promise<BenchContext> {
  const settings = readServiceSettings();
  const problems: string[] = [];
  log(`building the references and ${settings.functions.length} functions (${describeEsbuild(settings.esbuild)})`);
  const floor: Variant = {
    key: 'floor',
    label: 'floor (node:https + node:crypto)',
    bundle: await bundle('bench/references/floor.ts', join(BUNDLES, 'floor.js'), referenceSettings(settings.esbuild)),
  };
  const officialSdk: Variant = {
    key: 'officialSdk',
    label: 'official SDK core 3.1.211',
    bundle: await bundle('bench/references/official-sdk.ts', join(BUNDLES, 'official-sdk.js'), referenceSettings(settings.esbuild)),
  };
  const functions: Variant[] = [];
  for (const fn of settings.functions) {
    try {
      functions.push({ key: fn.name, label: fn.name, fn, bundle: await bundle(fn.entry, join(BUNDLES, `${fn.name}.js`), settings.esbuild) });
    } catch (error) {
      problems.push(`${fn.name}: does not bundle (${firstLine(error)}); none of its figures were measured`);
    }
  }
  // The signer runner measures bundled code: built like a function (minified), without a source map.
  const signerOut = join(HARNESS, 'signer-runner.js');
  await esbuild({ ...settings.esbuild, sourcemap: false, entryPoints: [join(ROOT, 'bench/harness/signer-runner.ts')], outfile: signerOut, logLevel: 'silent', absWorkingDir: ROOT });
  return {
    quick,
    reps: repetitions(quick),
    settings,
    floor,
    officialSdk,
    functions,
    harness: {
      cold: await buildHarness('bench/harness/cold-runner.ts', 'cold-runner.js'),
      warm: await buildHarness('bench/harness/warm-runner.ts', 'warm-runner.js'),
      signer: signerOut,
    },
    figures: [],
    diagnostics: [],
    problems,
    log,
  };
}

export function firstLine(error: unknown): string {
  const text = error instanceof Error ? error.message : String(error);
  return text.split('\n').filter((l) => l.trim() !== '').slice(0, 3).join(' / ');
}
