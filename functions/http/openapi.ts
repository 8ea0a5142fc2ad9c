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
  .use(platformHttpEvent({ functionName: 'openapi', method: 'GET' }))
  .handler(async (_event, context) =>
    jsonResponse(200, document, { 'X-Request-Id': stateOf(context).requestId, 'Cache-Control': 'public, max-age=300' }),
  );
