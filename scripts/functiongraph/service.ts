/**
 * serverless.yml → the FunctionGraph view of each function: name, entry module and export, memory,
 * timeout, environment (names; values of non-secret variables only), triggers. serverless.yml stays the
 * one description of the functions; this module only reads it.
 *
 * Variables resolve as osls resolves them (see variables.ts), with `.env.<stage>` (or `.env`) loaded
 * under the process environment when `useDotenv` is true, as osls does.
 */
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseEnv } from 'node:util';
import { parse } from 'yaml';
import {
  FUNCTIONGRAPH_MEMORY_SIZES,
  environmentNameSchema,
  functionNameSchema,
  type EnvironmentEntry,
  type ManualEvent,
  type Trigger,
} from './manifest';
import { convertEvents } from './triggers';
import { resolveDeep, resolveString, selfResolver, VariableError, type Env, type VariableSources } from './variables';

export const ROOT = join(__dirname, '..', '..');

/** Serverless Framework defaults when neither the function nor the provider sets a value. */
const DEFAULT_MEMORY_MB = 1024;
const DEFAULT_TIMEOUT_S = 6;

/**
 * Variables whose values are secrets: written to the manifest by name only and set at deploy from the
 * deployer's environment (as FunctionGraph encrypted user data). A proxy URL counts: it may carry the proxy's
 * user and password (`http://user:password@proxy:3128`).
 */
export const SECRET_NAME = /(SECRET|PASSWORD|PASSWD|TOKEN|PRIVATE|CREDENTIAL|(^|_)(AK|SK|KEY)$|^HRF_CLIENTS$|^HTTPS?_PROXY$)/;

export function isSecretName(name: string): boolean {
  return SECRET_NAME.test(name);
}

export class ServiceError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ServiceError';
  }
}

export interface ServiceFunction {
  readonly key: string;
  readonly name: string;
  readonly description: string;
  /** Entry module, absolute. */
  readonly entry: string;
  readonly exportName: string;
  readonly memoryMB: number;
  readonly timeoutSeconds: number;
  readonly environment: Readonly<Record<string, EnvironmentEntry>>;
  readonly triggers: readonly Trigger[];
  readonly manualEvents: readonly ManualEvent[];
}

export interface ServiceDescription {
  readonly service: string;
  readonly stage: string;
  readonly functions: readonly ServiceFunction[];
  /** custom.esbuild as written (serverless-esbuild options). */
  readonly esbuild: Readonly<Record<string, unknown>>;
}

export interface ReadServiceOptions {
  /** Directory holding serverless.yml (and the .env files); default the project root. */
  readonly root?: string;
  /** The environment variables resolve from; default process.env. */
  readonly env?: Env;
  /** --stage; default provider.stage as resolved. */
  readonly stage?: string;
  /** Other CLI options (${opt:...}). */
  readonly options?: Readonly<Record<string, string | undefined>>;
}

interface RawFunction {
  handler?: unknown;
  name?: unknown;
  description?: unknown;
  memorySize?: unknown;
  timeout?: unknown;
  environment?: unknown;
  events?: unknown;
}

interface RawService {
  service?: unknown;
  useDotenv?: unknown;
  provider?: { stage?: unknown; memorySize?: unknown; timeout?: unknown; environment?: unknown };
  custom?: { esbuild?: unknown };
  functions?: Record<string, RawFunction> | null;
}

const ENTRY_EXTENSIONS = ['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs'];

function entryOf(root: string, key: string, handler: unknown): { entry: string; exportName: string } {
  if (typeof handler !== 'string' || !/^[^\s]+\.[A-Za-z_$][\w$]*$/.test(handler)) {
    throw new ServiceError(`functions.${key}.handler must be "path/to/module.exportName"`);
  }
  const dot = handler.lastIndexOf('.');
  const modulePath = handler.slice(0, dot);
  for (const ext of ENTRY_EXTENSIONS) {
    const candidate = join(root, `${modulePath}${ext}`);
    if (existsSync(candidate)) return { entry: candidate, exportName: handler.slice(dot + 1) };
  }
  throw new ServiceError(`functions.${key}.handler: no module ${modulePath}{${ENTRY_EXTENSIONS.join(',')}}`);
}

function wholeNumber(value: unknown, property: string): number | undefined {
  if (value === undefined || value === null || value === '') return undefined;
  const n = typeof value === 'number' ? value : Number(String(value).trim());
  if (!Number.isInteger(n)) throw new ServiceError(`${property} must be a whole number`);
  return n;
}

function loadDotenv(root: string, stage: string, useDotenv: boolean): Record<string, string> {
  if (!useDotenv) return {};
  for (const file of [`.env.${stage}`, '.env']) {
    const path = join(root, file);
    if (existsSync(path)) return parseEnv(readFileSync(path, 'utf8')) as Record<string, string>;
  }
  return {};
}

function rawEnvironment(value: unknown, property: string): Record<string, unknown> {
  if (value === undefined || value === null) return {};
  if (typeof value !== 'object' || Array.isArray(value)) throw new ServiceError(`${property} must be a map`);
  return value as Record<string, unknown>;
}

/** Reads and resolves serverless.yml for FunctionGraph. */
export function readService(options: ReadServiceOptions = {}): ServiceDescription {
  const root = options.root ?? ROOT;
  const processEnv = options.env ?? process.env;
  const document = parse(readFileSync(join(root, 'serverless.yml'), 'utf8'), { logLevel: 'error' }) as RawService;
  const cliOptions = { ...(options.options ?? {}), ...(options.stage ? { stage: options.stage } : {}) };

  const service = String(document.service ?? '');
  if (!service) throw new ServiceError('serverless.yml has no service name');
  const stageSources: VariableSources = { env: processEnv, options: cliOptions, self: document };
  const stage = options.stage ?? (document.provider?.stage === undefined ? 'dev' : resolveString(String(document.provider.stage), 'provider.stage', stageSources));

  // osls: the process environment wins over the .env file.
  const env: Env = { ...loadDotenv(root, stage, document.useDotenv === true), ...processEnv };
  const base = { env, options: cliOptions, stage };
  const resolveSelf = selfResolver(document, base);
  const sources: VariableSources = { ...base, self: document };
  const resolve = (value: unknown, property: string) => resolveDeep(value, property, sources, resolveSelf);

  const providerEnv = rawEnvironment(document.provider?.environment, 'provider.environment');
  const providerMemory = wholeNumber(resolve(document.provider?.memorySize, 'provider.memorySize'), 'provider.memorySize');
  const providerTimeout = wholeNumber(resolve(document.provider?.timeout, 'provider.timeout'), 'provider.timeout');

  const functions: ServiceFunction[] = [];
  for (const [key, fn] of Object.entries(document.functions ?? {})) {
    const property = `functions.${key}`;
    if (!fn || typeof fn !== 'object') throw new ServiceError(`${property} must be a map`);
    const { entry, exportName } = entryOf(root, key, resolve(fn.handler, `${property}.handler`));
    const name = fn.name === undefined ? `${service}-${stage}-${key}` : String(resolve(fn.name, `${property}.name`));
    const parsedName = functionNameSchema.safeParse(name);
    if (!parsedName.success) throw new ServiceError(`${property}: the FunctionGraph function name "${name}" ${parsedName.error.issues[0]?.message ?? 'is invalid'}`);
    const memoryMB = wholeNumber(resolve(fn.memorySize, `${property}.memorySize`), `${property}.memorySize`) ?? providerMemory ?? DEFAULT_MEMORY_MB;
    if (!FUNCTIONGRAPH_MEMORY_SIZES.includes(memoryMB)) {
      throw new ServiceError(`${property}: memory ${memoryMB} MB is not a FunctionGraph size (${FUNCTIONGRAPH_MEMORY_SIZES.join(', ')})`);
    }
    const timeoutSeconds = wholeNumber(resolve(fn.timeout, `${property}.timeout`), `${property}.timeout`) ?? providerTimeout ?? DEFAULT_TIMEOUT_S;
    if (timeoutSeconds < 3 || timeoutSeconds > 259_200) throw new ServiceError(`${property}: timeout ${timeoutSeconds} s is outside FunctionGraph's 3–259200 s`);

    const merged = { ...providerEnv, ...rawEnvironment(fn.environment, `${property}.environment`) };
    const environment: Record<string, EnvironmentEntry> = {};
    for (const [variable, raw] of Object.entries(merged).sort(([a], [b]) => a.localeCompare(b))) {
      const where = variable in rawEnvironment(fn.environment, '') ? `${property}.environment.${variable}` : `provider.environment.${variable}`;
      if (!environmentNameSchema.safeParse(variable).success) throw new ServiceError(`${where}: FunctionGraph variable names are a letter followed by letters, digits or "_"`);
      // Secrets are not even resolved here: only their names leave this module.
      if (isSecretName(variable)) environment[variable] = { secret: true };
      else {
        const value = resolve(raw ?? '', where);
        if (value !== null && typeof value === 'object') throw new ServiceError(`${where} must be a single value`);
        environment[variable] = { secret: false, value: String(value) };
      }
    }

    const events = resolve(fn.events ?? [], `${property}.events`);
    if (!Array.isArray(events)) throw new ServiceError(`${property}.events must be a list`);
    const { triggers, manualEvents } = convertEvents(key, events);
    const description = fn.description === undefined ? '' : String(resolve(fn.description, `${property}.description`));
    if (description.length > 512) throw new ServiceError(`${property}.description is longer than FunctionGraph's 512 characters`);
    functions.push({ key, name, description, entry, exportName, memoryMB, timeoutSeconds, environment, triggers, manualEvents });
  }
  const names = new Set<string>();
  for (const fn of functions) {
    if (names.has(fn.name)) throw new ServiceError(`two functions are named ${fn.name}`);
    names.add(fn.name);
  }
  const esbuild = document.custom?.esbuild;
  return { service, stage, functions, esbuild: esbuild && typeof esbuild === 'object' ? (esbuild as Record<string, unknown>) : {} };
}

export { VariableError };
