/**
 * esbuild plugins used for every production bundle (serverless-esbuild via serverless.yml
 * `custom.esbuild.plugins`, and scripts/functiongraph). They keep what our functions never use out of the
 * cold start, measured in bench/experiments (bench/experiments/RESULTS.md):
 *
 *  - axios's Node build requires `form-data` (and through it mime-types/mime-db, ~133 KB), `debug` (via
 *    follow-redirects) and its fetch adapter (whose module touches globalThis.Request, loading Node's
 *    bundled undici), and `follow-redirects`, used only when redirects are followed. Our client sends JSON
 *    over node:http/https only, never FormData, never fetch, never follows a redirect (maxRedirects: 0):
 *    those modules become stubs, and `http2` is required on first use only.
 *  - axios's utils.js reads globalThis.FormData at load (loading undici again, ~10 ms); the read moves to
 *    the one place that needs it. The patch checks the exact text it replaces and fails the build if
 *    axios changes (axios is pinned in package.json).
 *
 * CommonJS on purpose: serverless-esbuild requires this file as is.
 */
const { readFile } = require('node:fs/promises');

/** follow-redirects is used by axios only when maxRedirects > 0; every call of ours sets 0. */
const NO_REDIRECTS =
  "const refuse = () => { throw new Error('redirects are not followed: set maxRedirects: 0'); };" +
  ' module.exports = { http: { request: refuse, get: refuse }, https: { request: refuse, get: refuse } };';

const STUBS = {
  'follow-redirects': NO_REDIRECTS,
  'form-data': 'module.exports = class FormData {};',
  debug: 'module.exports = function debug() { return function noop() {}; };',
  http2:
    "let real; const load = () => (real ??= require('node:http2'));" +
    ' module.exports = new Proxy({}, { get: (_t, key) => (key === "__esModule" ? undefined : load()[key]), has: (_t, key) => key in load() });',
  'axios-fetch-adapter': 'export const getFetch = () => undefined; export default undefined;',
};

/** @type {import('esbuild').Plugin} */
const trimAxiosForNode = {
  name: 'trim-axios-for-node',
  setup(build) {
    build.onResolve({ filter: /^(form-data|debug|http2|follow-redirects)$/ }, (args) => ({ path: args.path, namespace: 'hrf-stub' }));
    build.onResolve({ filter: /(^|\/)fetch\.js$/ }, (args) =>
      /[\\/]node_modules[\\/]axios[\\/]lib[\\/]adapters[\\/]/.test(args.importer) ? { path: 'axios-fetch-adapter', namespace: 'hrf-stub' } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'hrf-stub' }, (args) => ({ contents: STUBS[args.path] ?? '', loader: 'js', resolveDir: __dirname }));
  },
};

/** @type {import('esbuild').Plugin} */
const axiosLazyGlobalFormData = {
  name: 'axios-lazy-global-form-data',
  setup(build) {
    const declaration = "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;";
    const eagerCheck = '  if (FormDataCtor && thing instanceof FormDataCtor) return true;\n';
    const appendCheck = '  if (!isFunction(thing.append)) return false;\n';
    build.onLoad({ filter: /[\\/]node_modules[\\/]axios[\\/]lib[\\/]utils\.js$/ }, async (args) => {
      const text = await readFile(args.path, 'utf8');
      if (!text.includes(declaration) || !text.includes(eagerCheck) || !text.includes(appendCheck)) {
        throw new Error('axios-lazy-global-form-data: axios/lib/utils.js changed; review build/esbuild-plugins.js');
      }
      const lazyCheck =
        appendCheck +
        "  if (FormDataCtor === null) FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;\n" +
        '  if (FormDataCtor && thing instanceof FormDataCtor) return true;\n';
      return { contents: text.replace(declaration, 'let FormDataCtor = null;').replace(eagerCheck, '').replace(appendCheck, lazyCheck), loader: 'js' };
    });
  },
};

module.exports = [trimAxiosForNode, axiosLazyGlobalFormData];
// Named too, for bench/experiments to apply one at a time.
module.exports.trimAxiosForNode = trimAxiosForNode;
module.exports.axiosLazyGlobalFormData = axiosLazyGlobalFormData;
