/** Authenticates the caller and checks the route's scope; nothing reaches upstream without both. */
import type { MiddlewareObj } from '@middy/core';
import { authenticate, requireScope } from '../inbound/authenticate';
import type { Scope } from '../inbound/clients';
import type { HttpResponse } from '../platform/http-event';
import { stateOf, type HttpContext } from './http-state';

export function authentication(options: { scope: Scope }): MiddlewareObj<unknown, HttpResponse, Error, HttpContext> {
  return {
    before: (request) => {
      const state = stateOf(request.context);
      if (!state.http || !state.runtime) throw new Error('authentication runs after platformHttpEvent');
      const principal = authenticate(state.http, state.runtime.inbound, state.runtime.now());
      requireScope(principal, options.scope);
      state.principal = principal;
    },
  };
}
