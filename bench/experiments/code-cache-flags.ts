/**
 * Which process flags make V8 refuse a code cache made without them? A shipped cache helps a deployment only
 * if the platform starts Node with flags V8 does not hash. Makes a cache of listPendingItems' bundle in a
 * process with no flags, then compiles the same bundle with that cache in processes started with one flag
 * each (the heap flags a platform sizes to the function's memory among them), and prints whether V8 took it.
 *
 *   node --import tsx bench/experiments/code-cache-flags.ts
 *
 * Measured 2026-12-07 on Node v20.20.2: taken with no flag and under --max-http-header-size (a Node option);
 * refused under --max-old-space-size, --max-semi-space-size, --expose-gc and --stack-size (V8 flags), and
 * under NODE_OPTIONS=--max-old-space-size=256 alike. So a cache made at build time is refused by a runtime
 * that sizes the heap with V8 flags, and it is not shipped (README, "What is left").
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { bundle, readServiceSettings, WORK } from '../lib/build';

// Runs in the child: makes the cache (argv[2] = 'make') or compiles with it and says whether V8 refused it.
const PROBE = `'use strict';
const fs = require('node:fs');
const vm = require('node:vm');
const { wrap } = require('node:module');
const [mode, bundleFile, cacheFile] = process.argv.slice(2);
const source = wrap(fs.readFileSync(bundleFile, 'utf8'));
if (mode === 'make') {
  fs.writeFileSync(cacheFile, new vm.Script(source, { filename: bundleFile }).createCachedData());
} else {
  const script = new vm.Script(source, { filename: bundleFile, cachedData: fs.readFileSync(cacheFile) });
  process.stdout.write(script.cachedDataRejected ? 'refused' : 'taken');
}
`;

const FLAGS: ReadonlyArray<{ readonly label: string; readonly args: readonly string[]; readonly env?: Record<string, string> }> = [
  { label: 'no flag', args: [] },
  { label: '--max-http-header-size=81920', args: ['--max-http-header-size=81920'] },
  { label: '--max-old-space-size=1536', args: ['--max-old-space-size=1536'] },
  { label: '--max-semi-space-size=16', args: ['--max-semi-space-size=16'] },
  { label: '--expose-gc', args: ['--expose-gc'] },
  { label: '--stack-size=900', args: ['--stack-size=900'] },
  { label: 'NODE_OPTIONS=--max-old-space-size=256', args: [], env: { NODE_OPTIONS: '--max-old-space-size=256' } },
];

async function main(): Promise<void> {
  const settings = readServiceSettings();
  const fn = settings.functions.find((f) => f.name === 'listPendingItems');
  if (!fn) throw new Error('serverless.yml declares no listPendingItems');
  const dir = join(WORK, 'code-cache-flags');
  mkdirSync(dir, { recursive: true });
  const built = await bundle(fn.entry, join(dir, 'listPendingItems.js'), settings.esbuild);
  const probe = join(dir, 'probe.js');
  const cache = join(dir, 'listPendingItems.v8cache');
  writeFileSync(probe, PROBE);
  const env = { PATH: process.env.PATH ?? '' };
  execFileSync(process.execPath, [probe, 'make', built.file, cache], { env });
  process.stdout.write(`Node ${process.version}: a cache of ${fn.name} made with no flag, compiled under\n`);
  for (const flag of FLAGS) {
    const answer = execFileSync(process.execPath, [...flag.args, probe, 'use', built.file, cache], { env: { ...env, ...flag.env }, encoding: 'utf8' });
    process.stdout.write(`  ${flag.label}: ${answer}\n`);
  }
}

main().catch((error: unknown) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
  process.exitCode = 1;
});
