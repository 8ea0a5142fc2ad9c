/** Invocation contexts as the platforms pass them (the same shapes as test/helpers/contexts.ts). */
export type ContextKind = 'functiongraph' | 'lambda';

let sequence = 0;

/** FunctionGraph's Node.js context: getters only. */
function functionGraphContext(requestId: string) {
  return {
    getRequestID: () => requestId,
    getRemainingTimeInMilliSeconds: () => 28_000,
    getAccessKey: () => '',
    getSecretKey: () => '',
    getSecurityAccessKey: () => '',
    getSecuritySecretKey: () => '',
    getSecurityToken: () => '',
    getUserData: () => '',
    getFunctionName: () => 'bench',
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

function lambdaContext(requestId: string) {
  return {
    callbackWaitsForEmptyEventLoop: true,
    functionName: 'hwc-release-functions-bench',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:eu-west-1:123456789012:function:hwc-release-functions-bench',
    memoryLimitInMB: '256',
    awsRequestId: requestId,
    logGroupName: '/aws/lambda/hwc-release-functions-bench',
    logStreamName: '2026/01/01/[$LATEST]bench',
    getRemainingTimeInMillis: () => 28_000,
    done: () => undefined,
    fail: () => undefined,
    succeed: () => undefined,
  };
}

/** A fresh context with its own request id (a UUID-shaped counter). */
export function contextFor(kind: ContextKind): unknown {
  sequence += 1;
  const requestId = `6b5a1a0f-1c2d-4e3f-8a9b-${sequence.toString(16).padStart(12, '0')}`;
  return kind === 'lambda' ? lambdaContext(requestId) : functionGraphContext(requestId);
}
