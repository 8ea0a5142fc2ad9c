/** GET /v1/openapi.json: the OpenAPI 3.1 document, public like any API reference. */
import middy from '@middy/core';
import { httpErrors } from '../../shared/middleware/http-errors';
import type { HttpContext } from '../../shared/middleware/http-state';
import { stateOf } from '../../shared/middleware/http-state';
import { platformHttpEvent } from '../../shared/middleware/platform-http-event';
import { buildOpenApiDocument } from '../../shared/openapi';
import { jsonResponse, type HttpResponse } from '../../shared/platform/http-event';
import { httpRoutes } from './routes';

export const API_VERSION = '1.0.0';
let document: Record<string, unknown> | undefined;

export const handler = middy<unknown, HttpResponse, Error, HttpContext>({ timeoutEarlyInMillis: 0 })
  .use(httpErrors())
  .use(platformHttpEvent({ functionName: 'openapi' }))
  .handler(async (_event, context) => {
    document ??= buildOpenApiDocument(httpRoutes, { version: API_VERSION });
    return jsonResponse(200, document, { 'X-Request-Id': stateOf(context).requestId, 'Cache-Control': 'public, max-age=300' });
  });
