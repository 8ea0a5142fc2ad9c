/**
 * What both reference handlers share (bundled into each): the configuration read from the same
 * environment as our functions, the inbound bearer check, and the gateway event and response.
 * node:crypto only, so the floor stays a floor.
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
}

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
  };
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
