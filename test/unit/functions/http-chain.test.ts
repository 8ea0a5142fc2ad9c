/**
 * The HTTP middy chain end to end, with a stubbed client: platform events (AWS and FunctionGraph),
 * authentication and scopes, body parsing, validation, and the mapping of every upstream failure class.
 */
import { handler as unusedDefaultHandler } from '../../../functions/http/list-pending-items';
import { listPendingItemsRoute } from '../../../functions/http/list-pending-items';
import { queryReleasePackagesRoute } from '../../../functions/http/query-release-packages';
import { startDeployTaskRoute } from '../../../functions/http/start-deploy-task';
import { publishReleasePackageRoute } from '../../../functions/http/publish-release-package';
import { rejectManualReviewRoute } from '../../../functions/http/reject-manual-review';
import { handler as openapiHandler } from '../../../functions/http/openapi';
import { currentOpenApiDocument } from '../../../functions/http/openapi-document';
import { httpFunction, type AnyRouteSpec } from '../../../shared/http-function';
import { stubbedRuntime, type ClientStubs } from '../../helpers/stub-client';
import { UpstreamError } from '../../../shared/http/upstream-error';
import { callDeadlineMs, type CallOptions } from '../../../shared/http/client';
import { fixedRuntime, testRuntime, TOKENS, APP, TEST_WORKSPACE, OTHER_WORKSPACE, BOUND_USER } from '../../helpers/runtime';
import { gatewayEvent, parseResponse, signGatewayEvent, type EventPlatform } from '../../helpers/http-events';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';
import { logsMatching } from '../../helpers/logs';

const PLATFORMS: EventPlatform[] = ['aws', 'functiongraph'];
const TASK_ID = 'd2dc947ec2424d8789bb3984bb3adf45';

type Stub = ClientStubs;

function build(route: unknown, stub: Stub, options: { now?: Date; extraEnv?: Record<string, string> } = {}) {
  const runtime = stubbedRuntime(stub, { now: () => options.now ?? new Date() }, options.extraEnv);
  return httpFunction(route as AnyRouteSpec, fixedRuntime(runtime));
}

function contextFor(platform: EventPlatform) {
  return platform === 'aws' ? lambdaContext() : functionGraphContext({ requestId: 'fg-request-0001' });
}

const requestIdFor = (platform: EventPlatform) => (platform === 'aws' ? 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' : 'fg-request-0001');

function upstream(overrides: Partial<UpstreamError> & Pick<UpstreamError, 'kind'>): UpstreamError {
  return Object.assign(Object.create(UpstreamError.prototype) as UpstreamError, {
    name: 'UpstreamError',
    message: 'upstream failure',
    operation: 'ListFactoryPendingItems',
    attempts: 1,
    outcomeUnknown: false,
    ...overrides,
  });
}

const emptyList = { total: 0, data: [] };

describe('HTTP chain: platform events', () => {
  it.each(PLATFORMS)('serves GET /v1/pending-items from a %s event, passing query and workspace upstream', async (platform) => {
    // Prepare
    const listPendingItems = jest.fn().mockResolvedValue({ data: { total: 1, data: [{ pending_item_id: '26', item_name: 'job_a', task_type: 1, update_type: 1, package_flag: 0, extra: 'x' }] }, requestId: 'up-1', attempts: 1 });
    const fn = build(listPendingItemsRoute, { listPendingItems });
    // Act
    const response = await fn(gatewayEvent({ platform, method: 'GET', path: '/v1/pending-items', query: { limit: '5', task_type: '1' }, bearer: TOKENS.read }), contextFor(platform) as never);
    // Assess
    expect(parseResponse(response)).toStrictEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': requestIdFor(platform) },
      body: { total: 1, data: [{ pending_item_id: '26', item_name: 'job_a', task_type: 1, update_type: 1, package_flag: 0 }] },
      isBase64Encoded: false,
    });
    expect(listPendingItems).toHaveBeenCalledTimes(1);
    expect(listPendingItems.mock.calls[0]?.[0]).toStrictEqual({ limit: 5, task_type: '1' });
    expect(listPendingItems.mock.calls[0]?.[1]).toMatchObject({ workspace: TEST_WORKSPACE });
  });

  it.each(PLATFORMS)('decodes the JSON body of a %s POST event', async (platform) => {
    const queryReleasePackages = jest.fn().mockResolvedValue({ data: { total: 0, data: [] }, requestId: undefined, attempts: 1 });
    const fn = build(queryReleasePackagesRoute, { queryReleasePackages });
    const response = await fn(gatewayEvent({ platform, method: 'POST', path: '/v1/release-packages/query', body: { deploy_status_filter: [3], limit: 50 }, bearer: TOKENS.read }), contextFor(platform) as never);
    expect(parseResponse(response).body).toStrictEqual({ total: 0, data: [] });
    expect(queryReleasePackages.mock.calls[0]?.[0]).toStrictEqual({ deploy_status_filter: [3], limit: 50 });
  });

  it('passes FunctionGraph temporary credentials from the context to the client', async () => {
    const listPendingItems = jest.fn().mockResolvedValue({ data: emptyList, requestId: undefined, attempts: 1 });
    const fn = build(listPendingItemsRoute, { listPendingItems });
    const credentials = { accessKey: 'TEMPACCESSKEY0001', secretKey: 'TEMPSECRETKEY0123456789abcdef', securityToken: 'temporary-security-token-value-0001' };
    await fn(gatewayEvent({ platform: 'functiongraph', method: 'GET', path: '/v1/pending-items', bearer: TOKENS.read }), functionGraphContext({ credentials }) as never);
    expect(listPendingItems.mock.calls[0]?.[1]).toMatchObject({ credentials });
  });

  it('answers a non-gateway event with 400 naming the event', async () => {
    const fn = build(listPendingItemsRoute, {});
    const response = await fn({ hello: 'world' }, lambdaContext());
    expect(parseResponse(response)).toStrictEqual({
      statusCode: 400,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
      body: { error_code: 'HRF.0400', error_msg: 'The event is not an API gateway request', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', fields: [{ field: 'event', message: 'not an API gateway proxy event' }] },
      isBase64Encoded: false,
    });
  });
});

describe('HTTP chain: authentication and scopes', () => {
  const list = () => jest.fn().mockResolvedValue({ data: emptyList, requestId: undefined, attempts: 1 });

  it('returns 401 when no credential is sent, without calling upstream', async () => {
    const listPendingItems = list();
    const response = await build(listPendingItemsRoute, { listPendingItems })(gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items' }), lambdaContext());
    expect(parseResponse(response)).toStrictEqual({
      statusCode: 401,
      headers: {
        'Content-Type': 'application/json',
        'Cache-Control': 'no-store',
        'WWW-Authenticate': 'Bearer, SDK-HMAC-SHA256',
        'X-Request-Id': 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      },
      body: { error_code: 'HRF.0401', error_msg: 'Authentication required: send a bearer token or an SDK-HMAC-SHA256 signature', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
      isBase64Encoded: false,
    });
    expect(listPendingItems).not.toHaveBeenCalled();
  });

  it('returns 401 for an unknown bearer token', async () => {
    const listPendingItems = list();
    const response = await build(listPendingItemsRoute, { listPendingItems })(gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', bearer: 'not-a-known-token-000' }), lambdaContext());
    expect(parseResponse(response).body).toStrictEqual({ error_code: 'HRF.0401', error_msg: 'The bearer token is not valid', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' });
    expect(listPendingItems).not.toHaveBeenCalled();
  });

  it('returns 401 naming what to send for another Authorization scheme, and logs that message whole', async () => {
    const listPendingItems = list();
    const event = gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', headers: { Authorization: 'Basic dXNlcjpwYXNz' } });
    const message = 'Unsupported Authorization scheme: send a bearer token or an SDK-HMAC-SHA256 signature';
    const response = parseResponse(await build(listPendingItemsRoute, { listPendingItems })(event, lambdaContext()));
    expect(response.body).toStrictEqual({ error_code: 'HRF.0401', error_msg: message, request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' });
    expect(logsMatching((e) => e.message === 'Request refused' && JSON.stringify(e).includes(message)).length).toBeGreaterThan(0);
    expect(listPendingItems).not.toHaveBeenCalled();
  });

  it('refuses another method with 405 and Allow, before authentication and without a call', async () => {
    const publishPendingItems = jest.fn();
    const response = parseResponse(await build(publishReleasePackageRoute, { publishPendingItems })(gatewayEvent({ platform: 'functiongraph', method: 'GET', path: '/v1/release-packages' }), functionGraphContext({ requestId: 'fg-request-0001' }) as never));
    expect(response).toStrictEqual({
      statusCode: 405,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Allow: 'POST', 'X-Request-Id': 'fg-request-0001' },
      body: { error_code: 'HRF.0405', error_msg: 'This route answers POST only', request_id: 'fg-request-0001' },
      isBase64Encoded: false,
    });
    expect(publishPendingItems).not.toHaveBeenCalled();
  });

  it('refuses another method on an AWS event too, whatever its case or credential, and takes a lowercase right one', async () => {
    const listPendingItems = list();
    const answer = async (method: string, bearer?: string) => {
      const response = parseResponse(await build(listPendingItemsRoute, { listPendingItems })(gatewayEvent({ platform: 'aws', method, path: '/v1/pending-items', ...(bearer ? { bearer } : {}) }), lambdaContext()));
      return [response.statusCode, response.headers.Allow, response.body];
    };
    const refused = [405, 'GET', { error_code: 'HRF.0405', error_msg: 'This route answers GET only', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' }];
    const outcomes = [await answer('POST'), await answer('delete', 'not-a-token'), await answer('get', TOKENS.read)];
    expect(outcomes).toStrictEqual([refused, refused, [200, undefined, { data: [], total: 0 }]]);
    expect(listPendingItems).toHaveBeenCalledTimes(1);
  });

  it('serves the OpenAPI document to GET, its headers alone to HEAD, and refuses another method', async () => {
    const send = (method: string) => openapiHandler(gatewayEvent({ platform: 'aws', method, path: '/v1/openapi.json' }), lambdaContext());
    const [head, refused] = [await send('HEAD'), parseResponse(await send('DELETE'))];
    expect([head, refused]).toStrictEqual([
      {
        statusCode: 200,
        headers: { 'Content-Type': 'application/json', 'Cache-Control': 'public, max-age=300', 'X-Request-Id': 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
        body: '',
        isBase64Encoded: false,
      },
      {
        statusCode: 405,
        headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Allow: 'GET, HEAD', 'X-Request-Id': 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
        body: { error_code: 'HRF.0405', error_msg: 'This route answers GET or HEAD only', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
        isBase64Encoded: false,
      },
    ]);
  });

  it('returns 403 when the credential lacks the scope', async () => {
    const startDeployTask = jest.fn();
    const response = await build(startDeployTaskRoute, { startDeployTask })(
      gatewayEvent({ platform: 'aws', method: 'POST', path: `/v1/deploy-tasks/${TASK_ID}/start`, pathParameters: { task_id: TASK_ID }, body: {}, bearer: TOKENS.read }),
      lambdaContext(),
    );
    expect(parseResponse(response).statusCode).toBe(403);
    expect(parseResponse(response).body).toStrictEqual({ error_code: 'HRF.0403', error_msg: 'This credential lacks the "deploy" scope', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' });
    expect(startDeployTask).not.toHaveBeenCalled();
  });

  it.each(PLATFORMS)('accepts an SDK-HMAC-SHA256 app signature on a %s event', async (platform) => {
    const now = new Date('2026-11-23T08:00:00Z');
    const queryReleasePackages = jest.fn().mockResolvedValue({ data: emptyList, requestId: undefined, attempts: 1 });
    const event = signGatewayEvent(gatewayEvent({ platform, method: 'POST', path: '/v1/release-packages/query', body: { limit: 10 } }), APP, now);
    const response = await build(queryReleasePackagesRoute, { queryReleasePackages }, { now })(event, contextFor(platform) as never);
    expect(parseResponse(response).statusCode).toBe(200);
    expect(queryReleasePackages).toHaveBeenCalledTimes(1);
  });

  it('refuses an app signature whose body was changed, and one signed 16 minutes ago', async () => {
    const now = new Date('2026-11-23T08:00:00Z');
    const queryReleasePackages = jest.fn();
    const fn = build(queryReleasePackagesRoute, { queryReleasePackages }, { now });
    const signed = signGatewayEvent(gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages/query', body: { limit: 10 } }), APP, now);
    const tampered = { ...signed, body: JSON.stringify({ limit: 11 }) };
    const old = signGatewayEvent(gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages/query', body: { limit: 10 } }), APP, new Date(now.getTime() - 16 * 60_000));
    const tamperedResponse = parseResponse(await fn(tampered, lambdaContext()));
    const oldResponse = parseResponse(await fn(old, lambdaContext()));
    expect([tamperedResponse.statusCode, tamperedResponse.body]).toStrictEqual([401, { error_code: 'HRF.0401', error_msg: 'Authentication failed: the signature is not valid', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' }]);
    expect([oldResponse.statusCode, oldResponse.body]).toStrictEqual([
      401,
      { error_code: 'HRF.0401', error_msg: 'Authentication failed: the X-Sdk-Date is more than 15 minutes from server time', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
    ]);
    expect(queryReleasePackages).not.toHaveBeenCalled();
  });

  it('takes an app-signed request that changes something once: the same signed request again is refused as a replay', async () => {
    const now = new Date('2026-11-23T08:00:00Z');
    const startDeployTask = jest.fn().mockResolvedValue({ data: { id: 'r'.repeat(32), task_id: 'a'.repeat(32), app_component_list: [] }, requestId: undefined, attempts: 1 });
    const fn = build(startDeployTaskRoute, { startDeployTask }, { now });
    const signed = signGatewayEvent(
      gatewayEvent({ platform: 'aws', method: 'POST', path: `/v1/deploy-tasks/${'a'.repeat(32)}/start`, pathParameters: { task_id: 'a'.repeat(32) }, body: {} }),
      APP,
      now,
    );
    // The same signature with its header spaced otherwise (the spacing is not signed) is the same request.
    const headers = (signed as { headers: Record<string, string> }).headers;
    const authorization = Object.keys(headers).find((name) => name.toLowerCase() === 'authorization') as string;
    const respaced = { ...signed, headers: { ...headers, [authorization]: (headers[authorization] as string).replace('SDK-HMAC-SHA256 ', 'SDK-HMAC-SHA256   ').replace(/, /g, ',\t') } };
    const first = parseResponse(await fn(structuredClone(signed), lambdaContext()));
    const replays = [parseResponse(await fn(structuredClone(signed), lambdaContext())), parseResponse(await fn(respaced, lambdaContext()))];
    const replayed = {
      error_code: 'HRF.0409.ALREADY_RECEIVED',
      error_msg:
        'This signed request was received already: sign each request anew, in a later second (X-Sdk-Date counts whole seconds, so a request signed again within the same second carries the same signature)',
      request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
    };
    expect([first.statusCode, ...replays.map((r) => [r.statusCode, r.headers['Retry-After'], r.body])]).toStrictEqual([200, [409, '1', replayed], [409, '1', replayed]]);
    expect(startDeployTask).toHaveBeenCalledTimes(1);
  });

  it('lets an app-signed request to a route that only reads come again (a query POSTed twice within the second its date allows)', async () => {
    const now = new Date('2026-11-23T08:00:00Z');
    const queryReleasePackages = jest.fn().mockResolvedValue({ data: emptyList, requestId: undefined, attempts: 1 });
    const fn = build(queryReleasePackagesRoute, { queryReleasePackages }, { now });
    const signed = signGatewayEvent(gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages/query', body: { limit: 10 } }), APP, now);
    const statuses = [parseResponse(await fn(structuredClone(signed), lambdaContext())).statusCode, parseResponse(await fn(structuredClone(signed), lambdaContext())).statusCode];
    expect(statuses).toStrictEqual([200, 200]);
    expect(queryReleasePackages).toHaveBeenCalledTimes(2);
  });

  it('refuses an app-signed request carrying a header it acts on that the signature does not cover (one added to a capture)', async () => {
    const now = new Date('2026-11-23T08:00:00Z');
    const listPendingItems = list();
    const fn = build(listPendingItemsRoute, { listPendingItems }, { now, extraEnv: { HRF_WORKSPACE_ALLOWLIST: OTHER_WORKSPACE } });
    const signed = signGatewayEvent(gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items' }), APP, now) as { headers: Record<string, string> };
    const redirected = { ...signed, headers: { ...signed.headers, 'X-Workspace-Id': OTHER_WORKSPACE } };
    const signedWithIt = signGatewayEvent(gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', headers: { 'X-Workspace-Id': OTHER_WORKSPACE } }), APP, now);
    const refused = parseResponse(await fn(redirected, lambdaContext()));
    const accepted = parseResponse(await fn(signedWithIt, lambdaContext()));
    expect([refused.statusCode, refused.body, accepted.statusCode]).toStrictEqual([
      401,
      {
        error_code: 'HRF.0401',
        error_msg: 'Authentication failed: the signature must cover X-Sdk-Date and each header sent of Content-Type, Idempotency-Key, X-Workspace-Id, the CloudEvents ce-* headers, X-Security-Token, X-Sdk-Content-Sha256',
        request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      },
      200,
    ]);
    expect(listPendingItems).toHaveBeenCalledTimes(1);
  });

  it('returns 403 for a workspace outside the allow-list, and uses an allowed one', async () => {
    const listPendingItems = list();
    const fn = build(listPendingItemsRoute, { listPendingItems }, { extraEnv: { HRF_WORKSPACE_ALLOWLIST: OTHER_WORKSPACE } });
    const refused = parseResponse(await fn(gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', headers: { 'X-Workspace-Id': 'ffffffffffffffffffffffffffffffff' }, bearer: TOKENS.read }), lambdaContext()));
    const allowed = parseResponse(await fn(gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', headers: { 'X-Workspace-Id': OTHER_WORKSPACE }, bearer: TOKENS.read }), lambdaContext()));
    expect(refused.statusCode).toBe(403);
    expect(refused.body).toStrictEqual({ error_code: 'HRF.0403', error_msg: 'This credential may not use that workspace', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' });
    expect(allowed.statusCode).toBe(200);
    expect(listPendingItems).toHaveBeenCalledTimes(1);
    expect(listPendingItems.mock.calls[0]?.[1]).toMatchObject({ workspace: OTHER_WORKSPACE });
  });
});

describe('HTTP chain: bad input', () => {
  const cases: Array<[string, Record<string, unknown>, number, string, Array<{ field: string; message: string }> | undefined]> = [
    ['unknown query field', { query: { limit: '5', drop_table: '1' } }, 400, 'HRF.0400', [{ field: 'query.drop_table', message: 'is not a known field' }]],
    ['limit above 100', { query: { limit: '101' } }, 400, 'HRF.0400', [{ field: 'query.limit', message: 'Too big: expected number to be <=100' }]],
  ];
  it.each(cases)('answers %s with a 4xx naming the field', async (_name, extra, status, code, fields) => {
    const listPendingItems = jest.fn();
    const response = parseResponse(await build(listPendingItemsRoute, { listPendingItems })(gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', bearer: TOKENS.read, ...extra }), lambdaContext()));
    expect(response.statusCode).toBe(status);
    expect(response.body).toMatchObject({ error_code: code, fields });
    expect(listPendingItems).not.toHaveBeenCalled();
  });

  it('refuses malformed JSON, a wrong content type and an oversized body', async () => {
    const queryReleasePackages = jest.fn();
    const fn = build(queryReleasePackagesRoute, { queryReleasePackages });
    const base = { platform: 'aws' as const, method: 'POST', path: '/v1/release-packages/query', bearer: TOKENS.read };
    const malformed = parseResponse(await fn(gatewayEvent({ ...base, body: '{"limit":' }), lambdaContext()));
    const wrongType = parseResponse(await fn(gatewayEvent({ ...base, body: 'limit=1', contentType: 'application/x-www-form-urlencoded' }), lambdaContext()));
    const huge = parseResponse(await fn(gatewayEvent({ ...base, body: JSON.stringify({ key_word: 'x'.repeat(300 * 1024) }) }), lambdaContext()));
    expect([malformed.statusCode, malformed.body]).toStrictEqual([
      400,
      { error_code: 'HRF.0400', error_msg: 'The body is not valid JSON', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', fields: [{ field: 'body', message: 'must be valid UTF-8 JSON' }] },
    ]);
    expect([wrongType.statusCode, wrongType.body]).toStrictEqual([415, { error_code: 'HRF.0415', error_msg: 'Content-Type must be application/json', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', fields: [{ field: 'headers.content-type', message: 'must be application/json' }] }]);
    expect([huge.statusCode, huge.body]).toStrictEqual([413, { error_code: 'HRF.0413', error_msg: 'The body is larger than 262144 bytes', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', fields: [{ field: 'body', message: 'must be at most 262144 bytes' }] }]);
    expect(queryReleasePackages).not.toHaveBeenCalled();
  });

  it.each([
    ['the same id', 'f8ccc2ff3c7748e8a7bfede38ae1cffa'],
    ['the same id in capitals', 'F8CCC2FF3C7748E8A7BFEDE38AE1CFFA'],
  ])('refuses a publish whose applicant is also an approver (%s), naming approver_ids', async (_case, approver) => {
    const publishPendingItems = jest.fn();
    const user = 'f8ccc2ff3c7748e8a7bfede38ae1cffa';
    const response = parseResponse(
      await build(publishReleasePackageRoute, { publishPendingItems })(
        gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages', bearer: TOKENS.all, body: { package_name: 'pkg_1', pending_item_list: ['26'], approver_ids: [approver], apply_user_id: user } }),
        lambdaContext(),
      ),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toStrictEqual({
      error_code: 'HRF.0400',
      error_msg: 'Invalid request: body.approver_ids',
      request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      fields: [{ field: 'body.approver_ids', message: 'must not include the applicant (apply_user_id)' }],
    });
    expect(publishPendingItems).not.toHaveBeenCalled();
  });

  it('refuses a hostile path id before any upstream call', async () => {
    const rejectManualReview = jest.fn();
    const id = 'a'.repeat(32);
    const response = parseResponse(
      await build(rejectManualReviewRoute, { rejectManualReview })(
        gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/pipelines/x/runs/y/jobs/z/steps/w/refuse', pathParameters: { pipeline_id: '../../v2/x', pipeline_run_id: id, job_run_id: id, step_run_id: id }, bearer: TOKENS.all }),
        lambdaContext(),
      ),
    );
    expect(response.statusCode).toBe(400);
    expect(response.body).toStrictEqual({
      error_code: 'HRF.0400',
      error_msg: 'Invalid request: path.pipeline_id',
      request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      fields: [{ field: 'path.pipeline_id', message: 'must be 32 letters or digits (a CodeArts id)' }],
    });
    expect(rejectManualReview).not.toHaveBeenCalled();
  });
});

describe('HTTP chain: upstream failure classes', () => {
  const rid = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';
  const cases: Array<[string, UpstreamError, number, Record<string, unknown>, Record<string, string>]> = [
    ['an upstream validation error keeps its code', upstream({ kind: 'http', status: 400, errorCode: 'DLF.3051', errorMsg: 'The request parameter is invalid.' }), 400, { error_code: 'DLF.3051', error_msg: 'The request parameter is invalid.', request_id: rid }, {}],
    ['an upstream 404 keeps its code', upstream({ kind: 'http', status: 404, errorCode: 'Deploy.00011020', errorMsg: 'The application does not exist.' }), 404, { error_code: 'Deploy.00011020', error_msg: 'The application does not exist.', request_id: rid }, {}],
    ['our credentials refused upstream is a 502 for the operator', upstream({ kind: 'http', status: 401, errorCode: 'APIG.0301', errorMsg: 'Incorrect IAM authentication information' }), 502, { error_code: 'HRF.0502.UPSTREAM_AUTH', error_msg: "Huawei Cloud refused this function's own credentials for ListFactoryPendingItems (APIG.0301): check the AK/SK, token or agency permissions", request_id: rid }, {}],
    ['an expired signature is reported as clock skew', upstream({ kind: 'clock-skew', status: 401, errorCode: 'APIG.0301' }), 502, { error_code: 'HRF.0502.CLOCK_SKEW', error_msg: "Huawei Cloud refused the request signature as expired: the function's clock is off by more than 15 minutes (ListFactoryPendingItems (APIG.0301))", request_id: rid }, {}],
    ['throttled after retries is 429 with Retry-After', upstream({ kind: 'http', status: 429, errorCode: 'APIG.0308', retryAfterMs: 7_500, attempts: 3 }), 429, { error_code: 'HRF.0429', error_msg: 'Huawei Cloud is throttling ListFactoryPendingItems; retry later', request_id: rid }, { 'Retry-After': '8' }],
    ['deadline exceeded is 504', upstream({ kind: 'timeout' }), 504, { error_code: 'HRF.0504', error_msg: 'Huawei Cloud did not answer ListFactoryPendingItems in time', request_id: rid }, {}],
    ['a gateway timeout is 504', upstream({ kind: 'http', status: 504, errorCode: 'APIG.0201', attempts: 3 }), 504, { error_code: 'HRF.0504', error_msg: 'Huawei Cloud timed out on ListFactoryPendingItems', request_id: rid }, {}],
    ['a gateway timeout on a write is 504 saying the outcome is unknown', upstream({ kind: 'http', status: 504, errorCode: 'APIG.0201', outcomeUnknown: true, operation: 'StartDeployTask' }), 504, { error_code: 'HRF.0504', error_msg: 'Huawei Cloud timed out on StartDeployTask; the outcome is unknown', request_id: rid }, {}],
    ['an unreachable upstream is 502', upstream({ kind: 'network' }), 502, { error_code: 'HRF.0502.NETWORK', error_msg: 'Huawei Cloud could not be reached for ListFactoryPendingItems', request_id: rid }, {}],
    ['an unexpected upstream response is 502', upstream({ kind: 'invalid-response', status: 200 }), 502, { error_code: 'HRF.0502.RESPONSE', error_msg: 'Huawei Cloud answered ListFactoryPendingItems with an unexpected response', request_id: rid }, {}],
    ['an upstream 5xx is 502', upstream({ kind: 'http', status: 503, errorCode: 'APIG.0202' }), 502, { error_code: 'HRF.0502.UPSTREAM', error_msg: 'Huawei Cloud failed on ListFactoryPendingItems (APIG.0202) with status 503', request_id: rid }, {}],
    ['a write whose answer was lost is 502 saying the outcome is unknown', upstream({ kind: 'network', outcomeUnknown: true, operation: 'CreateFactoryPendingItemsPackage' }), 502, { error_code: 'HRF.0502.OUTCOME_UNKNOWN', error_msg: 'Huawei Cloud received CreateFactoryPendingItemsPackage, but its answer was lost: whether it was applied is unknown, so check before sending it again', request_id: rid }, {}],
    ['a write answered 5xx is 502 saying the outcome is unknown', upstream({ kind: 'http', status: 502, errorCode: 'APIG.0202', outcomeUnknown: true, operation: 'StartDeployTask' }), 502, { error_code: 'HRF.0502.OUTCOME_UNKNOWN', error_msg: 'Huawei Cloud received StartDeployTask, but it failed with status 502 APIG.0202: whether it was applied is unknown, so check before sending it again', request_id: rid }, {}],
    ['a write answered 2xx with an unreadable body is 502 saying the outcome is unknown', upstream({ kind: 'invalid-response', status: 200, outcomeUnknown: true, operation: 'RejectManualReview' }), 502, { error_code: 'HRF.0502.OUTCOME_UNKNOWN', error_msg: 'Huawei Cloud received RejectManualReview, but its 200 answer could not be read: whether it was applied is unknown, so check before sending it again', request_id: rid }, {}],
    ['missing credentials are a 502 for the operator', upstream({ kind: 'credentials', message: 'no Huawei Cloud credentials are configured: set …' }), 502, { error_code: 'HRF.0502.CREDENTIALS', error_msg: 'This function cannot call Huawei Cloud: no Huawei Cloud credentials are configured: set …', request_id: rid }, {}],
  ];
  it.each(cases)('%s', async (_name, error, status, body, headers) => {
    const listPendingItems = jest.fn().mockRejectedValue(error);
    const response = parseResponse(await build(listPendingItemsRoute, { listPendingItems })(gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', bearer: TOKENS.read }), lambdaContext()));
    expect(response).toStrictEqual({
      statusCode: status,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', ...headers, 'X-Request-Id': rid },
      body,
      isBase64Encoded: false,
    });
  });

  it('answers anything unexpected with a 500 that leaks nothing', async () => {
    const listPendingItems = jest.fn().mockRejectedValue(new Error('secret internals: HWCLOCALEMULATORAK01 at /srv/app.js:12'));
    const response = parseResponse(await build(listPendingItemsRoute, { listPendingItems })(gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', bearer: TOKENS.read }), lambdaContext()));
    expect(response).toStrictEqual({
      statusCode: 500,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': rid },
      body: { error_code: 'HRF.0500', error_msg: 'Internal error', request_id: rid },
      isBase64Encoded: false,
    });
  });
});

describe('HTTP chain: configuration', () => {
  it('fails with the variable named in the log when configuration is missing; the caller gets a bare 500', async () => {
    const before = logsMatching((entry) => entry.message === 'Request failed' && JSON.stringify(entry).includes('HUAWEICLOUD_SDK_REGION')).length;
    const fn = httpFunction(listPendingItemsRoute as unknown as AnyRouteSpec, () => testRuntime('http://127.0.0.1:9', {}, { HUAWEICLOUD_SDK_REGION: '' }));
    const response = parseResponse(await fn(gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', bearer: TOKENS.read }), lambdaContext()));
    expect(response.statusCode).toBe(500);
    expect(response.body).toStrictEqual({ error_code: 'HRF.0500', error_msg: 'Internal error', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' });
    // The operator's fix is named where the operator looks; the caller learns nothing about the deployment.
    const logged = logsMatching((entry) => entry.message === 'Request failed' && JSON.stringify(entry).includes('HUAWEICLOUD_SDK_REGION'));
    expect(logged).toHaveLength(before + 1);
  });

  it('reads HRF_CLIENTS on the first request: a malformed one fails every request with the variable named in the log, never upstream', async () => {
    // Prepare
    const listPendingItems = jest.fn();
    const fn = build(listPendingItemsRoute, { listPendingItems }, { extraEnv: { HRF_CLIENTS: '{"clients": [' } });
    const event = () => gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', bearer: TOKENS.read });

    // Act
    const first = parseResponse(await fn(event(), lambdaContext()));
    const second = parseResponse(await fn(event(), lambdaContext()));

    // Assess
    const failure = { error_code: 'HRF.0500', error_msg: 'Internal error', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' };
    expect([first.statusCode, first.body, second.statusCode, second.body]).toStrictEqual([500, failure, 500, failure]);
    const logged = logsMatching((entry) => entry.message === 'Request failed' && JSON.stringify(entry).includes('HRF_CLIENTS: is not valid JSON'));
    expect(logged).toHaveLength(2);
    expect(listPendingItems).not.toHaveBeenCalled();
  });

  it('warns once per instance when no clients are configured, and refuses every request with 401', async () => {
    // Prepare: HRF_CLIENTS set to an empty list (an unset one is the same).
    const listPendingItems = jest.fn();
    const fn = build(listPendingItemsRoute, { listPendingItems }, { extraEnv: { HRF_CLIENTS: '{"clients": []}' } });
    const event = () => gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', bearer: TOKENS.read });
    const warning = 'No clients are configured (HRF_CLIENTS or HRF_CLIENTS_FILE): every request is refused with 401';
    const before = logsMatching((entry) => entry.message === warning).length;

    // Act
    const responses = [parseResponse(await fn(event(), lambdaContext())), parseResponse(await fn(event(), lambdaContext()))];

    // Assess
    expect(responses.map((r) => [r.statusCode, r.body])).toStrictEqual([
      [401, { error_code: 'HRF.0401', error_msg: 'The bearer token is not valid', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' }],
      [401, { error_code: 'HRF.0401', error_msg: 'The bearer token is not valid', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' }],
    ]);
    expect(logsMatching((entry) => entry.message === warning).map((entry) => entry.level)).toStrictEqual([...Array(before).fill('warn'), 'warn']);
    expect(listPendingItems).not.toHaveBeenCalled();
  });

  it('exports a default handler for each function', () => {
    expect(typeof unusedDefaultHandler).toBe('function');
  });
});

describe('GET /v1/openapi.json', () => {
  it('serves an OpenAPI 3.1 document generated from the route schemas', async () => {
    const response = parseResponse(await openapiHandler(gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/openapi.json' }), lambdaContext()));
    const doc = response.body as { openapi: string; paths: Record<string, Record<string, { operationId: string; parameters: Array<{ name: string; in: string }> }>> };
    expect(response.statusCode).toBe(200);
    expect(doc.openapi).toBe('3.1.0');
    expect(Object.keys(doc.paths).sort()).toStrictEqual([
      '/v1/deploy-tasks/{task_id}/start',
      '/v1/events/pipeline',
      '/v1/pending-items',
      '/v1/pipelines/{pipeline_id}/runs/{pipeline_run_id}/jobs/{job_run_id}/steps/{step_run_id}/refuse',
      '/v1/release-packages',
      '/v1/release-packages/query',
    ]);
    expect(doc.paths['/v1/pending-items']?.get?.parameters.map((p) => `${p.in}:${p.name}`)).toStrictEqual([
      'query:submit_user_name', 'query:item_name', 'query:update_type', 'query:task_type', 'query:start_time', 'query:end_time', 'query:limit', 'query:offset', 'header:x-workspace-id',
    ]);
    expect(doc.paths['/v1/deploy-tasks/{task_id}/start']?.post?.operationId).toBe('startDeployTask');
    // Every status a route answers is listed: publish's replay (200) beside its 201, and the body errors where there is a body.
    const statuses = (path: string, method: string) => Object.keys((doc.paths[path]?.[method] as unknown as { responses: Record<string, unknown> }).responses);
    expect([statuses('/v1/release-packages', 'post'), statuses('/v1/pending-items', 'get')]).toStrictEqual([
      ['200', '201', '400', '401', '403', '405', '409', '413', '415', '422', '429', '500', '502', '504'],
      ['200', '400', '401', '403', '405', '409', '422', '429', '500', '502', '504'],
    ]);
  });
});

describe('OpenAPI document file', () => {
  it('is exactly what the route schemas generate (run npm run generate:openapi after changing a route)', () => {
    // eslint-disable-next-line @typescript-eslint/no-require-imports
    const committed = require('../../../functions/http/openapi.json') as unknown;
    expect(committed).toStrictEqual(currentOpenApiDocument());
  });
});

describe('HTTP chain: a service not offered in the region', () => {
  it('answers 502 naming the service and region, without a network call', async () => {
    // Prepare: CodeArts Deploy is not offered in cn-north-2, and no endpoint override is set.
    const env = { HUAWEICLOUD_SDK_REGION: 'cn-north-2', HUAWEICLOUD_ENDPOINT_CODEARTS_DEPLOY: '' };
    const runtime = testRuntime('http://127.0.0.1:9', {}, env);
    const fn = httpFunction(startDeployTaskRoute as unknown as AnyRouteSpec, fixedRuntime(runtime));
    // Act
    const response = parseResponse(
      await fn(gatewayEvent({ platform: 'aws', method: 'POST', path: `/v1/deploy-tasks/${TASK_ID}/start`, pathParameters: { task_id: TASK_ID }, body: {}, bearer: TOKENS.all }), lambdaContext()),
    );
    // Assess
    expect([response.statusCode, response.body]).toStrictEqual([
      502,
      {
        error_code: 'HRF.0502.REGION',
        error_msg:
          'CodeArts Deploy is not offered in region cn-north-2 (HUAWEICLOUD_SDK_REGION); offered in: cn-north-1, cn-north-4, cn-east-2, cn-east-3, cn-south-1, ap-southeast-3, sa-brazil-1, la-north-2, tr-west-1',
        request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      },
    ]);
  });
});

describe('HTTP chain: a client bound to its IAM user', () => {
  const other = '7b71e498e75d44048c9a22dd3c54f978';
  const third = 'aaaabbbbccccddddeeeeffff00002222';
  it('may not publish with another user as applicant, and nothing reaches upstream', async () => {
    // Prepare
    const publishPendingItems = jest.fn();
    const queryReleasePackages = jest.fn().mockResolvedValue({ data: { total: 0, data: [] }, requestId: undefined, attempts: 1 });
    const fn = build(publishReleasePackageRoute, { publishPendingItems, queryReleasePackages });
    // Act
    const response = parseResponse(
      await fn(gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages', bearer: TOKENS.bound, body: { package_name: 'pkg_b', pending_item_list: ['26'], approver_ids: [BOUND_USER], apply_user_id: other } }), lambdaContext()),
    );
    // Assess
    expect([response.statusCode, response.body]).toStrictEqual([
      403,
      { error_code: 'HRF.0403', error_msg: 'This credential may publish only with its own IAM user as apply_user_id', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
    ]);
    expect(publishPendingItems).not.toHaveBeenCalled();
    expect(queryReleasePackages).not.toHaveBeenCalled();
  });

  it('publishes as its own user', async () => {
    const publishPendingItems = jest.fn().mockResolvedValue({ data: { package_name: 'pkg_b', release_package_id: '77' }, requestId: 'r', attempts: 1 });
    const queryReleasePackages = jest.fn().mockResolvedValue({ data: { total: 0, data: [] }, requestId: undefined, attempts: 1 });
    const pendingItem = { pending_item_id: '26', item_name: 'job_26', task_type: 1, update_type: 1, package_flag: 0 };
    const listPendingItems = jest.fn().mockResolvedValue({ data: { total: 1, data: [pendingItem] }, requestId: undefined, attempts: 1 });
    const fn = build(publishReleasePackageRoute, { publishPendingItems, queryReleasePackages, listPendingItems });
    const response = parseResponse(
      await fn(gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages', bearer: TOKENS.bound, body: { package_name: 'pkg_b', pending_item_list: ['26'], approver_ids: [third], apply_user_id: BOUND_USER } }), lambdaContext()),
    );
    expect([response.statusCode, response.body]).toStrictEqual([201, { package_name: 'pkg_b', release_package_id: '77', replayed: false }]);
  });
});

describe('HTTP chain: the upstream deadline', () => {
  it.each([
    ['plenty of time left: the configured deadline', 28_000, 3_000],
    ['2.5 s left: what remains minus the 2 s margin', 2_500, 500],
  ])('gives the client %s', async (_label, remaining, expected) => {
    // Prepare
    const listPendingItems = jest.fn().mockResolvedValue({ data: emptyList, requestId: undefined, attempts: 1 });
    const fn = build(listPendingItemsRoute, { listPendingItems });
    // Act
    await fn(gatewayEvent({ platform: 'functiongraph', method: 'GET', path: '/v1/pending-items', bearer: TOKENS.read }), functionGraphContext({ remainingMs: remaining }) as never);
    // Assess: the client works the deadline out from the options it is given (callDeadlineMs), with the configured 3 s.
    expect(callDeadlineMs(listPendingItems.mock.calls[0]?.[1] as CallOptions, 3_000)).toBe(expected);
  });

  it('reads the time left as each call starts, so a later call of the invocation gets what is left then', async () => {
    // Prepare: the platform's clock runs down between the name lookup and the publish.
    let remaining = 10_000;
    const deadlines: number[] = [];
    const answer = (data: unknown) => (_input: unknown, options: CallOptions) => {
      deadlines.push(callDeadlineMs(options, 3_000));
      remaining -= 3_000; // each call takes 3 s of the invocation
      return Promise.resolve({ data, requestId: undefined, attempts: 1 });
    };
    const pendingItem = { pending_item_id: '26', item_name: 'job_26', task_type: 1, update_type: 1, package_flag: 0 };
    const fn = build(publishReleasePackageRoute, {
      queryReleasePackages: jest.fn(answer({ total: 0, data: [] })),
      listPendingItems: jest.fn(answer({ total: 1, data: [pendingItem] })),
      publishPendingItems: jest.fn(answer({ package_name: 'pkg_d', release_package_id: '79' })),
    });
    const body = { package_name: 'pkg_d', pending_item_list: ['26'], approver_ids: [BOUND_USER], apply_user_id: 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1' };
    // Act
    const response = parseResponse(
      await fn(gatewayEvent({ platform: 'functiongraph', method: 'POST', path: '/v1/release-packages', bearer: TOKENS.all, body }), { ...functionGraphContext(), getRemainingTimeInMilliSeconds: () => remaining } as never),
    );
    // Assess: the two reads start with 10 s and 7 s left (the configured 3 s each), the publish with 4 s left
    // (4 s less the 2 s margin).
    expect([response.statusCode, deadlines]).toStrictEqual([201, [3_000, 3_000, 2_000]]);
  });
});

describe('HTTP chain: publish checks its items, never at the cost of the publish', () => {
  const body = { package_name: 'pkg_c', pending_item_list: ['26'], approver_ids: [BOUND_USER], apply_user_id: 'a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1a1' };
  const publishEvent = () => gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages', bearer: TOKENS.all, body });
  const answer = (data: unknown) => ({ data, requestId: undefined, attempts: 1 });

  it('cancels the item check when the name answers the publish (a retry), and replays', async () => {
    // Prepare: the item check hangs until it is cancelled.
    const signals: AbortSignal[] = [];
    const listPendingItems = jest.fn((_query: unknown, options: { signal: AbortSignal }) => {
      signals.push(options.signal);
      return new Promise((_resolve, reject) => options.signal.addEventListener('abort', () => reject(options.signal.reason)));
    });
    const existing = { package_id: '77', package_name: 'pkg_c', deploy_status: 1, package_approvers: [] };
    const queryReleasePackages = jest.fn().mockResolvedValue(answer({ total: 1, data: [existing] }));
    const showPackageDetail = jest.fn().mockResolvedValue(answer({ release_package: existing, task_details: [{ pending_item_id: '26' }] }));
    const publishPendingItems = jest.fn();
    const fn = build(publishReleasePackageRoute, { listPendingItems, queryReleasePackages, showPackageDetail, publishPendingItems });

    // Act
    const response = parseResponse(await fn(publishEvent(), lambdaContext()));

    // Assess
    expect([response.statusCode, response.body, signals.map((s) => s.aborted), publishPendingItems.mock.calls.length]).toStrictEqual([
      200,
      { package_name: 'pkg_c', release_package_id: '77', replayed: true },
      [true],
      0,
    ]);
  });

  it('publishes when the pending items cannot be read, leaving the items to upstream, and says so in the log', async () => {
    // Prepare
    const unreadable = new UpstreamError('ListFactoryPendingItems answered 200 with an unexpected body (data.3.task_type)', { operation: 'ListFactoryPendingItems', kind: 'invalid-response', attempts: 1 });
    const listPendingItems = jest.fn().mockRejectedValue(unreadable);
    const queryReleasePackages = jest.fn().mockResolvedValue(answer({ total: 0, data: [] }));
    const publishPendingItems = jest.fn().mockResolvedValue({ data: { package_name: 'pkg_c', release_package_id: '78' }, requestId: 'r', attempts: 1 });
    const fn = build(publishReleasePackageRoute, { listPendingItems, queryReleasePackages, publishPendingItems });
    const before = logsMatching((e) => e.message === 'Pending items could not be checked before publishing; upstream will judge them').length;

    // Act
    const response = parseResponse(await fn(publishEvent(), lambdaContext()));

    // Assess
    expect([response.statusCode, response.body, publishPendingItems.mock.calls.length]).toStrictEqual([201, { package_name: 'pkg_c', release_package_id: '78', replayed: false }, 1]);
    expect(logsMatching((e) => e.message === 'Pending items could not be checked before publishing; upstream will judge them')).toHaveLength(before + 1);
  });
});

describe('HTTP chain: input the gateway delivers damaged or repeated', () => {
  const rid = requestIdFor;
  const JSON_HEADERS = (platform: EventPlatform) => ({ 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': rid(platform) });

  /** A header sent twice as each gateway delivers it: API Gateway every value in multiValueHeaders and the last in headers; APIG the values comma-joined. */
  function withRepeatedHeader(event: Record<string, unknown>, platform: EventPlatform, name: string, values: string[]): Record<string, unknown> {
    if (platform === 'functiongraph') return { ...event, headers: { ...(event.headers as Record<string, string>), [name.toLowerCase()]: values.join(',') } };
    return {
      ...event,
      headers: { ...(event.headers as Record<string, string>), [name]: values[values.length - 1] },
      multiValueHeaders: { ...(event.multiValueHeaders as Record<string, string[]>), [name]: values },
    };
  }

  it.each(PLATFORMS.flatMap((platform) => [
    [platform, 'nothing but characters outside base64', '!!!!\u0000\u0000####'],
    [platform, 'valid base64 followed by junk', `${Buffer.from('{}').toString('base64')}!!{"record_id":"x"}`],
    [platform, 'two base64 parts joined by a stray character', `${Buffer.from('{}').toString('base64')}*${Buffer.from('{"params":"oops"}').toString('base64')}`],
    [platform, 'base64url (neither gateway sends it)', 'eyJyZWNvcmRfaWQiOiLDu8O_In0'],
    [platform, 'base64 wrapped onto two lines', `${Buffer.from('{"trigger_source":"api"}').toString('base64').slice(0, 8)}\n${Buffer.from('{"trigger_source":"api"}').toString('base64').slice(8)}`],
  ]))('answers a %s body marked base64 that is %s with 400 naming the body, and starts nothing', async (platform, _case, body) => {
    // Prepare
    const startDeployTask = jest.fn();
    const event = { ...gatewayEvent({ platform, method: 'POST', path: `/v1/deploy-tasks/${TASK_ID}/start`, pathParameters: { task_id: TASK_ID }, body: '{}', bearer: TOKENS.all }), body, isBase64Encoded: true };

    // Act
    const response = parseResponse(await build(startDeployTaskRoute, { startDeployTask })(event, contextFor(platform) as never));

    // Assess
    expect(response).toStrictEqual({
      statusCode: 400,
      headers: JSON_HEADERS(platform),
      body: { error_code: 'HRF.0400', error_msg: 'Invalid request: body', request_id: rid(platform), fields: [{ field: 'body', message: 'is not valid base64' }] },
      isBase64Encoded: false,
    });
    expect(startDeployTask).not.toHaveBeenCalled();
  });

  it.each(PLATFORMS)('takes a %s body in standard base64 without its padding', async (platform) => {
    // Prepare: `{"limit":10}` encodes to 16 characters with `==` when padded.
    const queryReleasePackages = jest.fn().mockResolvedValue({ data: emptyList, requestId: undefined, attempts: 1 });
    const event = { ...gatewayEvent({ platform, method: 'POST', path: '/v1/release-packages/query', body: '{}', bearer: TOKENS.read }), body: 'eyJsaW1pdCI6MTB9', isBase64Encoded: true };

    // Act
    const response = parseResponse(await build(queryReleasePackagesRoute, { queryReleasePackages })(event, contextFor(platform) as never));

    // Assess
    expect(response).toStrictEqual({ statusCode: 200, headers: JSON_HEADERS(platform), body: emptyList, isBase64Encoded: false });
    expect(queryReleasePackages.mock.calls[0]?.[0]).toStrictEqual({ limit: 10 });
  });

  it.each(PLATFORMS)('refuses an Idempotency-Key sent twice on a %s event with 400 naming it, and publishes nothing', async (platform) => {
    // Prepare
    const publishPendingItems = jest.fn();
    const listPendingItems = jest.fn();
    const body = { package_name: 'pkg_1', pending_item_list: ['26'], approver_ids: ['7b71e498e75d44048c9a22dd3c54f978'], apply_user_id: 'f8ccc2ff3c7748e8a7bfede38ae1cffa' };
    const event = withRepeatedHeader(gatewayEvent({ platform, method: 'POST', path: '/v1/release-packages', bearer: TOKENS.all, body }), platform, 'Idempotency-Key', ['key-aaaaaaaa', 'key-bbbbbbbb']);

    // Act
    const response = parseResponse(await build(publishReleasePackageRoute, { publishPendingItems, listPendingItems })(event, contextFor(platform) as never));

    // Assess
    expect(response).toStrictEqual({
      statusCode: 400,
      headers: JSON_HEADERS(platform),
      body: {
        error_code: 'HRF.0400',
        error_msg: 'Invalid request: headers.idempotency-key',
        request_id: rid(platform),
        fields: [{ field: 'headers.idempotency-key', message: 'must be 8-128 letters, digits or _.:-' }],
      },
      isBase64Encoded: false,
    });
    expect([publishPendingItems.mock.calls.length, listPendingItems.mock.calls.length]).toStrictEqual([0, 0]);
  });

  it.each(PLATFORMS)('refuses an X-Workspace-Id sent twice (even the same id) on a %s event with 400 naming it', async (platform) => {
    // Prepare
    const listPendingItems = jest.fn();
    const event = withRepeatedHeader(gatewayEvent({ platform, method: 'GET', path: '/v1/pending-items', bearer: TOKENS.read }), platform, 'X-Workspace-Id', [TEST_WORKSPACE, TEST_WORKSPACE]);

    // Act
    const response = parseResponse(await build(listPendingItemsRoute, { listPendingItems })(event, contextFor(platform) as never));

    // Assess
    expect(response).toStrictEqual({
      statusCode: 400,
      headers: JSON_HEADERS(platform),
      body: {
        error_code: 'HRF.0400',
        error_msg: 'Invalid request: headers.x-workspace-id',
        request_id: rid(platform),
        fields: [{ field: 'headers.x-workspace-id', message: 'must be 32 letters or digits (a DataArts workspace id)' }],
      },
      isBase64Encoded: false,
    });
    expect(listPendingItems).not.toHaveBeenCalled();
  });

  it.each(PLATFORMS)('refuses an Authorization sent twice (a bad token, then a good one) on a %s event with 401, never taking the last', async (platform) => {
    // Prepare
    const listPendingItems = jest.fn();
    const event = withRepeatedHeader(gatewayEvent({ platform, method: 'GET', path: '/v1/pending-items' }), platform, 'Authorization', ['Bearer wrong-token-000', `Bearer ${TOKENS.all}`]);

    // Act
    const response = parseResponse(await build(listPendingItemsRoute, { listPendingItems })(event, contextFor(platform) as never));

    // Assess
    expect(response).toStrictEqual({
      statusCode: 401,
      headers: { ...JSON_HEADERS(platform), 'WWW-Authenticate': 'Bearer, SDK-HMAC-SHA256' },
      body: { error_code: 'HRF.0401', error_msg: 'Unsupported Authorization scheme: send a bearer token or an SDK-HMAC-SHA256 signature', request_id: rid(platform) },
      isBase64Encoded: false,
    });
    expect(listPendingItems).not.toHaveBeenCalled();
  });

  it('names in its message only the fields it reports (20), however many are wrong', async () => {
    // Prepare: a bad header and 25 bad items are 26 issues.
    const publishPendingItems = jest.fn();
    const body = { package_name: 'pkg_1', pending_item_list: Array.from({ length: 25 }, (_, i) => `x${i}`), approver_ids: ['7b71e498e75d44048c9a22dd3c54f978'], apply_user_id: 'f8ccc2ff3c7748e8a7bfede38ae1cffa' };
    const event = gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages', bearer: TOKENS.all, body, headers: { 'Idempotency-Key': 'short' } });
    const fields = [
      { field: 'headers.idempotency-key', message: 'must be 8-128 letters, digits or _.:-' },
      ...Array.from({ length: 19 }, (_, i) => ({ field: `body.pending_item_list.${i}`, message: 'must be a numeric id such as "26"' })),
    ];

    // Act
    const response = parseResponse(await build(publishReleasePackageRoute, { publishPendingItems })(event, lambdaContext()));

    // Assess
    expect(response).toStrictEqual({
      statusCode: 400,
      headers: JSON_HEADERS('aws'),
      body: { error_code: 'HRF.0400', error_msg: `Invalid request: ${fields.map((f) => f.field).join(', ')}`, request_id: rid('aws'), fields },
      isBase64Encoded: false,
    });
    expect(publishPendingItems).not.toHaveBeenCalled();
  });

  it('names five unknown body fields and counts the rest, in the answer and in the log, however many are sent', async () => {
    // Prepare: 29 000 unknown keys, about 260 KB of names.
    const queryReleasePackages = jest.fn();
    const keys = Array.from({ length: 29_000 }, (_, i) => `k${i.toString(36)}`);
    const text = `{${keys.map((k) => `"${k}":0`).join(',')}}`;
    const event = gatewayEvent({ platform: 'aws', method: 'POST', path: '/v1/release-packages/query', body: text, bearer: TOKENS.read });
    const field = 'body.k0,k1,k2,k3,k4 (+28995 more)';

    // Act
    const response = parseResponse(await build(queryReleasePackagesRoute, { queryReleasePackages })(event, lambdaContext()));

    // Assess
    expect(response).toStrictEqual({
      statusCode: 400,
      headers: JSON_HEADERS('aws'),
      body: { error_code: 'HRF.0400', error_msg: `Invalid request: ${field}`, request_id: rid('aws'), fields: [{ field, message: 'is not a known field' }] },
      isBase64Encoded: false,
    });
    const logged = logsMatching((e) => e.message === 'Request refused' && JSON.stringify(e).includes(field)).map((e) => JSON.stringify(e));
    expect([logged.length, logged.every((line) => line.length < 2_000 && !line.includes(`"k5"`) && !line.includes('k5,'))]).toStrictEqual([1, true]);
    expect(queryReleasePackages).not.toHaveBeenCalled();
  });
});
