/**
 * Authenticates one HTTP request: a bearer token, an SDK-HMAC-SHA256 app signature, or (on the routes
 * that receive webhooks) a Standard Webhooks signature.
 */
import { timingSafeEqual } from 'node:crypto';
import { ForbiddenError, UnauthorizedError } from '../errors';
import { encodeRfc3986 } from '../signing/signer';
import { parseAuthorization, verifyRequest } from '../signing/verifier';
import type { HttpRequest } from '../platform/http-event';
import { sha256Hex, type InboundAuthConfig, type Principal, type Scope } from './clients';
import type { WebhookAuthenticator } from './webhook-authentication';

/** Rebuilds a raw query from decoded values; the canonical form decodes and re-encodes, so this is exact. */
function rawQueryOf(query: HttpRequest['query']): string {
  const parts: string[] = [];
  for (const [key, value] of Object.entries(query)) {
    for (const v of Array.isArray(value) ? value : [value]) parts.push(`${encodeRfc3986(key)}=${encodeRfc3986(v)}`);
  }
  return parts.join('&');
}

function findBearer(auth: InboundAuthConfig, token: string): Principal | undefined {
  const digest = Buffer.from(sha256Hex(token), 'hex');
  let found: Principal | undefined;
  // Compare against every digest in constant time, so timing does not reveal which one matched.
  for (const [known, principal] of auth.bearerByDigest) {
    if (timingSafeEqual(Buffer.from(known, 'hex'), digest)) found = principal;
  }
  return found;
}

/**
 * The headers the functions act on: an app signature must cover each one the request carries, or a captured
 * request could be sent again with one added (another workspace, a new idempotency key, another event type).
 */
const ACTED_ON_HEADERS: ReadonlySet<string> = new Set(['content-type', 'idempotency-key', 'x-workspace-id', 'ce-specversion', 'ce-id', 'ce-source', 'ce-type', 'ce-subject', 'ce-time']);

function actedOnHeaders(request: HttpRequest): string[] {
  return Object.keys(request.headers).filter((name) => ACTED_ON_HEADERS.has(name));
}

export interface Authenticated {
  readonly principal: Principal;
  /**
   * For an app signature: what the signature covers, to take a request that changes something only once
   * (see {@link admitOnce}, after the scope check, so a client without the scope cannot fill the memory).
   */
  readonly signature?: string;
}

/** `webhookSignatures`: on a route that receives webhooks, how a Standard Webhooks delivery is authenticated. */
export function authenticate(request: HttpRequest, auth: InboundAuthConfig, now: Date, options: { webhookSignatures?: WebhookAuthenticator | undefined } = {}): Authenticated {
  const header = request.headers.authorization;
  if (!header && options.webhookSignatures && request.headers['webhook-signature'] !== undefined) return { principal: options.webhookSignatures(request, auth, now) };
  if (!header) throw new UnauthorizedError('Authentication required: send a bearer token or an SDK-HMAC-SHA256 signature');
  const bearer = /^Bearer\s+(\S+)$/i.exec(header.trim());
  if (bearer?.[1]) {
    const principal = findBearer(auth, bearer[1]);
    if (!principal) throw new UnauthorizedError('The bearer token is not valid');
    return { principal };
  }
  if (/^SDK-HMAC-SHA256\s/.test(header.trim())) {
    let rawQuery: string;
    try {
      rawQuery = rawQueryOf(request.query);
    } catch {
      throw new UnauthorizedError('Authentication failed: the signature is not valid'); // e.g. a lone surrogate
    }
    const verify = (rawPath: string) =>
      verifyRequest(
        { method: request.method, rawPath, rawQuery, headers: request.headers, body: request.rawBody },
        { now, secretFor: (key) => auth.appsByKey.get(key)?.secret, signedWhenPresent: actedOnHeaders(request) },
      );
    // The caller signed the URL it called: with API Gateway that may carry the stage prefix.
    let result = verify(request.path);
    if (!result.ok && result.reason === 'signature-mismatch' && request.addressedPath) result = verify(request.addressedPath);
    if (!result.ok) {
      const reason =
        result.reason === 'date-out-of-window'
          ? 'the X-Sdk-Date is more than 15 minutes from server time'
          : result.reason === 'unsigned-required-header'
            ? 'the signature must cover X-Sdk-Date and each header sent of Content-Type, Idempotency-Key, X-Workspace-Id, the CloudEvents ce-* headers, X-Security-Token, X-Sdk-Content-Sha256'
            : 'the signature is not valid';
      throw new UnauthorizedError(`Authentication failed: ${reason}`);
    }
    const app = auth.appsByKey.get(result.accessKey);
    if (!app) throw new UnauthorizedError('Authentication failed: the signature is not valid');
    // The signature itself, not the header as written: the header's spacing is not signed.
    return { principal: app.principal, signature: `${result.accessKey}\n${parseAuthorization(header)?.signature ?? ''}` };
  }
  throw new UnauthorizedError('Unsupported Authorization scheme: send a bearer token or an SDK-HMAC-SHA256 signature');
}

/**
 * Takes an app-signed request that changes something once per instance: the same signature again is refused
 * (409, Retry-After: 1) for as long as it could verify, whether a replay or a client that signed its retry
 * within the same second. When the memory, or the client's share of it, is full of live signatures, the
 * request is refused (429) rather than an entry dropped, which would let its replay through.
 */
export function admitOnce(auth: InboundAuthConfig, principal: Principal, signature: string, now: Date): void {
  auth.recentSignatures.take(signature, principal.clientId, now, {
    received: 'This signed request',
    advice: 'sign each request anew, in a later second (X-Sdk-Date counts whole seconds, so a request signed again within the same second carries the same signature)',
    plural: 'signed requests',
    refusal: 'conflict',
  });
}

export function requireScope(principal: Principal, scope: Scope): void {
  if (!principal.scopes.has(scope)) throw new ForbiddenError(`This credential lacks the "${scope}" scope`);
}

/**
 * A client limited to some deploy tasks (or pipelines) may use only those. One answer for "not allowed",
 * before any call, so a caller learns nothing about objects it may not use.
 */
export function requireDeployTask(principal: Principal, taskId: string): void {
  if (principal.deployTasks && !principal.deployTasks.has(taskId)) throw new ForbiddenError('This credential may not use that deploy task');
}

export function requirePipeline(principal: Principal, pipelineId: string): void {
  if (principal.pipelines && !principal.pipelines.has(pipelineId)) throw new ForbiddenError('This credential may not use that pipeline');
}
