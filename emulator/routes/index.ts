/**
 * The route table. To add a service (e.g. FunctionGraph): write emulator/routes/<service>.ts exporting a
 * `readonly RouteDefinition[]` and add it to SERVICE_ROUTES below (one line). Routes may keep their own
 * state with `ctx.state.extension(key, () => initial)`. A test can also pass extra routes to
 * startEmulator({ routes }).
 */
import type { RouteDefinition } from '../router';
import { adminRoutes } from './admin';
import { codeartsDeployRoutes } from './codearts-deploy';
import { codeartsPipelineRoutes } from './codearts-pipeline';
import { dataartsRoutes } from './dataarts';
import { functiongraphRoutes } from './functiongraph';
import { iamRoutes } from './iam';

export const SERVICE_ROUTES: readonly (readonly RouteDefinition[])[] = [
  dataartsRoutes,
  codeartsDeployRoutes,
  codeartsPipelineRoutes,
  iamRoutes,
  functiongraphRoutes,
];

export const ADMIN_ROUTES: readonly RouteDefinition[] = adminRoutes;

export function builtInRoutes(): RouteDefinition[] {
  return [...ADMIN_ROUTES, ...SERVICE_ROUTES.flat()];
}
