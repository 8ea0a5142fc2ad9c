/**
 * The platform's invocation context → what our functions need from it. FunctionGraph passes a context
 * with getter methods (request id, remaining time, user data, the agency's temporary credentials);
 * Lambda passes awsRequestId and getRemainingTimeInMillis().
 */
import type { TemporaryCredentials } from '../auth/credentials';

export type Platform = 'functiongraph' | 'lambda' | 'local';

export interface InvocationContext {
  readonly platform: Platform;
  readonly requestId: string;
  /** Milliseconds left before the platform stops the invocation; undefined when unknown. */
  remainingMs(): number | undefined;
  /** The function agency's temporary credentials (FunctionGraph), fresh per invocation. */
  readonly temporaryCredentials: TemporaryCredentials | undefined;
  /** FunctionGraph's per-function configuration (user data); undefined on Lambda. */
  userData(key: string): string | undefined;
}

/** Duck-typed FunctionGraph context (Node.js runtime): every member is a method. */
interface FunctionGraphContext {
  getRequestID(): string;
  getRemainingTimeInMilliSeconds?(): number;
  getUserData?(key: string): string | undefined;
  getSecurityAccessKey?(): string;
  getSecuritySecretKey?(): string;
  getSecurityToken?(): string;
}

interface LambdaLikeContext {
  awsRequestId?: string;
  getRemainingTimeInMillis?(): number;
}

function isFunctionGraphContext(context: unknown): context is FunctionGraphContext {
  return typeof (context as FunctionGraphContext | undefined)?.getRequestID === 'function';
}

function nonEmpty(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

let localCounter = 0;

export function fromPlatformContext(context: unknown): InvocationContext {
  if (isFunctionGraphContext(context)) {
    const accessKey = nonEmpty(context.getSecurityAccessKey?.());
    const secretKey = nonEmpty(context.getSecuritySecretKey?.());
    const securityToken = nonEmpty(context.getSecurityToken?.());
    return {
      platform: 'functiongraph',
      requestId: context.getRequestID(),
      remainingMs: () => context.getRemainingTimeInMilliSeconds?.(),
      temporaryCredentials: accessKey && secretKey ? { accessKey, secretKey, ...(securityToken ? { securityToken } : {}) } : undefined,
      userData: (key) => nonEmpty(context.getUserData?.(key)),
    };
  }
  const lambda = (context ?? {}) as LambdaLikeContext;
  const requestId = nonEmpty(lambda.awsRequestId);
  return {
    platform: requestId ? 'lambda' : 'local',
    requestId: requestId ?? `local-${Date.now().toString(36)}-${(localCounter++).toString(36)}`,
    remainingMs: () => lambda.getRemainingTimeInMillis?.(),
    temporaryCredentials: undefined,
    userData: () => undefined,
  };
}

/** Time kept back from the platform's limit to answer cleanly instead of being killed. */
export const DEADLINE_MARGIN_MS = 2_000;
/** The budget of an invocation whose platform does not tell the time left (a local run). */
export const DEFAULT_INVOCATION_BUDGET_MS = 25_000;

/** Aborts when the invocation should stop, `DEADLINE_MARGIN_MS` before the platform's limit. */
export function invocationSignal(remainingMs: number | undefined): AbortSignal {
  const budget = remainingMs === undefined ? DEFAULT_INVOCATION_BUDGET_MS : Math.max(1, remainingMs - DEADLINE_MARGIN_MS);
  return AbortSignal.timeout(budget);
}
