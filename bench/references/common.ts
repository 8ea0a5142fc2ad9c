/**
 * What both reference handlers share (bundled into each): the configuration read from the same
 * environment as our functions, the upstream calls to make, the inbound bearer check, and the gateway
 * event and response. node:crypto only, so the floor stays a floor.
 */
import { createHash, timingSafeEqual } from 'node:crypto';

export interface ReferenceConfig {
  readonly endpoint: string;
  readonly accessKey: string;
  readonly secretKey: string;
  readonly projectId: string;
  readonly workspace: string;
  /** sha256 digests of the bearer tokens allowed (HRF_CLIENTS, type bearer). */
  readonly bearerDigests: readonly Buffer[];
  /** The upstream calls to make (BENCH_UPSTREAM_CALLS); unset: ListFactoryPendingItems with the event's limit. */
  readonly calls: UpstreamCalls | undefined;
}

/**
 * One upstream request of a function's first invocation, as the local cloud received it
 * (bench/lib/upstream-calls.ts records them): what a reference sends to make the same call.
 */
export interface UpstreamCall {
  readonly method: string;
  /** Path as sent (already encoded). */
  readonly path: string;
  /** Query string as sent (already encoded), without '?'; '' for none. */
  readonly query: string;
  /** The request's own headers (workspace, x-project-id, content-type), lowercase; not transport or auth. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body text; undefined for none. */
  readonly body: string | undefined;
  /** The status the local cloud answered: a reference fails unless it gets the same. */
  readonly status: number;
}

/** Waves of calls: the calls of a wave were in flight together, and a wave starts when the one before is answered. */
export type UpstreamCalls = readonly (readonly UpstreamCall[])[];

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is not set`);
  return value;
}

export function readConfig(): ReferenceConfig {
  const clients = JSON.parse(required('HRF_CLIENTS')) as { clients: { type: string; token_sha256?: string }[] };
  return {
    endpoint: required('HUAWEICLOUD_ENDPOINT_DATAARTS'),
    accessKey: required('HUAWEICLOUD_SDK_AK'),
    secretKey: required('HUAWEICLOUD_SDK_SK'),
    projectId: required('HUAWEICLOUD_SDK_PROJECT_ID'),
    workspace: required('HUAWEICLOUD_DATAARTS_WORKSPACE'),
    bearerDigests: clients.clients.filter((c) => c.type === 'bearer' && c.token_sha256).map((c) => Buffer.from(c.token_sha256 as string, 'hex')),
    calls: process.env.BENCH_UPSTREAM_CALLS ? (JSON.parse(process.env.BENCH_UPSTREAM_CALLS) as UpstreamCalls) : undefined,
  };
}

/** The calls to make for `event`: the configured ones, or ListFactoryPendingItems with the event's limit (undefined: a bad limit). */
export function callsFor(event: GatewayEvent, config: ReferenceConfig): UpstreamCalls | undefined {
  if (config.calls) return config.calls;
  const limit = limitOf(event);
  if (limit === undefined) return undefined;
  const list: UpstreamCall = {
    method: 'GET',
    path: `/v2/${config.projectId}/factory/pending-items`,
    query: `limit=${limit}&offset=0`,
    headers: { 'content-type': 'application/json', workspace: config.workspace },
    body: undefined,
    status: 200,
  };
  return [[list]];
}

/** An API gateway request (an HTTP function's event), as opposed to a timer or pipeline event. */
export function isGatewayEvent(event: unknown): event is GatewayEvent {
  return event !== null && typeof event === 'object' && 'httpMethod' in event;
}

export interface GatewayEvent {
  readonly headers?: Record<string, string> | null;
  readonly queryStringParameters?: Record<string, string> | null;
}

export interface GatewayResponse {
  readonly statusCode: number;
  readonly headers: Record<string, string>;
  readonly body: string;
  readonly isBase64Encoded: false;
}

export function respond(statusCode: number, body: unknown): GatewayResponse {
  return { statusCode, headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body), isBase64Encoded: false };
}

export function isAuthorized(event: GatewayEvent, config: ReferenceConfig): boolean {
  const headers = event.headers ?? {};
  const value = headers.authorization ?? headers.Authorization ?? '';
  if (!value.startsWith('Bearer ')) return false;
  const digest = createHash('sha256').update(value.slice(7), 'utf8').digest();
  return config.bearerDigests.some((allowed) => allowed.length === digest.length && timingSafeEqual(allowed, digest));
}

/** `limit` from the query, 1..100 (default 10). */
export function limitOf(event: GatewayEvent): number | undefined {
  const raw = event.queryStringParameters?.limit;
  if (raw === undefined) return 10;
  if (!/^[1-9][0-9]{0,2}$/.test(raw)) return undefined;
  const n = Number(raw);
  return n <= 100 ? n : undefined;
}
