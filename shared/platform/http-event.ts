/**
 * API gateway events → one internal request shape. Both gateways deliver the REST (v1) proxy shape:
 * API Gateway in front of Lambda, and Huawei APIG in front of FunctionGraph (whose body is base64 by
 * default). The schemas below accept exactly what the adapters read; the rest of the event is ignored.
 */
import '../zod-config';
import * as z from 'zod/mini';

const stringMap = z.nullish(z.record(z.string(), z.optional(z.nullable(z.string()))));
const multiMap = z.nullish(z.record(z.string(), z.optional(z.nullable(z.array(z.string())))));
/** APIG may deliver a repeated query key as an array of its values. */
const queryMap = z.nullish(z.record(z.string(), z.optional(z.nullable(z.union([z.string(), z.array(z.string())])))));

export const restProxyEventSchema = z.object({
  httpMethod: z.string().check(z.minLength(1)),
  path: z.string().check(z.minLength(1)),
  resource: z.optional(z.string()),
  headers: stringMap,
  multiValueHeaders: multiMap,
  queryStringParameters: queryMap,
  multiValueQueryStringParameters: multiMap,
  pathParameters: stringMap,
  body: z.nullish(z.string()),
  isBase64Encoded: z.optional(z.boolean()),
  // classic `.partial().passthrough()`: the partial shape with an unknown catchall (z.partial keeps it)
  requestContext: z.nullish(
    z.partial(
      z.looseObject({
        requestId: z.optional(z.string()),
        path: z.optional(z.string()),
        stage: z.optional(z.string()),
        identity: z.nullish(z.partial(z.object({ sourceIp: z.nullish(z.string()) }))),
      }),
    ),
  ),
});
export type RestProxyEvent = z.infer<typeof restProxyEventSchema>;

/** What every HTTP function sees, whatever the platform. */
export interface HttpRequest {
  readonly method: string;
  /** The route path (without an API Gateway stage prefix). */
  readonly path: string;
  /** The full path the caller addressed when the gateway reports a different one (API Gateway's stage prefix). */
  readonly addressedPath: string | undefined;
  readonly pathParameters: Readonly<Record<string, string>>;
  /** Decoded query values; a repeated key keeps every value. */
  readonly query: Readonly<Record<string, string | string[]>>;
  /** Lowercase names. */
  readonly headers: Readonly<Record<string, string>>;
  /** The body bytes as the caller sent them (base64 already decoded). */
  readonly rawBody: Buffer;
  readonly gatewayRequestId: string | undefined;
  readonly sourceIp: string | undefined;
}

export class MalformedEventError extends Error {
  /** The request field at fault, when the event is a request but one of its parts cannot be taken. */
  readonly field: string | undefined;
  constructor(message: string, field?: string) {
    super(message);
    this.name = 'MalformedEventError';
    this.field = field;
  }
}

/** Query parameters named `__proto__`: a JSON-parsed event holds them as own keys, which a record parse drops unseen. */
function refuseProtoKeys(raw: unknown): void {
  const event = raw as { queryStringParameters?: unknown; multiValueQueryStringParameters?: unknown } | null;
  for (const map of [event?.queryStringParameters, event?.multiValueQueryStringParameters]) {
    if (map && typeof map === 'object' && Object.hasOwn(map, '__proto__')) throw new MalformedEventError('is not accepted', 'query.__proto__');
  }
}

function compact(map: Record<string, string | null | undefined> | null | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [key, value] of Object.entries(map ?? {})) if (typeof value === 'string') out[key] = value;
  return out;
}

/**
 * Lowercase names, each with every value the caller sent joined by commas, as APIG hands a repeated header to
 * FunctionGraph: so a header sent twice reads the same on both platforms (a header the routes take one value
 * of then fails its check, rather than the last value silently winning on Lambda).
 * API Gateway keeps every value in `multiValueHeaders` but only the last in `headers`, so a name found in the
 * former is read from it alone; names differing only in case are one header.
 */
function headersOf(event: RestProxyEvent): Record<string, string> {
  const out: Record<string, string> = {};
  const add = (key: string, value: string) => {
    const name = key.toLowerCase();
    out[name] = out[name] === undefined ? value : `${out[name]},${value}`;
  };
  for (const [key, values] of Object.entries(event.multiValueHeaders ?? {})) for (const value of values ?? []) add(key, value);
  const fromMulti = new Set(Object.keys(out));
  for (const [key, value] of Object.entries(event.headers ?? {})) if (typeof value === 'string' && !fromMulti.has(key.toLowerCase())) add(key, value);
  return out;
}

/**
 * Standard base64 (RFC 4648 §4), padded or not: what both gateways send (base64url never). Buffer.from skips
 * any other character, which would turn a broken body into a shorter or empty one, so anything else is refused,
 * whitespace too: the gateway encodes the body itself on one line (as in every captured event), so a line
 * break never comes from a caller through it.
 */
function decodeBase64(body: string): Buffer {
  const data = body.replace(/={1,2}$/, '');
  const padded = data.length !== body.length;
  if (!/^[A-Za-z0-9+/]*$/.test(data) || data.length % 4 === 1 || (padded && body.length % 4 !== 0)) throw new MalformedEventError('is not valid base64', 'body');
  return Buffer.from(data, 'base64');
}

/** Normalises an API Gateway (Lambda) or APIG (FunctionGraph) REST proxy event. */
export function fromRestProxyEvent(raw: unknown): HttpRequest {
  refuseProtoKeys(raw);
  const parsed = restProxyEventSchema.safeParse(raw);
  if (!parsed.success) throw new MalformedEventError('not an API gateway proxy event');
  const event = parsed.data;

  const query: Record<string, string | string[]> = {};
  for (const [key, value] of Object.entries(event.queryStringParameters ?? {})) {
    if (typeof value === 'string') query[key] = value;
    else if (Array.isArray(value) && value.length > 0) query[key] = value.length === 1 ? (value[0] as string) : [...value];
  }
  for (const [key, values] of Object.entries(event.multiValueQueryStringParameters ?? {})) {
    if (values && values.length > 1) query[key] = [...values];
  }
  const body = event.body ?? '';
  return {
    method: event.httpMethod.toUpperCase(),
    path: event.path,
    addressedPath: event.requestContext?.path && event.requestContext.path !== event.path ? event.requestContext.path : undefined,
    pathParameters: compact(event.pathParameters),
    query,
    headers: headersOf(event),
    rawBody: event.isBase64Encoded ? decodeBase64(body) : Buffer.from(body, 'utf8'),
    gatewayRequestId: event.requestContext?.requestId,
    sourceIp: event.requestContext?.identity?.sourceIp ?? undefined,
  };
}

/** The response both gateways expect: APIG answers 500 to anything else (a bare string, say). */
export interface HttpResponse {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
  isBase64Encoded: false;
}

export function jsonResponse(statusCode: number, body: unknown, headers: Record<string, string> = {}): HttpResponse {
  return {
    statusCode,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers },
    body: JSON.stringify(body),
    isBase64Encoded: false,
  };
}
