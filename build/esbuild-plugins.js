/**
 * esbuild plugins used for every production bundle (serverless-esbuild via serverless.yml
 * `custom.esbuild.plugins`, and scripts/functiongraph). They keep what our functions never use out of the
 * bundle and the cold start, measured in bench/experiments (bench/experiments/RESULTS.md):
 *
 *  - axios's Node build requires `form-data` (and through it mime-types/mime-db, ~133 KB), `debug` (via
 *    follow-redirects) and its fetch adapter (whose module touches globalThis.Request, loading Node's
 *    bundled undici), and `follow-redirects`, used only when redirects are followed. Our client sends JSON
 *    over node:http/https only, never FormData, never fetch, never follows a redirect (maxRedirects: 0):
 *    those modules become stubs, and `http2` is required on first use only.
 *  - axios's utils.js reads globalThis.FormData at load (loading undici again, ~10 ms); the read moves to
 *    the one place that needs it.
 *  - axios modules our requests never reach become stubs that throw a clear Error if they ever are: the
 *    browser's xhr adapter (and with it resolveConfig, cookies, isURLSameOrigin), FormData/Blob/data: URL
 *    helpers, the progress/maxRate streams (the http adapter then refuses those options up front) and the
 *    HTTP/2 session pool (our requests are HTTP/1.1).
 *  - Node built-ins the first request does not need are required on first use: https-proxy-agent (and
 *    node:assert) only when a proxy applies, zlib only when a response is compressed, node:stream/web (for
 *    @middy/core) only when a response is streamed.
 *  - Our own schema and contract definitions are marked pure, so a bundle keeps only those it uses
 *    (build/pure-calls.js).
 *
 * What OUR client sends (shared/http/client.ts, shared/auth/iam-token.ts): a string JSON body or none,
 * `responseType: 'text'`, `maxRedirects: 0`, no `params` (the query is in the url), never FormData, Blob or
 * URLSearchParams, no onUploadProgress/onDownloadProgress/maxRate, through axios's node http adapter.
 *
 * Every patch checks the exact text it replaces and every stub the exact exports it stands for, the places
 * axios uses them and the guards that keep them unreached; any difference fails the build with a message
 * naming the file (axios is pinned in package.json). test/unit/build/esbuild-plugins.test.ts exercises each.
 *
 * CommonJS on purpose: serverless-esbuild requires this file as is.
 */
const { readFile } = require('node:fs/promises');
const { dirname, join, relative, resolve, sep } = require('node:path');
const { pureCalls } = require('./pure-calls');

/** The axios these stubs and patches were reviewed against (package.json pins it). */
const AXIOS_VERSION = '1.21.1';

const IN_AXIOS_LIB = /[\\/]node_modules[\\/]axios[\\/]lib[\\/]/;
const AXIOS_HTTP_ADAPTER = /[\\/]node_modules[\\/]axios[\\/]lib[\\/]adapters[\\/]http\.js$/;
const MIDDY_CORE = /[\\/]node_modules[\\/]@middy[\\/]core[\\/]/;

/** The build error every check throws: which plugin, which file, what differs. */
function changed(plugin, file, what) {
  return new Error(`${plugin}: ${file} changed (${what}); review build/esbuild-plugins.js`);
}

/** Each snippet must occur exactly once in text. */
function expectOnce(plugin, file, text, snippets) {
  for (const snippet of snippets) {
    const count = text.split(snippet).length - 1;
    if (count !== 1) throw changed(plugin, file, `expected once, found ${count} times: ${JSON.stringify(snippet.slice(0, 120))}`);
  }
}

/** How often an identifier occurs in text, as a whole word. */
function occurrences(text, identifier) {
  return text.split(new RegExp(`\\b${identifier}\\b`)).length - 1;
}

// ---- stubs and lazy modules ---------------------------------------------------------------------

/** follow-redirects is used by axios only when maxRedirects > 0; every call of ours sets 0. */
const NO_REDIRECTS =
  "const refuse = () => { throw new Error('redirects are not followed: set maxRedirects: 0'); };" +
  ' module.exports = { http: { request: refuse, get: refuse }, https: { request: refuse, get: refuse } };';

/**
 * zlib on first use. axios's http.js reads, at load, zlib.constants.{Z_SYNC_FLUSH, BROTLI_OPERATION_FLUSH,
 * ZSTD_e_flush} and whether zlib.createBrotliDecompress / createZstdDecompress are functions; those answers
 * are given here without loading zlib, with the values the real module has (the zlib and brotli flush
 * constants are fixed by those libraries; zstd arrived in Node 22.15 and 23.8:
 * test/unit/build/esbuild-plugins.test.ts compares them with require('node:zlib')'s). Anything else loads
 * the real module, which only a compressed response needs (createUnzip, createBrotliDecompress, ...).
 */
const LAZY_ZLIB = `let real;
const load = () => (real ??= require('node:zlib'));
const [major, minor] = process.versions.node.split('.').map(Number);
const hasZstd = major > 23 || (major === 23 && minor >= 8) || (major === 22 && minor >= 15);
const eagerConstants = { Z_SYNC_FLUSH: 2, BROTLI_OPERATION_FLUSH: 1, ZSTD_e_flush: hasZstd ? 1 : undefined };
const constants = new Proxy({}, {
  get: (_t, key) => (Object.hasOwn(eagerConstants, key) ? eagerConstants[key] : load().constants[key]),
  has: (_t, key) => key in load().constants,
});
const createBrotliDecompress = (options) => load().createBrotliDecompress(options);
const createZstdDecompress = hasZstd ? (options) => load().createZstdDecompress(options) : undefined;
const eager = { constants, createBrotliDecompress, createZstdDecompress };
module.exports = new Proxy({}, {
  get: (_t, key) => (key === '__esModule' ? undefined : Object.hasOwn(eager, key) ? eager[key] : load()[key]),
  has: (_t, key) => key in load(),
});`;

/**
 * https-proxy-agent (with agent-base and node:assert) on first use: axios's http.js constructs one
 * (`new HttpsProxyAgent(options)`) only when a proxy applies to an https request, and asks
 * `httpsAgent instanceof HttpsProxyAgent` only then too. Before the real module is loaded nothing can be
 * one of its agents, so instanceof answers false; after, it asks the real class. Proxies from
 * HTTP(S)_PROXY / NO_PROXY (proxy-from-env, shouldBypassProxy, loaded as before) keep working.
 */
const LAZY_HTTPS_PROXY_AGENT = `let real;
const load = () => (real ??= require('https-proxy-agent'));
function HttpsProxyAgent(options) { return new (load())(options); }
Object.defineProperty(HttpsProxyAgent, Symbol.hasInstance, { value: (agent) => real !== undefined && agent instanceof real });
module.exports = HttpsProxyAgent;`;

/**
 * node:stream/web for @middy/core on first use: it imports ReadableStream for streamifyResponse only
 * (`handlerBody instanceof ReadableStream` when a streamed response is written), which we never use.
 * Each name the importer takes from the module becomes a getter on the real one (every export of the
 * module unless middy only has plain `import { ... }`s of it), so whatever middy imports stays correct.
 */
function lazyStreamWeb(importerText) {
  const imports = [...importerText.matchAll(/^import\s([^;]*?)\sfrom\s*["'](?:node:)?stream\/web["']/gm)].map((m) => m[1].trim());
  // Only plain named imports, and no other mention of the module (a re-export, a dynamic import).
  const named = imports.every((clause) => /^\{[^}]*\}$/.test(clause)) && importerText.split('stream/web').length - 1 === imports.length;
  const names =
    imports.length > 0 && named
      ? imports.flatMap((clause) => clause.slice(1, -1).split(',').map((entry) => entry.trim().split(/\s+as\s+/)[0]).filter(Boolean))
      : Object.keys(require('node:stream/web'));
  return (
    "let real; const load = () => (real ??= require('node:stream/web'));" +
    ` for (const name of ${JSON.stringify(names)}) Object.defineProperty(exports, name, { enumerable: true, get: () => load()[name] });`
  );
}

const STUBS = {
  'follow-redirects': NO_REDIRECTS,
  'form-data': 'module.exports = class FormData {};',
  debug: 'module.exports = function debug() { return function noop() {}; };',
  http2:
    "let real; const load = () => (real ??= require('node:http2'));" +
    ' module.exports = new Proxy({}, { get: (_t, key) => (key === "__esModule" ? undefined : load()[key]), has: (_t, key) => key in load() });',
  'axios-fetch-adapter': 'export const getFetch = () => undefined; export default undefined;',
  'lazy-zlib': LAZY_ZLIB,
  'lazy-https-proxy-agent': LAZY_HTTPS_PROXY_AGENT,
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
    build.onLoad({ filter: /[\\/]node_modules[\\/]axios[\\/]lib[\\/]utils\.js$/ }, async (args) => ({
      contents: patchAxiosUtils(await readFile(args.path, 'utf8')),
      loader: 'js',
    }));
  },
};

/** axios/lib/utils.js: globalThis.FormData is read on the first isFormData of an object with append(), not at load. */
function patchAxiosUtils(text) {
  const declaration = "const FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;";
  const eagerCheck = '  if (FormDataCtor && thing instanceof FormDataCtor) return true;\n';
  const appendCheck = '  if (!isFunction(thing.append)) return false;\n';
  if (!text.includes(declaration) || !text.includes(eagerCheck) || !text.includes(appendCheck)) {
    throw new Error('axios-lazy-global-form-data: axios/lib/utils.js changed; review build/esbuild-plugins.js');
  }
  const lazyCheck =
    appendCheck +
    "  if (FormDataCtor === null) FormDataCtor = typeof G.FormData !== 'undefined' ? G.FormData : undefined;\n" +
    '  if (FormDataCtor && thing instanceof FormDataCtor) return true;\n';
  return text.replace(declaration, 'let FormDataCtor = null;').replace(eagerCheck, '').replace(appendCheck, lazyCheck);
}

/**
 * https-proxy-agent and agent-base log through `debug`, which is a no-op stub here (STUBS.debug): their
 * `debug('...', ...)` statements do nothing but carry their message text. Marked pure, esbuild drops them
 * (an argument that might have an effect, a property read, is kept as its own statement). Each file must
 * hold exactly the reviewed number of such one-line statements, and `debug` must be the module's own
 * binding of the `debug` package, or the build fails naming the file.
 */
const PROXY_AGENT_DEBUG_CALLS = {
  'agent-base/dist/src/index.js': { name: 'agent-base', calls: 5 },
  'https-proxy-agent/dist/agent.js': { name: 'https-proxy-agent:agent', calls: 5 },
  'https-proxy-agent/dist/parse-proxy-response.js': { name: 'https-proxy-agent:parse-proxy-response', calls: 5 },
};
const PROXY_AGENT_FILE = /[\\/]node_modules[\\/]((?:agent-base|https-proxy-agent)[\\/]dist[\\/].*\.js)$/;

/** Marks a proxy agent module's `debug(...)` statements pure, after checking them (see PROXY_AGENT_DEBUG_CALLS). */
function dropProxyAgentDebugCalls(file, text) {
  const plugin = 'proxy-agents-without-debug';
  const reviewed = PROXY_AGENT_DEBUG_CALLS[file];
  const statement = /^(\s*)debug\((.*)\);$/gm;
  const found = text.match(statement)?.length ?? 0;
  if (!reviewed) {
    if (occurrences(text, 'debug') > 0) throw changed(plugin, file, 'a module that was not reviewed names debug');
    return text;
  }
  expectOnce(plugin, file, text, [`const debug = debug_1.default('${reviewed.name}');`]);
  // require("debug"), the binding and the statements: nothing else may name it.
  const others = occurrences(text, 'debug') - found - 2;
  if (found !== reviewed.calls || others !== 0) throw changed(plugin, file, `${found} debug statements and ${others} other uses of debug, reviewed ${reviewed.calls} and none`);
  return text.replace(statement, '$1/* @__PURE__ */ debug($2);');
}

/** @type {import('esbuild').Plugin} */
const proxyAgentsWithoutDebug = {
  name: 'proxy-agents-without-debug',
  setup(build) {
    build.onLoad({ filter: PROXY_AGENT_FILE }, async (args) => {
      const file = PROXY_AGENT_FILE.exec(args.path)[1].split(sep).join('/');
      return { contents: dropProxyAgentDebugCalls(file, await readFile(args.path, 'utf8')), loader: 'js' };
    });
  },
};

// ---- axios modules our requests never reach -----------------------------------------------------

/** The message of every stub that is reached after all. */
const notBundled = (what, why) =>
  JSON.stringify(`hwc-release-functions: axios's ${what} is left out of this bundle (build/esbuild-plugins.js): ${why}`);

const FORMS = 'our client sends a string body or none, never FormData, Blob, URLSearchParams or `params`';

/**
 * Each stubbed axios module (path under axios/lib): the exports it has (every `export` line, exactly), the
 * text its reviewed behaviour rests on, every module that imports it with how often it names the import
 * (a new use fails the build), the guard text in those importers that keeps our requests away from it, why
 * that is safe for our client, and the stub (every function throws a clear Error).
 */
const AXIOS_STUBS = {
  'adapters/xhr.js': {
    plugin: 'axios-without-browser-adapter',
    exports: ['export default isXHRAdapterSupported &&'],
    // In Node there is no XMLHttpRequest, so the real module exports false: axios skips 'xhr' in its
    // default ['xhr', 'http', 'fetch'] and takes 'http'. The stub decides the same way; where a global
    // XMLHttpRequest exists it would be chosen, and throws. resolveConfig, cookies and isURLSameOrigin are
    // imported by xhr.js and fetch.js only, so they leave the bundle with it.
    text: ["const isXHRAdapterSupported = typeof XMLHttpRequest !== 'undefined';\n\nexport default isXHRAdapterSupported &&\n  function (config) {"],
    importers: { 'adapters/adapters.js': { xhrAdapter: 2 } },
    guards: { 'adapters/adapters.js': ["const isResolvedHandle = (adapter) =>\n  utils.isFunction(adapter) || adapter === null || adapter === false;"] },
    contents: `export default typeof XMLHttpRequest !== 'undefined' && function xhr() { throw new Error(${notBundled('xhr adapter', 'our functions run on Node and use the http adapter')}); };`,
  },
  'helpers/toFormData.js': {
    plugin: 'axios-without-forms',
    exports: ['export const DEFAULT_FORM_DATA_MAX_DEPTH = 100;', 'export default toFormData;'],
    text: [],
    // Reached by transformRequest for object payloads with a multipart content type or a FileList, by
    // toURLEncodedForm (object payloads, urlencoded content type), by AxiosURLSearchParams (non-empty
    // `params`) and by axios.toFormData: a string body, or none, and no params reach none of them.
    importers: {
      'defaults/index.js': { toFormData: 3 },
      'helpers/toURLEncodedForm.js': { toFormData: 3 },
      'helpers/AxiosURLSearchParams.js': { toFormData: 3 },
      'helpers/formDataToJSON.js': { DEFAULT_FORM_DATA_MAX_DEPTH: 2, toFormData: 1 },
      'axios.js': { toFormData: 4 },
    },
    guards: {
      'defaults/index.js': [
        "      if (isObjectPayload) {\n        const formSerializer = own(this, 'formSerializer');\n        if (contentType.indexOf('application/x-www-form-urlencoded') > -1) {\n          return toURLEncodedForm(data, formSerializer).toString();\n        }",
        "      if (isObjectPayload || hasJSONContentType) {\n        headers.setContentType('application/json', false);\n        return stringifySafely(data);\n      }",
      ],
      'helpers/AxiosURLSearchParams.js': ['  params && toFormData(params, this, options);'],
      'helpers/buildURL.js': ['export default function buildURL(url, params, options) {\n  if (!params) {\n    return url;\n  }'],
    },
    contents:
      'export const DEFAULT_FORM_DATA_MAX_DEPTH = 100;' +
      ` export default function toFormData() { throw new Error(${notBundled('toFormData', FORMS)}); }`,
  },
  'helpers/formDataToJSON.js': {
    plugin: 'axios-without-forms',
    exports: ['export default formDataToJSON;'],
    text: [],
    // Reached by transformRequest when the body is a FormData (utils.isFormData), and by axios.formToJSON.
    importers: { 'defaults/index.js': { formDataToJSON: 3 }, 'axios.js': { formDataToJSON: 3 } },
    guards: { 'defaults/index.js': ['      if (isFormData) {\n        return hasJSONContentType ? JSON.stringify(formDataToJSON(data)) : data;\n      }'] },
    contents: `export default function formDataToJSON() { throw new Error(${notBundled('formDataToJSON', FORMS)}); }`,
  },
  'helpers/formDataToStream.js': {
    plugin: 'axios-without-forms',
    exports: ['export default formDataToStream;'],
    text: [],
    // Reached by the http adapter when the body is a spec-compliant FormData.
    importers: { 'adapters/http.js': { formDataToStream: 3 } },
    guards: { 'adapters/http.js': ['      if (utils.isSpecCompliantForm(data)) {\n        const userBoundary = headers.getContentType(/boundary=([-_\\w\\d]{10,70})/i);\n\n        data = formDataToStream('] },
    contents: `export default function formDataToStream() { throw new Error(${notBundled('formDataToStream', FORMS)}); }`,
  },
  'helpers/readBlob.js': {
    plugin: 'axios-without-forms',
    exports: ['export default readBlob;'],
    text: [],
    // Reached by the http adapter when the body is a Blob or File, and by formDataToStream (stubbed).
    importers: { 'adapters/http.js': { readBlob: 3 }, 'helpers/formDataToStream.js': { readBlob: 3 } },
    guards: { 'adapters/http.js': ["      } else if (utils.isBlob(data) || utils.isFile(data)) {\n        data.size && headers.setContentType(data.type || 'application/octet-stream');\n        headers.setContentLength(data.size || 0);\n        data = stream.Readable.from(readBlob(data));"] },
    contents: `export default function readBlob() { throw new Error(${notBundled('readBlob', FORMS)}); }`,
  },
  'helpers/fromDataURI.js': {
    plugin: 'axios-without-data-urls',
    exports: ['export default function fromDataURI(uri, asBlob, options) {'],
    text: [],
    // Reached by the http adapter for data: URLs only; our urls are https:// endpoints (http:// on loopback),
    // validated by shared/config/env.ts.
    importers: { 'adapters/http.js': { fromDataURI: 4 } },
    guards: { 'adapters/http.js': ["      if (protocol === 'data:') {\n"] },
    contents: `export default function fromDataURI() { throw new Error(${notBundled('fromDataURI', 'our requests go to http(s) endpoints, never to data: URLs')}); }`,
  },
  'helpers/estimateDataURLDecodedBytes.js': {
    plugin: 'axios-without-data-urls',
    exports: ['export default function estimateDataURLDecodedBytes(url) {', 'export function estimateDataURLBufferAllocation(url) {'],
    text: [],
    // Reached for data: URLs only (the http adapter's data: branch, and the fetch adapter, stubbed).
    importers: { 'adapters/http.js': { estimateDataURLBufferAllocation: 2, estimateDataURLDecodedBytes: 1 }, 'adapters/fetch.js': {} },
    guards: { 'adapters/http.js': ["      if (protocol === 'data:') {\n        // Apply the same semantics as HTTP: only enforce if a finite, non-negative cap is set.\n        if (maxContentLength > -1) {"] },
    contents:
      `const refuse = () => { throw new Error(${notBundled('data: URL support', 'our requests go to http(s) endpoints, never to data: URLs')}); };` +
      ' export default function estimateDataURLDecodedBytes() { refuse(); } export function estimateDataURLBufferAllocation() { refuse(); }',
  },
  'helpers/AxiosTransformStream.js': {
    plugin: 'axios-without-progress',
    exports: ['export default AxiosTransformStream;'],
    text: [],
    // Reached by the http adapter only with onUploadProgress/onDownloadProgress or maxRate, which the
    // adapter now refuses before sending (patchAxiosHttpAdapter); xhr and fetch are stubbed.
    importers: { 'adapters/http.js': { AxiosTransformStream: 4 } },
    guards: { 'adapters/http.js': [] },
    contents: `export default class AxiosTransformStream { constructor() { throw new Error(${notBundled('AxiosTransformStream', 'our client sets no onUploadProgress, onDownloadProgress or maxRate')}); } }`,
  },
  'helpers/progressEventReducer.js': {
    plugin: 'axios-without-progress',
    exports: [
      'export const progressEventReducer = (listener, isDownloadStream, freq = 3) => {',
      'export const progressEventDecorator = (total, throttled) => {',
      'export const asyncDecorator =',
    ],
    text: [],
    // Only next to AxiosTransformStream in the http adapter (same options); xhr and fetch are stubbed.
    importers: {
      'adapters/http.js': { progressEventReducer: 4, progressEventDecorator: 3, asyncDecorator: 3 },
      'adapters/xhr.js': {},
      'adapters/fetch.js': {},
    },
    guards: { 'adapters/http.js': [] },
    contents:
      `const refuse = () => { throw new Error(${notBundled('progress events', 'our client sets no onUploadProgress, onDownloadProgress or maxRate')}); };` +
      ' export const progressEventReducer = refuse; export const progressEventDecorator = refuse; export const asyncDecorator = refuse;',
  },
  'cancel/CancelToken.js': {
    plugin: 'axios-without-public-extras',
    exports: ['export default CancelToken;'],
    text: [],
    // Only axios.js names it, to publish it as axios.CancelToken; our client cancels with an AbortSignal.
    importers: { 'axios.js': { CancelToken: 5 } },
    guards: { 'axios.js': ['axios.CancelToken = CancelToken;'] },
    contents: `export default class CancelToken { constructor() { throw new Error(${notBundled('CancelToken', 'our client cancels with an AbortSignal')}); } static source() { return new CancelToken(); } }`,
  },
  'helpers/Http2Sessions.js': {
    plugin: 'axios-without-http2',
    exports: ['export default Http2Sessions;'],
    text: ['  getSession(authority, options) {'],
    // The http adapter builds one pool at load (`new Http2Sessions()`, kept) and asks it for a session only in
    // http2Transport, which it takes only for `httpVersion: 2`; our client never sets httpVersion, so every
    // request is HTTP/1.1 through node:http(s) or the connection pool's transport.
    importers: { 'adapters/http.js': { Http2Sessions: 3, http2Sessions: 2, http2Transport: 2 } },
    guards: { 'adapters/http.js': ['      const isHttp2 = httpVersion === 2;\n', '      if (isHttp2) {\n        if (proxyApplied) {', '        transport = http2Transport;\n'] },
    contents: `export default class Http2Sessions { getSession() { throw new Error(${notBundled('HTTP/2 support', 'our client sends HTTP/1.1 requests (it sets no httpVersion: 2)')}); } }`,
  },
  'helpers/HttpStatusCode.js': {
    plugin: 'axios-without-public-extras',
    exports: ['export default HttpStatusCode;'],
    text: [],
    // Only axios.js names it, to publish the status-name table as axios.HttpStatusCode; we compare numbers.
    importers: { 'axios.js': { HttpStatusCode: 4 } },
    guards: { 'axios.js': ['axios.HttpStatusCode = HttpStatusCode;'] },
    contents: `export default new Proxy({}, { get: (_t, key) => { if (typeof key === 'symbol' || key === '__esModule') return undefined; throw new Error(${notBundled('HttpStatusCode table', 'our client compares status numbers')}); } });`,
  },
};

/** Every `export` line of a module, exactly. */
function exportLines(text) {
  return text.split('\n').filter((line) => line.startsWith('export '));
}

/** Relative import specifiers of a module, resolved to paths under axios/lib. */
function importsOf(libDir, file, text) {
  const specifiers = [...text.matchAll(/^(?:import|export)\s[^;]*?from\s+(['"])(\.{1,2}\/[^'"]+)\1/gms)].map((m) => m[2]);
  return specifiers.map((specifier) => relative(libDir, resolve(dirname(join(libDir, file)), specifier)).split(sep).join('/'));
}

/**
 * Reads axios/lib once per build: the version, every module's text, and who imports whom. Returns a
 * function that checks one stub's assumptions (throws the build error when one does not hold).
 */
/** One review per build, shared by the plugins of that build (esbuild hands them the same initialOptions). */
const reviews = new WeakMap();

function axiosReview(build) {
  let state = reviews.get(build.initialOptions);
  if (!state) {
    state = { review: undefined };
    reviews.set(build.initialOptions, state);
    // A rebuild (watch mode) reads axios again.
    build.onStart(() => {
      state.review = undefined;
    });
  }
  const load = async (libDir) => {
    const pkg = JSON.parse(await readFile(join(libDir, '..', 'package.json'), 'utf8'));
    if (pkg.version !== AXIOS_VERSION) throw changed('axios stubs', 'axios/package.json', `version ${pkg.version}, reviewed ${AXIOS_VERSION}`);
    const { readdir } = require('node:fs/promises');
    const files = (await readdir(libDir, { recursive: true })).map((f) => f.split(sep).join('/')).filter((f) => f.endsWith('.js'));
    const texts = new Map(await Promise.all(files.map(async (f) => [f, await readFile(join(libDir, f), 'utf8')])));
    const importers = new Map();
    for (const [file, text] of texts) for (const target of importsOf(libDir, file, text)) importers.set(target, [...(importers.get(target) ?? []), file]);
    return { texts, importers };
  };
  return async (libDir, file) => {
    state.review ??= load(libDir);
    const { texts, importers } = await state.review;
    const stub = AXIOS_STUBS[file];
    const own = texts.get(file) ?? '';
    const where = `axios/lib/${file}`;
    const exportsNow = exportLines(own);
    if (JSON.stringify(exportsNow) !== JSON.stringify(stub.exports)) throw changed(stub.plugin, where, `exports ${JSON.stringify(exportsNow)}`);
    expectOnce(stub.plugin, where, own, stub.text);
    const found = [...(importers.get(file) ?? [])].sort();
    const reviewed = Object.keys(stub.importers).sort();
    if (JSON.stringify(found) !== JSON.stringify(reviewed)) throw changed(stub.plugin, where, `imported by ${found.join(', ')}; reviewed ${reviewed.join(', ')}`);
    for (const [importer, counts] of Object.entries(stub.importers)) {
      const text = texts.get(importer) ?? '';
      for (const [identifier, count] of Object.entries(counts)) {
        const now = occurrences(text, identifier);
        if (now !== count) throw changed(stub.plugin, `axios/lib/${importer}`, `${identifier} named ${now} times, reviewed ${count}`);
      }
    }
    for (const [importer, snippets] of Object.entries(stub.guards)) expectOnce(stub.plugin, `axios/lib/${importer}`, texts.get(importer) ?? '', snippets);
    return stub.contents;
  };
}

/** A plugin stubbing the axios modules of AXIOS_STUBS that belong to it. */
function axiosStubPlugin(name) {
  const files = Object.keys(AXIOS_STUBS).filter((file) => AXIOS_STUBS[file].plugin === name);
  const filter = new RegExp(`[\\\\/]node_modules[\\\\/]axios[\\\\/]lib[\\\\/](${files.map((f) => f.replace(/[./]/g, (c) => (c === '.' ? '\\.' : '[\\\\/]'))).join('|')})$`);
  return {
    name,
    setup(build) {
      const check = axiosReview(build);
      build.onLoad({ filter }, async (args) => {
        const libDir = args.path.slice(0, args.path.search(IN_AXIOS_LIB) + '/node_modules/axios/lib'.length);
        const file = relative(libDir, args.path).split(sep).join('/');
        return { contents: await check(libDir, file), loader: 'js' };
      });
    },
  };
}

/** @type {import('esbuild').Plugin} */
const axiosWithoutBrowserAdapter = axiosStubPlugin('axios-without-browser-adapter');
/** @type {import('esbuild').Plugin} */
const axiosWithoutForms = axiosStubPlugin('axios-without-forms');
/** @type {import('esbuild').Plugin} */
const axiosWithoutDataUrls = axiosStubPlugin('axios-without-data-urls');
/** @type {import('esbuild').Plugin} */
const axiosWithoutPublicExtras = axiosStubPlugin('axios-without-public-extras');
/** @type {import('esbuild').Plugin} */
const axiosWithoutHttp2 = axiosStubPlugin('axios-without-http2');

// ---- the http adapter: progress options refused up front -----------------------------------------

const PROGRESS_BRANCH = '      if (data && (onUploadProgress || maxUploadRate)) {\n';
const PROGRESS_GUARD =
  '      if ((data && (onUploadProgress || maxUploadRate)) || onDownloadProgress || maxDownloadRate) {\n' +
  `        throw new AxiosError(${notBundled('progress events and maxRate', 'our client sets no onUploadProgress, onDownloadProgress or maxRate')}, AxiosError.ERR_NOT_SUPPORT, config);\n` +
  '      }\n';

/**
 * axios/lib/adapters/http.js: onUploadProgress/onDownloadProgress/maxRate are refused before a request is
 * sent, with the conditions under which the adapter would use AxiosTransformStream and the progress
 * helpers (stubbed). Without this the download side would throw inside the response handler, where the
 * error would escape the promise. The check is the adapter's own: upload streams apply only with a body.
 */
function patchAxiosHttpAdapter(text) {
  const plugin = 'axios-without-progress';
  const file = 'axios/lib/adapters/http.js';
  expectOnce(plugin, file, text, [
    '      const { onUploadProgress, onDownloadProgress } = config;\n      const maxRate = config.maxRate;\n',
    '      if (utils.isArray(maxRate)) {\n        maxUploadRate = maxRate[0];\n        maxDownloadRate = maxRate[1];\n      } else {\n        maxUploadRate = maxDownloadRate = maxRate;\n      }\n\n' + PROGRESS_BRANCH,
    '        if (onDownloadProgress || maxDownloadRate) {\n          const transformStream = new AxiosTransformStream({',
  ]);
  // Every use of the stubbed progress modules sits in one of those two branches.
  for (const [identifier, count] of Object.entries({ onUploadProgress: 4, onDownloadProgress: 4, maxUploadRate: 5, maxDownloadRate: 5, AxiosTransformStream: 4 })) {
    const now = occurrences(text, identifier);
    if (now !== count) throw changed(plugin, file, `${identifier} named ${now} times, reviewed ${count}`);
  }
  return text.replace(PROGRESS_BRANCH, PROGRESS_GUARD + PROGRESS_BRANCH);
}

/** @type {import('esbuild').Plugin} */
const axiosWithoutProgress = (() => {
  const stubs = axiosStubPlugin('axios-without-progress');
  return {
    name: stubs.name,
    setup(build) {
      build.onLoad({ filter: AXIOS_HTTP_ADAPTER }, async (args) => ({ contents: patchAxiosHttpAdapter(await readFile(args.path, 'utf8')), loader: 'js' }));
      stubs.setup(build);
    },
  };
})();

// ---- built-ins and proxy support on first use ---------------------------------------------------

/** @type {import('esbuild').Plugin} */
const lazyZlib = {
  name: 'lazy-zlib',
  setup(build) {
    build.onResolve({ filter: /^(node:)?zlib$/ }, (args) => (AXIOS_HTTP_ADAPTER.test(args.importer) ? { path: 'lazy-zlib', namespace: 'hrf-stub' } : undefined));
    build.onLoad({ filter: /^lazy-zlib$/, namespace: 'hrf-stub' }, () => ({ contents: STUBS['lazy-zlib'], loader: 'js', resolveDir: __dirname }));
  },
};

/** @type {import('esbuild').Plugin} */
const lazyHttpsProxyAgent = {
  name: 'lazy-https-proxy-agent',
  setup(build) {
    build.onResolve({ filter: /^https-proxy-agent$/ }, (args) =>
      // The stub's own require resolves as axios's import would (from axios's directory).
      AXIOS_HTTP_ADAPTER.test(args.importer) ? { path: 'lazy-https-proxy-agent', namespace: 'hrf-lazy-proxy', pluginData: { resolveDir: dirname(args.importer) } } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'hrf-lazy-proxy' }, (args) => ({
      contents: STUBS['lazy-https-proxy-agent'],
      loader: 'js',
      resolveDir: args.pluginData.resolveDir,
    }));
  },
};

/** @type {import('esbuild').Plugin} */
const lazyWebStreamsForMiddy = {
  name: 'lazy-web-streams-for-middy',
  setup(build) {
    build.onResolve({ filter: /^(node:)?stream\/web$/ }, (args) =>
      // A relative name (no build path in the source map); the stub is written from middy's own imports.
      MIDDY_CORE.test(args.importer) ? { path: 'lazy-stream-web', namespace: 'hrf-lazy-web', pluginData: { importer: args.importer } } : undefined,
    );
    build.onLoad({ filter: /.*/, namespace: 'hrf-lazy-web' }, async (args) => ({
      contents: lazyStreamWeb(await readFile(args.pluginData.importer, 'utf8')),
      loader: 'js',
      resolveDir: __dirname,
    }));
  },
};

module.exports = [
  trimAxiosForNode,
  axiosLazyGlobalFormData,
  axiosWithoutBrowserAdapter,
  axiosWithoutForms,
  axiosWithoutDataUrls,
  axiosWithoutPublicExtras,
  axiosWithoutHttp2,
  axiosWithoutProgress,
  lazyZlib,
  lazyHttpsProxyAgent,
  proxyAgentsWithoutDebug,
  lazyWebStreamsForMiddy,
  pureCalls,
];
// Named too, for bench/experiments and the tests to apply one at a time.
Object.assign(module.exports, {
  trimAxiosForNode,
  axiosLazyGlobalFormData,
  axiosWithoutBrowserAdapter,
  axiosWithoutForms,
  axiosWithoutDataUrls,
  axiosWithoutPublicExtras,
  axiosWithoutHttp2,
  axiosWithoutProgress,
  lazyZlib,
  lazyHttpsProxyAgent,
  proxyAgentsWithoutDebug,
  lazyWebStreamsForMiddy,
  pureCalls,
  // The pure text work, for the tests.
  patchAxiosUtils,
  patchAxiosHttpAdapter,
  dropProxyAgentDebugCalls,
  lazyStreamWeb,
  STUBS,
  AXIOS_STUBS,
  AXIOS_VERSION,
});
