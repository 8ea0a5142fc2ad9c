/**
 * V8 code cache for a bundle (Node 20 has no module.enableCompileCache, which came in 22.1): a loader next
 * to the bundle compiles it with `vm.Script` and `cachedData`. The cache is made by a training run (load +
 * first invocation, so that the functions it runs are compiled too) and written at exit; a deployment
 * would make it at build time on the exact Node version of the runtime (V8 refuses a cache from another
 * version or other flags, and then simply compiles as usual).
 */
import { writeFileSync } from 'node:fs';
import { basename, dirname, join } from 'node:path';

const RUNTIME = `'use strict';
const fs = require('node:fs');
const path = require('node:path');
const vm = require('node:vm');
const Module = require('node:module');
exports.load = function load(file) {
  const cacheFile = file + '.v8cache';
  const source = fs.readFileSync(file, 'utf8');
  let cachedData;
  try { cachedData = fs.readFileSync(cacheFile); } catch { cachedData = undefined; }
  const script = new vm.Script(Module.wrap(source), { filename: file, cachedData });
  if (process.env.BENCH_CODE_CACHE === 'write') {
    process.once('exit', () => fs.writeFileSync(cacheFile, script.createCachedData()));
  } else if (cachedData && script.cachedDataRejected) {
    process.emitWarning('code cache rejected for ' + file);
  }
  const mod = { exports: {} };
  const requireFn = Module.createRequire(file);
  script.runInThisContext().call(mod.exports, mod.exports, requireFn, mod, file, path.dirname(file));
  return mod.exports;
};
`;

/** Writes `<bundle>.cc.js` (the loader) and the shared runtime beside the bundle; returns the loader's path. */
export function writeCodeCacheLoader(bundleFile: string): string {
  const dir = dirname(bundleFile);
  writeFileSync(join(dir, 'code-cache-runtime.js'), RUNTIME);
  const loader = bundleFile.replace(/\.js$/, '.cc.js');
  writeFileSync(loader, `'use strict';\nmodule.exports = require('./code-cache-runtime.js').load(require('node:path').join(__dirname, ${JSON.stringify(basename(bundleFile))}));\n`);
  return loader;
}
