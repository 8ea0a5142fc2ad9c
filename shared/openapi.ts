/** The OpenAPI 3.1 document of our HTTP routes, generated from the same zod schemas that validate them. */
import './zod-config';
import * as z from 'zod/mini';
import { listItemSchemas } from './contracts/fields';
import type { AnyRouteSpec } from './http-function';

const errorBodySchema = z.object({
  error_code: z.string(),
  error_msg: z.string(),
  request_id: z.string(),
  fields: z.optional(z.array(z.object({ field: z.string(), message: z.string() }))),
});

function jsonSchema(schema: z.ZodMiniType, io: 'input' | 'output'): Record<string, unknown> {
  const { $schema: _ignored, ...rest } = z.toJSONSchema(schema, {
    io,
    unrepresentable: 'any',
    // A list read as empty when null (shared/contracts/fields.ts) is, as output, the array it always is.
    override: ({ zodSchema, jsonSchema: generated }) => {
      const item = io === 'output' ? listItemSchemas.get(zodSchema) : undefined;
      if (item) Object.assign(generated, jsonSchema(z.array(item), io));
    },
  }) as Record<string, unknown>;
  return rest;
}

function parameters(spec: AnyRouteSpec): unknown[] {
  const out: unknown[] = [];
  const add = (where: 'path' | 'query' | 'header', schema: z.ZodMiniType | undefined) => {
    if (!schema) return;
    const json = jsonSchema(schema, 'input') as { properties?: Record<string, unknown>; required?: string[] };
    for (const [name, property] of Object.entries(json.properties ?? {})) {
      out.push({ name, in: where, required: where === 'path' || (json.required ?? []).includes(name), schema: property });
    }
  };
  add('path', spec.request.path);
  add('query', spec.request.query);
  add('header', spec.request.headers);
  return out;
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function buildOpenApiDocument(routes: readonly AnyRouteSpec[], info: { version: string; serverUrl?: string }): Record<string, unknown> {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const spec of routes) {
    const operation: Record<string, unknown> = {
      operationId: spec.functionName,
      summary: spec.summary,
      ...(spec.description ? { description: spec.description } : {}),
      security: [{ bearer: [] }, { appSignature: [] }, ...(spec.webhookSignatures ? [{ standardWebhooks: [] }] : [])],
      'x-required-scope': spec.scope,
      parameters: parameters(spec),
      ...(spec.request.body
        ? { requestBody: { required: spec.request.bodyRequired ?? false, content: { 'application/json': { schema: jsonSchema(spec.request.body, 'input') } } } }
        : {}),
      responses: {
        [String(spec.successStatus ?? 200)]: { description: 'Success', content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } } },
        ...Object.fromEntries(
          Object.entries(spec.otherSuccesses ?? {}).map(([status, description]) => [status, { description, content: { 'application/json': { schema: jsonSchema(spec.response, 'output') } } }]),
        ),
        '400': errorResponse('Invalid request; `fields` names each offending field'),
        '401': errorResponse('No credential, or an invalid one'),
        '403': errorResponse('The credential lacks the scope, or may not use the workspace, deploy task or pipeline'),
        '405': errorResponse('Another method than the route\'s; Allow names it'),
        '409': errorResponse(
          'Conflict (a duplicate in progress, a name taken, a review already decided); HRF.0409.ALREADY_RECEIVED: this very app-signed request was taken already (sign it anew; Retry-After: 1, as a retry signed within the same second carries the same signature)',
        ),
        ...(spec.request.body
          ? {
              '413': errorResponse('The body is larger than the route accepts'),
              '415': errorResponse('The body is not sent as Content-Type application/json'),
            }
          : {}),
        '422': errorResponse('Understood but not done (an Idempotency-Key reused with another payload, items already in a release package); `fields` names each'),
        '429': errorResponse('Huawei Cloud is throttling, or this client has filled its share of the memory of signed requests taken (against replays); see Retry-After'),
        '500': errorResponse('An internal error; the response says nothing more (the log does)'),
        '502': errorResponse(
          'Huawei Cloud failed (HRF.0502.UPSTREAM, HRF.0502.NETWORK, HRF.0502.RESPONSE), refused our own credentials (HRF.0502.UPSTREAM_AUTH, HRF.0502.CREDENTIALS, HRF.0502.CLOCK_SKEW), is not offered in the region (HRF.0502.REGION) or the configured workspace does not exist (HRF.0502.CONFIG); a write whose outcome is unknown is HRF.0502.OUTCOME_UNKNOWN',
        ),
        '504': errorResponse('Huawei Cloud did not answer in time'),
      },
    };
    (paths[spec.path] ??= {})[spec.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'hwc-release-functions', version: info.version, description: 'Release automation for DataArts Studio and CodeArts on Huawei Cloud.' },
    ...(info.serverUrl ? { servers: [{ url: info.serverUrl }] } : {}),
    paths,
    components: {
      schemas: { Error: jsonSchema(errorBodySchema, 'output') },
      securitySchemes: {
        bearer: { type: 'http', scheme: 'bearer' },
        appSignature: {
          type: 'apiKey',
          in: 'header',
          name: 'Authorization',
          description: 'SDK-HMAC-SHA256 app signature (Huawei APIG app authentication), with X-Sdk-Date',
        },
        standardWebhooks: {
          type: 'apiKey',
          in: 'header',
          name: 'webhook-signature',
          description: 'Standard Webhooks signature (webhook-id, webhook-timestamp within 5 minutes, webhook-signature v1,<base64 HMAC-SHA256>), for the routes that receive webhooks',
        },
      },
    },
  };
}
