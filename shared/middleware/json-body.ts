/** Parses a JSON body: only application/json, at most `maxBytes`, valid UTF-8 JSON. */
import type { MiddlewareObj } from '@middy/core';
import { PayloadTooLargeError, UnsupportedMediaTypeError, ValidationError } from '../errors';
import type { HttpResponse } from '../platform/http-event';
import { stateOf, type HttpContext } from './http-state';

export const DEFAULT_MAX_BODY_BYTES = 256 * 1024;

export function jsonBody(options: { required: boolean; maxBytes?: number }): MiddlewareObj<unknown, HttpResponse, Error, HttpContext> {
  const maxBytes = options.maxBytes ?? DEFAULT_MAX_BODY_BYTES;
  return {
    before: (request) => {
      const state = stateOf(request.context);
      const http = state.http;
      if (!http) throw new Error('jsonBody runs after platformHttpEvent');
      if (http.rawBody.length === 0) {
        if (options.required) throw new ValidationError('A JSON body is required', [{ field: 'body', message: 'is required' }]);
        return;
      }
      if (http.rawBody.length > maxBytes) throw new PayloadTooLargeError(`The body is larger than ${maxBytes} bytes`, { fields: [{ field: 'body', message: `must be at most ${maxBytes} bytes` }] });
      const contentType = (http.headers['content-type'] ?? '').split(';')[0]?.trim().toLowerCase();
      // application/json, or a JSON-based type such as application/cloudevents+json.
      if (contentType !== 'application/json' && !/^application\/[a-z0-9.-]+\+json$/.test(contentType ?? '')) {
        throw new UnsupportedMediaTypeError('Content-Type must be application/json', { fields: [{ field: 'headers.content-type', message: 'must be application/json' }] });
      }
      const text = new TextDecoder('utf-8', { fatal: true, ignoreBOM: false });
      let parsed: unknown;
      try {
        parsed = JSON.parse(text.decode(http.rawBody));
      } catch {
        throw new ValidationError('The body is not valid JSON', [{ field: 'body', message: 'must be valid UTF-8 JSON' }]);
      }
      state.body = parsed;
    },
  };
}
