/**
 * Verifies SDK-HMAC-SHA256 signatures: the inverse of signer.ts. Used by the local Huawei Cloud to
 * authenticate like Huawei's API gateway, and by our own HTTP functions for app-key callers.
 */
import { timingSafeEqual } from 'node:crypto';
import {
  SIGNING_ALGORITHM,
  sha256Hex,
  canonicalRequest,
  computeSignature,
  parseSdkDate,
  payloadHash,
  stringToSign,
  type CanonicalHeaders,
} from './signer';

/** A received request: raw path and query as they arrived, lowercase header names, the raw body bytes. */
export interface ReceivedRequest {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: Readonly<Record<string, string | string[] | undefined>>;
  readonly body: Uint8Array | string;
}

export interface VerifyOptions {
  readonly now: Date;
  /** The secret for an access key, or undefined when the key is unknown. */
  readonly secretFor: (accessKey: string) => string | undefined;
  /** Largest allowed distance between X-Sdk-Date and now. Huawei's gateway allows 15 minutes. */
  readonly maxSkewMs?: number;
  /**
   * Accept `X-Sdk-Content-Sha256: UNSIGNED-PAYLOAD` (the body is then not covered). Huawei's gateway
   * accepts it (the SDKs send it for non-JSON bodies); our own inbound authentication does not.
   */
  readonly allowUnsignedPayload?: boolean;
  /**
   * Headers (lower case) that must be signed when the request carries them: those the receiver acts on, so
   * that nobody can add one to a captured request without breaking its signature.
   */
  readonly signedWhenPresent?: readonly string[];
}

export type VerifyFailure =
  | 'missing-authorization'
  | 'malformed-authorization'
  | 'unknown-access-key'
  | 'missing-date'
  | 'date-out-of-window'
  | 'unsigned-required-header'
  | 'payload-mismatch'
  | 'signature-mismatch';

export type VerifyResult =
  | { readonly ok: true; readonly accessKey: string; readonly signedAt: Date }
  | { readonly ok: false; readonly reason: VerifyFailure; readonly accessKey?: string };

export const DEFAULT_MAX_SKEW_MS = 15 * 60 * 1000;

const AUTHORIZATION = /^SDK-HMAC-SHA256\s+Access=([^,\s]+),\s*SignedHeaders=([a-z0-9;-]+),\s*Signature=([0-9a-f]{64})$/;

export interface ParsedAuthorization {
  readonly accessKey: string;
  readonly signedHeaders: readonly string[];
  readonly signature: string;
}

export function parseAuthorization(value: string): ParsedAuthorization | undefined {
  const m = AUTHORIZATION.exec(value.trim());
  if (!m || !m[1] || !m[2] || !m[3]) return undefined;
  const signedHeaders = m[2].split(';');
  if (signedHeaders.some((h) => h === '')) return undefined;
  return { accessKey: m[1], signedHeaders, signature: m[3] };
}

function headerValue(headers: ReceivedRequest['headers'], name: string): string | undefined {
  const value = headers[name];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Constant-time comparison of two hex strings of any length. */
export function safeEqualHex(a: string, b: string): boolean {
  const left = Buffer.from(a, 'utf8');
  const right = Buffer.from(b, 'utf8');
  if (left.length !== right.length) {
    timingSafeEqual(left, left); // spend comparable time either way
    return false;
  }
  return timingSafeEqual(left, right);
}

export function verifyRequest(request: ReceivedRequest, options: VerifyOptions): VerifyResult {
  const authorization = headerValue(request.headers, 'authorization');
  if (!authorization) return { ok: false, reason: 'missing-authorization' };
  if (!authorization.trim().startsWith(SIGNING_ALGORITHM)) return { ok: false, reason: 'malformed-authorization' };
  const parsed = parseAuthorization(authorization);
  if (!parsed) return { ok: false, reason: 'malformed-authorization' };
  const { accessKey } = parsed;

  // What does not depend on the key is checked before it is looked up, so that a caller without a valid
  // signature cannot tell a key that exists from one that does not by the answer.
  const sdkDate = headerValue(request.headers, 'x-sdk-date');
  const signedAt = sdkDate ? parseSdkDate(sdkDate) : undefined;
  if (!sdkDate || !signedAt) return { ok: false, reason: 'missing-date', accessKey };
  if (Math.abs(options.now.getTime() - signedAt.getTime()) > (options.maxSkewMs ?? DEFAULT_MAX_SKEW_MS)) {
    return { ok: false, reason: 'date-out-of-window', accessKey };
  }
  // The date must be signed, and so must a security token or a payload-hash override when sent.
  const signedSet = new Set(parsed.signedHeaders);
  for (const required of ['x-sdk-date', 'x-security-token', 'x-sdk-content-sha256', ...(options.signedWhenPresent ?? [])]) {
    if ((required === 'x-sdk-date' || headerValue(request.headers, required) !== undefined) && !signedSet.has(required)) {
      return { ok: false, reason: 'unsigned-required-header', accessKey };
    }
  }

  // A declared payload hash stands for the body in the signature, so it must be the body's own hash.
  const declaredPayload = headerValue(request.headers, 'x-sdk-content-sha256');
  if (declaredPayload !== undefined) {
    const unsigned = declaredPayload === 'UNSIGNED-PAYLOAD';
    if (unsigned ? !options.allowUnsignedPayload : declaredPayload !== sha256Hex(request.body)) {
      return { ok: false, reason: 'payload-mismatch', accessKey };
    }
  }

  const secret = options.secretFor(accessKey);
  if (secret === undefined) return { ok: false, reason: 'unknown-access-key', accessKey };

  let canonical: string;
  try {
    const headers: CanonicalHeaders = {
      canonical: parsed.signedHeaders.map((name) => `${name}:${(headerValue(request.headers, name) ?? '').trim()}\n`).join(''),
      signedHeaders: parsed.signedHeaders.join(';'),
    };
    canonical = canonicalRequest({
      method: request.method,
      rawPath: request.rawPath,
      rawQuery: request.rawQuery,
      headers,
      payloadHash: payloadHash(request.body, headerValue(request.headers, 'x-sdk-content-sha256')),
    });
  } catch {
    return { ok: false, reason: 'signature-mismatch', accessKey }; // e.g. a malformed percent escape in the query
  }
  const expected = computeSignature(secret, stringToSign(sdkDate, canonical));
  if (!safeEqualHex(expected, parsed.signature)) return { ok: false, reason: 'signature-mismatch', accessKey };
  return { ok: true, accessKey, signedAt };
}
