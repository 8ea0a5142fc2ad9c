/** Authenticates the caller and checks the route's scope; nothing reaches upstream without both. */
import type { MiddlewareObj } from '@middy/core';
import { authenticate, requireScope } from '../inbound/authenticate';
import { loadInboundAuth, type InboundAuthConfig, type Scope } from '../inbound/clients';
import type { Runtime } from '../runtime';
import type { HttpResponse } from '../platform/http-event';
import { stateOf, type HttpContext } from './http-state';
import { oncePer } from '../once';

/**
 * The inbound clients of a runtime (HRF_CLIENTS or HRF_CLIENTS_FILE), read on its first authenticated
 * request and kept, or the configuration error, for the container's life, like the runtime itself.
 */
const inboundOf = oncePer((runtime: Runtime): InboundAuthConfig => loadInboundAuth(runtime.env));

export function authentication(options: { scope: Scope; webhookSignatures?: boolean }): MiddlewareObj<unknown, HttpResponse, Error, HttpContext> {
  return {
    before: (request) => {
      const state = stateOf(request.context);
      if (!state.http || !state.runtime) throw new Error('authentication runs after platformHttpEvent');
      const principal = authenticate(state.http, inboundOf(state.runtime), state.runtime.now(), { webhookSignatures: options.webhookSignatures ?? false });
      requireScope(principal, options.scope);
      state.principal = principal;
    },
  };
}
