/**
 * Every failure of an upstream call, as one error type: the operation, the failure class, the HTTP
 * status, Huawei's error_code / error_msg, the upstream request id. Never carries a secret.
 */
import { maskSecrets } from '../logger';

export type UpstreamFailureKind = 'http' | 'network' | 'timeout' | 'invalid-response' | 'clock-skew' | 'credentials' | 'invalid-request';

export interface UpstreamErrorDetails {
  readonly operation: string;
  readonly kind: UpstreamFailureKind;
  readonly status?: number | undefined;
  readonly errorCode?: string | undefined;
  readonly errorMsg?: string | undefined;
  readonly requestId?: string | undefined;
  readonly retryAfterMs?: number | undefined;
  readonly attempts?: number;
  /** A write may have reached upstream (timeout or dropped connection after sending): outcome unknown. */
  readonly outcomeUnknown?: boolean;
  /** Field issues of an invalid request (kind 'invalid-request'). */
  readonly issues?: ReadonlyArray<{ field: string; message: string }>;
  /** The DataArts workspace the call named, if any (to tell a caller's workspace from the configured one). */
  readonly workspace?: string | undefined;
  readonly cause?: unknown;
}

export class UpstreamError extends Error {
  readonly operation: string;
  readonly kind: UpstreamFailureKind;
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly errorMsg: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number;
  readonly outcomeUnknown: boolean;
  readonly issues: ReadonlyArray<{ field: string; message: string }>;
  readonly workspace: string | undefined;

  constructor(message: string, details: UpstreamErrorDetails) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = 'UpstreamError';
    this.operation = details.operation;
    this.kind = details.kind;
    this.status = details.status;
    this.errorCode = details.errorCode;
    this.errorMsg = details.errorMsg;
    this.requestId = details.requestId;
    this.retryAfterMs = details.retryAfterMs;
    this.attempts = details.attempts ?? 1;
    this.outcomeUnknown = details.outcomeUnknown ?? false;
    this.issues = details.issues ?? [];
    this.workspace = details.workspace;
  }
}

export interface ParsedErrorBody {
  /** `error_code` or `error.code`: what makes a 2xx a failure (a bare top-level `code` does not). */
  readonly failureCode: string | undefined;
  readonly errorCode: string | undefined;
  readonly errorMsg: string | undefined;
  readonly requestId: string | undefined;
}

/**
 * Both error shapes of Huawei Cloud: `{error_code, error_msg}` and `{error: {code, message}}`. Their text is
 * passed on to callers (a 4xx message, a timer's reason), so our secrets are masked in it: a message may quote
 * a request header back (the signature, the access key, a security or IAM token).
 */
export function parseErrorBody(body: unknown): ParsedErrorBody {
  if (!body || typeof body !== 'object') return { failureCode: undefined, errorCode: undefined, errorMsg: undefined, requestId: undefined };
  const record = body as Record<string, unknown>;
  const nested = record.error && typeof record.error === 'object' ? (record.error as Record<string, unknown>) : undefined;
  const str = (v: unknown) => (typeof v === 'string' && v !== '' ? maskSecrets(v) : undefined);
  return {
    failureCode: str(nested?.code) ?? str(record.error_code),
    errorCode: str(nested?.code) ?? str(record.error_code) ?? str(record.code),
    errorMsg: str(nested?.message) ?? str(record.error_msg) ?? str(record.message),
    requestId: str(record.request_id),
  };
}
