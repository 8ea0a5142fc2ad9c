/**
 * The middy chain of the timer and event functions (style guide habit 3: an error logger plus event
 * validation, nothing else):
 *
 *   errorLogger       → per-invocation state (platform context, logger tagged with the request id, a
 *                       deadline signal); logs any failure once and lets it propagate, so the platform
 *                       retries the same event (windows and names derive from it: retries are idempotent)
 *   event validation  → the timer event (AWS scheduled / FunctionGraph TIMER) or the pipeline event
 *                       (CloudEvent / EventBridge); a malformed one is logged with the reason and
 *                       acknowledged with `{ status: 'ignored', reason }`: no side effect, no retry
 *   handler           → runtime (config + client, once per container) and the function's own logic
 */
import '../zod-config';
import middy, { type MiddlewareObj } from '@middy/core';
import type { Context } from 'aws-lambda';
import * as z from 'zod/mini';
import { ConfigError } from '../errors';
import { UpstreamError } from '../http/upstream-error';
import { logger as rootLogger, type Logger } from '../logger';
import { parseReceivedEvent, type ReceivedEvent } from '../platform/cloud-event';
import { fromPlatformContext, invocationSignal, type InvocationContext } from '../platform/invocation';
import { parseTimerEvent, type TimerFiring } from '../platform/timer-event';
import { lazyRuntime, type Runtime, type RuntimeSource } from '../runtime';
import type { ConfigSource } from './config';
import { NoWindowError } from './schedule';

export const ignoredResultSchema = z.object({ status: z.literal('ignored'), reason: z.string() });
export type IgnoredResult = z.infer<typeof ignoredResultSchema>;

export interface InvocationState {
  readonly functionName: string;
  readonly invocation: InvocationContext;
  readonly logger: Logger;
  /** Aborted shortly before the platform would stop the invocation. */
  readonly signal: AbortSignal;
  firing?: TimerFiring;
  event?: ReceivedEvent;
}

export type InvocationContextWithState = Context & { hrfInvocation?: InvocationState };

function stateOf(context: InvocationContextWithState): InvocationState {
  if (!context.hrfInvocation) throw new Error('invocation state is missing: errorLogger must run first');
  return context.hrfInvocation;
}

/** First middleware: sets up the invocation and logs a failure once, with its cause, before rethrowing. */
export function errorLogger<R>(options: { functionName: string }): MiddlewareObj<unknown, R, Error, InvocationContextWithState> {
  return {
    before: (request) => {
      const invocation = fromPlatformContext(request.context);
      request.context.hrfInvocation = {
        functionName: options.functionName,
        invocation,
        logger: rootLogger.child({ function: options.functionName, request_id: invocation.requestId, platform: invocation.platform }),
        signal: invocationSignal(invocation.remainingMs()),
      };
    },
    onError: (request) => {
      const log = request.context.hrfInvocation?.logger ?? rootLogger.child({ function: options.functionName });
      const error = request.error;
      log.error(error instanceof ConfigError ? 'Invocation failed: configuration error' : 'Invocation failed', {
        error,
        ...(error instanceof ConfigError ? { variable: error.variable } : {}),
        ...(error instanceof UpstreamError ? { upstream: { operation: error.operation, kind: error.kind, status: error.status, error_code: error.errorCode, request_id: error.requestId } } : {}),
      });
    },
  };
}

/** Timer event validation: AWS scheduled events and FunctionGraph TIMER events; anything else is acknowledged. */
export function timerEventValidation<R>(): MiddlewareObj<unknown, R | IgnoredResult, Error, InvocationContextWithState> {
  return {
    before: (request) => {
      const state = stateOf(request.context);
      const parsed = parseTimerEvent(request.event);
      if (!parsed.ok) {
        state.logger.warn('Malformed timer event acknowledged without action', { reason: parsed.reason });
        return { status: 'ignored', reason: parsed.reason } satisfies IgnoredResult;
      }
      state.firing = parsed.firing;
      return undefined;
    },
  };
}

/** Pipeline event validation: a CloudEvent or an EventBridge event; anything else is acknowledged. */
export function receivedEventValidation<R>(): MiddlewareObj<unknown, R | IgnoredResult, Error, InvocationContextWithState> {
  return {
    before: (request) => {
      const state = stateOf(request.context);
      const parsed = parseReceivedEvent(request.event);
      if (!parsed.ok) {
        state.logger.warn('Malformed event acknowledged without action', { reason: parsed.reason });
        return { status: 'ignored', reason: parsed.reason } satisfies IgnoredResult;
      }
      state.event = parsed.event;
      return undefined;
    },
  };
}

export interface RunContext<C> {
  readonly functionName: string;
  readonly runtime: Runtime;
  readonly config: C;
  readonly invocation: InvocationContext;
  readonly logger: Logger;
  readonly signal: AbortSignal;
}

export interface TimerFunctionSpec<C, R> {
  /** The function's key in serverless.yml; also the audit actor. */
  readonly functionName: string;
  readonly config: ConfigSource<C>;
  readonly runtime?: RuntimeSource;
  readonly run: (firing: TimerFiring, context: RunContext<C>) => Promise<R>;
}

function runContext<C>(state: InvocationState, runtimeSource: RuntimeSource, configSource: ConfigSource<C>): RunContext<C> {
  const runtime = runtimeSource(state.invocation);
  return {
    functionName: state.functionName,
    runtime,
    config: configSource(state.invocation, runtime),
    invocation: state.invocation,
    logger: state.logger,
    signal: state.signal,
  };
}

/** What the platforms call: any event, a Lambda or FunctionGraph context. */
export type PlatformHandler<R> = (event: unknown, context: unknown) => Promise<R>;

export function timerFunction<C, R>(spec: TimerFunctionSpec<C, R>): PlatformHandler<R | IgnoredResult> {
  const runtimeSource = spec.runtime ?? lazyRuntime();
  const chain = middy<unknown, R | IgnoredResult, Error, InvocationContextWithState>({ timeoutEarlyInMillis: 0 })
    .use(errorLogger<R | IgnoredResult>({ functionName: spec.functionName }))
    .use(timerEventValidation<R>())
    .handler(async (_event, context) => {
      const state = stateOf(context);
      if (!state.firing) throw new Error('timer event validation did not run');
      try {
        return await spec.run(state.firing, runContext(state, runtimeSource, spec.config));
      } catch (error) {
        if (!(error instanceof NoWindowError)) throw error;
        state.logger.warn('Timer firing acknowledged without action', { reason: error.message });
        return { status: 'ignored', reason: error.message } satisfies IgnoredResult;
      }
    });
  return (event, context) => chain(event, context as InvocationContextWithState);
}

export interface EventFunctionSpec<C, R> {
  readonly functionName: string;
  readonly config: ConfigSource<C>;
  readonly runtime?: RuntimeSource;
  readonly run: (event: ReceivedEvent, context: RunContext<C>) => Promise<R>;
}

export function eventFunction<C, R>(spec: EventFunctionSpec<C, R>): PlatformHandler<R | IgnoredResult> {
  const runtimeSource = spec.runtime ?? lazyRuntime();
  const chain = middy<unknown, R | IgnoredResult, Error, InvocationContextWithState>({ timeoutEarlyInMillis: 0 })
    .use(errorLogger<R | IgnoredResult>({ functionName: spec.functionName }))
    .use(receivedEventValidation<R>())
    .handler(async (_event, context) => {
      const state = stateOf(context);
      if (!state.event) throw new Error('event validation did not run');
      return spec.run(state.event, runContext(state, runtimeSource, spec.config));
    });
  return (event, context) => chain(event, context as InvocationContextWithState);
}

/**
 * Worth retrying the same event later: throttling and server errors that outlasted the client's own
 * retries, network failures, deadlines, unknown outcomes. Anything else (a 4xx, a bad response) would
 * fail the same way again, so it is reported in the result instead of thrown.
 */
export function isTransientFailure(error: unknown): boolean {
  if (!(error instanceof UpstreamError)) return error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError');
  if (error.outcomeUnknown || error.kind === 'network' || error.kind === 'timeout') return true;
  // `credentials` with a status is IAM's answer to the token request: throttled or down is worth a redelivery too.
  return (error.kind === 'http' || error.kind === 'credentials') && error.status !== undefined && (error.status === 429 || error.status >= 500);
}

/** One line saying what failed upstream, without secrets: `StartDeployTask http 404 Deploy.00011020: …`. */
export function describeFailure(error: unknown): string {
  if (error instanceof UpstreamError) {
    return `${error.operation} ${error.kind}${error.status ? ` ${error.status}` : ''}${error.errorCode ? ` ${error.errorCode}` : ''}${error.errorMsg ? `: ${error.errorMsg}` : ''}${error.outcomeUnknown ? ' (outcome unknown)' : ''}`;
  }
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}
