/**
 * shared/platform/http-event.ts on captured gateway events: API Gateway (Lambda) REST proxy events and
 * Huawei APIG events as FunctionGraph delivers them (body base64 by default), plus the response shape
 * both gateways require.
 *
 * Fixture provenance: apig-get/apig-post follow the FunctionGraph console's APIG event template (toolchain
 * §5); apig-empty-body, apig-plain-body (isBase64Encoded false) and apig-binary-body are the same shape
 * with other bodies. apig-multi-value-query carries a repeated query key as an array of strings: APIG's
 * documentation does not show how a repeated key reaches a function, and an array is the shape APIG uses
 * for repeated query values elsewhere; the adapter must accept it rather than refuse the request.
 */
import awsGet from '../../fixtures/events/aws/rest-proxy-get.json';
import awsPost from '../../fixtures/events/aws/rest-proxy-post.json';
import awsMulti from '../../fixtures/events/aws/rest-proxy-multi-value-query.json';
import awsScheduled from '../../fixtures/events/aws/scheduled.json';
import fgGet from '../../fixtures/events/functiongraph/apig-get.json';
import fgPost from '../../fixtures/events/functiongraph/apig-post.json';
import fgMulti from '../../fixtures/events/functiongraph/apig-multi-value-query.json';
import fgEmpty from '../../fixtures/events/functiongraph/apig-empty-body.json';
import fgPlain from '../../fixtures/events/functiongraph/apig-plain-body.json';
import fgBinary from '../../fixtures/events/functiongraph/apig-binary-body.json';
import fgTimer from '../../fixtures/events/functiongraph/timer.json';
import { fromRestProxyEvent, jsonResponse, MalformedEventError } from '../../../shared/platform/http-event';

const clone = <T>(value: T): T => structuredClone(value);

const FG_HEADERS = {
  accept: 'application/json',
  'x-forwarded-port': '443',
  'x-forwarded-for': '103.218.216.98',
  host: '50eedf92-c9ad-4ac0-827e-d7c11415d4f1.apigw.cn-north-4.huaweicloud.com',
  'x-forwarded-proto': 'https',
  'x-real-ip': '103.218.216.98',
  'user-agent': 'curl/8.5.0',
};

describe('Platform: API Gateway (Lambda) REST proxy events', () => {
  it('normalises the GET event: stage-prefixed path kept apart, lower-case headers, no body', () => {
    // Act
    const request = fromRestProxyEvent(clone(awsGet));

    // Assess
    expect(request).toStrictEqual({
      method: 'GET',
      path: '/v1/pending-items',
      addressedPath: '/dev/v1/pending-items',
      pathParameters: {},
      query: { limit: '5' },
      headers: {
        accept: 'application/json',
        host: 'abc123.execute-api.eu-west-1.amazonaws.com',
        'user-agent': 'curl/8.5.0',
        'x-amzn-trace-id': 'Root=1-6745a1b2-3c4d5e6f7a8b9c0d1e2f3a4b',
        'x-forwarded-for': '203.0.113.10',
        'x-forwarded-port': '443',
        'x-forwarded-proto': 'https',
      },
      rawBody: Buffer.alloc(0),
      gatewayRequestId: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef',
      sourceIp: '203.0.113.10',
    });
  });

  it('keeps the POST body bytes as sent (not base64)', () => {
    // Act
    const request = fromRestProxyEvent(clone(awsPost));

    // Assess
    expect(request.rawBody.toString('utf8')).toBe('{"limit":10,"offset":0}');
    expect(request.method).toBe('POST');
    expect(request.headers['content-type']).toBe('application/json');
  });

  it('keeps every value of a repeated query key (multiValueQueryStringParameters)', () => {
    // Act
    const request = fromRestProxyEvent(clone(awsMulti));

    // Assess
    expect(request.query).toStrictEqual({ task_type: ['1', '2'], limit: '5' });
  });

  it('takes headers from multiValueHeaders when the single-value map lacks them', () => {
    // Prepare
    const event = { ...clone(awsGet), headers: null, multiValueHeaders: { Accept: ['application/json', 'text/plain'] } };

    // Act
    const request = fromRestProxyEvent(event);

    // Assess
    expect(request.headers).toStrictEqual({ accept: 'application/json,text/plain' });
  });
});

describe('Platform: FunctionGraph APIG events', () => {
  it('normalises the GET event (base64, empty body; no stage prefix; no source ip field)', () => {
    // Act
    const request = fromRestProxyEvent(clone(fgGet));

    // Assess
    expect(request).toStrictEqual({
      method: 'GET',
      path: '/v1/pending-items',
      addressedPath: undefined,
      pathParameters: {},
      query: { limit: '5' },
      headers: {
        'accept-language': 'zh-CN,zh;q=0.8,zh-TW;q=0.7,zh-HK;q=0.5,en-US;q=0.3,en;q=0.2',
        'accept-encoding': 'gzip, deflate, br',
        'x-forwarded-port': '443',
        'x-forwarded-for': '103.218.216.98',
        accept: 'application/json',
        'upgrade-insecure-requests': '1',
        host: '50eedf92-c9ad-4ac0-827e-d7c11415d4f1.apigw.cn-north-4.huaweicloud.com',
        'x-forwarded-proto': 'https',
        pragma: 'no-cache',
        'cache-control': 'no-cache',
        'x-real-ip': '103.218.216.98',
        'user-agent': 'Mozilla/5.0 (Windows NT 10.0; Win64; x64; rv:57.0) Gecko/20100101 Firefox/57.0',
      },
      rawBody: Buffer.alloc(0),
      gatewayRequestId: '11cdcdcf33949dc6d722640a13091c77',
      sourceIp: undefined,
    });
  });

  it('decodes the base64 POST body', () => {
    // Act
    const request = fromRestProxyEvent(clone(fgPost));

    // Assess
    expect(request.rawBody.toString('utf8')).toBe('{"limit":10,"offset":0}');
    expect(request.method).toBe('POST');
    expect(request.gatewayRequestId).toBe('22dedede44a5aed7e833751b24102d88');
  });

  it('keeps binary bodies byte for byte', () => {
    // Act
    const request = fromRestProxyEvent(clone(fgBinary));

    // Assess
    expect([...request.rawBody]).toStrictEqual([0xff, 0xfe, 0x00, 0x7b, 0x22, 0xe9, 0x22, 0x7d]);
  });

  it('reads a body that APIG did not base64-encode (isBase64Encoded false) as text', () => {
    // Act
    const request = fromRestProxyEvent(clone(fgPlain));

    // Assess
    expect(request.rawBody.toString('utf8')).toBe('{"limit":10,"offset":0}');
  });

  it('gives an empty body for an empty base64 body, and keeps the path parameters', () => {
    // Act
    const request = fromRestProxyEvent(clone(fgEmpty));

    // Assess
    expect(request).toStrictEqual({
      method: 'POST',
      path: '/v1/deploy-tasks/d2dc947ec2424d8789bb3984bb3adf45/start',
      addressedPath: undefined,
      pathParameters: { task_id: 'd2dc947ec2424d8789bb3984bb3adf45' },
      query: {},
      headers: { ...FG_HEADERS, 'content-length': '0' },
      rawBody: Buffer.alloc(0),
      gatewayRequestId: '44f0f0f066c7c0f9a055973d46324faa',
      sourceIp: undefined,
    });
  });

  it('gives an empty body when the event has no body at all', () => {
    // Prepare
    const event: Record<string, unknown> = clone(fgGet);
    delete event.body;

    // Act
    const request = fromRestProxyEvent(event);

    // Assess
    expect(request.rawBody).toStrictEqual(Buffer.alloc(0));
  });

  it('accepts a repeated query key delivered as an array, keeping every value', () => {
    // Act
    const request = fromRestProxyEvent(clone(fgMulti));

    // Assess
    expect(request.query).toStrictEqual({ task_type: ['1', '2'], limit: '5' });
  });

  it('refuses what is not a gateway event (a TIMER event, an EventBridge event, null)', () => {
    // Act
    const attempts = [clone(fgTimer), clone(awsScheduled), null, 'GET /'].map((event) => {
      try {
        fromRestProxyEvent(event);
        return 'accepted';
      } catch (error) {
        return error instanceof MalformedEventError ? 'malformed' : 'other';
      }
    });

    // Assess
    expect(attempts).toStrictEqual(['malformed', 'malformed', 'malformed', 'malformed']);
  });
});

describe('Platform: a body marked base64', () => {
  const bodyOf = (body: string) => fromRestProxyEvent({ ...clone(fgPost), body }).rawBody;
  const refusal = (body: string) => {
    try {
      fromRestProxyEvent({ ...clone(fgPost), body });
      return 'accepted';
    } catch (error) {
      return error instanceof MalformedEventError ? { field: error.field, message: error.message } : 'other';
    }
  };

  it.each([
    ['padded', 'e30=', Buffer.from('{}')],
    ['without its padding', 'e30', Buffer.from('{}')],
    ['without two padding characters', 'eyI', Buffer.from('{"')],
    ['of bytes encoded with + and /', '+/8=', Buffer.from([0xfb, 0xff])],
    ['empty', '', Buffer.alloc(0)],
  ])('decodes standard base64 %s', (_case, body, expected) => {
    // Act
    const bytes = bodyOf(body);

    // Assess
    expect(bytes).toStrictEqual(expected);
  });

  it.each([
    ['only characters outside base64 (decoded leniently: zero bytes)', '!!!!\u0000\u0000####'],
    ['valid base64, then junk (decoded leniently: cut short)', 'e30=!!{"record_id":"x"}'],
    ['two parts joined by a stray character', 'e30*eyJ9'],
    ['base64url', 'ab-_'],
    ['a line break', 'e30\n='],
    ['a space', 'e3 0='],
    ['padding on a whole group', 'e30=='],
    ['padding in the middle', 'e3=0'],
    ['one character too many', 'e30=e'],
    ['padding alone', '='],
  ])('refuses %s, naming the body', (_case, body) => {
    // Act
    const outcome = refusal(body);

    // Assess
    expect(outcome).toStrictEqual({ field: 'body', message: 'is not valid base64' });
  });

  it('refuses it on a Lambda event too', () => {
    // Prepare
    const event = { ...clone(awsPost), body: 'e30=!!', isBase64Encoded: true };

    // Act
    const act = () => fromRestProxyEvent(event);

    // Assess
    expect(act).toThrow(new MalformedEventError('is not valid base64', 'body'));
  });
});

describe('Platform: a header sent more than once', () => {
  it('reads a Lambda header from multiValueHeaders, every value comma-joined, as FunctionGraph receives it', () => {
    // Prepare: API Gateway keeps only the last value in `headers`; APIG joins the values.
    const aws = { ...clone(awsGet), headers: { 'Idempotency-Key': 'key-bbbbbbbb' }, multiValueHeaders: { 'Idempotency-Key': ['key-aaaaaaaa', 'key-bbbbbbbb'] } };
    const fg = { ...clone(fgGet), headers: { 'idempotency-key': 'key-aaaaaaaa,key-bbbbbbbb' } };

    // Act
    const headers = [fromRestProxyEvent(aws).headers, fromRestProxyEvent(fg).headers];

    // Assess
    expect(headers).toStrictEqual([{ 'idempotency-key': 'key-aaaaaaaa,key-bbbbbbbb' }, { 'idempotency-key': 'key-aaaaaaaa,key-bbbbbbbb' }]);
  });

  it('takes names that differ only in case as one header, with every value', () => {
    // Prepare
    const inHeaders = { ...clone(awsGet), headers: { authorization: 'Bearer a', Authorization: 'Bearer b' }, multiValueHeaders: null };
    const inMulti = { ...clone(awsGet), headers: { Authorization: 'Bearer b' }, multiValueHeaders: { authorization: ['Bearer a'], Authorization: ['Bearer b'] } };

    // Act
    const headers = [fromRestProxyEvent(inHeaders).headers, fromRestProxyEvent(inMulti).headers];

    // Assess
    expect(headers).toStrictEqual([{ authorization: 'Bearer a,Bearer b' }, { authorization: 'Bearer a,Bearer b' }]);
  });

  it('reads a header sent once as that one value, though both Lambda maps hold it', () => {
    // Act
    const request = fromRestProxyEvent(clone(awsPost));

    // Assess
    expect(request.headers).toStrictEqual({
      accept: 'application/json',
      'content-type': 'application/json',
      host: 'abc123.execute-api.eu-west-1.amazonaws.com',
      'user-agent': 'python-requests/2.32.3',
      'x-forwarded-for': '203.0.113.10',
      'x-forwarded-port': '443',
      'x-forwarded-proto': 'https',
    });
  });
});

describe('Platform: gateway responses', () => {
  it('answers {statusCode, headers, body (a string), isBase64Encoded: false}, which both gateways accept', () => {
    // Act
    const response = jsonResponse(201, { id: '1', items: [1, 2] }, { 'X-Request-Id': 'r-1' });

    // Assess
    expect(response).toStrictEqual({
      statusCode: 201,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': 'r-1' },
      body: '{"id":"1","items":[1,2]}',
      isBase64Encoded: false,
    });
  });
});
