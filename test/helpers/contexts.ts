/** Platform contexts as the runtimes pass them. */
import type { Context } from 'aws-lambda';
import type { TemporaryCredentials } from '../../shared/auth/credentials';

export function lambdaContext(overrides: Partial<Context> = {}): Context {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'hwc-release-functions-dev-test',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:hwc-release-functions-dev-test',
    memoryLimitInMB: '256',
    awsRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    logGroupName: '/aws/lambda/hwc-release-functions-dev-test',
    logStreamName: '2026/11/23/[$LATEST]abcdef',
    getRemainingTimeInMillis: () => 28_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
    ...overrides,
  };
}

/** FunctionGraph's Node.js context: getters only (developer guide "Context methods"). */
export function functionGraphContext(options: { requestId?: string; userData?: Record<string, string>; credentials?: TemporaryCredentials; remainingMs?: number } = {}) {
  return {
    getRequestID: () => options.requestId ?? '6b5a1a0f-1c2d-4e3f-8a9b-0c1d2e3f4a5b',
    getRemainingTimeInMilliSeconds: () => options.remainingMs ?? 28_000,
    getAccessKey: () => '',
    getSecretKey: () => '',
    getSecurityAccessKey: () => options.credentials?.accessKey ?? '',
    getSecuritySecretKey: () => options.credentials?.secretKey ?? '',
    getSecurityToken: () => options.credentials?.securityToken ?? '',
    getUserData: (key: string) => options.userData?.[key] ?? '',
    getFunctionName: () => 'listPendingItems',
    getRunningTimeInSeconds: () => 30,
    getVersion: () => 'latest',
    getMemorySize: () => 256,
    getCPUNumber: () => 300,
    getProjectID: () => '0123456789abcdef0123456789abcdef',
    getPackage: () => 'default',
    getLogger: () => ({ info: () => undefined, warn: () => undefined, error: () => undefined, debug: () => undefined }),
    getAlias: () => '',
  };
}
