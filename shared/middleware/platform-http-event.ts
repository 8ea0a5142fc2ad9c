/**
 * First middleware: recognises the platform, normalises its gateway event, builds the runtime and a
 * deadline signal, and tags every log line with the request id.
 */
import type { MiddlewareObj } from '@middy/core';
import { logger as rootLogger } from '../logger';
import { MethodNotAllowedError, ValidationError } from '../errors';
import { fromRestProxyEvent, MalformedEventError, type HttpResponse } from '../platform/http-event';
import { fromPlatformContext, invocationSignal } from '../platform/invocation';
import type { RuntimeSource } from '../runtime';
import type { HttpContext, HttpState } from './http-state';

/**
 * `method`: the route's (or its methods). A gateway route may take any method (FunctionGraph's APIG triggers
 * are ANY), so a request with another is refused here, before anyone is authenticated or anything runs.
 */
export function platformHttpEvent(options: { runtime?: RuntimeSource; functionName: string; method?: string | readonly string[] }): MiddlewareObj<unknown, HttpResponse, Error, HttpContext> {
  const allowed = typeof options.method === 'string' ? [options.method] : options.method;
  return {
    before: (request) => {
      const invocation = fromPlatformContext(request.context);
      const state: HttpState = {
        invocation,
        requestId: invocation.requestId,
        logger: rootLogger.child({ function: options.functionName, request_id: invocation.requestId, platform: invocation.platform }),
        signal: invocationSignal(invocation.remainingMs()),
      };
      request.context.hrf = state;
      if (options.runtime) state.runtime = options.runtime(invocation);
      try {
        state.http = fromRestProxyEvent(request.event);
      } catch (error) {
        if (error instanceof MalformedEventError) {
          throw error.field
            ? new ValidationError(`Invalid request: ${error.field}`, [{ field: error.field, message: error.message }])
            : new ValidationError('The event is not an API gateway request', [{ field: 'event', message: error.message }]);
        }
        throw error;
      }
      if (allowed && !allowed.includes(state.http.method)) throw new MethodNotAllowedError(allowed);
    },
  };
}
