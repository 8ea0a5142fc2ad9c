/**
 * shared/platform/invocation.ts and shared/runtime.ts platformEnv on the contexts the runtimes pass:
 * FunctionGraph's (getter methods, as its Node.js runtime builds it) and Lambda's. Then the whole path of
 * an agency's temporary credentials: FunctionGraph context → the HTTP function → the signed client call,
 * carrying X-Security-Token inside the signature, with the configuration read from getUserData only.
 */
import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { listPendingItemsRoute } from '../../../functions/http/list-pending-items';
import { httpFunction, type AnyRouteSpec } from '../../../shared/http-function';
import { fromPlatformContext } from '../../../shared/platform/invocation';
import { lazyRuntime, platformEnv } from '../../../shared/runtime';
import { parseAuthorization, verifyRequest } from '../../../shared/signing/verifier';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';
import { gatewayEvent, parseResponse } from '../../helpers/http-events';
import { clientsDocument, TEST_PROJECT_ID, TEST_WORKSPACE, TOKENS } from '../../helpers/runtime';
import { TEST_SECRETS } from '../../helpers/logs';

const TEMPORARY = { accessKey: 'TEMPAKFUNCTIONGRAPH0001', secretKey: 'TEMPSECRETKEY0123456789abcdef', securityToken: 'temporary-security-token-value-0001' };

/** What FunctionGraph's Node.js runtime passes (fg-runtime context.js): user data from a JSON object, missing keys undefined. */
function runtimeContext(options: { requestId: string; userData: Record<string, string>; credentials?: typeof TEMPORARY; timeoutMs?: number }) {
  const started = Date.now();
  const timeout = options.timeoutMs ?? 29_000;
  return {
    getRequestID: () => options.requestId,
    getRemainingTimeInMilliSeconds: () => timeout + started - Date.now(),
    getUserData: (key: string): string | undefined => options.userData[key],
    getAccessKey: () => '',
    getSecretKey: () => '',
    getSecurityAccessKey: () => options.credentials?.accessKey ?? '',
    getSecuritySecretKey: () => options.credentials?.secretKey ?? '',
    getSecurityToken: () => options.credentials?.securityToken ?? '',
    getToken: () => '',
    getFunctionName: () => 'hwc-release-functions-test-listPendingItems',
    getPackage: () => 'default',
    getProjectID: () => TEST_PROJECT_ID,
    getVersion: () => 'latest',
    getMemorySize: () => '256',
    getCPUNumber: () => '300',
    getRunningTimeInSeconds: () => timeout,
    getAlias: () => '',
    getLogger: () => ({ info: () => undefined }),
  };
}

describe('Platform: invocation context', () => {
  it('reads a FunctionGraph context: request id, remaining time, user data, the agency credentials', () => {
    // Prepare
    const context = functionGraphContext({ requestId: 'fg-1', remainingMs: 12_345, userData: { LOG_LEVEL: 'debug' }, credentials: TEMPORARY });

    // Act
    const invocation = fromPlatformContext(context);

    // Assess
    expect({
      platform: invocation.platform,
      requestId: invocation.requestId,
      remainingMs: invocation.remainingMs(),
      credentials: invocation.temporaryCredentials,
      set: invocation.userData('LOG_LEVEL'),
      unset: invocation.userData('NOT_SET'),
    }).toStrictEqual({ platform: 'functiongraph', requestId: 'fg-1', remainingMs: 12_345, credentials: TEMPORARY, set: 'debug', unset: undefined });
  });

  it("reads FunctionGraph runtime's own context shape (missing user data keys are undefined)", () => {
    // Prepare
    const context = runtimeContext({ requestId: 'fg-2', userData: { A: 'x', EMPTY: '' }, timeoutMs: 60_000 });

    // Act
    const invocation = fromPlatformContext(context);

    // Assess
    expect([invocation.userData('A'), invocation.userData('EMPTY'), invocation.userData('B'), invocation.temporaryCredentials]).toStrictEqual(['x', undefined, undefined, undefined]);
    expect(invocation.remainingMs()).toBeGreaterThan(59_000);
  });

  it('keeps temporary credentials without a token when the agency gives none, and none when the key is missing', () => {
    // Prepare
    const withoutToken = functionGraphContext({ credentials: { accessKey: 'TEMPAK0002', secretKey: 'TEMPSECRETKEY0123456789abcdef' } });
    const withoutKey = { ...functionGraphContext({ credentials: TEMPORARY }), getSecurityAccessKey: () => '' };

    // Act
    const credentials = [fromPlatformContext(withoutToken).temporaryCredentials, fromPlatformContext(withoutKey).temporaryCredentials];

    // Assess
    expect(credentials).toStrictEqual([{ accessKey: 'TEMPAK0002', secretKey: 'TEMPSECRETKEY0123456789abcdef' }, undefined]);
  });

  it('accepts a FunctionGraph context that has only getRequestID', () => {
    // Act
    const invocation = fromPlatformContext({ getRequestID: () => 'fg-3' });

    // Assess
    expect([invocation.platform, invocation.requestId, invocation.remainingMs(), invocation.temporaryCredentials, invocation.userData('X')]).toStrictEqual([
      'functiongraph',
      'fg-3',
      undefined,
      undefined,
      undefined,
    ]);
  });

  it('reads a Lambda context: awsRequestId and getRemainingTimeInMillis, no user data', () => {
    // Act
    const invocation = fromPlatformContext(lambdaContext());

    // Assess
    expect([invocation.platform, invocation.requestId, invocation.remainingMs(), invocation.temporaryCredentials, invocation.userData('LOG_LEVEL')]).toStrictEqual([
      'lambda',
      'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      28_000,
      undefined,
      undefined,
    ]);
  });

  it('gives a local invocation (no context) a fresh request id each time', () => {
    // Act
    const ids = [fromPlatformContext(undefined), fromPlatformContext({})].map((i) => [i.platform, i.requestId] as const);

    // Assess
    expect(ids.map(([p]) => p)).toStrictEqual(['local', 'local']);
    expect(ids[0]?.[1]).toMatch(/^local-/);
    expect(ids[0]?.[1]).not.toBe(ids[1]?.[1]);
  });
});

describe('Platform: configuration from FunctionGraph user data', () => {
  const NAME = 'HRF_TEST_PLATFORM_ENV_ONLY';
  afterEach(() => {
    delete process.env[NAME];
  });

  it('falls back to getUserData for a variable the process environment lacks', () => {
    // Prepare
    const env = platformEnv(fromPlatformContext(functionGraphContext({ userData: { [NAME]: 'from-user-data' } })));

    // Act
    const fromUserData = env[NAME];
    process.env[NAME] = 'from-process';
    const fromProcess = env[NAME];

    // Assess
    expect([fromUserData, fromProcess]).toStrictEqual(['from-user-data', 'from-process']);
  });
});

// ---- temporary credentials end to end ------------------------------------------------------------

interface Captured {
  readonly method: string;
  readonly rawPath: string;
  readonly rawQuery: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: Buffer;
}

describe('Platform: agency credentials reach the upstream call', () => {
  let server: Server;
  let endpoint: string;
  const captured: Captured[] = [];
  const CONFIG_VARIABLES = ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'HUAWEICLOUD_SDK_REGION', 'HUAWEICLOUD_SDK_PROJECT_ID', 'HUAWEICLOUD_DATAARTS_WORKSPACE', 'HUAWEICLOUD_ENDPOINT_DATAARTS', 'HRF_CLIENTS', 'HUAWEICLOUD_IAM_PASSWORD', 'HUAWEICLOUD_IAM_USER', 'HUAWEICLOUD_IAM_DOMAIN', 'CLOUD_SDK_AK', 'CLOUD_SDK_SK'];
  const saved: Record<string, string | undefined> = {};

  beforeAll(async () => {
    TEST_SECRETS.add(TEMPORARY.secretKey);
    for (const name of CONFIG_VARIABLES) {
      saved[name] = process.env[name];
      delete process.env[name];
    }
    server = createServer((req, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const url = req.url ?? '/';
        const q = url.indexOf('?');
        captured.push({ method: req.method ?? '', rawPath: q < 0 ? url : url.slice(0, q), rawQuery: q < 0 ? '' : url.slice(q + 1), headers: req.headers, body: Buffer.concat(chunks) });
        res.writeHead(200, { 'Content-Type': 'application/json', 'X-Request-Id': 'upstream-request-0001' });
        res.end(JSON.stringify({ total: 1, data: [{ pending_item_id: '1001', item_name: 'job_a', task_type: 1, update_type: 1, package_flag: 0 }] }));
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    endpoint = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });

  afterAll(async () => {
    for (const name of CONFIG_VARIABLES) if (saved[name] !== undefined) process.env[name] = saved[name];
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });

  it('signs the DataArts call with the temporary AK/SK and X-Security-Token, configured by user data only', async () => {
    // Prepare: no static credentials anywhere; the function's settings only in user data.
    const userData = {
      HUAWEICLOUD_SDK_REGION: 'cn-north-4',
      HUAWEICLOUD_SDK_PROJECT_ID: TEST_PROJECT_ID,
      HUAWEICLOUD_DATAARTS_WORKSPACE: TEST_WORKSPACE,
      HUAWEICLOUD_ENDPOINT_DATAARTS: endpoint,
      HRF_CLIENTS: clientsDocument(),
    };
    const fn = httpFunction(listPendingItemsRoute as unknown as AnyRouteSpec, lazyRuntime());
    const event = gatewayEvent({ platform: 'functiongraph', method: 'GET', path: '/v1/pending-items', query: { limit: '1' }, bearer: TOKENS.read });
    const context = runtimeContext({ requestId: 'fg-request-agency-0001', userData, credentials: TEMPORARY });

    // Act
    const response = parseResponse(await fn(event, context as never));

    // Assess: the whole answer
    expect(response).toStrictEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': 'fg-request-agency-0001' },
      body: { total: 1, data: [{ pending_item_id: '1001', item_name: 'job_a', task_type: 1, update_type: 1, package_flag: 0 }] },
      isBase64Encoded: false,
    });
    // Assess: the upstream request carried the token, signed with the temporary key
    expect(captured).toHaveLength(1);
    const call = captured[0] as Captured;
    const authorization = parseAuthorization(String(call.headers.authorization));
    const verified = verifyRequest(
      { method: call.method, rawPath: call.rawPath, rawQuery: call.rawQuery, headers: call.headers, body: call.body },
      { now: new Date(), secretFor: (ak) => (ak === TEMPORARY.accessKey ? TEMPORARY.secretKey : undefined) },
    );
    expect({
      path: call.rawPath,
      token: call.headers['x-security-token'],
      workspace: call.headers.workspace,
      accessKey: authorization?.accessKey,
      tokenSigned: authorization?.signedHeaders.includes('x-security-token'),
      verified: verified.ok,
    }).toStrictEqual({
      path: `/v2/${TEST_PROJECT_ID}/factory/pending-items`,
      token: TEMPORARY.securityToken,
      workspace: TEST_WORKSPACE,
      accessKey: TEMPORARY.accessKey,
      tokenSigned: true,
      verified: true,
    });
  });
});
