/** Authenticates the caller and checks the route's scope; nothing reaches upstream without both. */
import type { MiddlewareObj } from '@middy/core';
import { authenticate, requireScope } from '../inbound/authenticate';
import { loadInboundAuth, type InboundAuthConfig, type Scope } from '../inbound/clients';
import type { Runtime } from '../runtime';
import type { HttpResponse } from '../platform/http-event';
import { stateOf, type HttpContext } from './http-state';

/**
 * The inbound clients of a runtime (HRF_CLIENTS or HRF_CLIENTS_FILE), read on its first authenticated
 * request and kept, or the configuration error, for the container's life, like the runtime itself.
 */
const inboundByRuntime = new WeakMap<Runtime, { inbound: InboundAuthConfig } | { error: unknown }>();

function inboundOf(runtime: Runtime): InboundAuthConfig {
  let loaded = inboundByRuntime.get(runtime);
  if (!loaded) {
    try {
      loaded = { inbound: loadInboundAuth(runtime.env) };
    } catch (error) {
      loaded = { error };
    }
    inboundByRuntime.set(runtime, loaded);
  }
  if ('error' in loaded) throw loaded.error;
  return loaded.inbound;
}

export function authentication(options: { scope: Scope }): MiddlewareObj<unknown, HttpResponse, Error, HttpContext> {
  return {
    before: (request) => {
      const state = stateOf(request.context);
      if (!state.http || !state.runtime) throw new Error('authentication runs after platformHttpEvent');
      const principal = authenticate(state.http, inboundOf(state.runtime), state.runtime.now());
      requireScope(principal, options.scope);
      state.principal = principal;
    },
  };
}
