import type * as z from 'zod/mini';

/**
 * Typed errors that own their HTTP status. One middleware (shared/middleware/http-errors.ts) maps
 * them to responses; messages are exposed only below 500.
 */

export interface FieldIssue {
  /** Dotted path of the offending field, e.g. `body.pending_item_list.3` or `path.task_id`. */
  readonly field: string;
  readonly message: string;
}

export const MAX_REPORTED_ISSUES = 20;
/** Unknown keys named in a 400 (and its log line): a caller may send thousands, and each would be echoed. */
export const MAX_NAMED_UNKNOWN_KEYS = 5;

/** A failed parse's issues as fields under `prefix` (`body`, `query`, …): an unknown field is named, not its parent. */
export function issuesOf(prefix: string, error: z.core.$ZodError): FieldIssue[] {
  return error.issues.slice(0, MAX_REPORTED_ISSUES).map((issue) => {
    const keys = issue.code === 'unrecognized_keys' ? issue.keys : [];
    const path = [prefix, ...issue.path.map(String)].join('.');
    if (keys.length === 0) return { field: path, message: issue.message };
    const more = keys.length - MAX_NAMED_UNKNOWN_KEYS;
    const named = keys.slice(0, MAX_NAMED_UNKNOWN_KEYS).map((k) => k.slice(0, 64)).join(',');
    return { field: `${path}.${named}${more > 0 ? ` (+${more} more)` : ''}`, message: 'is not a known field' };
  });
}


export interface ErrorBody {
  readonly error_code: string;
  readonly error_msg: string;
  readonly request_id: string;
  readonly fields?: readonly FieldIssue[];
}

export abstract class HttpError extends Error {
  abstract readonly statusCode: number;
  abstract readonly errorCode: string;
  /** Extra response headers, e.g. Retry-After. */
  readonly headers: Readonly<Record<string, string>> = {};
  readonly fields?: readonly FieldIssue[];

  constructor(message: string, options?: { cause?: unknown; fields?: readonly FieldIssue[] }) {
    super(message, options?.cause === undefined ? undefined : { cause: options.cause });
    if (options?.fields) this.fields = options.fields;
  }

  get expose(): boolean {
    return this.statusCode < 500;
  }

  toBody(requestId: string): ErrorBody {
    return {
      error_code: this.errorCode,
      error_msg: this.expose ? this.message : 'Internal error',
      request_id: requestId,
      ...(this.fields && this.fields.length > 0 ? { fields: this.fields } : {}),
    };
  }
}

export class ValidationError extends HttpError {
  override readonly name: string = 'ValidationError';
  readonly statusCode = 400;
  readonly errorCode = 'HRF.0400';
  constructor(message: string, fields: readonly FieldIssue[]) {
    super(message, { fields });
  }
}

export class UnauthorizedError extends HttpError {
  override readonly name: string = 'UnauthorizedError';
  readonly statusCode = 401;
  readonly errorCode = 'HRF.0401';
  override readonly headers = { 'WWW-Authenticate': 'Bearer, SDK-HMAC-SHA256' };
}

export class ForbiddenError extends HttpError {
  override readonly name: string = 'ForbiddenError';
  readonly statusCode = 403;
  readonly errorCode = 'HRF.0403';
}

export class NotFoundError extends HttpError {
  override readonly name: string = 'NotFoundError';
  readonly statusCode = 404;
  readonly errorCode = 'HRF.0404';
}

export class MethodNotAllowedError extends HttpError {
  override readonly name: string = 'MethodNotAllowedError';
  readonly statusCode = 405;
  readonly errorCode = 'HRF.0405';
  override readonly headers: Readonly<Record<string, string>>;
  constructor(allowed: readonly string[]) {
    super(`This route answers ${allowed.join(' or ')} only`);
    this.headers = { Allow: allowed.join(', ') };
  }
}

export class ConflictError extends HttpError {
  override readonly name: string = 'ConflictError';
  readonly statusCode = 409;
  readonly errorCode: string;
  override readonly headers: Readonly<Record<string, string>>;
  constructor(message: string, options: { errorCode?: string; retryAfterSeconds?: number; cause?: unknown } = {}) {
    super(message, { cause: options.cause });
    this.errorCode = options.errorCode ?? 'HRF.0409';
    this.headers = options.retryAfterSeconds === undefined ? {} : { 'Retry-After': String(options.retryAfterSeconds) };
  }
}

export class PayloadTooLargeError extends HttpError {
  override readonly name: string = 'PayloadTooLargeError';
  readonly statusCode = 413;
  readonly errorCode = 'HRF.0413';
}

export class UnsupportedMediaTypeError extends HttpError {
  override readonly name: string = 'UnsupportedMediaTypeError';
  readonly statusCode = 415;
  readonly errorCode = 'HRF.0415';
}

export class UnprocessableError extends HttpError {
  override readonly name: string = 'UnprocessableError';
  readonly statusCode = 422;
  readonly errorCode: string;
  constructor(message: string, errorCode = 'HRF.0422', fields?: readonly FieldIssue[]) {
    super(message, fields ? { fields } : undefined);
    this.errorCode = errorCode;
  }
}

export class TooManyRequestsError extends HttpError {
  override readonly name: string = 'TooManyRequestsError';
  readonly statusCode = 429;
  readonly errorCode = 'HRF.0429';
  override readonly headers: Readonly<Record<string, string>>;
  constructor(message: string, retryAfterSeconds: number, cause?: unknown) {
    super(message, { cause });
    this.headers = { 'Retry-After': String(Math.max(1, Math.ceil(retryAfterSeconds))) };
  }
}

/** The upstream answered with its own 4xx validation error: passed on with the upstream code and status. */
export class UpstreamRejectedError extends HttpError {
  override readonly name: string = 'UpstreamRejectedError';
  readonly statusCode: number;
  readonly errorCode: string;
  constructor(statusCode: number, errorCode: string, message: string, cause?: unknown) {
    super(message, { cause });
    this.statusCode = statusCode;
    this.errorCode = errorCode;
  }
}

export class BadGatewayError extends HttpError {
  override readonly name: string = 'BadGatewayError';
  readonly statusCode = 502;
  readonly errorCode: string;
  constructor(message: string, errorCode = 'HRF.0502', cause?: unknown) {
    super(message, { cause });
    this.errorCode = errorCode;
  }
  /** 502s are ours to explain: the operator must know when our own credentials were refused. */
  override get expose(): boolean {
    return true;
  }
}

export class GatewayTimeoutError extends HttpError {
  override readonly name: string = 'GatewayTimeoutError';
  readonly statusCode = 504;
  readonly errorCode = 'HRF.0504';
  override get expose(): boolean {
    return true;
  }
}

export class InternalError extends HttpError {
  override readonly name: string = 'InternalError';
  readonly statusCode = 500;
  readonly errorCode = 'HRF.0500';
}

/** Configuration is missing or malformed. Thrown at start, naming the variable. */
export class ConfigError extends Error {
  constructor(
    readonly variable: string,
    message: string,
  ) {
    super(`${variable}: ${message}`);
    this.name = 'ConfigError';
  }
}
