/**
 * GET /v1/openapi.json: the OpenAPI 3.1 document, public like any API reference. Generated from the zod
 * schemas at build time (npm run generate:openapi), so this function loads no schema library at all.
 */
import middy from '@middy/core';
import { httpErrors } from '../../shared/middleware/http-errors';
import type { HttpContext } from '../../shared/middleware/http-state';
import { stateOf } from '../../shared/middleware/http-state';
import { platformHttpEvent } from '../../shared/middleware/platform-http-event';
import { jsonResponse, type HttpResponse } from '../../shared/platform/http-event';
import document from './openapi.json';

export { API_VERSION } from './api-version';

export const handler = middy<unknown, HttpResponse, Error, HttpContext>({ timeoutEarlyInMillis: 0 })
  .use(httpErrors())
  // HEAD too, as wherever GET is served (uptime checks use it): the same answer without its body.
  .use(platformHttpEvent({ functionName: 'openapi', method: ['GET', 'HEAD'] }))
  .handler(async (_event, context) => {
    const state = stateOf(context);
    const response = jsonResponse(200, document, { 'X-Request-Id': state.requestId, 'Cache-Control': 'public, max-age=300' });
    return state.http?.method === 'HEAD' ? { ...response, body: '' } : response;
  });
