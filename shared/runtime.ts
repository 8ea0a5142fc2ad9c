/**
 * Everything a function needs besides its event, built once per container from validated configuration:
 * Huawei Cloud settings, the signed client, the workspace allow-list. Who may call the HTTP functions
 * (HRF_CLIENTS) is read by their authentication step (shared/middleware/authentication.ts), so a timer
 * neither bundles nor parses it.
 *
 * Built on the first invocation rather than at import, because FunctionGraph hands configuration to the
 * function through its context (getUserData) as well as the environment; a missing or malformed value
 * fails that first invocation with the variable's name, and every later one the same way.
 */
import { loadHuaweiCloudConfig, type Env, type HuaweiCloudConfig } from './config/env';
import { ConfigError } from './errors';
import { HuaweiCloudClient } from './http/client';
import { createCredentialsProvider } from './auth/credentials';
import { workspaceIdSchema } from './contracts/ids';
import type { IdempotencyStore } from './idempotency/store';
import { registerSecret, setLogLevel } from './logger';
import type { InvocationContext } from './platform/invocation';
import { once } from './once';

export interface Runtime {
  readonly env: Env;
  readonly config: HuaweiCloudConfig;
  readonly client: HuaweiCloudClient;
  /** Workspaces a caller may pick with X-Workspace-Id (the configured default is always allowed). */
  readonly workspaceAllowList: ReadonlySet<string>;
  /**
   * A shared idempotency store, when one is plugged in; without it each function instance keeps its own
   * in memory (`idempotencyStoreOf`), built by the functions that publish, not by every function.
   */
  readonly idempotency?: IdempotencyStore;
  readonly now: () => Date;
}

export interface RuntimeOverrides {
  readonly client?: HuaweiCloudClient;
  readonly now?: () => Date;
  readonly idempotency?: IdempotencyStore;
}

function readAllowList(env: Env): Set<string> {
  const value = env.HRF_WORKSPACE_ALLOWLIST;
  const out = new Set<string>();
  if (!value) return out;
  for (const item of value.split(',').map((s) => s.trim()).filter(Boolean)) {
    if (!workspaceIdSchema.safeParse(item).success) {
      throw new ConfigError('HRF_WORKSPACE_ALLOWLIST', `"${item}" is not a workspace id (32 letters or digits)`);
    }
    out.add(item);
  }
  return out;
}

const LOG_LEVELS = new Set(['debug', 'info', 'warn', 'error'] as const);

export function createRuntime(env: Env, overrides: RuntimeOverrides = {}): Runtime {
  const config = loadHuaweiCloudConfig(env);
  // LOG_LEVEL may come from FunctionGraph user data too, which the logger cannot read at import.
  const level = env.LOG_LEVEL;
  if (level !== undefined && level !== '') {
    if (!LOG_LEVELS.has(level as never)) throw new ConfigError('LOG_LEVEL', 'must be one of debug, info, warn, error');
    setLogLevel(level as 'debug' | 'info' | 'warn' | 'error');
  }
  if (config.auth.kind === 'aksk') {
    registerSecret(config.auth.accessKey);
    registerSecret(config.auth.secretKey);
    registerSecret(config.auth.securityToken);
  } else if (config.auth.kind === 'password') registerSecret(config.auth.password);
  const now = overrides.now ?? (() => new Date());
  const allow = readAllowList(env);
  if (config.dataartsWorkspace) allow.add(config.dataartsWorkspace);
  return {
    env,
    config,
    client: overrides.client ?? new HuaweiCloudClient({ config, credentials: createCredentialsProvider(config), now }),
    workspaceAllowList: allow,
    ...(overrides.idempotency ? { idempotency: overrides.idempotency } : {}),
    now,
  };
}

/** process.env, with FunctionGraph's user data as a fallback for any variable not set in it. */
export function platformEnv(invocation: InvocationContext): Env {
  return new Proxy({} as Record<string, string | undefined>, {
    // An empty process.env value (serverless.yml's `${env:X, ''}` default) does not hide user data.
    get: (_target, name) => (typeof name === 'string' ? process.env[name] || invocation.userData(name) : undefined),
  });
}

export type RuntimeSource = (invocation: InvocationContext) => Runtime;

/** Builds the runtime on first use and keeps it (or the configuration error) for the container's life. */
export function lazyRuntime(build: (invocation: InvocationContext) => Runtime = (inv) => createRuntime(platformEnv(inv))): RuntimeSource {
  return once(build);
}

/** A fixed runtime, for tests and the local server. */
export function fixedRuntime(runtime: Runtime): RuntimeSource {
  return () => runtime;
}
