/**
 * Thousands of generated hostile inputs against every route: always a 4xx naming the offending field,
 * never a 5xx, never an upstream call.
 */
import fc from 'fast-check';
import { listPendingItemsRoute } from '../../../functions/http/list-pending-items';
import { publishReleasePackageRoute } from '../../../functions/http/publish-release-package';
import { queryReleasePackagesRoute } from '../../../functions/http/query-release-packages';
import { rejectManualReviewRoute } from '../../../functions/http/reject-manual-review';
import { startDeployTaskRoute } from '../../../functions/http/start-deploy-task';
import { httpFunction, type AnyRouteSpec } from '../../../shared/http-function';
import type { HuaweiCloudClient } from '../../../shared/http/client';
import { fixedRuntime, testRuntime, TOKENS } from '../../helpers/runtime';
import { gatewayEvent, type EventPlatform } from '../../helpers/http-events';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';

const ID = 'd2dc947ec2424d8789bb3984bb3adf45';
const USER_A = 'f8ccc2ff3c7748e8a7bfede38ae1cffa';
const USER_B = '7b71e498e75d44048c9a22dd3c54f978';

/** Every client method is a spy that fails the test if reached. */
const upstreamCalls: string[] = [];
const trapClient = new Proxy({}, {
  get: (_t, name) => async () => {
    upstreamCalls.push(String(name));
    throw new Error(`upstream ${String(name)} must not be called`);
  },
}) as unknown as HuaweiCloudClient;

const runtime = fixedRuntime(testRuntime('http://127.0.0.1:9', { client: trapClient }));

interface RouteUnderTest {
  readonly route: AnyRouteSpec;
  readonly method: string;
  readonly path: string;
  readonly pathParameters: Record<string, string>;
  readonly validBody: Record<string, unknown> | undefined;
  readonly knownBodyFields: readonly string[];
  readonly knownQueryFields: readonly string[];
}

const routes: RouteUnderTest[] = [
  { route: listPendingItemsRoute as unknown as AnyRouteSpec, method: 'GET', path: '/v1/pending-items', pathParameters: {}, validBody: undefined, knownBodyFields: [], knownQueryFields: ['limit', 'offset', 'task_type', 'update_type', 'start_time', 'end_time', 'item_name', 'submit_user_name'] },
  {
    route: publishReleasePackageRoute as unknown as AnyRouteSpec,
    method: 'POST',
    path: '/v1/release-packages',
    pathParameters: {},
    validBody: { package_name: 'pkg_1', pending_item_list: ['26'], approver_ids: [USER_B], apply_user_id: USER_A },
    knownBodyFields: ['package_name', 'pending_item_list', 'approver_ids', 'apply_user_id'],
    knownQueryFields: [],
  },
  { route: queryReleasePackagesRoute as unknown as AnyRouteSpec, method: 'POST', path: '/v1/release-packages/query', pathParameters: {}, validBody: { limit: 10 }, knownBodyFields: ['limit', 'offset', 'key_word', 'deploy_status_filter', 'apply_begin_time', 'sorted_direction'], knownQueryFields: [] },
  { route: startDeployTaskRoute as unknown as AnyRouteSpec, method: 'POST', path: `/v1/deploy-tasks/${ID}/start`, pathParameters: { task_id: ID }, validBody: {}, knownBodyFields: ['params', 'record_id', 'trigger_source'], knownQueryFields: [] },
  {
    route: rejectManualReviewRoute as unknown as AnyRouteSpec,
    method: 'POST',
    path: `/v1/pipelines/${ID}/runs/${ID}/jobs/${ID}/steps/${ID}/refuse`,
    pathParameters: { pipeline_id: ID, pipeline_run_id: ID, job_run_id: ID, step_run_id: ID },
    validBody: undefined,
    knownBodyFields: [],
    knownQueryFields: [],
  },
];

const hostileString = fc.oneof(
  fc.constantFrom('../x', 'a/b', '%2F', '?q', '#frag', 'https://evil.example/x', '..%2F..%2Fv2', '\u0000', '😀', '\u202e', "'; DROP TABLE x;--", '<script>', ''),
  fc.string({ unit: 'grapheme', maxLength: 40 }),
  fc.string({ minLength: 300, maxLength: 2000 }),
);
const wrongType = fc.oneof(fc.integer(), fc.boolean(), fc.constant(null), fc.array(fc.integer(), { maxLength: 3 }), fc.dictionary(fc.string({ maxLength: 5 }), fc.integer(), { maxKeys: 2 }), fc.double());
const unknownName = fc.stringMatching(/^[a-z_]{1,20}$/).map((s) => `x_${s}`);

type Attack =
  | { kind: 'unknown-query'; name: string; value: string }
  | { kind: 'bad-query'; field: string; value: string }
  | { kind: 'unknown-body'; name: string; value: unknown }
  | { kind: 'bad-body'; field: string; value: unknown }
  | { kind: 'bad-path'; field: string; value: string }
  | { kind: 'malformed-json'; text: string }
  | { kind: 'wrong-content-type'; contentType: string }
  | { kind: 'oversized' }
  | { kind: 'not-an-object'; value: unknown };

/** What each query field accepts; generated values matching these are not hostile. */
const VALID_QUERY: Record<string, RegExp> = {
  limit: /^(?:[1-9]|[1-9][0-9]|100)$/,
  offset: /^(?:0|[1-9][0-9]{0,5}|1000000)$/,
  task_type: /^[12]$/,
  update_type: /^[123]$/,
  start_time: /^[0-9]{1,13}$/,
};

function attacksFor(target: RouteUnderTest): fc.Arbitrary<Attack> {
  const options: fc.Arbitrary<Attack>[] = [fc.record({ kind: fc.constant('unknown-query' as const), name: unknownName, value: fc.string({ maxLength: 50 }) })];
  if (target.knownQueryFields.length) {
    options.push(
      fc.record({
        kind: fc.constant('bad-query' as const),
        field: fc.constantFrom('limit', 'offset', 'task_type', 'update_type', 'start_time'),
        value: fc.oneof(fc.constantFrom('-1', '0', '101', '1e9', 'abc', '1.5', '', ' 5', '0x10', '9999999999999999'), hostileString),
      }).filter((a) => !VALID_QUERY[a.field]?.test(a.value)),
    );
  }
  if (Object.keys(target.pathParameters).length) {
    options.push(fc.record({ kind: fc.constant('bad-path' as const), field: fc.constantFrom(...Object.keys(target.pathParameters)), value: hostileString.filter((v) => !/^[A-Za-z0-9]{32}$/.test(v)) }));
  }
  if (target.validBody) {
    options.push(
      fc.record({ kind: fc.constant('unknown-body' as const), name: unknownName, value: fc.oneof(hostileString, wrongType) }),
      fc.record({ kind: fc.constant('malformed-json' as const), text: fc.oneof(fc.constantFrom('{', '{"a":', '[1,', '{"limit":1}}', 'nul', '\u0000'), fc.string({ maxLength: 30 }).map((s) => `{${s}`)) }),
      fc.record({ kind: fc.constant('wrong-content-type' as const), contentType: fc.constantFrom('text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x', 'application/xml', 'application/jsonp') }),
      fc.record({ kind: fc.constant('oversized' as const) }),
      fc.record({ kind: fc.constant('not-an-object' as const), value: fc.oneof(fc.integer(), fc.string({ maxLength: 10 }), fc.array(fc.integer(), { maxLength: 3 }), fc.constant(null)) }),
    );
    if (target.knownBodyFields.length) {
      // Wrong values for known fields; a value the field happens to accept (an empty params list, a
      // keyword "../x") is not hostile, so candidates the route's own schema accepts are dropped.
      const bodySchema = target.route.request.body;
      options.push(
        fc
          .record({ kind: fc.constant('bad-body' as const), field: fc.constantFrom(...target.knownBodyFields), value: fc.oneof(wrongType, fc.string({ minLength: 300, maxLength: 600 }), fc.constantFrom('../x', '%2F', 'a/b')) })
          .filter((a) => !bodySchema?.safeParse({ ...target.validBody, [a.field]: a.value }).success),
      );
    }
  }
  return fc.oneof(...options);
}

function eventFor(target: RouteUnderTest, attack: Attack, platform: EventPlatform) {
  const query: Record<string, string> = {};
  const pathParameters = { ...target.pathParameters };
  let body: unknown = target.validBody;
  let contentType: string | undefined;
  switch (attack.kind) {
    case 'unknown-query':
      query[attack.name] = attack.value;
      break;
    case 'bad-query':
      query[attack.field] = attack.value;
      break;
    case 'bad-path':
      pathParameters[attack.field] = attack.value;
      break;
    case 'unknown-body':
      body = { ...target.validBody, [attack.name]: attack.value };
      break;
    case 'bad-body':
      body = { ...target.validBody, [attack.field]: attack.value };
      break;
    case 'malformed-json':
      body = attack.text;
      break;
    case 'wrong-content-type':
      contentType = attack.contentType;
      break;
    case 'oversized':
      body = { ...target.validBody, padding: 'x'.repeat(300 * 1024) };
      break;
    case 'not-an-object':
      body = JSON.stringify(attack.value);
      break;
  }
  return gatewayEvent({ platform, method: target.method, path: target.path, pathParameters, query, body, bearer: TOKENS.all, ...(contentType ? { contentType } : {}) });
}

/** The prefix of the field a response must name for an attack. */
function expectedField(attack: Attack): string {
  switch (attack.kind) {
    case 'unknown-query':
      return `query.${attack.name}`;
    case 'bad-query':
      return `query.${attack.field}`;
    case 'bad-path':
      return `path.${attack.field}`;
    case 'unknown-body':
      return 'body';
    case 'bad-body':
      return `body.${attack.field}`;
    case 'wrong-content-type':
      return 'headers.content-type';
    default:
      return 'body';
  }
}

describe('Hostile input', () => {
  it.each(routes.map((r) => [r.route.functionName, r] as const))('%s answers every hostile input with a 4xx naming the field, without calling upstream', async (_name, target) => {
    const handler = httpFunction(target.route, runtime);
    await fc.assert(
      fc.asyncProperty(attacksFor(target), fc.constantFrom<EventPlatform>('aws', 'functiongraph'), async (attack, platform) => {
        upstreamCalls.length = 0;
        const context = platform === 'aws' ? lambdaContext() : functionGraphContext();
        const response = await handler(eventFor(target, attack, platform), context as never);
        const body = JSON.parse(response.body) as { error_code: string; error_msg: string; fields?: Array<{ field: string; message: string }> };
        expect(response.statusCode).toBeGreaterThanOrEqual(400);
        expect(response.statusCode).toBeLessThan(500);
        expect(upstreamCalls).toStrictEqual([]);
        expect(body.error_code).toMatch(/^HRF\.04\d\d$/);
        expect(body.fields?.some((f) => f.field.startsWith(expectedField(attack)))).toBe(true);
      }),
      { numRuns: 600, seed: 20261123 },
    );
  });
});

describe('Text that is not well-formed Unicode', () => {
  const MESSAGE = 'must be valid Unicode text (it holds an unpaired surrogate)';
  const param = (key: string, value: string) => ({ params: [{ key, value, type: 'text' }] });
  const textCases: ReadonlyArray<readonly [string, RouteUnderTest, { query?: Record<string, string>; body?: Record<string, unknown> }]> = [
    ['query.item_name', routes[0] as RouteUnderTest, { query: { item_name: 'job\uD800' } }],
    ['query.submit_user_name', routes[0] as RouteUnderTest, { query: { submit_user_name: '\uDC00ops' } }],
    ['body.key_word', routes[2] as RouteUnderTest, { body: { key_word: 'rel\uD83D' } }],
    ['body.apply_user_name', routes[2] as RouteUnderTest, { body: { apply_user_name: '\uDE00\uD83D' } }],
    ['body.deploy_user_name_filter.1', routes[2] as RouteUnderTest, { body: { deploy_user_name_filter: ['ops', 'ops\uDFFF'] } }],
    ['body.params.0.key', routes[3] as RouteUnderTest, { body: param('ver\uD800', '1') }],
    ['body.params.0.value', routes[3] as RouteUnderTest, { body: param('version', '1.0\uDBFF') }],
  ];

  it.each(textCases)('%s with an unpaired surrogate is a 400 naming it, without calling upstream', async (field, target, input) => {
    upstreamCalls.length = 0;
    const handler = httpFunction(target.route, runtime);
    const event = gatewayEvent({
      platform: 'functiongraph',
      method: target.method,
      path: target.path,
      pathParameters: target.pathParameters,
      query: input.query ?? {},
      body: input.body ?? target.validBody,
      bearer: TOKENS.all,
    });
    const response = await handler(event, functionGraphContext({ requestId: 'fg-text-0001' }) as never);
    expect({ ...response, body: JSON.parse(response.body) as unknown }).toStrictEqual({
      statusCode: 400,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': 'fg-text-0001' },
      body: { error_code: 'HRF.0400', error_msg: `Invalid request: ${field}`, request_id: 'fg-text-0001', fields: [{ field, message: MESSAGE }] },
      isBase64Encoded: false,
    });
    expect(upstreamCalls).toStrictEqual([]);
  });

  it('a well-formed pair (an emoji) in the same fields is accepted', () => {
    const query = listPendingItemsRoute.request.query?.safeParse({ item_name: 'job 😀', submit_user_name: 'ops😀' });
    const body = queryReleasePackagesRoute.request.body?.safeParse({ key_word: 'rel 😀', apply_user_name: '😀' });
    expect([query?.success, body?.success]).toStrictEqual([true, true]);
  });
});

describe('A query parameter named __proto__', () => {
  it.each(routes.map((r) => [r.route.functionName, r] as const))('%s refuses it with 400 naming query.__proto__, without calling upstream', async (_name, target) => {
    upstreamCalls.length = 0;
    const event = gatewayEvent({ platform: 'aws', method: target.method, path: target.path, pathParameters: target.pathParameters, ...(target.validBody ? { body: target.validBody } : {}), bearer: TOKENS.all });
    // As a gateway delivers it: JSON, in which "__proto__" is an own key.
    const hostile = { ...event, queryStringParameters: JSON.parse('{"__proto__": "x", "limit": "5"}') as Record<string, string> };
    const response = await httpFunction(target.route, runtime)(hostile, lambdaContext() as never);
    expect([response.statusCode, JSON.parse(response.body), upstreamCalls]).toStrictEqual([
      400,
      { error_code: 'HRF.0400', error_msg: 'Invalid request: query.__proto__', request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef', fields: [{ field: 'query.__proto__', message: 'is not accepted' }] },
      [],
    ]);
  });
});
