/**
 * The FunctionGraph operations the deploy uses, through the official client
 * (@huaweicloud/huaweicloud-sdk-functiongraph FunctionGraphClient, signed with SDK-HMAC-SHA256 by its core).
 * Responses are validated at this boundary (zod); a failed call is a FunctionGraphApiError with the
 * operation, the HTTP status, Huawei's error code and the request id.
 *
 * Reads are retried (throttling, server errors, no answer); writes are not: the next deploy reads what is
 * there before it writes anything.
 *
 * Two things about the SDK core (3.1.211) handled here:
 *  - it logs every failed request to stdout with the request's headers, X-Security-Token included, and
 *    everything at debug level when DEBUG=DEBUG: its HTTP client's logger is replaced by a silent one;
 *  - axios has no timeout by default: every call gets one.
 */
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import {
  CreateFunctionRequest,
  CreateFunctionRequestBody,
  CreateFunctionTriggerRequest,
  CreateFunctionTriggerRequestBody,
  DeleteFunctionTriggerRequest,
  FuncCode,
  FunctionGraphClient,
  ListFunctionTriggersRequest,
  ListFunctionsRequest,
  TriggerEventDataRequestBody,
  UpdateFunctionCodeRequest,
  UpdateFunctionCodeRequestBody,
  UpdateFunctionConfigRequest,
  UpdateFunctionConfigRequestBody,
  ApigTriggerFuncInfo,
} from '@huaweicloud/huaweicloud-sdk-functiongraph';
import { z } from 'zod';
import type { DeployConfig } from './deploy-config';

// ---- what the deploy sees -------------------------------------------------------------------------

export interface RemoteFunction {
  /** As FunctionGraph returns it (with the :latest version). */
  readonly urn: string;
  readonly name: string;
  readonly packageName: string;
  readonly runtime: string;
  readonly handler: string;
  readonly memorySize: number;
  readonly timeout: number;
  readonly description: string;
  readonly xrole: string | undefined;
  /** The user data (plain environment variables); undefined when FunctionGraph returned something unreadable. */
  readonly userData: Readonly<Record<string, string>> | undefined;
}

export interface RemoteTrigger {
  readonly id: string;
  readonly typeCode: string;
  readonly status: string;
  readonly eventData: Readonly<Record<string, unknown>>;
}

export interface FunctionConfigInput {
  readonly name: string;
  readonly runtime: string;
  readonly handler: string;
  readonly memorySize: number;
  readonly timeout: number;
  readonly description: string;
  readonly xrole: string | undefined;
  /** JSON object text. */
  readonly userData: string;
  /** JSON object text; undefined: none. */
  readonly encryptedUserData: string | undefined;
}

export interface CreateFunctionInput extends FunctionConfigInput {
  readonly packageName: string;
  readonly zip: Buffer;
}

export interface TimerTriggerInput {
  readonly typeCode: 'TIMER';
  readonly status: 'ACTIVE' | 'DISABLED';
  readonly name: string;
  readonly scheduleType: 'Rate' | 'Cron';
  readonly schedule: string;
  readonly userEvent: string | undefined;
}

export interface ApigTriggerInput {
  readonly typeCode: 'APIG' | 'DEDICATEDGATEWAY';
  readonly name: string;
  readonly groupId: string;
  readonly envId: string;
  readonly envName: string;
  readonly instanceId: string | undefined;
  readonly auth: string;
  readonly method: string;
  readonly path: string;
  /** The APIG → function timeout, ms. */
  readonly backendTimeoutMs: number;
}

export type TriggerInput = TimerTriggerInput | ApigTriggerInput;

export interface FunctionGraphApi {
  listFunctions(packageName: string): Promise<RemoteFunction[]>;
  createFunction(input: CreateFunctionInput): Promise<RemoteFunction>;
  updateFunctionCode(urn: string, zip: Buffer): Promise<void>;
  updateFunctionConfig(urn: string, input: FunctionConfigInput): Promise<void>;
  listFunctionTriggers(urn: string): Promise<RemoteTrigger[]>;
  createFunctionTrigger(urn: string, input: TriggerInput): Promise<RemoteTrigger>;
  deleteFunctionTrigger(urn: string, typeCode: string, triggerId: string): Promise<void>;
}

export class FunctionGraphApiError extends Error {
  constructor(
    readonly operation: string,
    message: string,
    readonly details: { status?: number | undefined; errorCode?: string | undefined; requestId?: string | undefined } = {},
    options?: { cause?: unknown },
  ) {
    super(`FunctionGraph ${operation} failed: ${message}`, options);
    this.name = 'FunctionGraphApiError';
  }
}

// ---- response schemas -------------------------------------------------------------------------------

const functionSchema = z
  .object({
    func_urn: z.string().min(1),
    func_name: z.string().min(1),
    package: z.string(),
    runtime: z.string(),
    handler: z.string(),
    memory_size: z.number(),
    timeout: z.number(),
    description: z.string().nullish(),
    xrole: z.string().nullish(),
    user_data: z.string().nullish(),
  })
  .loose();

const listFunctionsSchema = z
  .object({ functions: z.array(functionSchema).nullish(), next_marker: z.number().nullish(), count: z.number().nullish() })
  .loose();

const triggerSchema = z
  .object({
    trigger_id: z.string().min(1),
    trigger_type_code: z.string().min(1),
    trigger_status: z.string().nullish(),
    event_data: z.record(z.string(), z.unknown()).nullish(),
  })
  .loose();

function parseUserData(text: string | null | undefined): Record<string, string> | undefined {
  if (text === null || text === undefined || text === '') return {};
  try {
    const parsed = JSON.parse(text) as unknown;
    if (parsed === null || typeof parsed !== 'object' || Array.isArray(parsed)) return undefined;
    const out: Record<string, string> = {};
    for (const [k, v] of Object.entries(parsed as Record<string, unknown>)) {
      if (typeof v !== 'string') return undefined;
      out[k] = v;
    }
    return out;
  } catch {
    return undefined;
  }
}

function toRemoteFunction(raw: z.infer<typeof functionSchema>): RemoteFunction {
  return {
    urn: raw.func_urn,
    name: raw.func_name,
    packageName: raw.package,
    runtime: raw.runtime,
    handler: raw.handler,
    memorySize: raw.memory_size,
    timeout: raw.timeout,
    description: raw.description ?? '',
    xrole: raw.xrole || undefined,
    userData: parseUserData(raw.user_data),
  };
}

function toRemoteTrigger(raw: z.infer<typeof triggerSchema>): RemoteTrigger {
  return { id: raw.trigger_id, typeCode: raw.trigger_type_code, status: raw.trigger_status ?? 'ACTIVE', eventData: raw.event_data ?? {} };
}

function parse<T>(operation: string, schema: z.ZodType<T>, value: unknown): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new FunctionGraphApiError(operation, `unexpected response (${issue ? `${issue.path.join('.') || 'body'}: ${issue.message}` : 'invalid'})`);
  }
  return result.data;
}

// ---- the SDK ------------------------------------------------------------------------------------------

interface SdkError {
  httpStatusCode?: string | number;
  errorMsg?: string;
  errorCode?: string;
  requestId?: string;
  message?: string;
}

function apiError(operation: string, error: unknown): FunctionGraphApiError {
  if (error instanceof FunctionGraphApiError) return error;
  const e = (error ?? {}) as SdkError;
  const status = e.httpStatusCode === undefined ? undefined : Number(e.httpStatusCode);
  const message = e.errorMsg ?? e.message ?? 'no answer';
  return new FunctionGraphApiError(operation, status ? `${status} ${e.errorCode ?? ''} ${message}`.replace(/\s+/g, ' ').trim() : message, { status, errorCode: e.errorCode, requestId: e.requestId }, { cause: error });
}

/** Whether a failed read is worth another try: throttled, a server error, or no answer. */
function transient(error: FunctionGraphApiError): boolean {
  const status = error.details.status;
  return status === undefined || Number.isNaN(status) || status === 429 || status >= 500;
}

const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

/**
 * One SDK call. Reads are retried after the given delays when throttled, failing on the server side or
 * unanswered; writes are never retried here (a lost answer is resolved by the next deploy, which reads
 * what is there first).
 */
async function call<T>(operation: string, run: () => Promise<T>, retryDelaysMs: readonly number[] = []): Promise<T> {
  for (let attempt = 0; ; attempt++) {
    try {
      return await run();
    } catch (error) {
      const failure = apiError(operation, error);
      const delay = retryDelaysMs[attempt];
      if (delay === undefined || !transient(failure)) throw failure;
      await sleep(delay);
    }
  }
}

const SILENT_LOGGER = { debug: () => undefined, info: () => undefined, warn: () => undefined, error: () => undefined };

/** The SDK core's HTTP client logs failed requests with their headers (security token included): silence it. */
function silenceSdkLogging(client: FunctionGraphClient): void {
  const internals = client as unknown as { hcClient?: { logger?: unknown; httpClient?: { _logger?: unknown } } };
  if (internals.hcClient) {
    internals.hcClient.logger = SILENT_LOGGER;
    if (internals.hcClient.httpClient) internals.hcClient.httpClient._logger = SILENT_LOGGER;
  }
}

export function createSdkClient(config: Pick<DeployConfig, 'credentials' | 'projectId' | 'endpoint'>, options: { readonly timeoutMs?: number } = {}): FunctionGraphClient {
  const credentials = new BasicCredentials().withAk(config.credentials.accessKey).withSk(config.credentials.secretKey).withProjectId(config.projectId);
  if (config.credentials.securityToken) credentials.withSecurityToken(config.credentials.securityToken);
  const client = FunctionGraphClient.newBuilder()
    .withCredential(credentials)
    .withEndpoint(config.endpoint)
    .withOptions({ customUserAgent: 'hwc-release-functions-deploy', axiosRequestConfig: { timeout: options.timeoutMs ?? 60_000 } })
    .build();
  silenceSdkLogging(client);
  return client;
}

function configBody<T extends CreateFunctionRequestBody | UpdateFunctionConfigRequestBody>(body: T, input: FunctionConfigInput): T {
  body.withFuncName(input.name).withRuntime(input.runtime).withHandler(input.handler).withMemorySize(input.memorySize).withTimeout(input.timeout);
  body.withDescription(input.description).withUserData(input.userData);
  if (input.encryptedUserData !== undefined) body.withEncryptedUserData(input.encryptedUserData);
  if (input.xrole !== undefined) body.withXrole(input.xrole);
  return body;
}

const CODE_FILENAME = 'index.zip';

export interface SdkApiOptions {
  /** Per request; default 60 s. */
  readonly timeoutMs?: number;
  /** Delays before each retry of a read; default 1 s, 3 s. */
  readonly readRetryDelaysMs?: readonly number[];
}

export function sdkFunctionGraphApi(config: Pick<DeployConfig, 'credentials' | 'projectId' | 'endpoint'>, options: SdkApiOptions = {}): FunctionGraphApi {
  const client = createSdkClient(config, options);
  const reads = options.readRetryDelaysMs ?? [1_000, 3_000];
  return {
    async listFunctions(packageName) {
      const out: RemoteFunction[] = [];
      let marker = 0;
      for (let page = 0; page < 1000; page++) {
        const request = new ListFunctionsRequest().withMarker(String(marker)).withMaxitems('400').withPackageName(packageName);
        const raw = await call('ListFunctions', () => client.listFunctions(request), reads);
        const body = parse('ListFunctions', listFunctionsSchema, raw);
        const functions = body.functions ?? [];
        out.push(...functions.map(toRemoteFunction).filter((fn) => fn.packageName === packageName));
        const next = body.next_marker ?? undefined;
        if (functions.length === 0 || next === undefined || next <= marker || (body.count !== null && body.count !== undefined && next >= body.count)) break;
        marker = next;
      }
      return out;
    },

    async createFunction(input) {
      const body = configBody(new CreateFunctionRequestBody(), input)
        .withPackage(input.packageName)
        .withCodeType('zip')
        .withCodeFilename(CODE_FILENAME)
        .withFuncCode(new FuncCode().withFile(input.zip.toString('base64')))
        .withType('v2');
      const raw = await call('CreateFunction', () => client.createFunction(new CreateFunctionRequest().withBody(body)));
      return toRemoteFunction(parse('CreateFunction', functionSchema, raw));
    },

    async updateFunctionCode(urn, zip) {
      const body = new UpdateFunctionCodeRequestBody().withCodeType('zip').withCodeFilename(CODE_FILENAME).withFuncCode(new FuncCode().withFile(zip.toString('base64')));
      await call('UpdateFunctionCode', () => client.updateFunctionCode(new UpdateFunctionCodeRequest().withFunctionUrn(urn).withBody(body)));
    },

    async updateFunctionConfig(urn, input) {
      const body = configBody(new UpdateFunctionConfigRequestBody(), input);
      await call('UpdateFunctionConfig', () => client.updateFunctionConfig(new UpdateFunctionConfigRequest().withFunctionUrn(urn).withBody(body)));
    },

    async listFunctionTriggers(urn) {
      const raw = await call('ListFunctionTriggers', () => client.listFunctionTriggers(new ListFunctionTriggersRequest().withFunctionUrn(urn)), reads);
      // The generated model says { body: [...] }; the core hands back the JSON array itself.
      const list = Array.isArray(raw) ? raw : (raw as { body?: unknown }).body;
      return parse('ListFunctionTriggers', z.array(triggerSchema), list ?? []).map(toRemoteTrigger);
    },

    async createFunctionTrigger(urn, input) {
      const data = new TriggerEventDataRequestBody().withName(input.name);
      const body = new CreateFunctionTriggerRequestBody().withTriggerTypeCode(input.typeCode);
      if (input.typeCode === 'TIMER') {
        data.withScheduleType(input.scheduleType).withSchedule(input.schedule);
        if (input.userEvent !== undefined) data.withUserEvent(input.userEvent);
        body.withTriggerStatus(input.status);
      } else {
        data
          .withGroupId(input.groupId)
          .withEnvId(input.envId)
          .withEnvName(input.envName)
          .withAuth(input.auth)
          .withProtocol('HTTPS')
          .withPath(input.path)
          .withReqMethod(input.method)
          .withMatchMode('NORMAL')
          .withType(1)
          .withBackendType('FUNCTION')
          .withFuncInfo(new ApigTriggerFuncInfo().withTimeout(input.backendTimeoutMs).withInvocationType('sync'));
        if (input.instanceId !== undefined) data.withInstanceId(input.instanceId);
        body.withEventTypeCode('APICreated').withTriggerStatus('ACTIVE');
      }
      body.withEventData(data);
      const raw = await call('CreateFunctionTrigger', () => client.createFunctionTrigger(new CreateFunctionTriggerRequest().withFunctionUrn(urn).withBody(body)));
      return toRemoteTrigger(parse('CreateFunctionTrigger', triggerSchema, raw));
    },

    async deleteFunctionTrigger(urn, typeCode, triggerId) {
      await call('DeleteFunctionTrigger', () =>
        client.deleteFunctionTrigger(new DeleteFunctionTriggerRequest().withFunctionUrn(urn).withTriggerTypeCode(typeCode).withTriggerId(triggerId)),
      );
    },
  };
}
