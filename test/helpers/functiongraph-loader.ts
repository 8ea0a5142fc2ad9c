/**
 * Runs a FunctionGraph zip the way FunctionGraph's Node.js runtime does (fg-runtime: context.js and the
 * runtime handler's checks): the zip is extracted to a code directory, `index.js` is required in a fresh
 * Node process, `handler` must be a function of 2 or 3 parameters, and each invocation gets a new
 * context object of getter methods. The function's environment reaches it only through
 * `context.getUserData(key)`: the process environment holds PATH and the runtime's RUNTIME_* variables,
 * nothing else. The result must serialise to JSON (it is what APIG receives).
 *
 * Error answers follow the runtime's: FunctionLoadError / FunctionConfigError when loading fails,
 * `function invocation exception, error: …` when the handler throws or rejects.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, isAbsolute, join, normalize } from 'node:path';
import JSZip from 'jszip';

export interface FunctionGraphFunctionSettings {
  /** FunctionGraph function name (getFunctionName, RUNTIME_FUNC_NAME). */
  readonly functionName: string;
  /** Default index.handler. */
  readonly handler?: string;
  readonly timeoutSeconds?: number;
  readonly memoryMB?: number;
  readonly packageName?: string;
  readonly projectId?: string;
  /** The function's environment variables, as FunctionGraph user data. */
  readonly userData?: Readonly<Record<string, string>>;
}

export interface InvocationOptions {
  readonly requestId?: string;
  /** The agency's temporary credentials (getSecurityAccessKey/SecretKey/Token). */
  readonly credentials?: { readonly accessKey: string; readonly secretKey: string; readonly securityToken?: string };
}

export type InvocationOutcome =
  | { readonly ok: true; readonly result: unknown }
  | { readonly ok: false; readonly error: { readonly errorType: string; readonly errorMessage: string } };

export interface LoadedFunction {
  /** Entry names found in the zip. */
  readonly entries: readonly string[];
  readonly codeDir: string;
  invoke(event: unknown, options?: InvocationOptions): Promise<InvocationOutcome>;
  /** Lines the function wrote to stdout and stderr so far. */
  output(): string[];
  close(): Promise<void>;
}

/** The child's side: plain CommonJS, no dependency, like the runtime. */
const RUNNER = String.raw`'use strict';
const path = require('path');
const [codeDir, handlerSpec, settingsJson] = process.argv.slice(2);
const settings = JSON.parse(settingsJson);
const dot = handlerSpec.lastIndexOf('.');
const file = handlerSpec.slice(0, dot);
const exportName = handlerSpec.slice(dot + 1);
const MAX_RESULT_BYTES = 6 * 1024 * 1024;
let handler;
let loadError;
try {
  const mod = require(path.join(codeDir, file + '.js'));
  handler = mod[exportName];
  if (typeof handler !== 'function') {
    loadError = { errorType: 'FunctionConfigError', errorMessage: "function entry exception, error: handler '" + exportName + "' not found in module './" + file + ".js'" };
  } else if (handler.length !== 2 && handler.length !== 3) {
    loadError = { errorType: 'FunctionLoadError', errorMessage: 'function entry exception, error: handler expect to have 2 or 3 parameters, but received ' + handler.length };
  }
} catch (error) {
  loadError = { errorType: 'FunctionLoadError', errorMessage: 'function entry exception, error: ' + (error && error.message) };
}

function context(options) {
  const started = Date.now();
  const timeoutMs = settings.timeoutSeconds * 1000;
  const userData = settings.userData || {};
  const credentials = options.credentials || {};
  return {
    getRequestID: () => options.requestId,
    getRemainingTimeInMilliSeconds: () => timeoutMs + started - Date.now(),
    getAccessKey: () => '',
    getSecretKey: () => '',
    getSecurityAccessKey: () => credentials.accessKey || '',
    getSecuritySecretKey: () => credentials.secretKey || '',
    getSecurityToken: () => credentials.securityToken || '',
    getToken: () => '',
    getUserData: (key) => userData[key],
    getFunctionName: () => settings.functionName,
    getRunningTimeInSeconds: () => settings.timeoutSeconds,
    getVersion: () => 'latest',
    getMemorySize: () => String(settings.memoryMB),
    getCPUNumber: () => String(Math.round(settings.memoryMB / 128 * 150)),
    getPackage: () => settings.packageName,
    getProjectID: () => settings.projectId,
    getAlias: () => '',
    getLogger: () => ({ info: (m) => console.log(m), warn: (m) => console.log(m), error: (m) => console.log(m), debug: (m) => console.log(m) }),
  };
}

function run(event, ctx) {
  return new Promise((resolve, reject) => {
    let settled = false;
    const done = (error, result) => {
      if (settled) return;
      settled = true;
      if (error) reject(error); else resolve(result);
    };
    let returned;
    try {
      returned = handler(event, ctx, done);
    } catch (error) {
      done(error);
      return;
    }
    if (returned && typeof returned.then === 'function') returned.then((r) => done(null, r), (e) => done(e || new Error('rejected')));
    else if (handler.length < 3) done(null, returned);
  });
}

process.on('message', async (message) => {
  const reply = (body) => process.send(Object.assign({ id: message.id }, body));
  if (loadError) return reply({ ok: false, error: loadError });
  let result;
  try {
    result = await run(message.event, context(message.options));
  } catch (error) {
    return reply({ ok: false, error: { errorType: (error && error.name) || 'Error', errorMessage: 'function invocation exception, error: ' + (error && error.message) } });
  }
  let text;
  try {
    text = JSON.stringify(result === undefined ? null : result);
  } catch (error) {
    return reply({ ok: false, error: { errorType: error.name, errorMessage: 'function result is invalid, error: ' + error.message } });
  }
  if (Buffer.byteLength(text) > MAX_RESULT_BYTES) return reply({ ok: false, error: { errorType: 'ResultTooLarge', errorMessage: 'the result is larger than 6 MB' } });
  reply({ ok: true, resultText: text });
});
process.send({ ready: true });
`;

/** Extracts a zip; refuses entries that would land outside the directory. */
async function extract(zip: Buffer, dir: string): Promise<string[]> {
  const archive = await JSZip.loadAsync(zip);
  const entries: string[] = [];
  for (const [name, entry] of Object.entries(archive.files)) {
    const target = normalize(join(dir, name));
    if (isAbsolute(name) || name.split(/[\\/]/).includes('..') || !target.startsWith(dir)) throw new Error(`zip entry ${name} escapes the code directory`);
    entries.push(name);
    if (entry.dir) {
      mkdirSync(target, { recursive: true });
      continue;
    }
    mkdirSync(dirname(target), { recursive: true });
    writeFileSync(target, await entry.async('nodebuffer'));
  }
  return entries.sort();
}

let counter = 0;

/** Extracts the zip and starts a FunctionGraph-like Node process for it (one container, warm between calls). */
export async function loadFunctionGraphZip(zip: Buffer, settings: FunctionGraphFunctionSettings): Promise<LoadedFunction> {
  const root = mkdtempSync(join(tmpdir(), 'fg-function-'));
  const codeDir = join(root, 'code');
  mkdirSync(codeDir);
  const entries = await extract(zip, codeDir);
  const runner = join(root, 'runtime.cjs');
  writeFileSync(runner, RUNNER);

  const full = {
    functionName: settings.functionName,
    timeoutSeconds: settings.timeoutSeconds ?? 30,
    memoryMB: settings.memoryMB ?? 256,
    packageName: settings.packageName ?? 'default',
    projectId: settings.projectId ?? '',
    userData: settings.userData ?? {},
  };
  const handler = settings.handler ?? 'index.handler';
  const env: Record<string, string> = {
    PATH: process.env.PATH ?? '/usr/bin:/bin',
    RUNTIME_FUNC_NAME: full.functionName,
    RUNTIME_FUNC_VERSION: 'latest',
    RUNTIME_PACKAGE: full.packageName,
    RUNTIME_PROJECT_ID: full.projectId,
    RUNTIME_HANDLER: handler,
    RUNTIME_TIMEOUT: String(full.timeoutSeconds),
    RUNTIME_MEMORY: String(full.memoryMB),
    RUNTIME_CODE_ROOT: codeDir,
  };
  const child: ChildProcess = fork(runner, [codeDir, handler, JSON.stringify(full)], { cwd: codeDir, env, execArgv: [], stdio: ['ignore', 'pipe', 'pipe', 'ipc'] });
  const lines: string[] = [];
  const collect = (chunk: Buffer) => lines.push(...chunk.toString('utf8').split('\n').filter((l) => l !== ''));
  child.stdout?.on('data', collect);
  child.stderr?.on('data', collect);

  const pending = new Map<number, (outcome: InvocationOutcome) => void>();
  let exited: string | undefined;
  const ready = new Promise<void>((resolve, reject) => {
    child.once('message', () => resolve());
    child.once('exit', (code, signal) => reject(new Error(`the function process exited before it was ready (${code ?? signal})\n${lines.join('\n')}`)));
  });
  child.on('message', (message: { id?: number; ok?: boolean; resultText?: string; error?: { errorType: string; errorMessage: string } }) => {
    if (message.id === undefined) return;
    const settle = pending.get(message.id);
    pending.delete(message.id);
    if (!settle) return;
    settle(message.ok ? { ok: true, result: JSON.parse(message.resultText ?? 'null') as unknown } : { ok: false, error: message.error ?? { errorType: 'Error', errorMessage: 'unknown' } });
  });
  child.on('exit', (code, signal) => {
    exited = `the function process exited (${code ?? signal})`;
    for (const settle of pending.values()) settle({ ok: false, error: { errorType: 'RuntimeExit', errorMessage: exited } });
    pending.clear();
  });
  await ready;

  return {
    entries,
    codeDir,
    output: () => [...lines],
    invoke(event, options = {}) {
      if (exited) return Promise.resolve({ ok: false, error: { errorType: 'RuntimeExit', errorMessage: exited } });
      counter += 1;
      const id = counter;
      const requestId = options.requestId ?? `fg-loader-${id.toString(16).padStart(8, '0')}`;
      return new Promise<InvocationOutcome>((resolve) => {
        const timer = setTimeout(() => {
          pending.delete(id);
          resolve({ ok: false, error: { errorType: 'Timeout', errorMessage: `no answer within ${full.timeoutSeconds} s` } });
        }, full.timeoutSeconds * 1000);
        pending.set(id, (outcome) => {
          clearTimeout(timer);
          resolve(outcome);
        });
        child.send({ id, event, options: { requestId, ...(options.credentials ? { credentials: options.credentials } : {}) } });
      });
    },
    async close() {
      if (!exited) {
        const gone = new Promise<void>((resolve) => child.once('exit', () => resolve()));
        child.kill();
        await gone;
      }
      rmSync(root, { recursive: true, force: true });
    },
  };
}
