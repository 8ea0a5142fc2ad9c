/** Validates path, query, headers and body with the route's zod schemas; unknown fields are refused. */
import type { MiddlewareObj } from '@middy/core';
import type * as z from 'zod/mini';
import { issuesOf, MAX_NAMED_UNKNOWN_KEYS, MAX_REPORTED_ISSUES, ValidationError, type FieldIssue } from '../errors';
import type { HttpResponse } from '../platform/http-event';
import { stateOf, type HttpContext } from './http-state';

export interface RequestSchemas {
  readonly path?: z.ZodMiniType;
  readonly query?: z.ZodMiniType;
  readonly headers?: z.ZodMiniType;
  readonly body?: z.ZodMiniType;
}

/** Only the headers a route declares are validated; gateways add many of their own. */
function pickHeaders(schema: z.ZodMiniType | undefined, headers: Readonly<Record<string, string>>): Record<string, string> {
  const shape = (schema as unknown as { shape?: Record<string, unknown> } | undefined)?.shape;
  const out: Record<string, string> = {};
  for (const name of Object.keys(shape ?? {})) {
    const value = headers[name];
    if (value !== undefined) out[name] = value;
  }
  return out;
}

export function validation(schemas: RequestSchemas): MiddlewareObj<unknown, HttpResponse, Error, HttpContext> {
  return {
    before: (request) => {
      const state = stateOf(request.context);
      const http = state.http;
      if (!http) throw new Error('validation runs after platformHttpEvent');
      const issues: FieldIssue[] = [];
      const check = (prefix: string, schema: z.ZodMiniType | undefined, value: unknown): unknown => {
        if (!schema) return undefined;
        const result = schema.safeParse(value);
        if (result.success) return result.data;
        issues.push(...issuesOf(prefix, result.error));
        return undefined;
      };
      const input = {
        path: check('path', schemas.path, http.pathParameters),
        query: check('query', schemas.query, http.query),
        headers: check('headers', schemas.headers, pickHeaders(schemas.headers, http.headers)),
        body: check('body', schemas.body, state.body === undefined && schemas.body ? {} : state.body),
      };
      if (!schemas.query && Object.keys(http.query).length > 0) {
        issues.push(...Object.keys(http.query).slice(0, MAX_NAMED_UNKNOWN_KEYS).map((key) => ({ field: `query.${key.slice(0, 64)}`, message: 'is not a known field' })));
      }
      if (!schemas.body && state.body !== undefined) issues.push({ field: 'body', message: 'this route takes no body' });
      // The message names the reported fields only, so it stays as bounded as they are.
      const reported = issues.slice(0, MAX_REPORTED_ISSUES);
      if (reported.length > 0) throw new ValidationError(`Invalid request: ${reported.map((i) => i.field).join(', ')}`, reported);
      state.input = input;
    },
  };
}
