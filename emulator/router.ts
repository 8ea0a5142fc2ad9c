/**
 * The route registry. A route is `{ name, method, pattern, handler }`; a pattern is a path with
 * `{param}` segments (each matches one non-empty segment). Service modules live in emulator/routes/*.ts
 * and export a `readonly RouteDefinition[]`; emulator/routes/index.ts lists them.
 */
import type { EmulatorClock } from './clock';
import type { EmulatorRequest, RouteResponse } from './http';
import type { EmulatorIdentity } from './identity';
import type { EmulatorState } from './state';
import type { FaultSettings } from './faults';
import type { RecordedRequest } from './recorder';

export type HttpMethod = 'GET' | 'POST' | 'PUT' | 'DELETE' | 'PATCH';

/** Who the gateway authenticated. */
export type Caller =
  | { readonly kind: 'aksk'; readonly accessKey: string; readonly temporary: boolean }
  | { readonly kind: 'token'; readonly userId: string; readonly userName: string }
  | { readonly kind: 'none' };

/** Controls of the running emulator, for the admin routes. */
export interface EmulatorControl {
  getFaults(): FaultSettings;
  setFaults(settings: FaultSettings): void;
  requests: RecordedRequest[];
  reset(): void;
}

export interface RouteContext {
  readonly request: EmulatorRequest;
  readonly state: EmulatorState;
  readonly clock: EmulatorClock;
  readonly identity: EmulatorIdentity;
  readonly caller: Caller;
  readonly control: EmulatorControl;
}

export interface RouteDefinition {
  /** Operation name, recorded with each request (e.g. 'ListFactoryPendingItems'). */
  readonly name: string;
  readonly method: HttpMethod;
  /** e.g. '/v2/{project_id}/factory/pending-items'. Routes under '/_emulator/' are admin routes. */
  readonly pattern: string;
  /**
   * 'gateway' (default): AK/SK signature, temporary credentials or X-Auth-Token, like Huawei's API gateway.
   * 'none': no authentication (IAM token issuing, admin routes).
   */
  readonly auth?: 'gateway' | 'none';
  /**
   * 'service' (default): faults apply (when the fault pathPattern, if any, matches).
   * 'opt-in': faults apply only when a pathPattern is set and matches (IAM).
   * 'none': never (admin).
   */
  readonly faults?: 'service' | 'opt-in' | 'none';
  readonly handler: (context: RouteContext) => RouteResponse | Promise<RouteResponse>;
}

export interface CompiledRoute {
  readonly route: RouteDefinition;
  readonly regex: RegExp;
  readonly params: readonly string[];
}

/** Identity helper for typing a module's routes. */
export function defineRoutes(routes: readonly RouteDefinition[]): readonly RouteDefinition[] {
  return routes;
}

export function compileRoute(route: RouteDefinition): CompiledRoute {
  const params: string[] = [];
  const source = route.pattern
    .split('/')
    .map((segment) => {
      const m = /^\{([A-Za-z_][A-Za-z0-9_]*)\}$/.exec(segment);
      if (m?.[1]) {
        params.push(m[1]);
        return '([^/]+)';
      }
      return segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
    })
    .join('/');
  return { route, regex: new RegExp(`^${source}/?$`), params };
}

export type RouteMatch =
  | { readonly kind: 'found'; readonly route: RouteDefinition; readonly params: Record<string, string> }
  | { readonly kind: 'not-found' };

export class RouteTable {
  private readonly compiled: CompiledRoute[] = [];

  constructor(routes: readonly RouteDefinition[] = []) {
    this.add(routes);
  }

  /** Adds routes; a literal pattern should be added before a pattern with a parameter in the same place. */
  add(routes: readonly RouteDefinition[]): void {
    for (const route of routes) this.compiled.push(compileRoute(route));
  }

  match(method: string, rawPath: string): RouteMatch {
    for (const { route, regex, params } of this.compiled) {
      if (route.method !== method) continue;
      const m = regex.exec(rawPath);
      if (!m) continue;
      const values: Record<string, string> = {};
      let ok = true;
      params.forEach((name, i) => {
        try {
          values[name] = decodeURIComponent(m[i + 1] ?? '');
        } catch {
          ok = false;
        }
      });
      if (ok) return { kind: 'found', route, params: values };
    }
    return { kind: 'not-found' };
  }
}

