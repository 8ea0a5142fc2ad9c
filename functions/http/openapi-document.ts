/** The OpenAPI document as the route schemas generate it (build time: scripts/generate-openapi.ts). */
import { buildOpenApiDocument } from '../../shared/openapi';
import { API_VERSION } from './api-version';
import { httpRoutes } from './routes';

export function currentOpenApiDocument(): Record<string, unknown> {
  return buildOpenApiDocument(httpRoutes, { version: API_VERSION });
}
