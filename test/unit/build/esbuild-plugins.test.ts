/**
 * build/esbuild-plugins.js, the plugins of every production bundle: each stub and patch is exercised.
 *
 *  - The bundles build (every function of serverless.yml), and what is stubbed is gone from them.
 *  - Every text check fails the build with a clear error when axios's text differs (a copy of axios with
 *    one change each: version, exports, a new use, a guard, a new importer, a patched line).
 *  - A bundle of the real client (shared/http/client.ts) and axios, run in fresh Node processes against
 *    local servers: loading it loads neither zlib, node:assert nor node:stream/web; compressed answers are
 *    still decoded (zlib loaded then); what is stubbed fails with a clear error before anything is sent;
 *    HTTPS_PROXY / HTTP_PROXY / NO_PROXY still route requests through a local proxy (asserted on what the
 *    proxy received).
 *  - The lazy zlib's eager answers equal require('node:zlib')'s; the lazy node:stream/web is the real one.
 */
import { execFile } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer as createHttpServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { brotliCompressSync, deflateSync, gzipSync } from 'node:zlib';
import { build, type BuildOptions, type Metafile, type Plugin } from 'esbuild';
import { readServiceSettings, ROOT } from '../../../bench/lib/build';

interface PluginsModule {
  readonly patchAxiosUtils: (text: string) => string;
  readonly patchAxiosHttpAdapter: (text: string) => string;
  readonly lazyStreamWeb: (importerText: string) => string;
  readonly dropProxyAgentDebugCalls: (file: string, text: string) => string;
  readonly STUBS: Readonly<Record<string, string>>;
  readonly AXIOS_STUBS: Readonly<Record<string, { readonly plugin: string }>>;
}
// eslint-disable-next-line @typescript-eslint/no-require-imports
const pluginsModule = require('../../../build/esbuild-plugins.js') as Plugin[] & PluginsModule;
const PRODUCTION_PLUGINS: Plugin[] = [...pluginsModule];

const execFileAsync = promisify(execFile);
const AXIOS_DIR = join(ROOT, 'node_modules', 'axios');
const readAxios = (file: string) => readFileSync(join(AXIOS_DIR, 'lib', file), 'utf8');

let work: string;
beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'hrf-esbuild-plugins-'));
});
afterAll(() => {
  rmSync(work, { recursive: true, force: true });
});

/** The service's esbuild settings (serverless.yml custom.esbuild, with the plugins of build/esbuild-plugins.js). */
function serviceSettings(): BuildOptions {
  const { esbuild } = readServiceSettings();
  expect(esbuild.plugins?.map((p) => p.name)).toEqual(PRODUCTION_PLUGINS.map((p) => p.name));
  return esbuild;
}

function inputsOf(metafile: Metafile): string[] {
  return Object.keys(metafile.inputs);
}

describe('the production bundles', () => {
  it('build for every function of serverless.yml, without the stubbed modules and with the lazy ones', async () => {
    const { functions } = readServiceSettings();
    expect(functions.length).toBeGreaterThan(0);
    const result = await build({
      ...serviceSettings(),
      entryPoints: functions.map((fn) => ({ in: join(ROOT, fn.entry), out: fn.name })),
      outdir: join(work, 'functions'),
      metafile: true,
      write: false,
      logLevel: 'silent',
      absWorkingDir: ROOT,
    });
    const inputs = inputsOf(result.metafile);
    // Only ever imported by the stubbed xhr/fetch adapters, or by the stubbed helpers.
    for (const gone of ['resolveConfig.js', 'cookies.js', 'isURLSameOrigin.js', 'speedometer.js', 'throttle.js', 'formDataToBlob.js', 'composeSignals.js']) {
      expect(inputs.filter((input) => input.endsWith(`/axios/lib/helpers/${gone}`))).toEqual([]);
    }
    const outputs = Object.values(result.metafile.outputs).filter((output) => output.entryPoint);
    expect(outputs).toHaveLength(functions.length);
    // The proxy agents' debug statements (no-ops, debug being a stub) are gone with their messages.
    const bundles = (result.outputFiles ?? []).filter((file) => file.path.endsWith('.js'));
    expect(bundles.map((file) => /Freeing socket|Upgrading socket connection to TLS|got proxy server response/.test(file.text))).toStrictEqual(functions.map(() => false));
    for (const output of outputs) {
      const bytesOf = (suffix: string) => Object.entries(output.inputs).find(([input]) => input.endsWith(suffix))?.[1].bytesInOutput;
      // The stubbed axios modules are in the bundle as their stubs only (a few hundred bytes).
      for (const file of Object.keys(pluginsModule.AXIOS_STUBS)) expect(bytesOf(`axios/lib/${file}`) ?? 0).toBeLessThan(400);
      if (bytesOf('axios/lib/adapters/http.js') !== undefined) {
        expect(bytesOf('lazy-zlib')).toBeGreaterThan(0);
        expect(bytesOf('lazy-https-proxy-agent')).toBeGreaterThan(0);
      }
    }
  });
});

// ---- the text checks ----------------------------------------------------------------------------

describe('the text checks', () => {
  it('patch the real axios/lib/utils.js, and refuse a changed one', () => {
    const text = readAxios('utils.js');
    expect(pluginsModule.patchAxiosUtils(text)).toContain('let FormDataCtor = null;');
    expect(() => pluginsModule.patchAxiosUtils(text.replace("typeof G.FormData !== 'undefined'", "typeof G.FormData === 'function'"))).toThrow(
      'axios-lazy-global-form-data: axios/lib/utils.js changed; review build/esbuild-plugins.js',
    );
  });

  it('patch the real axios/lib/adapters/http.js with the progress guard before the upload branch, and refuse a changed one', () => {
    const text = readAxios('adapters/http.js');
    const patched = pluginsModule.patchAxiosHttpAdapter(text);
    const guard = patched.indexOf('if ((data && (onUploadProgress || maxUploadRate)) || onDownloadProgress || maxDownloadRate) {');
    expect(guard).toBeGreaterThan(0);
    expect(guard).toBeLessThan(patched.indexOf('      if (data && (onUploadProgress || maxUploadRate)) {'));
    expect(patched.replace(/\n {6}if \(\(data && \(onUploadProgress[^\n]*\n[^\n]*\n {6}\}\n/, '\n')).toBe(text);

    expect(() => pluginsModule.patchAxiosHttpAdapter(text.replace('if (data && (onUploadProgress || maxUploadRate)) {', 'if (data && (maxUploadRate || onUploadProgress)) {'))).toThrow(
      /axios-without-progress: axios\/lib\/adapters\/http\.js changed \(expected once, found 0 times/,
    );
    expect(() => pluginsModule.patchAxiosHttpAdapter(`${text}\nconst later = (config) => config.onDownloadProgress;\n`)).toThrow(
      'axios-without-progress: axios/lib/adapters/http.js changed (onDownloadProgress named 5 times, reviewed 4); review build/esbuild-plugins.js',
    );
  });

  it("mark the proxy agents' debug statements pure, and refuse a changed module", () => {
    const files = ['agent-base/dist/src/index.js', 'https-proxy-agent/dist/agent.js', 'https-proxy-agent/dist/parse-proxy-response.js'];
    const texts = files.map((file) => readFileSync(join(ROOT, 'node_modules', file), 'utf8'));
    const marked = files.map((file, i) => pluginsModule.dropProxyAgentDebugCalls(file, texts[i] as string));
    expect(marked.map((text) => text.split('/* @__PURE__ */ debug(').length - 1)).toStrictEqual([5, 5, 5]);
    // Only the marks were added.
    expect(marked.map((text) => text.replaceAll('/* @__PURE__ */ debug(', 'debug('))).toStrictEqual(texts);

    const agentBase = texts[0] as string;
    expect(() => pluginsModule.dropProxyAgentDebugCalls(files[0] as string, `${agentBase}\ndebug('one more');\n`)).toThrow(
      'proxy-agents-without-debug: agent-base/dist/src/index.js changed (6 debug statements and 0 other uses of debug, reviewed 5 and none); review build/esbuild-plugins.js',
    );
    expect(() => pluginsModule.dropProxyAgentDebugCalls(files[0] as string, `${agentBase}\nexports.log = debug;\n`)).toThrow(
      'proxy-agents-without-debug: agent-base/dist/src/index.js changed (5 debug statements and 1 other uses of debug, reviewed 5 and none); review build/esbuild-plugins.js',
    );
    expect(() => pluginsModule.dropProxyAgentDebugCalls('https-proxy-agent/dist/index.js', "const debug = require('debug');")).toThrow(
      'proxy-agents-without-debug: https-proxy-agent/dist/index.js changed (a module that was not reviewed names debug); review build/esbuild-plugins.js',
    );
  });

  /** A copy of axios (package.json, index.js, lib) with one change, bundled with the production plugins. */
  async function buildChangedAxios(change: (dir: string) => void): Promise<unknown> {
    const root = mkdtempSync(join(work, 'axios-'));
    const dir = join(root, 'node_modules', 'axios');
    mkdirSync(dir, { recursive: true });
    for (const part of ['package.json', 'index.js', 'lib']) cpSync(join(AXIOS_DIR, part), join(dir, part), { recursive: true });
    change(dir);
    return build({
      stdin: { contents: "import axios from 'axios'; export default axios;", resolveDir: root, loader: 'js' },
      bundle: true,
      platform: 'node',
      format: 'cjs',
      target: 'node20',
      write: false,
      logLevel: 'silent',
      // axios's own dependencies (proxy-from-env, https-proxy-agent) from the project.
      nodePaths: [join(ROOT, 'node_modules')],
      plugins: PRODUCTION_PLUGINS,
    });
  }
  const edit = (dir: string, file: string, replace: (text: string) => string) => {
    const path = join(dir, file);
    const before = readFileSync(path, 'utf8');
    const after = replace(before);
    expect(after).not.toBe(before);
    writeFileSync(path, after);
  };

  it('let an unchanged copy of axios build', async () => {
    await expect(buildChangedAxios(() => undefined)).resolves.toBeDefined();
  });

  it.each<[string, (dir: string) => void, RegExp]>([
    [
      'another axios version',
      (dir) => edit(dir, 'package.json', (t) => t.replace('"version": "1.21.1"', '"version": "1.21.2"')),
      /axios stubs: axios\/package\.json changed \(version 1\.21\.2, reviewed 1\.21\.1\)/,
    ],
    [
      'a new export of a stubbed module',
      (dir) => edit(dir, 'lib/helpers/toFormData.js', (t) => `${t}\nexport const toFormDataOptions = {};\n`),
      /axios-without-forms: axios\/lib\/helpers\/toFormData\.js changed \(exports /,
    ],
    [
      'a new use of a stubbed module',
      (dir) => edit(dir, 'lib/adapters/http.js', (t) => `${t}\nexport const __readBlob = readBlob;\n`),
      /axios-without-forms: axios\/lib\/adapters\/http\.js changed \(readBlob named 4 times, reviewed 3\)/,
    ],
    [
      'a guard that keeps our requests away from a stub',
      (dir) => edit(dir, 'lib/defaults/index.js', (t) => t.replace('      if (isFormData) {\n', '      if (isFormData || utils.isObject(data)) {\n')),
      /axios-without-forms: axios\/lib\/defaults\/index\.js changed \(expected once, found 0 times/,
    ],
    [
      'a new importer of a stubbed module',
      (dir) => edit(dir, 'lib/helpers/buildURL.js', (t) => t.replace("import utils from '../utils.js';", "import utils from '../utils.js';\nimport fromDataURI from './fromDataURI.js';")),
      /axios-without-data-urls: axios\/lib\/helpers\/fromDataURI\.js changed \(imported by adapters\/http\.js, helpers\/buildURL\.js; reviewed adapters\/http\.js\)/,
    ],
    [
      'a new use of a stubbed public extra',
      (dir) => edit(dir, 'lib/axios.js', (t) => t.replace('axios.HttpStatusCode = HttpStatusCode;', 'axios.HttpStatusCode = HttpStatusCode;\naxios.ok = HttpStatusCode.Ok;')),
      /axios-without-public-extras: axios\/lib\/axios\.js changed \(HttpStatusCode named 5 times, reviewed 4\)/,
    ],
    [
      'the line that decides the xhr adapter',
      (dir) => edit(dir, 'lib/adapters/xhr.js', (t) => t.replace("typeof XMLHttpRequest !== 'undefined'", "typeof globalThis.XMLHttpRequest === 'function'")),
      /axios-without-browser-adapter: axios\/lib\/adapters\/xhr\.js changed \(expected once, found 0 times/,
    ],
    [
      'the text the utils.js patch replaces',
      (dir) => edit(dir, 'lib/utils.js', (t) => t.replace('  if (!isFunction(thing.append)) return false;\n', '  if (typeof thing.append !== "function") return false;\n')),
      /axios-lazy-global-form-data: axios\/lib\/utils\.js changed; review build\/esbuild-plugins\.js/,
    ],
    [
      'the text the http.js patch replaces',
      (dir) => edit(dir, 'lib/adapters/http.js', (t) => t.replace('      const maxRate = config.maxRate;\n', '      const { maxRate } = config;\n')),
      /axios-without-progress: axios\/lib\/adapters\/http\.js changed \(expected once, found 0 times/,
    ],
    [
      'a new way to reach the HTTP/2 session pool',
      (dir) => edit(dir, 'lib/adapters/http.js', (t) => t.replace('      const isHttp2 = httpVersion === 2;\n', "      const isHttp2 = httpVersion === 2 || config.http2 === true;\n")),
      /axios-without-http2: axios\/lib\/adapters\/http\.js changed \(expected once, found 0 times/,
    ],
    [
      'a new use of the HTTP/2 session pool',
      (dir) => edit(dir, 'lib/adapters/http.js', (t) => `${t}\nexport const __sessions = http2Sessions;\n`),
      /axios-without-http2: axios\/lib\/adapters\/http\.js changed \(http2Sessions named 3 times, reviewed 2\)/,
    ],
  ])('fail the build on %s', async (_what, change, message) => {
    await expect(buildChangedAxios(change)).rejects.toThrow(message);
  });
});

// ---- the lazy modules on their own --------------------------------------------------------------

/** Runs a CommonJS script in a fresh Node process; its last stdout line starting with RESULT: is the answer. */
async function inFreshNode<T>(script: string, args: readonly string[] = [], env: Record<string, string> = {}): Promise<T> {
  const wrapped = `(async () => { ${script} })().then((r) => process.stdout.write('\\nRESULT:' + JSON.stringify(r) + '\\n'), (e) => { console.error(e); process.exit(1); });`;
  const { stdout } = await execFileAsync(process.execPath, ['-e', wrapped, ...args], { env: { PATH: process.env.PATH ?? '', ...env }, timeout: 20_000 });
  const line = stdout.split('\n').filter((l) => l.startsWith('RESULT:')).pop();
  if (line === undefined) throw new Error(`no result from the child process: ${stdout}`);
  return JSON.parse(line.slice('RESULT:'.length)) as T;
}

/** Evaluates one stub's source as a CommonJS module (with the child's require). */
const EVAL_STUB = 'const evalStub = (source) => { const module = { exports: {} }; new Function("module", "exports", "require", source)(module, module.exports, require); return module.exports; };';
const LOADED = 'const loaded = (name) => process.moduleLoadList.includes("NativeModule " + name);';

describe('the lazy zlib', () => {
  it('answers what axios reads at load exactly as require("node:zlib") does, without loading zlib', async () => {
    const result = await inFreshNode<Record<string, unknown>>(
      `${EVAL_STUB} ${LOADED}
      const zlib = evalStub(process.argv[1]);
      const stub = {
        Z_SYNC_FLUSH: zlib.constants.Z_SYNC_FLUSH,
        BROTLI_OPERATION_FLUSH: zlib.constants.BROTLI_OPERATION_FLUSH,
        ZSTD_e_flush: zlib.constants.ZSTD_e_flush ?? null,
        createBrotliDecompress: typeof zlib.createBrotliDecompress,
        createZstdDecompress: typeof zlib.createZstdDecompress,
      };
      const loadedByTheEagerReads = loaded('zlib');
      const real = require('node:zlib');
      return {
        loadedByTheEagerReads,
        stub,
        real: {
          Z_SYNC_FLUSH: real.constants.Z_SYNC_FLUSH,
          BROTLI_OPERATION_FLUSH: real.constants.BROTLI_OPERATION_FLUSH,
          ZSTD_e_flush: real.constants.ZSTD_e_flush ?? null,
          createBrotliDecompress: typeof real.createBrotliDecompress,
          createZstdDecompress: typeof real.createZstdDecompress,
        },
        otherConstant: zlib.constants.Z_BEST_COMPRESSION === real.constants.Z_BEST_COMPRESSION,
        sameUnzip: zlib.createUnzip === real.createUnzip,
        roundTrip: await new Promise((resolve) => {
          const chunks = [];
          const unzip = zlib.createBrotliDecompress({ flush: zlib.constants.BROTLI_OPERATION_FLUSH, finishFlush: zlib.constants.BROTLI_OPERATION_FLUSH });
          unzip.on('data', (c) => chunks.push(c)).on('end', () => resolve(Buffer.concat(chunks).toString()));
          unzip.end(real.brotliCompressSync('brotli text'));
        }),
      };`,
      [pluginsModule.STUBS['lazy-zlib'] ?? ''],
    );
    expect(result.loadedByTheEagerReads).toBe(false);
    expect(result.stub).toEqual(result.real);
    expect(result.otherConstant).toBe(true);
    expect(result.sameUnzip).toBe(true);
    expect(result.roundTrip).toBe('brotli text');
  });
});

describe('the lazy node:stream/web for @middy/core', () => {
  it('exports the real ReadableStream, loading node:stream/web only when it is read', async () => {
    const middy = readFileSync(join(ROOT, 'node_modules', '@middy', 'core', 'index.js'), 'utf8');
    const source = pluginsModule.lazyStreamWeb(middy);
    const result = await inFreshNode<Record<string, boolean>>(
      `${EVAL_STUB} ${LOADED}
      const web = evalStub(process.argv[1]);
      const before = loaded('stream/web');
      const same = web.ReadableStream === require('node:stream/web').ReadableStream;
      return { before, same, names: Object.keys(web).join() };`,
      [source],
    );
    expect(result).toEqual({ before: false, same: true, names: 'ReadableStream' });
    // Any other way of importing it gets every export of the module.
    expect(pluginsModule.lazyStreamWeb('import * as web from "node:stream/web";')).toContain('"WritableStream"');
    expect(pluginsModule.lazyStreamWeb('import { ReadableStream } from "node:stream/web";\nconst w = await import("node:stream/web");')).toContain('"WritableStream"');
  });
});

// ---- a bundle of the real client, in fresh processes, against local servers ------------------------

const PROJECT = '0123456789abcdef0123456789abcdef';
const WORKSPACE = 'e265f808151d458bb7967e0aaf42d146';
const LIST_PATH = `/v2/${PROJECT}/factory/pending-items`;

function clientEnv(endpoint: string | undefined): Record<string, string> {
  return {
    HUAWEICLOUD_SDK_REGION: 'cn-north-4',
    HUAWEICLOUD_SDK_PROJECT_ID: PROJECT,
    HUAWEICLOUD_SDK_AK: 'HWCLOCALEMULATORAK01',
    HUAWEICLOUD_SDK_SK: 'hwc-local-emulator-secret-key-0000000001',
    HUAWEICLOUD_DATAARTS_WORKSPACE: WORKSPACE,
    HUAWEICLOUD_CALL_DEADLINE_MS: '5000',
    ...(endpoint ? { HUAWEICLOUD_ENDPOINT_DATAARTS: endpoint, HUAWEICLOUD_ENDPOINT_IAM: endpoint } : {}),
  };
}

/** The child's preamble: the bundle, a client for the given env (sleeps skipped), and what it has loaded. */
const CLIENT = `${LOADED}
  const bundle = require(process.argv[1]);
  const config = bundle.loadHuaweiCloudConfig(JSON.parse(process.argv[2]));
  const client = new bundle.HuaweiCloudClient({ config, sleep: async () => {} });
  const outcome = (promise) => promise.then((r) => ({ ok: true, attempts: r.attempts, data: r.data }), (e) => ({ ok: false, kind: e.kind, status: e.status, errorCode: e.errorCode, errorMsg: e.errorMsg, message: e.message, attempts: e.attempts }));
  const failure = (promise) => promise.then(() => ({ ok: true }), (e) => ({ ok: false, message: String(e && e.message), code: e && e.code }));`;

interface Received {
  readonly method: string;
  readonly url: string;
  readonly headers: IncomingMessage['headers'];
}

interface LocalServer {
  readonly server: Server;
  readonly port: number;
  readonly received: Received[];
  readonly sockets: Set<Socket>;
}

async function listen(server: Server): Promise<LocalServer> {
  const received: Received[] = [];
  const sockets = new Set<Socket>();
  server.on('connection', (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  server.prependListener('request', (req: IncomingMessage) => received.push({ method: req.method ?? '', url: req.url ?? '', headers: req.headers }));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return { server, port: (server.address() as AddressInfo).port, received, sockets };
}

async function close(local: LocalServer): Promise<void> {
  for (const socket of local.sockets) socket.destroy();
  await new Promise<void>((resolve) => local.server.close(() => resolve()));
}

describe('a bundle of the client built with the production plugins', () => {
  let bundleFile: string;
  let upstream: LocalServer;
  const ENCODINGS = ['plain', 'gzip', 'deflate', 'br'] as const;
  const upstreams: Partial<Record<(typeof ENCODINGS)[number], LocalServer>> = {};
  const ERROR_BODY = JSON.stringify({ error_code: 'DLF.0001', error_msg: 'compressed error answer' });

  beforeAll(async () => {
    bundleFile = join(work, 'client', 'client.js');
    await build({
      ...serviceSettings(),
      stdin: {
        contents: [
          "export { HuaweiCloudClient } from './shared/http/client';",
          "export { listPendingItems } from './shared/http/dataarts';",
          "export { loadHuaweiCloudConfig } from './shared/config/env';",
          "export { default as axios } from 'axios';",
        ].join('\n'),
        resolveDir: ROOT,
        sourcefile: 'client-entry.ts',
        loader: 'ts',
      },
      outfile: bundleFile,
      logLevel: 'silent',
      absWorkingDir: ROOT,
    });
    // The same JSON error body, plain or encoded: one origin per encoding (endpoints are bare origins).
    for (const encoding of ENCODINGS) {
      upstreams[encoding] = await listen(
        createHttpServer((req, res) => {
          req.resume();
          req.on('end', () => {
            const raw = Buffer.from(ERROR_BODY);
            const body = encoding === 'gzip' ? gzipSync(raw) : encoding === 'deflate' ? deflateSync(raw) : encoding === 'br' ? brotliCompressSync(raw) : raw;
            res.writeHead(400, { 'Content-Type': 'application/json', 'Content-Length': String(body.length), ...(encoding === 'plain' ? {} : { 'Content-Encoding': encoding }) });
            res.end(body);
          });
        }),
      );
    }
    upstream = upstreams.plain as LocalServer;
  });
  afterAll(async () => {
    for (const local of Object.values(upstreams)) await close(local);
  });
  beforeEach(() => {
    for (const local of Object.values(upstreams)) local.received.length = 0;
  });

  const endpoint = () => `http://127.0.0.1:${upstream.port}`;

  it('loads neither zlib, node:assert nor node:stream/web; a plain answer needs none of them', async () => {
    const result = await inFreshNode<Record<string, unknown>>(
      `${CLIENT}
      const atLoad = { zlib: loaded('zlib'), assert: loaded('assert'), web: loaded('stream/web') };
      const answer = await outcome(bundle.listPendingItems(client, { limit: 5 }));
      return { atLoad, answer, afterwards: { zlib: loaded('zlib'), assert: loaded('assert'), web: loaded('stream/web') } };`,
      [bundleFile, JSON.stringify(clientEnv(endpoint()))],
    );
    expect(result).toEqual({
      atLoad: { zlib: false, assert: false, web: false },
      answer: { ok: false, kind: 'http', status: 400, errorCode: 'DLF.0001', errorMsg: 'compressed error answer', message: expect.any(String), attempts: 1 },
      afterwards: { zlib: false, assert: false, web: false },
    });
    expect(upstream.received).toHaveLength(1);
    expect(upstream.received[0]?.url).toBe(`${LIST_PATH}?limit=5`);
    expect(upstream.received[0]?.headers['accept-encoding']).toBe('gzip, compress, deflate, br');
  });

  it.each(['gzip', 'deflate', 'br'] as const)('decodes a %s answer, loading zlib then', async (encoding) => {
    const result = await inFreshNode<Record<string, unknown>>(
      `${CLIENT}
      const answer = await outcome(bundle.listPendingItems(client, { limit: 5 }));
      return { errorMsg: answer.errorMsg, errorCode: answer.errorCode, zlib: loaded('zlib') };`,
      [bundleFile, JSON.stringify(clientEnv(`http://127.0.0.1:${upstreams[encoding]?.port}`))],
    );
    expect(result).toEqual({ errorMsg: 'compressed error answer', errorCode: 'DLF.0001', zlib: true });
  });

  it('fails what is stubbed with a clear error, before anything is sent', async () => {
    const result = await inFreshNode<Record<string, unknown>>(
      `${CLIENT}
      const { axios } = bundle;
      const url = process.argv[3];
      const sync = (f) => { try { f(); return 'no error'; } catch (e) { return e.message; } };
      return {
        toFormData: sync(() => axios.toFormData({ a: 1 })),
        formToJSON: sync(() => axios.formToJSON(new FormData())),
        params: await failure(axios.get(url, { params: { a: 1 }, maxRedirects: 0 })),
        formData: await failure(axios.post(url, new FormData(), { maxRedirects: 0 })),
        blob: await failure(axios.post(url, new Blob(['x']), { maxRedirects: 0 })),
        dataUrl: await failure(axios.get('data:text/plain,hello', { maxContentLength: 1024 })),
        dataUrlNoLimit: await failure(axios.get('data:text/plain,hello')),
        uploadProgress: await failure(axios.post(url, '{}', { maxRedirects: 0, onUploadProgress: () => {} })),
        downloadProgress: await failure(axios.get(url, { maxRedirects: 0, onDownloadProgress: () => {} })),
        maxRate: await failure(axios.get(url, { maxRedirects: 0, maxRate: [0, 1000] })),
        redirects: await failure(axios.get(url)),
        // Options the adapter ignores without a body stay harmless, as in axios.
        uploadProgressWithoutBody: await failure(axios.get(url, { maxRedirects: 0, onUploadProgress: () => {}, validateStatus: () => true })),
        httpAdapter: typeof axios.getAdapter('http'),
        cancelToken: sync(() => axios.CancelToken.source()),
        statusTable: sync(() => axios.HttpStatusCode.Ok),
        http2: await failure(axios.get(url, { maxRedirects: 0, httpVersion: 2 })),
      };`,
      [bundleFile, JSON.stringify(clientEnv(endpoint())), `${endpoint()}/stubs`],
    );
    const left = (what: string) => expect.stringContaining(`axios's ${what} is left out of this bundle (build/esbuild-plugins.js)`);
    expect(result).toEqual({
      toFormData: left('toFormData'),
      formToJSON: left('formDataToJSON'),
      params: { ok: false, message: left('toFormData'), code: 'ERR_BAD_REQUEST' },
      formData: { ok: false, message: left('formDataToStream'), code: undefined },
      blob: { ok: false, message: left('readBlob'), code: undefined },
      dataUrl: { ok: false, message: left('data: URL support'), code: undefined },
      dataUrlNoLimit: { ok: false, message: left('fromDataURI'), code: 'ERR_BAD_REQUEST' },
      uploadProgress: { ok: false, message: left('progress events and maxRate'), code: 'ERR_NOT_SUPPORT' },
      downloadProgress: { ok: false, message: left('progress events and maxRate'), code: 'ERR_NOT_SUPPORT' },
      maxRate: { ok: false, message: left('progress events and maxRate'), code: 'ERR_NOT_SUPPORT' },
      redirects: { ok: false, message: 'redirects are not followed: set maxRedirects: 0', code: undefined },
      uploadProgressWithoutBody: { ok: true },
      httpAdapter: 'function',
      cancelToken: left('CancelToken'),
      statusTable: left('HttpStatusCode table'),
      http2: { ok: false, message: left('HTTP/2 support'), code: undefined },
    });
    // Only the one harmless GET reached the server.
    expect(upstream.received.map((r) => `${r.method} ${r.url}`)).toEqual(['GET /stubs']);
  });

  it('takes the http adapter in Node, and throws a clear error where a global XMLHttpRequest would make axios take xhr', async () => {
    const result = await inFreshNode<Record<string, unknown>>(
      `globalThis.XMLHttpRequest = class XMLHttpRequest {};
      const { axios } = require(process.argv[1]);
      return axios.get(process.argv[2], { maxRedirects: 0 }).then(() => 'sent', (e) => e.message);`,
      [bundleFile, `${endpoint()}/xhr`],
    );
    expect(result).toEqual(expect.stringContaining("axios's xhr adapter is left out of this bundle (build/esbuild-plugins.js)"));
    expect(upstream.received).toEqual([]);
  });

  describe('behind a proxy from the environment', () => {
    let proxy: LocalServer;
    const connects: Array<{ target: string; proxyAuthorization: string | undefined; firstBytes: Buffer }> = [];

    beforeAll(async () => {
      // A forward proxy for http:// (answers for the origin, saying so), and CONNECT for https://: it accepts
      // the tunnel and records the first bytes the client sends through it (a TLS ClientHello), then closes.
      const server = createHttpServer((req, res) => {
        req.resume();
        req.on('end', () => {
          const body = JSON.stringify({ error_code: 'PROXY.0001', error_msg: `answered by the proxy for ${req.url}` });
          res.writeHead(400, { 'Content-Type': 'application/json', 'Content-Length': String(Buffer.byteLength(body)) });
          res.end(body);
        });
      });
      server.on('connect', (req: IncomingMessage, socket: Socket) => {
        socket.write('HTTP/1.1 200 Connection established\r\n\r\n');
        socket.once('data', (chunk: Buffer) => {
          connects.push({ target: req.url ?? '', proxyAuthorization: req.headers['proxy-authorization'], firstBytes: chunk });
          socket.destroy();
        });
      });
      proxy = await listen(server);
    });
    afterAll(async () => {
      await close(proxy);
    });
    beforeEach(() => {
      proxy.received.length = 0;
      connects.length = 0;
    });

    it('tunnels https through HTTPS_PROXY with its credentials, loading https-proxy-agent (and node:assert) only then', async () => {
      const result = await inFreshNode<Record<string, unknown>>(
        `${CLIENT}
        const before = loaded('assert');
        const answer = await outcome(bundle.listPendingItems(client, { limit: 5 }));
        return { before, after: loaded('assert'), kind: answer.kind, attempts: answer.attempts };`,
        [bundleFile, JSON.stringify(clientEnv(undefined))],
        { HTTPS_PROXY: `http://release-bot:s3cret@127.0.0.1:${proxy.port}` },
      );
      // The tunnel closes after the ClientHello: a network failure, retried (a read); one CONNECT per attempt.
      expect(result).toEqual({ before: false, after: true, kind: 'network', attempts: expect.any(Number) });
      expect(connects.length).toBe(result.attempts);
      for (const connect of connects) {
        expect(connect.target).toBe('dayu.cn-north-4.myhuaweicloud.com:443');
        expect(connect.proxyAuthorization).toBe(`Basic ${Buffer.from('release-bot:s3cret').toString('base64')}`);
        expect(connect.firstBytes[0]).toBe(0x16); // a TLS handshake record, to the origin's name (SNI)
        expect(connect.firstBytes.includes(Buffer.from('dayu.cn-north-4.myhuaweicloud.com'))).toBe(true);
      }
      expect(proxy.received).toEqual([]);
    });

    it('forwards http through HTTP_PROXY, and goes direct for a NO_PROXY host', async () => {
      const env = { HTTP_PROXY: `http://127.0.0.1:${proxy.port}` };
      const viaProxy = await inFreshNode<Record<string, unknown>>(`${CLIENT} return outcome(bundle.listPendingItems(client, { limit: 5 }));`, [bundleFile, JSON.stringify(clientEnv(endpoint()))], env);
      expect(viaProxy).toMatchObject({ ok: false, status: 400, errorCode: 'PROXY.0001', errorMsg: `answered by the proxy for ${endpoint()}${LIST_PATH}?limit=5` });
      expect(proxy.received.map((r) => `${r.method} ${r.url} host=${r.headers.host}`)).toEqual([`GET ${endpoint()}${LIST_PATH}?limit=5 host=127.0.0.1:${upstream.port}`]);
      expect(upstream.received).toEqual([]);

      proxy.received.length = 0;
      const direct = await inFreshNode<Record<string, unknown>>(`${CLIENT} return outcome(bundle.listPendingItems(client, { limit: 5 }));`, [bundleFile, JSON.stringify(clientEnv(endpoint()))], {
        ...env,
        NO_PROXY: '127.0.0.1',
      });
      expect(direct).toMatchObject({ ok: false, status: 400, errorCode: 'DLF.0001' });
      expect(proxy.received).toEqual([]);
      expect(upstream.received.map((r) => r.url)).toEqual([`${LIST_PATH}?limit=5`]);
    });
  });
});
