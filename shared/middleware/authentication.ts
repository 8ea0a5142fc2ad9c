/** Authenticates the caller and checks the route's scope; nothing reaches upstream without both. */
import type { MiddlewareObj } from '@middy/core';
import { admitOnce, authenticate, requireScope } from '../inbound/authenticate';
import { loadInboundAuth, type InboundAuthConfig, type Scope } from '../inbound/clients';
import type { Runtime } from '../runtime';
import type { HttpResponse } from '../platform/http-event';
import { stateOf, type HttpContext } from './http-state';
import { oncePer } from '../once';
import type { WebhookAuthenticator } from '../inbound/webhook-authentication';
import { logger as rootLogger } from '../logger';

/**
 * The inbound clients of a runtime (HRF_CLIENTS or HRF_CLIENTS_FILE), read on its first authenticated
 * request and kept, or the configuration error, for the container's life, like the runtime itself.
 */
const inboundOf = oncePer((runtime: Runtime): InboundAuthConfig => {
  const inbound = loadInboundAuth(runtime.env);
  if (inbound.bearerByDigest.size === 0 && inbound.appsByKey.size === 0 && inbound.webhookSenders.length === 0) {
    // Every request will be a 401 that only says the credential is not valid (callers learn nothing more):
    // the operator must be able to tell from the log that no one is configured at all.
    rootLogger.warn('No clients are configured (HRF_CLIENTS or HRF_CLIENTS_FILE): every request is refused with 401');
  }
  return inbound;
});

export function authentication(options: { scope: Scope; webhookSignatures?: WebhookAuthenticator | undefined }): MiddlewareObj<unknown, HttpResponse, Error, HttpContext> {
  return {
    before: (request) => {
      const state = stateOf(request.context);
      if (!state.http || !state.runtime) throw new Error('authentication runs after platformHttpEvent');
      const inbound = inboundOf(state.runtime);
      const now = state.runtime.now();
      const { principal, signature } = authenticate(state.http, inbound, now, { webhookSignatures: options.webhookSignatures });
      requireScope(principal, options.scope);
      // Routes that only read may be signed-and-sent again harmlessly (and within one second re-signing gives the same signature).
      if (signature !== undefined && options.scope !== 'read') admitOnce(inbound, principal, signature, now);
      state.principal = principal;
    },
  };
}
