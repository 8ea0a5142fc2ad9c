/**
 * The one Huawei Cloud client: `call(contract, input)`, the path every operation takes.
 *
 * Each call: validate every input with the operation's contract before a URL exists (ids are checked
 * against their formats and each path segment is encoded exactly once) → sign the exact bytes sent →
 * send with a total deadline (an AbortSignal, so a stalled body is abandoned on time) → classify the
 * answer → retry only what the policy allows, re-signing every attempt → validate the response.
 */
import axios, { type AxiosInstance, type AxiosResponse } from 'axios';
import http from 'node:http';
import https from 'node:https';
import type * as z from 'zod/mini';
import { resolveEndpoint, type HuaweiCloudConfig } from '../config/env';
import type { OperationContract, ResponseOf } from '../contracts/operation';
import { createCredentialsProvider, NoCredentialsError, type CredentialsProvider, type TemporaryCredentials } from '../auth/credentials';
import { IamTokenError } from '../auth/iam-token';
import { logger as rootLogger, type Logger } from '../logger';
import { encodeRfc3986, signRequest } from '../signing/signer';
import { UNPAIRED_SURROGATE_MESSAGE } from '../contracts/text';
import { DEADLINE_MARGIN_MS } from '../platform/invocation';
import { abortableSleep } from '../sleep';
import { parseErrorBody, UpstreamError, type UpstreamFailureKind } from './upstream-error';
import { backoffDelayMs, isRetryable, MAX_ATTEMPTS, parseRetryAfter, type FailureClass } from './retry-policy';

export const USER_AGENT = 'hwc-release-functions/0.1.0';
const MAX_RESPONSE_BYTES = 10 * 1024 * 1024;
/**
 * The least time left in a call's deadline to start an attempt with, or to wait for a retry. Sent with less,
 * a write would be abandoned mid-way (outcome unknown) where not sending it keeps the outcome known.
 */
const MIN_ATTEMPT_MS = 1_000;

export interface CallOptions {
  /** Aborts the call (e.g. the invocation is about to time out). */
  readonly signal?: AbortSignal | undefined;
  /** Per-invocation temporary credentials (FunctionGraph agency); they win over configuration. */
  readonly credentials?: TemporaryCredentials | undefined;
  /** Total deadline of this call, all attempts included (default: config.callDeadlineMs). */
  readonly deadlineMs?: number | undefined;
  /**
   * The time the invocation has left, read as each call starts: the call's deadline, retries included, ends
   * DEADLINE_MARGIN_MS before it. (Read per call, since the calls of one invocation follow one another.)
   */
  readonly timeLeftMs?: (() => number | undefined) | undefined;
  /** The DataArts workspace (default: config.dataartsWorkspace). */
  readonly workspace?: string | undefined;
}

/** What Node's ClientRequest asks of an agent: to be given a socket for the request, now or when one frees. */
interface RequestAgent extends http.Agent {
  addRequest(req: http.ClientRequest, options: unknown): void;
}

/**
 * At most `size` requests on the network at once, for the calls of a client `through` it (see
 * {@link HuaweiCloudClient.through}). A call made while `size` are on their way is prepared (validated,
 * signed) and waits; when an answer has arrived, the connection it frees takes the next waiting request at
 * once, before that answer is even parsed. The limit holds whatever agent carries a request: the pool's
 * own keep-alive connections (`size` of them), or the tunnel to an outbound proxy that axios installs for
 * HTTPS. Close the pool when done: it keeps its connections open until then.
 */
export class ConnectionPool {
  /** @internal */
  readonly httpAgent: http.Agent;
  /** @internal */
  readonly httpsAgent: https.Agent;
  /** @internal The axios transport of calls through the pool: Node's, with every agent gated by the pool. */
  readonly transport: { request(options: http.RequestOptions, callback?: (res: http.IncomingMessage) => void): http.ClientRequest };
  private active = 0;
  private readonly waiting: Array<() => void> = [];
  private readonly gated = new WeakMap<http.Agent, http.Agent>();

  constructor(readonly size: number) {
    const options = { keepAlive: true, maxSockets: size, maxTotalSockets: size };
    this.httpAgent = new http.Agent(options);
    this.httpsAgent = new https.Agent(options);
    this.transport = {
      request: (options, callback) => {
        const send = options.protocol === 'https:' ? https.request : http.request;
        return send({ ...options, ...(options.agent ? { agent: this.gate(options.agent as RequestAgent) } : {}) }, callback);
      },
    };
  }

  /** Closes the connections; a request still using one fails. */
  close(): void {
    this.httpAgent.destroy();
    this.httpsAgent.destroy();
  }

  /** `agent`, except that it is given a request only while fewer than `size` are on their way. */
  private gate(agent: RequestAgent): http.Agent {
    let gate = this.gated.get(agent);
    if (!gate) {
      gate = Object.create(agent) as RequestAgent;
      (gate as RequestAgent).addRequest = (req, options) => this.admit(req, () => agent.addRequest(req, options));
      this.gated.set(agent, gate);
    }
    return gate;
  }

  private admit(req: http.ClientRequest, send: () => void): void {
    const go = () => {
      // Abandoned (its deadline passed) while it waited: it never goes out.
      if (req.destroyed) return this.next();
      this.active++;
      req.once('close', () => {
        this.active--;
        this.next();
      });
      send();
    };
    if (this.active < this.size) go();
    else this.waiting.push(go);
  }

  private next(): void {
    if (this.active < this.size) this.waiting.shift()?.();
  }
}

export interface UpstreamResult<T> {
  readonly data: T;
  readonly requestId: string | undefined;
  readonly attempts: number;
}

export interface ClientDeps {
  readonly config: HuaweiCloudConfig;
  readonly credentials?: CredentialsProvider;
  readonly now?: () => Date;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly random?: () => number;
  readonly logger?: Logger;
  readonly axios?: AxiosInstance;
}

export interface CallInput {
  readonly pathParams?: Record<string, unknown>;
  readonly query?: Record<string, unknown>;
  readonly headers?: Record<string, unknown>;
  readonly body?: unknown;
}

/** A call's total deadline: the configured or given one, within what the invocation has left. */
export function callDeadlineMs(options: CallOptions, configuredMs: number): number {
  return Math.max(1, Math.min(options.deadlineMs ?? configuredMs, (options.timeLeftMs?.() ?? Infinity) - DEADLINE_MARGIN_MS));
}

/** The caller aborted its signal itself, rather than a timeout (AbortSignal.timeout) aborting it. */
function cancelledOnPurpose(signal: AbortSignal | undefined): boolean {
  if (!signal?.aborted) return false;
  // By name: the DOMException may come from another realm than this module's Error.
  const reason = signal.reason as { name?: unknown } | undefined;
  return reason?.name !== 'TimeoutError';
}

function issues(prefix: string, error: z.core.$ZodError): Array<{ field: string; message: string }> {
  return error.issues.map((i) => ({ field: [prefix, ...i.path.map(String)].join('.'), message: i.message }));
}

function headerValue(response: AxiosResponse, name: string): string | undefined {
  const value = response.headers[name.toLowerCase()] as unknown;
  return typeof value === 'string' && value !== '' ? value : undefined;
}

const NOT_SENT_CODES = new Set(['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The signed transport every operation goes through. The typed calls of each service live beside it
 * (dataarts.ts, codearts-deploy.ts, codearts-pipeline.ts), so a function's bundle holds the contracts of
 * the services it calls and no others.
 */
export class HuaweiCloudClient {
  readonly config: HuaweiCloudConfig;
  private readonly credentials: CredentialsProvider;
  private readonly now: () => Date;
  private readonly sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  private readonly random: () => number;
  private readonly logger: Logger;
  private readonly http: AxiosInstance;
  private pool: ConnectionPool | undefined;

  constructor(deps: ClientDeps) {
    this.config = deps.config;
    this.now = deps.now ?? (() => new Date());
    this.credentials = deps.credentials ?? createCredentialsProvider(deps.config, { now: this.now });
    this.sleep = deps.sleep ?? abortableSleep;
    this.random = deps.random ?? Math.random;
    this.logger = deps.logger ?? rootLogger;
    this.http =
      deps.axios ??
      axios.create({
        httpAgent: new http.Agent({ keepAlive: true, maxSockets: 32 }),
        httpsAgent: new https.Agent({ keepAlive: true, maxSockets: 32 }),
      });
  }

  /** This client, sending through `pool`'s connections instead of its own (everything else shared). */
  through(pool: ConnectionPool): HuaweiCloudClient {
    const view = Object.create(this) as HuaweiCloudClient;
    view.pool = pool;
    return view;
  }

  // ---- the generic call -------------------------------------------------------------------------

  async call<C extends OperationContract>(contract: C, input: CallInput, options: CallOptions = {}): Promise<UpstreamResult<ResponseOf<C>>> {
    const request = this.buildRequest(contract, input);
    const deadlineMs = callDeadlineMs(options, this.config.callDeadlineMs);
    // A deadline set shorter than twice the minimum (options, configuration) keeps half of it for the answer.
    const minMs = Math.min(MIN_ATTEMPT_MS, Math.floor((options.deadlineMs ?? this.config.callDeadlineMs) / 2));
    const deadline = AbortSignal.timeout(deadlineMs);
    const signal = options.signal ? AbortSignal.any([options.signal, deadline]) : deadline;
    const startedAt = Date.now();
    let attempt = 0;
    for (;;) {
      attempt++;
      const outcome = await this.attempt(contract, request, options, signal, attempt, { endsAt: startedAt + deadlineMs, minMs });
      if (outcome.ok) {
        this.logger.info('Upstream call', { operation: contract.name, status: outcome.status, attempts: attempt, ms: Date.now() - startedAt, upstream_request_id: outcome.requestId });
        return { data: outcome.data as ResponseOf<C>, requestId: outcome.requestId, attempts: attempt };
      }
      const { error, failure } = outcome;
      const retry = attempt < MAX_ATTEMPTS && isRetryable(failure, contract.readOnly);
      const delay = retry ? backoffDelayMs(failure, attempt, this.random) : 0;
      const budgetLeft = deadlineMs - (Date.now() - startedAt);
      /** The call's last line, and its error: a warning, unless the caller cancelled the call on purpose. */
      const failed = (final: typeof error) => {
        const fields = { operation: contract.name, kind: final.kind, status: final.status, error_code: final.errorCode, attempts: attempt, ms: Date.now() - startedAt, upstream_request_id: final.requestId };
        // A caller that cancels on purpose (a walk that no longer needs a page) has nothing to warn about;
        // a deadline running out, the caller's included (AbortSignal.timeout), is worth a warning.
        if (cancelledOnPurpose(options.signal)) this.logger.debug('Upstream call cancelled', fields);
        else this.logger.warn('Upstream call failed', fields);
        return new UpstreamError(final.message, { ...final, operation: contract.name, attempts: attempt, workspace: request.headers.workspace, cause: error });
      };
      // No retry that would start with too little time left: the failure so far (a 429: not applied) is reported.
      if (!retry || delay + minMs > budgetLeft || signal.aborted) throw failed(error);
      this.logger.debug('Upstream attempt failed; retrying', { operation: contract.name, kind: error.kind, status: error.status, attempt, delay_ms: delay });
      try {
        await this.sleep(delay, signal);
      } catch {
        const why = cancelledOnPurpose(options.signal) ? 'was cancelled by the caller' : 'ran out of time';
        throw failed({ ...error, kind: 'timeout', message: `${contract.name} ${why} while waiting to retry` });
      }
    }
  }

  private buildRequest(contract: OperationContract, input: CallInput): { path: string; query: string; headers: Record<string, string>; body: string | undefined } {
    const found: Array<{ field: string; message: string }> = [];
    const check = (prefix: string, schema: z.ZodMiniType | undefined, value: unknown): unknown => {
      if (!schema) return undefined;
      const result = schema.safeParse(value ?? {});
      if (!result.success) found.push(...issues(prefix, result.error));
      return result.success ? result.data : undefined;
    };
    const pathParams = check('path', contract.pathParams, input.pathParams) as Record<string, string> | undefined;
    const query = check('query', contract.query, input.query) as Record<string, unknown> | undefined;
    const headers = check('headers', contract.headers, input.headers) as Record<string, string> | undefined;
    const body = contract.body ? check('body', contract.body, input.body) : undefined;
    const invalid = () =>
      new UpstreamError(`Invalid request for ${contract.name}: ${found.map((f) => `${f.field} ${f.message}`).join('; ')}`, {
        operation: contract.name,
        kind: 'invalid-request',
        attempts: 0,
        issues: found,
      });
    if (found.length > 0 || !pathParams) throw invalid();
    // Every placeholder is filled from a validated value (ids: letters and digits), each segment encoded exactly once.
    const path = contract.path.replace(/\{([a-z_]+)\}/g, (_m, name: string) => encodeRfc3986(String(pathParams[name] ?? '')));
    const pairs: string[] = [];
    for (const [key, value] of Object.entries(query ?? {})) {
      if (value === undefined || value === null) continue;
      for (const v of Array.isArray(value) ? value : [value]) {
        const text = String(v);
        // A string its contract let through but that cannot be percent-encoded (an unpaired UTF-16 surrogate;
        // encodeURIComponent would throw) is the caller's error too, named, never a crash.
        if (text.isWellFormed()) pairs.push(`${encodeRfc3986(key)}=${encodeRfc3986(text)}`);
        else found.push({ field: `query.${key}`, message: UNPAIRED_SURROGATE_MESSAGE });
      }
    }
    if (found.length > 0) throw invalid();
    const outHeaders: Record<string, string> = { 'User-Agent': USER_AGENT, 'X-Project-Id': this.config.projectId, ...(headers ?? {}) };
    let bodyText: string | undefined;
    if (contract.body) {
      bodyText = JSON.stringify(body ?? {});
      outHeaders['Content-Type'] = 'application/json';
    } else if (contract.method !== 'GET') {
      // A bodyless write (RejectManualReview) is still declared JSON, as Huawei's SDKs send it.
      outHeaders['Content-Type'] = 'application/json';
    }
    return { path, query: pairs.join('&'), headers: outHeaders, body: bodyText };
  }

  private async attempt(
    contract: OperationContract,
    request: { path: string; query: string; headers: Record<string, string>; body: string | undefined },
    options: CallOptions,
    signal: AbortSignal,
    attempt: number,
    budget: { endsAt: number; minMs: number },
  ): Promise<
    | { ok: true; data: unknown; status: number; requestId: string | undefined }
    | { ok: false; error: Omit<ConstructorParameters<typeof UpstreamError>[1], 'operation'> & { message: string; kind: UpstreamFailureKind }; failure: FailureClass }
  > {
    const url = `${resolveEndpoint(this.config, contract.service)}${request.path}${request.query ? `?${request.query}` : ''}`;
    // Checked before and after the credentials (an IAM token may be fetched first): nothing was sent, so the
    // outcome is known, even for a write.
    const tooLate = () => budget.endsAt - Date.now() < budget.minMs;
    const notSent = {
      ok: false as const,
      error: { message: `${contract.name} was not sent: less than ${budget.minMs} ms of its deadline was left (attempt ${attempt})`, kind: 'timeout' as const },
      failure: { type: 'final' } as FailureClass,
    };
    if (tooLate()) return notSent;
    let headers: Record<string, string>;
    let tokenAuth = false;
    try {
      const auth = await this.credentials.resolve(options.credentials, signal);
      tokenAuth = auth.kind === 'token';
      if (auth.kind === 'aksk') {
        headers = { ...signRequest({ method: contract.method, url, headers: request.headers, body: request.body }, auth, { now: this.now() }).headers };
      } else {
        headers = { ...request.headers, 'X-Auth-Token': auth.token };
      }
    } catch (error) {
      const message =
        error instanceof NoCredentialsError || error instanceof IamTokenError
          ? error.message
          : `the credentials could not be resolved (${(error as { code?: string } | undefined)?.code ?? (error instanceof Error ? error.name : 'error')})`;
      return { ok: false, error: { message, kind: 'credentials', status: error instanceof IamTokenError ? error.status : undefined }, failure: { type: 'final' } };
    }
    delete headers.host; // axios sets Host from the URL: the same value that was signed
    if (tooLate()) return notSent;

    let response: AxiosResponse<string>;
    try {
      response = await this.http.request<string>({
        method: contract.method,
        url,
        // No Content-Type but the one signed: axios would otherwise add an unsigned form content type.
        headers: 'Content-Type' in headers ? headers : { ...headers, 'Content-Type': false },
        data: request.body,
        signal,
        responseType: 'text',
        transformResponse: [(data: unknown) => data],
        validateStatus: () => true,
        maxRedirects: 0,
        ...(this.pool ? { httpAgent: this.pool.httpAgent, httpsAgent: this.pool.httpsAgent, transport: this.pool.transport } : {}),
        maxContentLength: MAX_RESPONSE_BYTES,
        maxBodyLength: MAX_RESPONSE_BYTES,
        decompress: true,
      });
    } catch (error) {
      return this.networkFailure(contract, error, signal, attempt, options.signal);
    }

    const requestIdHeader = headerValue(response, 'x-request-id');
    let parsed: unknown;
    const text = typeof response.data === 'string' ? response.data : '';
    try {
      parsed = text === '' ? {} : JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    const errorBody = parseErrorBody(parsed);
    const requestId = requestIdHeader ?? errorBody.requestId;
    const status = response.status;

    if (status >= 200 && status < 300 && !errorBody.failureCode) {
      // A write answered 2xx was accepted, whatever its body: when the body cannot be read, its outcome is
      // unknown (reconcile), never "failed" (a caller retrying would apply it twice).
      const applied = contract.readOnly ? {} : { outcomeUnknown: true };
      if (parsed === undefined) {
        return { ok: false, error: { message: `${contract.name} answered ${status} with a body that is not JSON`, kind: 'invalid-response', status, requestId, ...applied }, failure: { type: 'final' } };
      }
      const result = contract.response.safeParse(parsed);
      if (!result.success) {
        const fields = result.error.issues.slice(0, 5).map((i) => i.path.join('.') || '(root)').join(', ');
        return {
          ok: false,
          // Field paths only: the body itself may carry anything (tokens, personal data) and is never echoed.
          error: { message: `${contract.name} answered ${status} with an unexpected body (${fields})`, kind: 'invalid-response', status, requestId, ...applied },
          failure: { type: 'final' },
        };
      }
      return { ok: true, data: result.data, status, requestId };
    }

    if (status === 401 && tokenAuth) this.credentials.invalidateToken?.();
    const retryAfterMs = parseRetryAfter(headerValue(response, 'retry-after'), this.now());
    const code = errorBody.errorCode;
    const describe = `${contract.name} failed with HTTP ${status}${code ? ` ${code}` : ''}${errorBody.errorMsg ? `: ${errorBody.errorMsg}` : ''}`;
    const base = { status, errorCode: code, errorMsg: errorBody.errorMsg, requestId, retryAfterMs };
    // 0301 saying the signature expired, or 0303 saying X-Sdk-Date is out of the gateway's window (0303 is
    // also an app authentication error, so only its message tells): this machine's clock, not the credentials.
    const skewed = /^APIGW?\.030[13]$/.test(code ?? '') && /expired|sdk-date|server time|15 min/i.test(errorBody.errorMsg ?? '');
    if (skewed) {
      return {
        ok: false,
        error: { ...base, kind: 'clock-skew', message: `${contract.name}: Huawei Cloud says the signature expired — this machine's clock is more than 15 minutes off (X-Sdk-Date)` },
        failure: { type: 'final' },
      };
    }
    let failure: FailureClass = { type: 'final' };
    if (status === 429 || (code && /^APIGW?\.0308$/.test(code))) failure = { type: 'throttled', retryAfterMs };
    else if (status === 502) failure = { type: 'bad-gateway', retryAfterMs };
    else if (status === 503) failure = { type: 'unavailable', retryAfterMs };
    else if (status === 504) failure = { type: 'gateway-timeout', retryAfterMs };
    // A 5xx on a write says nothing about whether the backend applied it.
    const outcomeUnknown = !contract.readOnly && status >= 500 ? true : undefined;
    return {
      ok: false,
      error: { ...base, kind: 'http', message: describe, ...(outcomeUnknown ? { outcomeUnknown } : {}) },
      failure,
    };
  }

  private networkFailure(contract: OperationContract, error: unknown, signal: AbortSignal, attempt: number, callerSignal: AbortSignal | undefined) {
    const code = (error as { code?: string } | undefined)?.code ?? '';
    const sentMaybe = !NOT_SENT_CODES.has(code);
    if (code === 'ERR_BAD_RESPONSE' && /maxContentLength/i.test(String((error as { message?: unknown }).message))) {
      return {
        ok: false as const,
        error: { message: `${contract.name} answered with a body larger than ${MAX_RESPONSE_BYTES} bytes`, kind: 'invalid-response' as const, outcomeUnknown: !contract.readOnly },
        failure: { type: 'final' } as FailureClass,
      };
    }
    if (signal.aborted || code === 'ERR_CANCELED' || code === 'ECONNABORTED') {
      const cancelled = cancelledOnPurpose(callerSignal);
      return {
        ok: false as const,
        error: {
          message: cancelled
            ? `${contract.name} was cancelled by the caller (attempt ${attempt})`
            : `${contract.name} did not complete within its deadline (attempt ${attempt})`,
          kind: 'timeout' as const,
          outcomeUnknown: !contract.readOnly,
        },
        failure: { type: 'final' } as FailureClass,
      };
    }
    return {
      ok: false as const,
      error: {
        message: `${contract.name} could not reach Huawei Cloud (${code || 'network error'})`,
        kind: 'network' as const,
        outcomeUnknown: !contract.readOnly && sentMaybe,
      },
      failure: (sentMaybe ? { type: 'maybe-sent' } : { type: 'not-sent' }) as FailureClass,
    };
  }
}
