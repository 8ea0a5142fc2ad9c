/**
 * The one place errors become responses. Typed errors own their status; upstream failures are mapped by
 * class (see toHttpError); anything unexpected is a 500 that says nothing about its cause.
 */
import type { MiddlewareObj } from '@middy/core';
import {
  BadGatewayError,
  GatewayTimeoutError,
  HttpError,
  InternalError,
  TooManyRequestsError,
  UpstreamRejectedError,
  ValidationError,
} from '../errors';
import { UpstreamError } from '../http/upstream-error';
import { UnsupportedRegionError } from '../config/endpoints';
import { ConfigError } from '../errors';
import { logger as rootLogger } from '../logger';
import { jsonResponse, type HttpResponse } from '../platform/http-event';
import type { HttpContext } from './http-state';
import type { Runtime } from '../runtime';

/**
 * A write that was sent and then failed in a way that says nothing of whether Huawei Cloud applied it (its
 * answer lost, a 5xx, a 2xx that cannot be read): the caller must not take it for "nothing happened".
 * Publishing reconciles a retry of the same request by itself; for anything else, look before sending again.
 */
function outcomeUnknown(error: UpstreamError, what: string): HttpError {
  return new BadGatewayError(
    `Huawei Cloud received ${error.operation}, but ${what}: whether it was applied is unknown, so check before sending it again`,
    'HRF.0502.OUTCOME_UNKNOWN',
  );
}

/** Maps an upstream failure to what our caller should see. */
export function upstreamToHttpError(error: UpstreamError): HttpError {
  const where = `${error.operation}${error.errorCode ? ` (${error.errorCode})` : ''}`;
  switch (error.kind) {
    case 'invalid-request':
      return new ValidationError(error.message, error.issues);
    case 'clock-skew':
      return new BadGatewayError(
        `Huawei Cloud refused the request signature as expired: the function's clock is off by more than 15 minutes (${where})`,
        'HRF.0502.CLOCK_SKEW',
      );
    case 'credentials':
      return new BadGatewayError(`This function cannot call Huawei Cloud: ${error.message}`, 'HRF.0502.CREDENTIALS');
    case 'timeout':
      return new GatewayTimeoutError(
        `Huawei Cloud did not answer ${error.operation} in time${error.outcomeUnknown ? '; the outcome is unknown' : ''}`,
      );
    case 'network':
      if (error.outcomeUnknown) return outcomeUnknown(error, 'its answer was lost');
      return new BadGatewayError(`Huawei Cloud could not be reached for ${error.operation}`, 'HRF.0502.NETWORK');
    case 'invalid-response':
      if (error.outcomeUnknown) return outcomeUnknown(error, `its ${error.status ? `${error.status} ` : ''}answer could not be read`);
      return new BadGatewayError(`Huawei Cloud answered ${error.operation} with an unexpected response`, 'HRF.0502.RESPONSE');
    case 'http': {
      const status = error.status ?? 502;
      if (status === 401 || status === 403) {
        return new BadGatewayError(
          `Huawei Cloud refused this function's own credentials for ${where}: check the AK/SK, token or agency permissions`,
          'HRF.0502.UPSTREAM_AUTH',
        );
      }
      if (status === 429) {
        return new TooManyRequestsError(`Huawei Cloud is throttling ${error.operation}; retry later`, Math.ceil((error.retryAfterMs ?? 5_000) / 1000));
      }
      if (status === 504) return new GatewayTimeoutError(`Huawei Cloud timed out on ${error.operation}${error.outcomeUnknown ? '; the outcome is unknown' : ''}`);
      if (status >= 400 && status < 500) {
        return new UpstreamRejectedError(status, error.errorCode ?? `HRF.${status}`, error.errorMsg ?? `Huawei Cloud rejected ${error.operation}`);
      }
      if (error.outcomeUnknown) return outcomeUnknown(error, `it failed with status ${status}${error.errorCode ? ` ${error.errorCode}` : ''}`);
      return new BadGatewayError(`Huawei Cloud failed on ${where} with status ${status}`, 'HRF.0502.UPSTREAM');
    }
    default:
      return new BadGatewayError(`Huawei Cloud failed on ${error.operation}`, 'HRF.0502.UPSTREAM');
  }
}

export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  if (error instanceof UpstreamError) return upstreamToHttpError(error);
  if (error instanceof ConfigError) return new InternalError('Configuration error', { cause: error });
  if (error instanceof UnsupportedRegionError) return new BadGatewayError(error.message, 'HRF.0502.REGION', error);
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) {
    return new GatewayTimeoutError('The request ran out of time');
  }
  return new InternalError('Internal error', { cause: error });
}

/** DataArts' "workspace does not exist", when the workspace is the one configured: the deployment's to fix, not the caller's. */
const WORKSPACE_NOT_FOUND = 'DLF.0819';

function configuredWorkspaceMissing(error: unknown, runtime: Runtime | undefined): HttpError | undefined {
  if (!(error instanceof UpstreamError && error.errorCode === WORKSPACE_NOT_FOUND)) return undefined;
  if (error.workspace === undefined || error.workspace !== runtime?.config.dataartsWorkspace) return undefined;
  return new BadGatewayError(
    `The DataArts workspace configured in HUAWEICLOUD_DATAARTS_WORKSPACE does not exist (${error.operation} answered ${WORKSPACE_NOT_FOUND})`,
    'HRF.0502.CONFIG',
  );
}

export function httpErrors(): MiddlewareObj<unknown, HttpResponse, Error, HttpContext> {
  return {
    onError: (request) => {
      const state = request.context.hrf;
      const log = state?.logger ?? rootLogger;
      const error = request.error;
      const mapped = configuredWorkspaceMissing(error, state?.runtime) ?? toHttpError(error);
      const requestId = state?.requestId ?? 'unknown';
      const details = {
        status: mapped.statusCode,
        error_code: mapped.errorCode,
        error,
        ...(error instanceof UpstreamError
          ? { upstream: { operation: error.operation, kind: error.kind, status: error.status, request_id: error.requestId } }
          : {}),
      };
      if (mapped.statusCode >= 500) log.error('Request failed', details);
      else log.info('Request refused', details);
      request.response = jsonResponse(mapped.statusCode, mapped.toBody(requestId), { ...mapped.headers, 'X-Request-Id': requestId });
    },
  };
}
