/**
 * The local Huawei Cloud: a node:http server that serves the operations this project calls at their real
 * paths, authenticates like Huawei's API gateway, and holds a deterministic seeded tenant. See README.md.
 */
export { DEFAULT_IDENTITY, identityFromEnv, type EmulatorIdentity } from './identity';
export { EmulatorClock } from './clock';
export type { FaultSettings, FaultKind } from './faults';
export type { RecordedRequest } from './recorder';
export { EmulatorState } from './state';
export { startEmulator, type EmulatorOptions, type RunningEmulator } from './server';
export { faultsFromEnv, optionsFromEnv } from './env';
export { defineRoutes, type RouteDefinition, type RouteContext, type Caller } from './router';
export { EmulatorError, apigError, dlfError, deployError, pipelineError, type EmulatorRequest, type RouteResponse } from './http';
export { SEED, SEED_USERS, SEED_PACKAGES, SEED_DEPLOY_TASKS, SEED_PIPELINES, SEED_PENDING_ITEMS } from './seed';
