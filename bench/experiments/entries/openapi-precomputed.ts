/**
 * Experiment: the OpenAPI function serving a document generated at build time (injected by esbuild's
 * `define` as the response text), so that its bundle holds neither the routes, nor their schemas, nor the
 * client and axios. The same middy chain and response as functions/http/openapi.ts.
 */
import middy from '@middy/core';
import { httpErrors } from '../../../shared/middleware/http-errors';
import { stateOf, type HttpContext } from '../../../shared/middleware/http-state';
import { platformHttpEvent } from '../../../shared/middleware/platform-http-event';
import type { HttpResponse } from '../../../shared/platform/http-event';

declare const __OPENAPI_DOCUMENT__: string;

export const handler = middy<unknown, HttpResponse, Error, HttpContext>({ timeoutEarlyInMillis: 0 })
  .use(httpErrors())
  .use(platformHttpEvent({ functionName: 'openapi' }))
  .handler(async (_event, context) => ({
    statusCode: 200,
    headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', 'X-Request-Id': stateOf(context).requestId },
    body: __OPENAPI_DOCUMENT__,
    isBase64Encoded: false,
  }));
