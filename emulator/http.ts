/**
 * What a route sees and answers, and the Huawei-style error bodies (../shared/api-reference.md §6):
 * shape A `{error_code, error_msg}` (DataArts, CodeArts Pipeline, the gateway, which adds `request_id`),
 * shape B `{error: {code, message}, status: "failed"}` (CodeArts Deploy).
 */
import type { IncomingHttpHeaders } from 'node:http';

export interface RouteResponse {
  readonly status: number;
  /** Serialised as JSON; undefined sends an empty body. */
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** Thrown by handlers (and the gateway) to answer with an error. */
export class EmulatorError extends Error {
  constructor(
    readonly status: number,
    readonly body: unknown,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(`emulator error ${status}`);
    this.name = 'EmulatorError';
  }

  toResponse(): RouteResponse {
    return { status: this.status, body: this.body, headers: this.headers };
  }
}

/** Shape A with the gateway's request_id. */
export function apigError(status: number, code: string, message: string, requestId: string, headers?: Record<string, string>): EmulatorError {
  return new EmulatorError(status, { error_code: code, error_msg: message, request_id: requestId }, headers);
}

/** Shape A, DataArts Factory (DLF.*): every documented DLF error is a 400. */
export function dlfError(code: string, message: string): EmulatorError {
  return new EmulatorError(400, { error_code: code, error_msg: message });
}

/** Shape B, CodeArts Deploy. */
export function deployError(status: number, code: string, message: string): EmulatorError {
  return new EmulatorError(status, { error: { code, message }, status: 'failed' });
}

/** Shape A, CodeArts Pipeline (DEVPIPE.*). */
export function pipelineError(status: number, code: string, message: string): EmulatorError {
  return new EmulatorError(status, { error_code: code, error_msg: message });
}

/** A received request, as routes see it. */
export interface EmulatorRequest {
  readonly method: string;
  /** Raw path and query exactly as received (still percent-encoded). */
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly query: URLSearchParams;
  /** Lowercase names (node:http). */
  readonly headers: IncomingHttpHeaders;
  readonly body: Buffer;
  readonly bodyText: string;
  /** Path parameters from the route pattern, decoded. */
  readonly params: Readonly<Record<string, string>>;
  readonly requestId: string;
  readonly remoteAddress: string | undefined;
}

export function header(request: Pick<EmulatorRequest, 'headers'>, name: string): string | undefined {
  const value = request.headers[name.toLowerCase()];
  return Array.isArray(value) ? value.join(',') : value;
}

/** Parses a JSON body; undefined for an empty body, throws `onInvalid()` for malformed JSON. */
export function jsonBody(request: EmulatorRequest, onInvalid: () => EmulatorError): unknown {
  if (request.bodyText.trim() === '') return undefined;
  try {
    return JSON.parse(request.bodyText) as unknown;
  } catch {
    throw onInvalid();
  }
}

/** The query's single-valued parameters (the last value wins for a repeated key). */
export function queryObject(query: URLSearchParams, keys: readonly string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const key of keys) {
    const value = query.get(key);
    if (value !== null) out[key] = value;
  }
  return out;
}

/** First zod issue as `path: message`, for error messages. */
export function describeIssue(error: { issues: readonly { path: readonly PropertyKey[]; message: string }[] }): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  const path = issue.path.map(String).join('.');
  return path ? `${path}: ${issue.message}` : issue.message;
}
