/**
 * One HTTP function = one route spec + the fixed middy chain:
 * platform event → authentication → JSON body → validation → handler → (errors).
 * The spec is also the source of the OpenAPI document and of the local server's routing table.
 */
import middy from '@middy/core';
import type * as z from 'zod/mini';
import type { Scope, Principal } from './inbound/clients';
import type { WebhookAuthenticator } from './inbound/webhook-authentication';
import type { CallOptions } from './http/client';
import type { Logger } from './logger';
import { jsonResponse, type HttpRequest, type HttpResponse } from './platform/http-event';
import type { InvocationContext } from './platform/invocation';
import { lazyRuntime, type Runtime, type RuntimeSource } from './runtime';
import { authentication } from './middleware/authentication';
import { httpErrors } from './middleware/http-errors';
import type { HttpContext } from './middleware/http-state';
import { stateOf } from './middleware/http-state';
import { jsonBody } from './middleware/json-body';
import { platformHttpEvent } from './middleware/platform-http-event';
import { validation } from './middleware/validation';

export interface RouteContext {
  readonly runtime: Runtime;
  /**
   * Options for every upstream call of this invocation: its abort signal, the platform's temporary
   * credentials, and a deadline that fits in the time the platform has left.
   */
  readonly call: CallOptions;
  readonly principal: Principal;
  readonly invocation: InvocationContext;
  readonly http: HttpRequest;
  readonly signal: AbortSignal;
  readonly logger: Logger;
  readonly requestId: string;
}

export interface RouteResult<T> {
  readonly statusCode?: number;
  readonly body: T;
  readonly headers?: Record<string, string>;
}

type Out<S> = S extends z.ZodMiniType ? z.output<S> : undefined;

export interface RouteSpec<
  P extends z.ZodMiniType | undefined = z.ZodMiniType | undefined,
  Q extends z.ZodMiniType | undefined = z.ZodMiniType | undefined,
  H extends z.ZodMiniType | undefined = z.ZodMiniType | undefined,
  B extends z.ZodMiniType | undefined = z.ZodMiniType | undefined,
  R extends z.ZodMiniType = z.ZodMiniType,
> {
  /** The function's key in serverless.yml. */
  readonly functionName: string;
  readonly method: 'GET' | 'POST';
  /** OpenAPI-style path, e.g. /v1/deploy-tasks/{task_id}/start. */
  readonly path: string;
  readonly summary: string;
  readonly description?: string;
  readonly scope: Scope;
  /**
   * Also accept Standard Webhooks signatures (clients of type "webhook"), verified by this (pass
   * `authenticateWebhook` of shared/inbound/webhook-authentication.ts). Only for routes that receive webhooks:
   * such a signature covers the body, not the method or path it was sent to.
   */
  readonly webhookSignatures?: WebhookAuthenticator;
  readonly request: { readonly path?: P; readonly query?: Q; readonly headers?: H; readonly body?: B; readonly bodyRequired?: boolean };
  /** The success body; the handler's result is parsed with it, so only allow-listed fields leave. */
  readonly response: R;
  readonly successStatus?: number;
  /** Other statuses the handler answers with the same body, and what each means (for the OpenAPI document). */
  readonly otherSuccesses?: Readonly<Record<number, string>>;
  readonly handle: (
    input: { path: Out<P>; query: Out<Q>; headers: Out<H>; body: Out<B> },
    context: RouteContext,
  ) => Promise<RouteResult<z.input<R>>>;
}

export function defineRoute<
  P extends z.ZodMiniType | undefined,
  Q extends z.ZodMiniType | undefined,
  H extends z.ZodMiniType | undefined,
  B extends z.ZodMiniType | undefined,
  R extends z.ZodMiniType,
>(spec: RouteSpec<P, Q, H, B, R>): RouteSpec<P, Q, H, B, R> {
  return spec;
}

export type AnyRouteSpec = RouteSpec<z.ZodMiniType | undefined, z.ZodMiniType | undefined, z.ZodMiniType | undefined, z.ZodMiniType | undefined, z.ZodMiniType>;

export function httpFunction(spec: AnyRouteSpec, runtime: RuntimeSource = lazyRuntime()) {
  return middy<unknown, HttpResponse, Error, HttpContext>({ timeoutEarlyInMillis: 0 })
    .use(httpErrors())
    .use(platformHttpEvent({ runtime, functionName: spec.functionName, method: spec.method }))
    .use(authentication({ scope: spec.scope, webhookSignatures: spec.webhookSignatures }))
    .use(jsonBody({ required: spec.request.bodyRequired ?? false }))
    .use(validation(spec.request))
    .handler(async (_event, context): Promise<HttpResponse> => {
      const state = stateOf(context);
      if (!state.runtime || !state.principal || !state.http || !state.input) throw new Error('middleware chain incomplete');
      const input = state.input as { path: never; query: never; headers: never; body: never };
      const call: CallOptions = {
        signal: state.signal,
        credentials: state.invocation.temporaryCredentials,
        // Each call's retries are planned within what the invocation has left when it starts.
        timeLeftMs: state.invocation.remainingMs,
      };
      const result = await spec.handle(input, {
        runtime: state.runtime,
        call,
        principal: state.principal,
        invocation: state.invocation,
        http: state.http,
        signal: state.signal,
        logger: state.logger,
        requestId: state.requestId,
      });
      const body = spec.response.parse(result.body);
      return jsonResponse(result.statusCode ?? spec.successStatus ?? 200, body, { ...result.headers, 'X-Request-Id': state.requestId });
    });
}
