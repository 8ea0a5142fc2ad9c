/**
 * Authentication like Huawei's API gateway (../shared/api-reference.md §5, §6.5, §7):
 * - AK/SK: SDK-HMAC-SHA256 verified by shared/signing/verifier.ts against the emulator clock (15 min window);
 * - temporary AK/SK: must come with the matching, signed X-Security-Token;
 * - IAM token: X-Auth-Token issued by POST /v3/auth/tokens and not expired.
 * Any failure is 401 APIG.0301. After more than 5 consecutive signature failures an AK is locked for 5 minutes.
 */
import { verifyRequest, type VerifyFailure } from '../shared/signing/verifier';
import { apigError, header, type EmulatorError, type EmulatorRequest } from './http';
import type { Caller } from './router';
import type { EmulatorState } from './state';

export const LOCKOUT_THRESHOLD = 5;
export const LOCKOUT_MS = 5 * 60_000;

const REASONS: Record<VerifyFailure, string> = {
  'missing-authorization': 'x-auth-token not found',
  'malformed-authorization': 'verify aksk signature fail, authorization header malformed',
  'unknown-access-key': 'verify aksk signature fail, the access key does not exist',
  'missing-date': 'verify aksk signature fail, x-sdk-date missing or malformed',
  'date-out-of-window': 'verify aksk signature fail, signature expired',
  'unsigned-required-header': 'verify aksk signature fail, a required header is not signed',
  'payload-mismatch': 'verify aksk signature fail, the payload hash does not match the body',
  'signature-mismatch': 'verify aksk signature fail',
};

function unauthorized(request: EmulatorRequest, reason: string): EmulatorError {
  return apigError(401, 'APIG.0301', `Incorrect IAM authentication information: ${reason}`, request.requestId);
}

export interface GatewayAuthOptions {
  /** Lock an AK after more than LOCKOUT_THRESHOLD consecutive signature failures (default true). */
  readonly lockout: boolean;
}

/** Authenticates a request; throws a 401 EmulatorError. */
export function authenticate(request: EmulatorRequest, state: EmulatorState, options: GatewayAuthOptions): Caller {
  const now = state.clock.nowMs();
  const token = header(request, 'x-auth-token');
  const authorization = header(request, 'authorization');
  if (token !== undefined && authorization === undefined) {
    const record = state.tokens.get(token);
    if (!record) throw unauthorized(request, 'decrypt token fail');
    if (record.expiresAtMs <= now) throw unauthorized(request, 'token expires');
    return { kind: 'token', userId: record.userId, userName: record.userName };
  }

  const identity = state.identity;
  const result = verifyRequest(
    { method: request.method, rawPath: request.rawPath, rawQuery: request.rawQuery, headers: request.headers, body: request.body },
    {
      now: new Date(now),
      // Like Huawei's gateway: the SDKs send UNSIGNED-PAYLOAD for non-JSON bodies.
      allowUnsignedPayload: true,
      secretFor: (ak) => (ak === identity.accessKey ? identity.secretKey : state.temporaryCredentials.get(ak)?.secretKey),
    },
  );
  const accessKey = result.accessKey;
  const lock = accessKey === undefined ? undefined : state.lockouts.get(accessKey);
  if (lock?.lockedUntilMs !== undefined) {
    if (lock.lockedUntilMs > now) throw unauthorized(request, 'AK access failed to reach the limit,forbidden');
    state.lockouts.delete(accessKey as string);
  }
  if (!result.ok) {
    if (options.lockout && accessKey !== undefined && result.reason !== 'unknown-access-key') {
      const record = state.lockouts.get(accessKey) ?? { failures: 0 };
      record.failures += 1;
      if (record.failures > LOCKOUT_THRESHOLD) record.lockedUntilMs = now + LOCKOUT_MS;
      state.lockouts.set(accessKey, record);
    }
    throw unauthorized(request, REASONS[result.reason]);
  }
  state.lockouts.delete(result.accessKey);

  const securityToken = header(request, 'x-security-token');
  const temporary = state.temporaryCredentials.get(result.accessKey);
  if (result.accessKey === identity.accessKey && !temporary) {
    if (securityToken !== undefined) throw unauthorized(request, 'verify aksk signature fail, security token given for a permanent access key');
    return { kind: 'aksk', accessKey: result.accessKey, temporary: false };
  }
  if (!temporary) throw unauthorized(request, REASONS['unknown-access-key']);
  if (securityToken === undefined) throw unauthorized(request, 'verify aksk signature fail, x-security-token missing for a temporary access key');
  if (securityToken !== temporary.securityToken) throw unauthorized(request, 'verify aksk signature fail, security token invalid');
  if (temporary.expiresAtMs !== undefined && temporary.expiresAtMs <= now) throw unauthorized(request, 'security token expires');
  return { kind: 'aksk', accessKey: result.accessKey, temporary: true };
}
