/**
 * SDK-HMAC-SHA256, the AK/SK request signature of Huawei Cloud's API gateway
 * (../shared/api-reference.md §5). Pure: no clock, no network, no environment.
 *
 * Every stage is exported so tests can pin it against the published vectors and the official
 * Node SDK signer (@huaweicloud/huaweicloud-sdk-core, used as a test oracle only).
 *
 * The signature is computed from the request exactly as it goes on the wire: the raw (already
 * percent-encoded) path and query of the URL, the header values sent, and the exact body bytes.
 */
import { createHash, createHmac } from 'node:crypto';

export const SIGNING_ALGORITHM = 'SDK-HMAC-SHA256';
export const EMPTY_BODY_SHA256 = 'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855';
export const HEADER_SDK_DATE = 'X-Sdk-Date';
export const HEADER_CONTENT_SHA256 = 'X-Sdk-Content-Sha256';
export const HEADER_SECURITY_TOKEN = 'X-Security-Token';
export const HEADER_AUTHORIZATION = 'Authorization';

/** A request as it will be sent. `url` is absolute; its path and query are already encoded. */
export interface SignableRequest {
  readonly method: string;
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** The exact bytes sent; a string is hashed as UTF-8. */
  readonly body?: string | Uint8Array | undefined;
}

export interface SigningCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
  /** Temporary (STS) credentials carry a token that is sent, and signed, as X-Security-Token. */
  readonly securityToken?: string | undefined;
}

export interface SigningOptions {
  /** The signing instant. Injected so that signing stays pure and testable. */
  readonly now: Date;
}

const HEADER_NAME = /^[A-Za-z0-9-]+$/;

/** `20250101T000000Z`: the X-Sdk-Date format (UTC, basic ISO 8601). */
export function formatSdkDate(date: Date): string {
  // Sliced out of toISOString (`2025-01-01T00:00:00.000Z`): years 0000-9999 only, as the gateway takes.
  const iso = date.toISOString();
  return `${iso.slice(0, 4)}${iso.slice(5, 7)}${iso.slice(8, 13)}${iso.slice(14, 16)}${iso.slice(17, 19)}Z`;
}

/** Inverse of {@link formatSdkDate}; undefined when the value is not of that exact form. */
export function parseSdkDate(value: string): Date | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})T(\d{2})(\d{2})(\d{2})Z$/.exec(value);
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s] = m;
  const date = new Date(Date.UTC(Number(y), Number(mo) - 1, Number(d), Number(h), Number(mi), Number(s)));
  return formatSdkDate(date) === value ? date : undefined;
}

/**
 * Percent-encodes UTF-8, keeping only the RFC 3986 unreserved set (A-Z a-z 0-9 - . _ ~), uppercase hex.
 * Identical to the official SDKs' `urlEncode`; also what our client uses for path segments and queries,
 * so an id is encoded exactly once on the wire.
 */
export function encodeRfc3986(value: string): string {
  // Most segments, keys and values (ids, names, digits) need no encoding: skip the two passes.
  if (UNRESERVED.test(value)) return value;
  return encodeURIComponent(value).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

const UNRESERVED = /^[A-Za-z0-9\-._~]*$/;

/**
 * Canonical URI: each '/'-separated segment of the wire path encoded again, always ending in '/'.
 * (The Node SDK encodes the already-encoded pathname, so '%' becomes '%25'; the gateway accepts it.)
 */
export function canonicalUri(rawPath: string): string {
  const path = rawPath === '' ? '/' : rawPath;
  const encoded = path.split('/').map(encodeRfc3986).join('/');
  return encoded.endsWith('/') ? encoded : `${encoded}/`;
}

/**
 * Canonical query string from the raw query (without '?'): keys sorted, values of a repeated key sorted,
 * both compared as decoded strings (UTF-16 order, as the SDKs do), each encoded with {@link encodeRfc3986}.
 * Throws URIError on a malformed percent escape.
 */
export function canonicalQueryString(rawQuery: string): string {
  if (rawQuery === '') return '';
  const byKey = new Map<string, string[]>();
  for (const part of rawQuery.split('&')) {
    if (part === '') continue;
    const eq = part.indexOf('=');
    const key = decodeComponent(eq < 0 ? part : part.slice(0, eq));
    const value = eq < 0 ? '' : decodeComponent(part.slice(eq + 1));
    const values = byKey.get(key);
    if (values) values.push(value);
    else byKey.set(key, [value]);
  }
  const pairs: string[] = [];
  for (const key of [...byKey.keys()].sort()) {
    for (const value of (byKey.get(key) ?? []).sort()) pairs.push(`${encodeRfc3986(key)}=${encodeRfc3986(value)}`);
  }
  return pairs.join('&');
}

/** decodeURIComponent, skipped for the common text holding no escape. */
function decodeComponent(text: string): string {
  return text.includes('%') ? decodeURIComponent(text) : text;
}

export interface CanonicalHeaders {
  /** `name:value\n` for every signed header, sorted by lowercase name. */
  readonly canonical: string;
  /** Lowercase names, sorted, ';'-joined. */
  readonly signedHeaders: string;
}

/**
 * Canonical headers over every given header. Names are limited to letters, digits and '-': the SDKs
 * disagree on names with '_' (Go skips them), so we never sign such a header.
 */
export function canonicalHeaders(headers: Readonly<Record<string, string>>): CanonicalHeaders {
  const entries = Object.entries(headers).map(([name, value]) => {
    if (!HEADER_NAME.test(name)) throw new TypeError(`header name "${name}" cannot be signed`);
    return [name.toLowerCase(), value.trim()] as const;
  });
  entries.sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
  for (let i = 1; i < entries.length; i++) {
    if (entries[i]?.[0] === entries[i - 1]?.[0]) throw new TypeError(`header "${entries[i]?.[0]}" is given twice`);
  }
  return {
    canonical: entries.map(([name, value]) => `${name}:${value}\n`).join(''),
    signedHeaders: entries.map(([name]) => name).join(';'),
  };
}

export function sha256Hex(data: string | Uint8Array): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The payload hash: the literal X-Sdk-Content-Sha256 when present (UNSIGNED-PAYLOAD), else sha256 of the body. */
export function payloadHash(body: string | Uint8Array | undefined, contentSha256?: string): string {
  if (contentSha256) return contentSha256;
  if (body === undefined || body.length === 0) return EMPTY_BODY_SHA256;
  return sha256Hex(body);
}

export interface CanonicalRequestParts {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: CanonicalHeaders;
  readonly payloadHash: string;
}

export function canonicalRequest(parts: CanonicalRequestParts): string {
  return [
    parts.method.toUpperCase(),
    canonicalUri(parts.rawPath),
    canonicalQueryString(parts.rawQuery),
    parts.headers.canonical,
    parts.headers.signedHeaders,
    parts.payloadHash,
  ].join('\n');
}

export function stringToSign(sdkDate: string, canonical: string): string {
  return `${SIGNING_ALGORITHM}\n${sdkDate}\n${sha256Hex(canonical)}`;
}

export function computeSignature(secretKey: string, toSign: string): string {
  return createHmac('sha256', secretKey).update(toSign).digest('hex');
}

export function authorizationHeader(accessKey: string, signedHeaders: string, signature: string): string {
  return `${SIGNING_ALGORITHM} Access=${accessKey}, SignedHeaders=${signedHeaders}, Signature=${signature}`;
}

/**
 * Splits an absolute http(s) URL into its host and the path and query exactly as they go on the wire.
 * HTTP clients (axios, fetch) send the WHATWG-parsed `pathname + search`, so that is what is signed:
 * an already-encoded path passes through unchanged, while dot segments are resolved and characters
 * outside the URL code points are encoded just as the client will do. The host is lowercase and
 * carries the port only when it is not the scheme's default (what goes in the Host header).
 */
export function splitUrl(url: string): { host: string; rawPath: string; rawQuery: string } {
  const parsed = new URL(url);
  if (parsed.protocol !== 'https:' && parsed.protocol !== 'http:') throw new TypeError(`cannot sign a ${parsed.protocol} URL`);
  return {
    host: parsed.host,
    rawPath: parsed.pathname || '/',
    rawQuery: parsed.search.slice(1),
  };
}

function findHeader(headers: Readonly<Record<string, string>>, name: string): string | undefined {
  const lower = name.toLowerCase();
  for (const [key, value] of Object.entries(headers)) if (key.toLowerCase() === lower) return value;
  return undefined;
}

/**
 * Signs a request: returns a new request whose headers are the given ones plus `host`, `X-Sdk-Date`,
 * `X-Security-Token` (temporary credentials) and `Authorization`. Every header sent is signed.
 */
export function signRequest(request: SignableRequest, credentials: SigningCredentials, options: SigningOptions): SignableRequest {
  const { host, rawPath, rawQuery } = splitUrl(request.url);
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(request.headers)) {
    const lower = name.toLowerCase();
    if (lower === 'authorization' || lower === 'x-sdk-date' || lower === 'host' || lower === 'x-security-token') continue;
    headers[name] = value;
  }
  const sdkDate = formatSdkDate(options.now);
  headers.host = host;
  headers[HEADER_SDK_DATE] = sdkDate;
  if (credentials.securityToken) headers[HEADER_SECURITY_TOKEN] = credentials.securityToken;

  const signedSet = canonicalHeaders(headers);
  const canonical = canonicalRequest({
    method: request.method,
    rawPath,
    rawQuery,
    headers: signedSet,
    payloadHash: payloadHash(request.body, findHeader(headers, HEADER_CONTENT_SHA256)),
  });
  const signature = computeSignature(credentials.secretKey, stringToSign(sdkDate, canonical));
  headers[HEADER_AUTHORIZATION] = authorizationHeader(credentials.accessKey, signedSet.signedHeaders, signature);
  return { ...request, headers };
}
