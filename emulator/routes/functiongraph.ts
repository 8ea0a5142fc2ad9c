/**
 * FunctionGraph (API v2), the operations `npm run deploy:functiongraph` makes through the official SDK
 * (@huaweicloud/huaweicloud-sdk-functiongraph 3.1.211), at the paths the SDK calls:
 *
 *   ListFunctions          GET    /v2/{project_id}/fgs/functions?marker&maxitems&package_name&func_name
 *   CreateFunction         POST   /v2/{project_id}/fgs/functions
 *   ShowFunctionConfig     GET    /v2/{project_id}/fgs/functions/{function_urn}/config
 *   UpdateFunctionConfig   PUT    /v2/{project_id}/fgs/functions/{function_urn}/config
 *   ShowFunctionCode       GET    /v2/{project_id}/fgs/functions/{function_urn}/code
 *   UpdateFunctionCode     PUT    /v2/{project_id}/fgs/functions/{function_urn}/code
 *   ListFunctionTriggers   GET    /v2/{project_id}/fgs/triggers/{function_urn}
 *   CreateFunctionTrigger  POST   /v2/{project_id}/fgs/triggers/{function_urn}
 *   DeleteFunctionTrigger  DELETE /v2/{project_id}/fgs/triggers/{function_urn}/{trigger_type_code}/{trigger_id}
 *
 * Behind the gateway's authentication like every service route. Modelled constraints (FunctionGraph's
 * documented limits): function names, memory sizes, timeouts 3–259200 s, a zip of at most 50 MB inline,
 * environment variables (user data and encrypted user data together) of at most 4096 characters, at most
 * 10 triggers per function, timer names, Rate ranges (1–60 m, 1–24 h, 1–30 d), one APIG route per
 * group, method and path.
 *
 * Choices the emulator had to make (not documented by Huawei): error codes FSS.0400 (malformed request),
 * FSS.0403 (another project), FSS.0404 (no such function or trigger), FSS.0409 (function or route already
 * exists, trigger limit); `digest` is the SHA-512 of the zip; read operations never return
 * `encrypted_user_data`; only the `latest` version exists.
 */
import { z } from 'zod';
import { parseSchedule } from '../../shared/schedules/schedule';
import { EmulatorError, describeIssue, jsonBody } from '../http';
import { defineRoutes, type RouteContext, type RouteDefinition } from '../router';
import {
  FUNCTIONGRAPH_STATE_KEY,
  FunctionGraphState,
  MAX_TRIGGERS_PER_FUNCTION,
  digestOf,
  fgTime,
  type FunctionRecord,
  type TriggerRecord,
} from '../functiongraph-state';

export const FSS_BAD_REQUEST = 'FSS.0400';
export const FSS_FORBIDDEN = 'FSS.0403';
export const FSS_NOT_FOUND = 'FSS.0404';
export const FSS_CONFLICT = 'FSS.0409';

const fssError = (status: number, code: string, message: string) => new EmulatorError(status, { error_code: code, error_msg: message });
const invalid = (message: string) => fssError(400, FSS_BAD_REQUEST, message);

export const MAX_INLINE_ZIP_BYTES = 50 * 1024 * 1024;
export const MAX_ENVIRONMENT_CHARS = 4096;
const MEMORY_SIZES = [128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096];
const RUNTIMES = [
  'Java8', 'Java11', 'Java17', 'Python2.7', 'Python3.6', 'Python3.9', 'Python3.10', 'Go1.x', 'Node.js6.10', 'Node.js8.10',
  'Node.js10.16', 'Node.js12.13', 'Node.js14.18', 'Node.js16.17', 'Node.js18.15', 'Node.js20.15', 'Custom', 'http',
];

export function functionGraphState(ctx: Pick<RouteContext, 'state'>): FunctionGraphState {
  return ctx.state.extension(FUNCTIONGRAPH_STATE_KEY, () => new FunctionGraphState(ctx.state.identity, ctx.state.clock));
}

// ---- request bodies -------------------------------------------------------------------------------

const funcName = z.string().regex(/^[A-Za-z]([A-Za-z0-9_-]{0,58}[A-Za-z0-9])?$/, 'func_name must be 1 to 60 letters, digits, "_" or "-", start with a letter and end with a letter or digit');
const packageName = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, 'package must be 1 to 64 letters, digits, "_" or "-"');
const userDataText = z.string().max(MAX_ENVIRONMENT_CHARS * 2);
const funcCode = z.object({ file: z.string().min(1), link: z.string().optional() }).loose();

const configFields = {
  runtime: z.enum(RUNTIMES as [string, ...string[]]),
  timeout: z.number().int().min(3).max(259_200),
  handler: z.string().min(1).max(128),
  memory_size: z.number().int().refine((n) => MEMORY_SIZES.includes(n), `memory_size must be one of ${MEMORY_SIZES.join(', ')}`),
  user_data: userDataText.optional(),
  encrypted_user_data: userDataText.optional(),
  xrole: z.string().max(64).optional(),
  description: z.string().max(512).optional(),
};

const createFunctionBody = z
  .object({
    func_name: funcName,
    package: packageName,
    code_type: z.enum(['zip', 'inline']),
    code_filename: z.string().max(128).optional(),
    func_code: funcCode,
    type: z.string().optional(),
    ...configFields,
  })
  .loose();

const updateConfigBody = z.object({ func_name: funcName, ...configFields }).loose();

const updateCodeBody = z
  .object({ code_type: z.enum(['zip', 'inline']), code_filename: z.string().max(128).optional(), func_code: funcCode })
  .loose();

const timerEventData = z
  .object({
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_-]{0,63}$/, 'event_data.name must be a letter followed by up to 63 letters, digits, "_" or "-"'),
    schedule_type: z.enum(['Rate', 'Cron']),
    schedule: z.string().min(1).max(256),
    user_event: z.string().max(4096).optional(),
  })
  .loose();

const apigEventData = z
  .object({
    group_id: z.string().min(1),
    env_id: z.string().min(1),
    env_name: z.string().min(1).optional(),
    name: z.string().regex(/^[A-Za-z][A-Za-z0-9_]{2,63}$/, 'event_data.name must be 3 to 64 letters, digits or "_" starting with a letter'),
    path: z.string().regex(/^\/[A-Za-z0-9._~{}\-/]*$/, 'event_data.path must be an absolute path'),
    req_method: z.enum(['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS', 'ANY']),
    auth: z.enum(['IAM', 'APP', 'NONE']),
    protocol: z.enum(['HTTP', 'HTTPS']),
    match_mode: z.enum(['SWA', 'NORMAL']).optional(),
    type: z.number().int().optional(),
    backend_type: z.string().optional(),
    instance_id: z.string().optional(),
    func_info: z.object({ timeout: z.number().int().min(1).max(60_000).optional(), invocation_type: z.enum(['sync', 'async']).optional() }).loose().optional(),
  })
  .loose();

const createTriggerBody = z
  .object({
    trigger_type_code: z.string().min(1),
    trigger_status: z.enum(['ACTIVE', 'DISABLED']).optional(),
    event_type_code: z.string().optional(),
    event_data: z.record(z.string(), z.unknown()),
  })
  .loose();

function body<T>(ctx: RouteContext, schema: z.ZodType<T>): T {
  const raw = jsonBody(ctx.request, () => invalid('The request body is not valid JSON.'));
  if (raw === undefined) throw invalid('The request body is required.');
  const parsed = schema.safeParse(raw);
  if (!parsed.success) throw invalid(describeIssue(parsed.error));
  return parsed.data;
}

// ---- checks -----------------------------------------------------------------------------------------

function checkProject(ctx: RouteContext): void {
  const projectId = ctx.request.params.project_id;
  if (projectId !== ctx.identity.projectId) throw fssError(403, FSS_FORBIDDEN, `project_id ${projectId ?? ''} is not the caller's project.`);
}

function findFunction(ctx: RouteContext): FunctionRecord {
  checkProject(ctx);
  const fn = functionGraphState(ctx).findByUrn(ctx.request.params.function_urn ?? '');
  if (!fn) throw fssError(404, FSS_NOT_FOUND, `The function ${ctx.request.params.function_urn ?? ''} does not exist.`);
  return fn;
}

/** A JSON object of string values; returns its key+value character count. */
function environmentChars(text: string | undefined, field: string): number {
  if (text === undefined || text === '') return 0;
  let parsed: unknown;
  try {
    parsed = JSON.parse(text);
  } catch {
    throw invalid(`${field} must be a JSON object of strings.`);
  }
  if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) throw invalid(`${field} must be a JSON object of strings.`);
  let chars = 0;
  for (const [key, value] of Object.entries(parsed as Record<string, unknown>)) {
    if (typeof value !== 'string') throw invalid(`${field}.${key} must be a string.`);
    if (!/^[A-Za-z][A-Za-z0-9_]*$/.test(key)) throw invalid(`${field}: the key "${key}" must be a letter followed by letters, digits or "_".`);
    chars += key.length + value.length;
  }
  return chars;
}

function checkEnvironment(userData: string | undefined, encrypted: string | undefined): void {
  const total = environmentChars(userData, 'user_data') + environmentChars(encrypted, 'encrypted_user_data');
  if (total > MAX_ENVIRONMENT_CHARS) throw invalid(`The environment variables hold ${total} characters; at most ${MAX_ENVIRONMENT_CHARS} are allowed.`);
}

function decodeZip(file: string): Buffer {
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(file)) throw invalid('func_code.file must be base64.');
  const code = Buffer.from(file, 'base64');
  if (code.length > MAX_INLINE_ZIP_BYTES) throw invalid(`The code package is larger than ${MAX_INLINE_ZIP_BYTES} bytes.`);
  if (code.length < 22 || code.readUInt32LE(0) !== 0x04034b50) throw invalid('func_code.file is not a zip archive.');
  return code;
}

// ---- response bodies -------------------------------------------------------------------------------

function cpuFor(memory: number): number {
  return Math.max(100, Math.round((memory / 128) * 150));
}

function functionBody(ctx: RouteContext, fn: FunctionRecord) {
  return {
    func_id: fn.funcId,
    resource_id: fn.funcId,
    func_urn: `${fn.urn}:latest`,
    func_name: fn.funcName,
    domain_id: ctx.identity.domainId,
    namespace: ctx.identity.projectId,
    project_name: ctx.identity.region,
    package: fn.package,
    runtime: fn.runtime,
    timeout: fn.timeout,
    handler: fn.handler,
    memory_size: fn.memorySize,
    cpu: cpuFor(fn.memorySize),
    code_type: fn.codeType,
    code_url: '',
    code_filename: fn.codeFilename,
    code_size: fn.code.length,
    user_data: fn.userData,
    digest: digestOf(fn.code),
    version: 'latest',
    image_name: `latest-${fn.lastModifiedMs}`,
    ...(fn.xrole ? { xrole: fn.xrole } : {}),
    description: fn.description,
    last_modified: fgTime(fn.lastModifiedMs),
    type: 'v2',
  };
}

function codeBody(fn: FunctionRecord) {
  return {
    func_urn: `${fn.urn}:latest`,
    func_name: fn.funcName,
    runtime: fn.runtime,
    code_type: fn.codeType,
    code_url: '',
    code_filename: fn.codeFilename,
    code_size: fn.code.length,
    digest: digestOf(fn.code),
    last_modified: fgTime(fn.lastModifiedMs),
    func_code: { file: fn.code.toString('base64'), link: '' },
  };
}

function triggerBody(trigger: TriggerRecord) {
  return {
    trigger_id: trigger.triggerId,
    trigger_type_code: trigger.triggerTypeCode,
    trigger_status: trigger.triggerStatus,
    ...(trigger.eventTypeCode ? { event_type_code: trigger.eventTypeCode } : {}),
    event_data: trigger.eventData,
    last_updated_time: fgTime(trigger.lastUpdatedMs),
    created_time: fgTime(trigger.createdMs),
  };
}

// ---- functions ---------------------------------------------------------------------------------------

function listFunctions(ctx: RouteContext) {
  checkProject(ctx);
  const q = ctx.request.query;
  const marker = q.get('marker') ?? '0';
  const maxitems = q.get('maxitems') ?? '400';
  if (!/^[0-9]+$/.test(marker)) throw invalid('marker must be a whole number.');
  if (!/^-?[0-9]+$/.test(maxitems) || Number(maxitems) < 0) throw invalid('maxitems must be a whole number of at least 0.');
  const limit = Number(maxitems) === 0 || Number(maxitems) > 400 ? 400 : Number(maxitems);
  const packageFilter = q.get('package_name');
  const nameFilter = q.get('func_name');
  const all = [...functionGraphState(ctx).functions.values()]
    .filter((fn) => (packageFilter === null ? true : fn.package === packageFilter))
    .filter((fn) => (nameFilter === null ? true : fn.funcName.includes(nameFilter)))
    .sort((a, b) => a.createdMs - b.createdMs || a.funcName.localeCompare(b.funcName));
  const start = Number(marker);
  const page = all.slice(start, start + limit);
  const next = start + page.length;
  return { status: 200, body: { functions: page.map((fn) => functionBody(ctx, fn)), next_marker: next, count: all.length } };
}

function createFunction(ctx: RouteContext) {
  checkProject(ctx);
  const input = body(ctx, createFunctionBody);
  const state = functionGraphState(ctx);
  const urn = state.urnOf(input.package, input.func_name);
  if (state.functions.has(urn)) throw fssError(409, FSS_CONFLICT, `The function ${input.func_name} already exists in package ${input.package}.`);
  checkEnvironment(input.user_data, input.encrypted_user_data);
  const code = decodeZip(input.func_code.file);
  const now = ctx.clock.nowMs();
  const fn: FunctionRecord = {
    funcId: state.newId(),
    funcName: input.func_name,
    package: input.package,
    urn,
    runtime: input.runtime,
    handler: input.handler,
    memorySize: input.memory_size,
    timeout: input.timeout,
    description: input.description ?? '',
    xrole: input.xrole || undefined,
    userData: input.user_data ?? '',
    encryptedUserData: input.encrypted_user_data ?? '',
    codeType: input.code_type,
    codeFilename: input.code_filename ?? 'index.zip',
    code,
    lastModifiedMs: now,
    createdMs: now,
  };
  state.functions.set(urn, fn);
  return { status: 200, body: functionBody(ctx, fn) };
}

function showFunctionConfig(ctx: RouteContext) {
  return { status: 200, body: functionBody(ctx, findFunction(ctx)) };
}

function updateFunctionConfig(ctx: RouteContext) {
  const fn = findFunction(ctx);
  const input = body(ctx, updateConfigBody);
  if (input.func_name !== fn.funcName) throw invalid('func_name cannot be changed.');
  checkEnvironment(input.user_data, input.encrypted_user_data);
  fn.runtime = input.runtime;
  fn.handler = input.handler;
  fn.memorySize = input.memory_size;
  fn.timeout = input.timeout;
  fn.description = input.description ?? '';
  fn.xrole = input.xrole || undefined;
  fn.userData = input.user_data ?? '';
  fn.encryptedUserData = input.encrypted_user_data ?? '';
  fn.lastModifiedMs = ctx.clock.nowMs();
  return { status: 200, body: functionBody(ctx, fn) };
}

function showFunctionCode(ctx: RouteContext) {
  return { status: 200, body: codeBody(findFunction(ctx)) };
}

function updateFunctionCode(ctx: RouteContext) {
  const fn = findFunction(ctx);
  const input = body(ctx, updateCodeBody);
  fn.code = decodeZip(input.func_code.file);
  fn.codeType = input.code_type;
  if (input.code_filename) fn.codeFilename = input.code_filename;
  fn.lastModifiedMs = ctx.clock.nowMs();
  return { status: 200, body: codeBody(fn) };
}

// ---- triggers ----------------------------------------------------------------------------------------

const RATE = /^([1-9][0-9]*)([mhd])$/;
const RATE_MAX: Record<string, number> = { m: 60, h: 24, d: 30 };
const EVERY = /^@every\s+(?:\d+(?:\.\d+)?(?:ns|us|µs|ms|s|m|h))+$/;

function checkSchedule(type: 'Rate' | 'Cron', schedule: string): void {
  if (type === 'Rate') {
    const m = RATE.exec(schedule);
    if (!m || Number(m[1]) > (RATE_MAX[m[2] as string] ?? 0)) throw invalid('event_data.schedule: a Rate is 1-60m, 1-24h or 1-30d.');
    return;
  }
  if (EVERY.test(schedule)) return;
  const body = schedule.replace(/^CRON_TZ=\S+\s+/, '');
  if (body.split(/\s+/).length < 5 || body.split(/\s+/).length > 6) throw invalid('event_data.schedule: a Cron has 5 or 6 fields (seconds first).');
  try {
    parseSchedule(schedule);
  } catch (error) {
    throw invalid(`event_data.schedule: ${error instanceof Error ? error.message : 'invalid cron expression'}`);
  }
}

function listFunctionTriggers(ctx: RouteContext) {
  const fn = findFunction(ctx);
  return { status: 200, body: functionGraphState(ctx).triggersOf(fn.urn).map(triggerBody) };
}

function createFunctionTrigger(ctx: RouteContext) {
  const fn = findFunction(ctx);
  const state = functionGraphState(ctx);
  const input = body(ctx, createTriggerBody);
  const triggers = state.triggersOf(fn.urn);
  if (triggers.length >= MAX_TRIGGERS_PER_FUNCTION) throw fssError(409, FSS_CONFLICT, `A function has at most ${MAX_TRIGGERS_PER_FUNCTION} triggers.`);
  let eventData: Record<string, unknown>;
  const type = input.trigger_type_code;
  if (type === 'TIMER') {
    const parsed = timerEventData.safeParse(input.event_data);
    if (!parsed.success) throw invalid(describeIssue(parsed.error));
    checkSchedule(parsed.data.schedule_type, parsed.data.schedule);
    if (triggers.some((t) => t.triggerTypeCode === 'TIMER' && t.eventData.name === parsed.data.name)) {
      throw fssError(409, FSS_CONFLICT, `The function already has a timer named ${parsed.data.name}.`);
    }
    eventData = { ...parsed.data };
  } else if (type === 'APIG' || type === 'DEDICATEDGATEWAY') {
    const parsed = apigEventData.safeParse(input.event_data);
    if (!parsed.success) throw invalid(describeIssue(parsed.error));
    const d = parsed.data;
    if (type === 'DEDICATEDGATEWAY' && !d.instance_id) throw invalid('event_data.instance_id is required for a dedicated gateway.');
    for (const { trigger } of state.allTriggers()) {
      const e = trigger.eventData;
      if (trigger.triggerTypeCode === type && e.group_id === d.group_id && e.req_method === d.req_method && e.path === d.path) {
        throw fssError(409, FSS_CONFLICT, `The API group already has a route ${d.req_method} ${d.path}.`);
      }
      if (trigger.triggerTypeCode === type && e.group_id === d.group_id && e.name === d.name) {
        throw fssError(409, FSS_CONFLICT, `The API group already has an API named ${d.name}.`);
      }
    }
    const apiId = state.newId().replace(/-/g, '');
    eventData = {
      ...d,
      api_id: apiId,
      invoke_url: `https://${d.group_id}.apic.${ctx.identity.region}.huaweicloudapis.com${d.path}`,
    };
  } else {
    throw invalid(`trigger_type_code ${type} is not modelled by the local FunctionGraph (TIMER, APIG, DEDICATEDGATEWAY).`);
  }
  const now = ctx.clock.nowMs();
  const trigger: TriggerRecord = {
    triggerId: state.newId(),
    triggerTypeCode: type,
    triggerStatus: input.trigger_status ?? 'ACTIVE',
    eventTypeCode: input.event_type_code,
    eventData,
    createdMs: now,
    lastUpdatedMs: now,
  };
  triggers.push(trigger);
  return { status: 201, body: triggerBody(trigger) };
}

function deleteFunctionTrigger(ctx: RouteContext) {
  const fn = findFunction(ctx);
  const triggers = functionGraphState(ctx).triggersOf(fn.urn);
  const { trigger_type_code: type, trigger_id: id } = ctx.request.params;
  const index = triggers.findIndex((t) => t.triggerId === id && t.triggerTypeCode === type);
  if (index < 0) throw fssError(404, FSS_NOT_FOUND, `The trigger ${type ?? ''}/${id ?? ''} does not exist.`);
  triggers.splice(index, 1);
  return { status: 204 };
}

export const functiongraphRoutes: readonly RouteDefinition[] = defineRoutes([
  { name: 'ListFunctions', method: 'GET', pattern: '/v2/{project_id}/fgs/functions', handler: listFunctions },
  { name: 'CreateFunction', method: 'POST', pattern: '/v2/{project_id}/fgs/functions', handler: createFunction },
  { name: 'ShowFunctionConfig', method: 'GET', pattern: '/v2/{project_id}/fgs/functions/{function_urn}/config', handler: showFunctionConfig },
  { name: 'UpdateFunctionConfig', method: 'PUT', pattern: '/v2/{project_id}/fgs/functions/{function_urn}/config', handler: updateFunctionConfig },
  { name: 'ShowFunctionCode', method: 'GET', pattern: '/v2/{project_id}/fgs/functions/{function_urn}/code', handler: showFunctionCode },
  { name: 'UpdateFunctionCode', method: 'PUT', pattern: '/v2/{project_id}/fgs/functions/{function_urn}/code', handler: updateFunctionCode },
  { name: 'ListFunctionTriggers', method: 'GET', pattern: '/v2/{project_id}/fgs/triggers/{function_urn}', handler: listFunctionTriggers },
  { name: 'CreateFunctionTrigger', method: 'POST', pattern: '/v2/{project_id}/fgs/triggers/{function_urn}', handler: createFunctionTrigger },
  {
    name: 'DeleteFunctionTrigger',
    method: 'DELETE',
    pattern: '/v2/{project_id}/fgs/triggers/{function_urn}/{trigger_type_code}/{trigger_id}',
    handler: deleteFunctionTrigger,
  },
]);
