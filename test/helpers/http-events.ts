/**
 * Builds gateway events for our routes from the captured fixtures: the AWS REST proxy event and the
 * FunctionGraph APIG event (base64 body). Fixtures are cloned, never mutated.
 */
import awsGet from '../fixtures/events/aws/rest-proxy-get.json';
import fgGet from '../fixtures/events/functiongraph/apig-get.json';
import { signRequest } from '../../shared/signing/signer';

export type EventPlatform = 'aws' | 'functiongraph';

export interface EventSpec {
  readonly platform: EventPlatform;
  readonly method: string;
  readonly path: string;
  readonly pathParameters?: Record<string, string>;
  readonly query?: Record<string, string>;
  readonly headers?: Record<string, string>;
  /** A value is sent as JSON; a string as is. */
  readonly body?: unknown;
  readonly bearer?: string;
  readonly contentType?: string;
}

function clone<T>(value: T): T {
  return structuredClone(value);
}

export function gatewayEvent(spec: EventSpec): Record<string, unknown> {
  const bodyText = spec.body === undefined ? '' : typeof spec.body === 'string' ? spec.body : JSON.stringify(spec.body);
  const headers: Record<string, string> = { ...(spec.headers ?? {}) };
  if (spec.bearer) headers.Authorization = `Bearer ${spec.bearer}`;
  if (bodyText !== '' && !Object.keys(headers).some((h) => h.toLowerCase() === 'content-type')) headers['Content-Type'] = spec.contentType ?? 'application/json';
  const query = spec.query ?? {};
  if (spec.platform === 'aws') {
    const event = clone(awsGet) as Record<string, unknown>;
    const baseHeaders = { ...(event.headers as Record<string, string>) };
    const allHeaders = { ...baseHeaders, ...headers };
    return {
      ...event,
      resource: spec.path,
      path: spec.path,
      httpMethod: spec.method,
      headers: allHeaders,
      multiValueHeaders: Object.fromEntries(Object.entries(allHeaders).map(([k, v]) => [k, [v]])),
      queryStringParameters: Object.keys(query).length ? query : null,
      multiValueQueryStringParameters: Object.keys(query).length ? Object.fromEntries(Object.entries(query).map(([k, v]) => [k, [v]])) : null,
      pathParameters: spec.pathParameters ?? null,
      body: bodyText === '' ? null : bodyText,
      isBase64Encoded: false,
    };
  }
  const event = clone(fgGet) as Record<string, unknown>;
  return {
    ...event,
    path: spec.path,
    httpMethod: spec.method,
    headers: { ...(event.headers as Record<string, string>), ...Object.fromEntries(Object.entries(headers).map(([k, v]) => [k.toLowerCase(), v])) },
    queryStringParameters: query,
    pathParameters: spec.pathParameters ?? {},
    body: Buffer.from(bodyText, 'utf8').toString('base64'),
    isBase64Encoded: true,
  };
}

/** Adds an SDK-HMAC-SHA256 app signature over what the gateway event carries. */
export function signGatewayEvent(event: Record<string, unknown>, app: { key: string; secret: string }, now: Date): Record<string, unknown> {
  const headers = { ...(event.headers as Record<string, string>) };
  const host = headers.Host ?? headers.host ?? 'localhost';
  const query = (event.queryStringParameters ?? {}) as Record<string, string>;
  const qs = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(v)}`).join('&');
  const body = event.isBase64Encoded ? Buffer.from(String(event.body ?? ''), 'base64') : Buffer.from(String(event.body ?? ''), 'utf8');
  // As a caller's SDK does: every header the function acts on is signed with the date.
  const toSign: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    const lower = name.toLowerCase();
    if (lower === 'content-type' || lower === 'x-workspace-id' || lower === 'idempotency-key' || lower.startsWith('ce-')) toSign[lower] = value;
  }
  const signed = signRequest(
    { method: String(event.httpMethod), url: `https://${host}${String(event.path)}${qs ? `?${qs}` : ''}`, headers: toSign, body },
    { accessKey: app.key, secretKey: app.secret },
    { now },
  );
  const merged: Record<string, string> = { ...headers };
  for (const [k, v] of Object.entries(signed.headers)) {
    if (k.toLowerCase() === 'host') continue;
    // One header per name, as the caller sends it: a name in another case would be the header sent twice.
    for (const name of Object.keys(merged)) if (name.toLowerCase() === k.toLowerCase()) delete merged[name];
    merged[event.isBase64Encoded ? k.toLowerCase() : k] = v;
  }
  return { ...event, headers: merged, multiValueHeaders: event.multiValueHeaders ? Object.fromEntries(Object.entries(merged).map(([k, v]) => [k, [v]])) : undefined };
}

export function parseResponse(response: { statusCode: number; headers: Record<string, string>; body: string; isBase64Encoded: boolean }) {
  return { statusCode: response.statusCode, headers: response.headers, body: JSON.parse(response.body) as unknown, isBase64Encoded: response.isBase64Encoded };
}
