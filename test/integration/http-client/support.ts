/** Shared pieces of the HTTP client tests: the configuration, a client with injected time, failures as plain objects. */
import { loadHuaweiCloudConfig, type HuaweiCloudConfig } from '../../../shared/config/env';
import { HuaweiCloudClient, type ClientDeps } from '../../../shared/http/client';
import { UpstreamError } from '../../../shared/http/upstream-error';
import { verifyRequest, type VerifyResult } from '../../../shared/signing/verifier';
import { manualClock, recordingSleep, type UpstreamRequest } from '../../helpers/fake-upstream';
import { TEST_CODEARTS_PROJECT, TEST_PROJECT_ID, TEST_WORKSPACE, testEnv } from '../../helpers/runtime';

export const AK = 'HWCLOCALEMULATORAK01';
export const SK = 'hwc-local-emulator-secret-key-0000000001';
export const PROJECT = TEST_PROJECT_ID;
export const WORKSPACE = TEST_WORKSPACE;
export const CODEARTS_PROJECT = TEST_CODEARTS_PROJECT;
/** Whole seconds: X-Sdk-Date has no milliseconds. */
export const NOW = new Date('2025-06-01T08:00:00Z');

export const TASK_ID = 'd2dc947ec2424d8789bb3984bb3adf45';
export const PIPELINE_ID = 'aaaa0000bbbb1111cccc2222dddd3333';
export const RUN_ID = 'bbbb0000cccc1111dddd2222eeee3333';
export const JOB_RUN_ID = 'cccc0000dddd1111eeee2222ffff3333';
export const STEP_RUN_ID = 'dddd0000eeee1111ffff222200003333';
export const USER_A = 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1';
export const USER_B = 'b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2b2';

export const PUBLISH_BODY = {
  apply_user_id: USER_A,
  package_name: 'release_2025.06',
  pending_item_list: ['26', '27'],
  approver_ids: [USER_B],
};

export function configFor(endpoint: string, extra: Record<string, string> = {}, without: readonly string[] = []): HuaweiCloudConfig {
  const env: Record<string, string> = testEnv(endpoint, extra);
  for (const name of without) delete env[name];
  return loadHuaweiCloudConfig(env);
}

export interface TestClient {
  readonly client: HuaweiCloudClient;
  readonly clock: ReturnType<typeof manualClock>;
  readonly delays: number[];
}

/** A client whose sleeps resolve at once (recorded), random fixed at 0.5, clock pinned at NOW (or moved by `onSleep`). */
export function testClient(config: HuaweiCloudConfig, deps: Partial<ClientDeps> & { onSleep?: (ms: number, clock: ReturnType<typeof manualClock>) => void } = {}): TestClient {
  const clock = manualClock(NOW);
  const { onSleep, ...rest } = deps;
  const { sleep, delays } = recordingSleep((ms) => onSleep?.(ms, clock));
  const client = new HuaweiCloudClient({ config, now: clock.now, sleep, random: () => 0.5, ...rest });
  return { client, clock, delays };
}

/** Everything an UpstreamError says, as a plain object (so a whole failure can be compared). */
export interface Failure {
  readonly name: string;
  readonly message: string;
  readonly operation: string;
  readonly kind: string;
  readonly status: number | undefined;
  readonly errorCode: string | undefined;
  readonly errorMsg: string | undefined;
  readonly requestId: string | undefined;
  readonly retryAfterMs: number | undefined;
  readonly attempts: number;
  readonly outcomeUnknown: boolean;
  readonly issues: ReadonlyArray<{ field: string; message: string }>;
}

export async function failureOf(promise: Promise<unknown>): Promise<Failure> {
  try {
    await promise;
  } catch (error) {
    if (!(error instanceof UpstreamError)) throw error;
    return {
      name: error.name,
      message: error.message,
      operation: error.operation,
      kind: error.kind,
      status: error.status,
      errorCode: error.errorCode,
      errorMsg: error.errorMsg,
      requestId: error.requestId,
      retryAfterMs: error.retryAfterMs,
      attempts: error.attempts,
      outcomeUnknown: error.outcomeUnknown,
      issues: error.issues,
    };
  }
  throw new Error('expected the call to fail');
}

/** A failure with every field at its empty value, to spread the expected fields over. */
export const NO_FAILURE_DETAILS = {
  name: 'UpstreamError',
  status: undefined,
  errorCode: undefined,
  errorMsg: undefined,
  requestId: undefined,
  retryAfterMs: undefined,
  outcomeUnknown: false,
  issues: [],
} as const;

/** Verifies a received request's signature at `now` with the given key pairs (default the test AK/SK). */
export function verifyReceived(request: UpstreamRequest, now: Date, keys: Record<string, string> = { [AK]: SK }): VerifyResult {
  return verifyRequest(
    { method: request.method, rawPath: request.rawPath, rawQuery: request.rawQuery, headers: request.headers, body: request.body },
    { now, secretFor: (accessKey) => keys[accessKey] },
  );
}

/** The SignedHeaders list of a received Authorization header. */
export function signedHeadersOf(request: UpstreamRequest): string | undefined {
  return /SignedHeaders=([^,]+)/.exec(String(request.headers.authorization ?? ''))?.[1];
}
