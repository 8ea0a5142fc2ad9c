/** Recorded requests: what tests count side effects with. Secrets are never kept. */
import type { IncomingHttpHeaders } from 'node:http';
import type { FaultKind } from './faults';

export interface RecordedRequest {
  readonly method: string;
  /** Raw path as received. */
  readonly path: string;
  /** Raw query string as received, without '?'. */
  readonly query: string;
  /** Lowercase names; authorization, x-auth-token and x-security-token values replaced by '[REDACTED]'. */
  readonly headers: Readonly<Record<string, string>>;
  /** Body text; the password of POST /v3/auth/tokens is replaced by '[REDACTED]'. */
  readonly body: string;
  /** Status answered; null when the connection was dropped without an answer. */
  status: number | null;
  /** Operation name of the matched route, undefined when no route matched. */
  readonly operation: string | undefined;
  /** Injected fault, if any. */
  fault: FaultKind | undefined;
  /** Emulator-clock time of arrival, ISO 8601. */
  readonly time: string;
  readonly requestId: string;
}

const SECRET_HEADERS = new Set(['authorization', 'x-auth-token', 'x-security-token', 'cookie']);
export const REDACTED = '[REDACTED]';

export function recordableHeaders(headers: IncomingHttpHeaders): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue;
    out[name] = SECRET_HEADERS.has(name) ? REDACTED : Array.isArray(value) ? value.join(', ') : value;
  }
  return out;
}

/** Removes passwords from an IAM token request body (any "password" string value in the JSON). */
export function recordableBody(path: string, body: string): string {
  if (!path.startsWith('/v3/auth/') || body === '') return body;
  try {
    const parsed = JSON.parse(body) as unknown;
    return JSON.stringify(parsed, (key, value: unknown) => (key === 'password' && typeof value === 'string' ? REDACTED : value));
  } catch {
    return body.replace(/("password"\s*:\s*")[^"]*"/g, `$1${REDACTED}"`);
  }
}
