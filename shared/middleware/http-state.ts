/** What the HTTP middlewares learn about one invocation, handed from one to the next on the context. */
import type { Context } from 'aws-lambda';
import type { Logger } from '../logger';
import type { Principal } from '../inbound/clients';
import type { HttpRequest, HttpResponse } from '../platform/http-event';
import type { InvocationContext } from '../platform/invocation';
import type { Runtime } from '../runtime';

export interface HttpState {
  readonly invocation: InvocationContext;
  readonly requestId: string;
  readonly logger: Logger;
  /** Aborted when the invocation is about to run out of time (remaining time minus a safety margin). */
  readonly signal: AbortSignal;
  runtime?: Runtime;
  http?: HttpRequest;
  principal?: Principal;
  /** The parsed JSON body (undefined when none was sent). */
  body?: unknown;
  /** Path, query, headers and body after zod validation. */
  input?: { path: unknown; query: unknown; headers: unknown; body: unknown };
}

export type HttpContext = Context & { hrf?: HttpState };
export type { HttpResponse };

export function stateOf(context: HttpContext): HttpState {
  if (!context.hrf) throw new Error('HTTP state is missing: the platform middleware must run first');
  return context.hrf;
}
