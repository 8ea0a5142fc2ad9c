/**
 * The SDK-HMAC-SHA256 signer, stage by stage, against the published vectors (../shared/api-reference.md §5.4)
 * and against the official Node SDK signer (@huaweicloud/huaweicloud-sdk-core 3.1.211) as an oracle.
 */
import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import {
  EMPTY_BODY_SHA256,
  authorizationHeader,
  canonicalHeaders,
  canonicalQueryString,
  canonicalRequest,
  canonicalUri,
  computeSignature,
  encodeRfc3986,
  formatSdkDate,
  parseSdkDate,
  payloadHash,
  sha256Hex,
  signRequest,
  splitUrl,
  stringToSign,
  type SigningCredentials,
} from '../../../shared/signing/signer';

const AK = 'AccessKey';
const SK = 'SecretKey';
const CREDENTIALS: SigningCredentials = { accessKey: AK, secretKey: SK };
const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const GO_DATE = '20060102T150405Z';
const DATE_2025 = '20250101T000000Z';
const SEED = 20250101;

/** The protected static stages of the SDK signer, reached for comparison only. */
const sdkStages = AKSKSigner as unknown as {
  urlEncode(value: string): string;
  CanonicalURI(path: string): string;
  CanonicalQueryString(request: { queryParams: Record<string, unknown> }): string;
};

function oracleCredentials(securityToken?: string): BasicCredentials {
  const credentials = new BasicCredentials().withAk(AK).withSk(SK);
  return securityToken ? credentials.withSecurityToken(securityToken) : credentials;
}

function sdkSign(request: { method: string; endpoint: string; queryParams?: Record<string, unknown>; headers: Record<string, string>; data?: unknown }): Record<string, string> {
  return AKSKSigner.sign({ queryParams: {}, ...request }, oracleCredentials()) as Record<string, string>;
}

// Vector 4 of §5.4, shared by several stages.
const V4_URL = `https://dayu.cn-north-4.myhuaweicloud.com/v2/${PROJECT_ID}/factory/pending-items/package`;
const V4_BODY = { apply_user_id: 'u1', package_name: 'pkg', pending_item_list: ['26'], approver_ids: ['a1'] };
const V4_HEADERS = { 'content-type': 'application/json', workspace: 'ws-1', 'X-Project-Id': PROJECT_ID };
const V4_CANONICAL_REQUEST = [
  'POST',
  `/v2/${PROJECT_ID}/factory/pending-items/package/`,
  '',
  'content-type:application/json',
  'host:dayu.cn-north-4.myhuaweicloud.com',
  'workspace:ws-1',
  `x-project-id:${PROJECT_ID}`,
  `x-sdk-date:${DATE_2025}`,
  '',
  'content-type;host;workspace;x-project-id;x-sdk-date',
  '691fafe60207d7f49eb242fe69dfe4e86efe38109e7635b36b5547c28eb9325e',
].join('\n');
const V4_SIGNATURE = 'f3562021612770ef57cee74b8ea042d9342f6e3f3315fd1c78cb3cc6ffb8c4d4';

describe('Signer: SDK date', () => {
  it('formats a date as the basic UTC form without milliseconds', () => {
    // Prepare
    const date = new Date(Date.UTC(2006, 0, 2, 15, 4, 5, 999));

    // Act
    const formatted = formatSdkDate(date);

    // Assess
    expect(formatted).toBe(GO_DATE);
  });

  it('parses its own format back to the same instant', () => {
    // Prepare
    const value = '20251231T235959Z';

    // Act
    const parsed = parseSdkDate(value);

    // Assess
    expect(parsed?.toISOString()).toBe('2025-12-31T23:59:59.000Z');
  });

  it.each(['2025-01-01T00:00:00Z', '20250101T000000', '20250230T000000Z', '20250101T240000Z', '20250101t000000z', ' 20250101T000000Z', ''])(
    'refuses %j',
    (value) => {
      // Prepare
      const input = value;

      // Act
      const parsed = parseSdkDate(input);

      // Assess
      expect(parsed).toBe(undefined);
    },
  );
});

describe('Signer: encodeRfc3986', () => {
  it('encodes the GO query vector value, keeping only A-Z a-z 0-9 - . _ ~', () => {
    // Prepare
    const value = '一 (&=?!#%.*)-_~';

    // Act
    const encoded = encodeRfc3986(value);

    // Assess
    expect(encoded).toBe('%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29-_~');
  });

  it("encodes exactly like the SDK's urlEncode for any well-formed string (600 generated)", () => {
    // Prepare
    const property = fc.property(fc.string({ unit: 'grapheme', maxLength: 40 }), fc.string({ unit: 'binary-ascii', maxLength: 40 }), (a, b) => {
      // Act
      const ours = encodeRfc3986(a + b);

      // Assess
      expect(ours).toBe(sdkStages.urlEncode(a + b));
    });

    // Act + Assess
    fc.assert(property, { seed: SEED, numRuns: 600 });
  });
});

describe('Signer: canonicalUri', () => {
  it.each([
    ['', '/'],
    ['/', '/'],
    [`/v2/${PROJECT_ID}/factory/pending-items/package`, `/v2/${PROJECT_ID}/factory/pending-items/package/`],
    ['/v2/tasks/abc/start/', '/v2/tasks/abc/start/'],
    ['/a//b', '/a//b/'],
    // The wire path is already encoded; like the Node SDK, each '%' is encoded again.
    ['/files/a%2Fb/%E4%B8%80', '/files/a%252Fb/%25E4%25B8%2580/'],
    ['/x%20y', '/x%2520y/'],
  ])('maps %j to %j', (rawPath, expected) => {
    // Prepare
    const input = rawPath;

    // Act
    const uri = canonicalUri(input);

    // Assess
    expect(uri).toBe(expected);
  });

  it.each(['/path', '/a/b/', '/v2/%E4%B8%80/x', '/a%2Fb%3F/c~d.e_f-g'])('agrees with the SDK CanonicalURI for %j', (rawPath) => {
    // Prepare
    const expected = sdkStages.CanonicalURI(rawPath);

    // Act
    const uri = canonicalUri(rawPath);

    // Assess
    expect(uri).toBe(expected);
  });
});

describe('Signer: canonicalQueryString', () => {
  it('reproduces the GO/NPM query vector from a raw, encoded, unsorted query', () => {
    // Prepare
    const raw = [
      'test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29',
      'multi=3',
      'limit=1',
      'path=%2Ftmp%2F123',
      'multi=1',
      'enable=true',
      'multi=2',
    ].join('&');

    // Act
    const canonical = canonicalQueryString(raw);

    // Assess
    expect(canonical).toBe('enable=true&limit=1&multi=1&multi=2&multi=3&path=%2Ftmp%2F123&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29');
  });

  it('equals the SDK CanonicalQueryString on the same parameters', () => {
    // Prepare
    const expected = sdkStages.CanonicalQueryString({
      queryParams: { limit: 1, enable: 'true', test: '一 (&=?!#%.*)', path: '/tmp/123', multi: ['1', '2', '3'] },
    });

    // Act
    const canonical = canonicalQueryString('limit=1&enable=true&test=%E4%B8%80%20%28%26%3D%3F%21%23%25.%2A%29&path=%2Ftmp%2F123&multi=2&multi=3&multi=1');

    // Assess
    expect(canonical).toBe(expected);
  });

  it.each([
    ['', ''],
    ['a', 'a='],
    ['a=&b', 'a=&b='],
    ['&&b=1&', 'b=1'],
    ['b=2&a=1', 'a=1&b=2'],
    ['q=%7e%41', 'q=~A'],
    ['k=a+b', 'k=a%2Bb'],
  ])('canonicalises %j as %j', (raw, expected) => {
    // Prepare
    const input = raw;

    // Act
    const canonical = canonicalQueryString(input);

    // Assess
    expect(canonical).toBe(expected);
  });

  it('throws URIError on a malformed percent escape', () => {
    // Prepare
    const raw = 'a=%E4%B8';

    // Act
    const act = () => canonicalQueryString(raw);

    // Assess
    expect(act).toThrow(URIError);
  });
});

describe('Signer: canonicalHeaders', () => {
  it('renders the headers of vector 4 sorted and lower-cased', () => {
    // Prepare
    const headers = { ...V4_HEADERS, host: 'dayu.cn-north-4.myhuaweicloud.com', 'X-Sdk-Date': DATE_2025 };

    // Act
    const result = canonicalHeaders(headers);

    // Assess
    expect(result).toStrictEqual({
      canonical: [
        'content-type:application/json',
        'host:dayu.cn-north-4.myhuaweicloud.com',
        'workspace:ws-1',
        `x-project-id:${PROJECT_ID}`,
        `x-sdk-date:${DATE_2025}`,
        '',
      ].join('\n'),
      signedHeaders: 'content-type;host;workspace;x-project-id;x-sdk-date',
    });
  });

  it('trims values', () => {
    // Prepare
    const headers = { 'X-A': '  spaced value \t' };

    // Act
    const result = canonicalHeaders(headers);

    // Assess
    expect(result).toStrictEqual({ canonical: 'x-a:spaced value\n', signedHeaders: 'x-a' });
  });

  it.each(['TEST_UNDERSCORE', 'bad header', 'x:y', ''])('refuses to sign the header name %j', (name) => {
    // Prepare
    const headers = { [name]: 'v' };

    // Act
    const act = () => canonicalHeaders(headers);

    // Assess
    expect(act).toThrow(new TypeError(`header name "${name}" cannot be signed`));
  });

  it('refuses a header given twice in different cases', () => {
    // Prepare
    const headers = { Workspace: 'a', workspace: 'b' };

    // Act
    const act = () => canonicalHeaders(headers);

    // Assess
    expect(act).toThrow(new TypeError('header "workspace" is given twice'));
  });
});

describe('Signer: payloadHash', () => {
  it.each([
    ['no body', undefined, undefined, EMPTY_BODY_SHA256],
    ['an empty string', '', undefined, EMPTY_BODY_SHA256],
    ['an empty byte array', new Uint8Array(0), undefined, EMPTY_BODY_SHA256],
    ['the vector 4 body', JSON.stringify(V4_BODY), undefined, '691fafe60207d7f49eb242fe69dfe4e86efe38109e7635b36b5547c28eb9325e'],
    ['the vector 4 body as bytes', Buffer.from(JSON.stringify(V4_BODY), 'utf8'), undefined, '691fafe60207d7f49eb242fe69dfe4e86efe38109e7635b36b5547c28eb9325e'],
    ['UNSIGNED-PAYLOAD', '{"a":1}', 'UNSIGNED-PAYLOAD', 'UNSIGNED-PAYLOAD'],
  ])('hashes %s', (_label, body, override, expected) => {
    // Prepare
    const input = body;

    // Act
    const hash = payloadHash(input, override);

    // Assess
    expect(hash).toBe(expected);
  });

  it('matches sha256("") as the empty-body constant', () => {
    // Prepare
    const empty = '';

    // Act
    const hash = createHash('sha256').update(empty).digest('hex');

    // Assess
    expect(hash).toBe(EMPTY_BODY_SHA256);
  });
});

describe('Signer: canonical request, string to sign, signature (vector 4)', () => {
  const headers = canonicalHeaders({ ...V4_HEADERS, host: 'dayu.cn-north-4.myhuaweicloud.com', 'X-Sdk-Date': DATE_2025 });

  it('builds the canonical request text given in the reference', () => {
    // Prepare
    const parts = {
      method: 'post',
      rawPath: `/v2/${PROJECT_ID}/factory/pending-items/package`,
      rawQuery: '',
      headers,
      payloadHash: payloadHash(JSON.stringify(V4_BODY)),
    };

    // Act
    const canonical = canonicalRequest(parts);

    // Assess
    expect(canonical).toBe(V4_CANONICAL_REQUEST);
  });

  it('builds the string to sign from the date and the hash of the canonical request', () => {
    // Prepare
    const canonicalHash = createHash('sha256').update(V4_CANONICAL_REQUEST, 'utf8').digest('hex');

    // Act
    const toSign = stringToSign(DATE_2025, V4_CANONICAL_REQUEST);

    // Assess
    expect(toSign).toBe(`SDK-HMAC-SHA256\n${DATE_2025}\n${canonicalHash}`);
    expect(sha256Hex(V4_CANONICAL_REQUEST)).toBe(canonicalHash);
  });

  it('computes the published signature and Authorization header', () => {
    // Prepare
    const toSign = stringToSign(DATE_2025, V4_CANONICAL_REQUEST);

    // Act
    const signature = computeSignature(SK, toSign);
    const header = authorizationHeader(AK, headers.signedHeaders, signature);

    // Assess
    expect(signature).toBe(V4_SIGNATURE);
    expect(header).toBe(`SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=content-type;host;workspace;x-project-id;x-sdk-date, Signature=${V4_SIGNATURE}`);
  });
});

describe('Signer: GO vectors 1-2 reproduced with the stage functions (GO signs neither host nor content-type)', () => {
  function goSignature(method: string, rawQuery: string, body: string): string {
    const headers = canonicalHeaders({ 'X-Sdk-Date': GO_DATE });
    const canonical = canonicalRequest({ method, rawPath: '/path', rawQuery, headers, payloadHash: payloadHash(body) });
    return authorizationHeader(AK, headers.signedHeaders, computeSignature(SK, stringToSign(GO_DATE, canonical)));
  }

  it('vector 1: GET /path?limit=1', () => {
    // Prepare
    const method = 'GET';

    // Act
    const header = goSignature(method, 'limit=1', '');

    // Assess
    expect(header).toBe('SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624');
  });

  it('vector 2: POST /path?key=value with the body bytes ending in a newline', () => {
    // Prepare
    const body = '{"Name":"test","Id":1}\n';

    // Act
    const header = goSignature('POST', 'key=value', body);

    // Assess
    expect(header).toBe('SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=cecc2af119b18ab70b4d094c0750f3b42c02f254903179a0fc2cc72fc9db4f59');
  });

  it('vector 2 without the newline gives the other published signature', () => {
    // Prepare
    const body = '{"Name":"test","Id":1}';

    // Act
    const header = goSignature('POST', 'key=value', body);

    // Assess
    expect(header).toBe('SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=83599e5230b5b31fb58837c5760b4c2d407542df1f9493834ead538696e17a35');
  });
});

describe('Signer: splitUrl', () => {
  it.each([
    ['https://example.huaweicloud.com/path?limit=1', { host: 'example.huaweicloud.com', rawPath: '/path', rawQuery: 'limit=1' }],
    ['https://example.huaweicloud.com', { host: 'example.huaweicloud.com', rawPath: '/', rawQuery: '' }],
    ['https://example.huaweicloud.com/a%2Fb/?q=%E4%B8%80&r=1#frag', { host: 'example.huaweicloud.com', rawPath: '/a%2Fb/', rawQuery: 'q=%E4%B8%80&r=1' }],
    ['http://127.0.0.1:8443/v2/x?', { host: '127.0.0.1:8443', rawPath: '/v2/x', rawQuery: '' }],
    // Regressions: the host used to be searched for in the URL text, which failed on these.
    ['https://Example.HuaweiCloud.COM/path?x=1', { host: 'example.huaweicloud.com', rawPath: '/path', rawQuery: 'x=1' }],
    ['https://example.huaweicloud.com:443/path', { host: 'example.huaweicloud.com', rawPath: '/path', rawQuery: '' }],
    ['https://user@example.huaweicloud.com/p', { host: 'example.huaweicloud.com', rawPath: '/p', rawQuery: '' }],
    // What an HTTP client actually sends: dot segments resolved, code points outside the URL set encoded.
    ['https://example.huaweicloud.com/a/../b/./c', { host: 'example.huaweicloud.com', rawPath: '/b/c', rawQuery: '' }],
    ['https://example.huaweicloud.com/a b/é', { host: 'example.huaweicloud.com', rawPath: '/a%20b/%C3%A9', rawQuery: '' }],
  ])('splits %s', (url, expected) => {
    // Prepare
    const input = url;

    // Act
    const parts = splitUrl(input);

    // Assess
    expect(parts).toStrictEqual(expected);
  });

  it('refuses a non-http URL', () => {
    // Prepare
    const url = 'ftp://example.huaweicloud.com/file';

    // Act
    const act = () => splitUrl(url);

    // Assess
    expect(act).toThrow(new TypeError('cannot sign a ftp: URL'));
  });
});

describe('Signer: signRequest against the published vectors', () => {
  it('vector 3: GET /path?limit=1 signs host and date', () => {
    // Prepare
    const request = { method: 'GET', url: 'https://example.huaweicloud.com/path?limit=1', headers: {} };

    // Act
    const signed = signRequest(request, CREDENTIALS, { now: parseSdkDate(GO_DATE) as Date });

    // Assess
    expect(signed).toStrictEqual({
      method: 'GET',
      url: 'https://example.huaweicloud.com/path?limit=1',
      headers: {
        host: 'example.huaweicloud.com',
        'X-Sdk-Date': GO_DATE,
        Authorization:
          'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=7eb88c06474c7197e670e0ae61651746453587eb5fad98074266578511cf3c01',
      },
    });
  });

  it('vector 4: publish pending items', () => {
    // Prepare
    const request = { method: 'POST', url: V4_URL, headers: V4_HEADERS, body: JSON.stringify(V4_BODY) };

    // Act
    const signed = signRequest(request, CREDENTIALS, { now: parseSdkDate(DATE_2025) as Date });

    // Assess
    expect(signed).toStrictEqual({
      method: 'POST',
      url: V4_URL,
      body: JSON.stringify(V4_BODY),
      headers: {
        ...V4_HEADERS,
        host: 'dayu.cn-north-4.myhuaweicloud.com',
        'X-Sdk-Date': DATE_2025,
        Authorization: `SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=content-type;host;workspace;x-project-id;x-sdk-date, Signature=${V4_SIGNATURE}`,
      },
    });
  });

  it('vector 5: list pending items with a query', () => {
    // Prepare
    const request = {
      method: 'GET',
      url: `https://dayu.cn-north-4.myhuaweicloud.com/v2/${PROJECT_ID}/factory/pending-items?limit=10&offset=0`,
      headers: V4_HEADERS,
    };

    // Act
    const signed = signRequest(request, CREDENTIALS, { now: parseSdkDate(DATE_2025) as Date });

    // Assess
    expect(signed.headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=content-type;host;workspace;x-project-id;x-sdk-date, Signature=83e7b58a3a72cb322796c43accfeaf088794f9675f32f0756cfd24e6949ef8f9',
    );
  });

  it('vector 6: start deploy task with UNSIGNED-PAYLOAD', () => {
    // Prepare
    const request = {
      method: 'POST',
      url: 'https://codearts-deploy.cn-north-4.myhuaweicloud.com/v2/tasks/d2dc947ec2424d8789bb3984bb3adf45/start',
      headers: { 'content-type': 'application/json;charset=UTF-8', 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' },
      body: '{"params":[]}',
    };

    // Act
    const signed = signRequest(request, CREDENTIALS, { now: parseSdkDate(DATE_2025) as Date });

    // Assess
    expect(signed.headers.Authorization).toBe(
      'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=content-type;host;x-sdk-content-sha256;x-sdk-date, Signature=29477f75eadf7ef92b89c3e391c9f0af0e88ded3807bc0ec09a0a9264d22edfd',
    );
  });

  it('replaces caller-supplied host, date, token and Authorization and signs the security token', () => {
    // Prepare
    const request = {
      method: 'GET',
      url: 'https://example.huaweicloud.com/path?limit=1',
      headers: { Host: 'evil.example', 'x-sdk-date': '20000101T000000Z', 'X-SECURITY-TOKEN': 'forged', authorization: 'Bearer x' },
    };

    // Act
    const signed = signRequest(request, { ...CREDENTIALS, securityToken: 'sts-token' }, { now: parseSdkDate(GO_DATE) as Date });

    // Assess
    const canonical = canonicalRequest({
      method: 'GET',
      rawPath: '/path',
      rawQuery: 'limit=1',
      headers: canonicalHeaders({ host: 'example.huaweicloud.com', 'X-Sdk-Date': GO_DATE, 'X-Security-Token': 'sts-token' }),
      payloadHash: EMPTY_BODY_SHA256,
    });
    expect(signed.headers).toStrictEqual({
      host: 'example.huaweicloud.com',
      'X-Sdk-Date': GO_DATE,
      'X-Security-Token': 'sts-token',
      Authorization: authorizationHeader(AK, 'host;x-sdk-date;x-security-token', computeSignature(SK, stringToSign(GO_DATE, canonical))),
    });
  });

  it('does not mutate the request it is given', () => {
    // Prepare
    const headers = { workspace: 'ws-1' };
    const request = { method: 'GET', url: 'https://example.huaweicloud.com/path', headers };

    // Act
    signRequest(request, CREDENTIALS, { now: parseSdkDate(GO_DATE) as Date });

    // Assess
    expect(request).toStrictEqual({ method: 'GET', url: 'https://example.huaweicloud.com/path', headers: { workspace: 'ws-1' } });
  });
});

describe('Signer: signRequest equals the official Node SDK on the published vectors', () => {
  it('vector 3 through AKSKSigner.sign', () => {
    // Prepare
    const oracle = sdkSign({ method: 'GET', endpoint: 'https://example.huaweicloud.com/path', queryParams: { limit: 1 }, headers: { 'X-Sdk-Date': GO_DATE } });

    // Act
    const signed = signRequest({ method: 'GET', url: 'https://example.huaweicloud.com/path?limit=1', headers: {} }, CREDENTIALS, { now: parseSdkDate(GO_DATE) as Date });

    // Assess
    expect(signed.headers).toStrictEqual(oracle);
  });

  it('vector 4 through AKSKSigner.sign', () => {
    // Prepare
    const oracle = sdkSign({ method: 'POST', endpoint: V4_URL, headers: { ...V4_HEADERS, 'X-Sdk-Date': DATE_2025 }, data: V4_BODY });

    // Act
    const signed = signRequest({ method: 'POST', url: V4_URL, headers: V4_HEADERS, body: JSON.stringify(V4_BODY) }, CREDENTIALS, {
      now: parseSdkDate(DATE_2025) as Date,
    });

    // Assess
    expect(signed.headers).toStrictEqual(oracle);
    expect(oracle.Authorization).toContain(V4_SIGNATURE);
  });

  it('vector 5 through the full BasicCredentials.processAuthRequest pipeline', async () => {
    // Prepare
    const oracle = await oracleCredentials()
      .withProjectId(PROJECT_ID)
      .processAuthRequest(undefined as never, {
        endpoint: 'https://dayu.cn-north-4.myhuaweicloud.com',
        url: '/v2/{project_id}/factory/pending-items',
        method: 'GET',
        queryParams: { limit: 10, offset: 0 },
        headers: { 'X-Sdk-Date': DATE_2025, 'content-type': 'application/json', workspace: 'ws-1' },
        data: undefined,
      });

    // Act
    const signed = signRequest(
      { method: 'GET', url: `https://dayu.cn-north-4.myhuaweicloud.com/v2/${PROJECT_ID}/factory/pending-items?limit=10&offset=0`, headers: V4_HEADERS },
      CREDENTIALS,
      { now: parseSdkDate(DATE_2025) as Date },
    );

    // Assess
    expect(oracle.endpoint).toBe(`https://dayu.cn-north-4.myhuaweicloud.com/v2/${PROJECT_ID}/factory/pending-items`);
    expect(signed.headers.Authorization).toBe((oracle.headers as Record<string, string>).Authorization);
    expect(signed.headers.Authorization).toContain('Signature=83e7b58a3a72cb322796c43accfeaf088794f9675f32f0756cfd24e6949ef8f9');
  });

  it('vector 6 through the full pipeline (the SDK adds UNSIGNED-PAYLOAD for a non-exact JSON content type)', async () => {
    // Prepare
    const oracle = await oracleCredentials().processAuthRequest(undefined as never, {
      endpoint: 'https://codearts-deploy.cn-north-4.myhuaweicloud.com',
      url: '/v2/tasks/d2dc947ec2424d8789bb3984bb3adf45/start',
      method: 'POST',
      queryParams: {},
      headers: { 'X-Sdk-Date': DATE_2025, 'content-type': 'application/json;charset=UTF-8' },
      data: { params: [] },
    });

    // Act
    const signed = signRequest(
      {
        method: 'POST',
        url: 'https://codearts-deploy.cn-north-4.myhuaweicloud.com/v2/tasks/d2dc947ec2424d8789bb3984bb3adf45/start',
        headers: { 'content-type': 'application/json;charset=UTF-8', 'X-Sdk-Content-Sha256': 'UNSIGNED-PAYLOAD' },
        body: '{"params":[]}',
      },
      CREDENTIALS,
      { now: parseSdkDate(DATE_2025) as Date },
    );

    // Assess
    expect(signed.headers).toStrictEqual(oracle.headers);
  });
});

// ---- generated requests -------------------------------------------------------------------------

const RESERVED_HEADERS = new Set(['host', 'x-sdk-date', 'authorization', 'x-security-token', 'x-sdk-content-sha256', 'content-type']);
/** Characters an id or a query value could carry: reserved ASCII, '%', space, non-ASCII incl. astral. */
const trickyChar = fc.constantFrom(
  ...'!#$&\'()*+,/:;=?@[]% "<>\\^`{|}~-._'.split(''),
  'é', 'ß', '一', 'ü', '€', '😀', '\u00a0', 'a', 'Z', '0', '9',
);
const trickyString = (maxLength: number) =>
  fc.oneof(fc.string({ unit: trickyChar, maxLength }), fc.string({ unit: 'grapheme', maxLength }), fc.string({ unit: 'grapheme-ascii', maxLength }));
/** Path segments, encoded as our client encodes them. '.' and '..' are left out: HTTP clients resolve them. */
const segment = trickyString(12).filter((s) => s !== '.' && s !== '..');
const headerName = fc.stringMatching(/^[A-Za-z0-9][A-Za-z0-9-]{0,19}$/).filter((n) => !RESERVED_HEADERS.has(n.toLowerCase()));
const headerValue = fc.string({ unit: 'grapheme-ascii', maxLength: 30 }).map((v) => v.trim());
const queryKey = trickyString(10).filter((k) => k !== '__proto__');

interface GeneratedRequest {
  readonly method: string;
  readonly origin: string;
  readonly segments: string[];
  readonly trailingSlash: boolean;
  readonly query: Array<[string, string[]]>;
  readonly headers: Array<[string, string]>;
  readonly contentType: string | undefined;
  readonly data: unknown;
  readonly token: string | undefined;
  readonly date: Date;
  readonly pipeline: boolean;
}

const generatedRequest: fc.Arbitrary<GeneratedRequest> = fc.record({
  method: fc.constantFrom('GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'HEAD', 'OPTIONS'),
  origin: fc.constantFrom(
    'https://dayu.cn-north-4.myhuaweicloud.com',
    'https://codearts-deploy.ap-southeast-3.myhuaweicloud.com',
    'https://Pipeline-External.TR-WEST-1.myhuaweicloud.com',
    'http://127.0.0.1:8443',
    'http://localhost:9000',
  ),
  segments: fc.array(segment, { maxLength: 5 }),
  trailingSlash: fc.boolean(),
  query: fc.uniqueArray(fc.tuple(queryKey, fc.array(trickyString(12), { minLength: 1, maxLength: 3 })), { maxLength: 5, selector: ([k]) => k }),
  headers: fc.uniqueArray(fc.tuple(headerName, headerValue), { maxLength: 6, selector: ([n]) => n.toLowerCase() }),
  contentType: fc.constantFrom(undefined, 'application/json', 'application/json;charset=UTF-8'),
  data: fc.oneof(
    fc.constant(undefined),
    fc.dictionary(trickyString(8), fc.jsonValue({ maxDepth: 2 }), { maxKeys: 5 }),
    fc.array(fc.jsonValue({ maxDepth: 2 }), { maxLength: 4 }),
  ),
  token: fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{16,120}$/), { nil: undefined }),
  date: fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T23:59:59Z'), noInvalidDate: true }),
  pipeline: fc.boolean(),
});

function pathOf(g: GeneratedRequest): string {
  const path = g.segments.map(encodeRfc3986).join('/');
  return `/${path}${g.trailingSlash && path !== '' ? '/' : ''}`;
}

/** Our side: the URL our client puts on the wire, the exact body bytes, the headers we send. */
function ourSignature(g: GeneratedRequest): string {
  const query = g.query.flatMap(([k, vs]) => vs.map((v) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`)).join('&');
  const headers: Record<string, string> = Object.fromEntries(g.headers);
  if (g.contentType) headers['content-type'] = g.contentType;
  // The pipeline adds UNSIGNED-PAYLOAD for a content type other than exactly application/json; a client doing
  // the same sends that header, and the signer must then use it as the payload hash.
  if (g.pipeline && g.contentType !== undefined && g.contentType !== 'application/json') headers['X-Sdk-Content-Sha256'] = 'UNSIGNED-PAYLOAD';
  const signed = signRequest(
    { method: g.method, url: `${g.origin}${pathOf(g)}${query ? `?${query}` : ''}`, headers, body: g.data === undefined ? undefined : JSON.stringify(g.data) },
    { ...CREDENTIALS, securityToken: g.token },
    { now: g.date },
  );
  return signed.headers.Authorization ?? '';
}

/** The oracle's side: the SDK signer (or its whole credential pipeline) on the same request. */
async function sdkSignature(g: GeneratedRequest): Promise<string> {
  const queryParams: Record<string, string[]> = Object.create(null) as Record<string, string[]>;
  for (const [k, vs] of g.query) queryParams[k] = [...vs];
  const headers: Record<string, string> = { ...Object.fromEntries(g.headers), 'X-Sdk-Date': formatSdkDate(g.date) };
  if (g.contentType) headers['content-type'] = g.contentType;
  if (g.pipeline) {
    const signed = await oracleCredentials(g.token).processAuthRequest(undefined as never, {
      endpoint: g.origin,
      url: pathOf(g),
      method: g.method,
      queryParams,
      headers,
      data: g.data,
    });
    return (signed.headers as Record<string, string>).Authorization ?? '';
  }
  if (g.token) headers['X-Security-Token'] = g.token;
  return sdkSign({ method: g.method, endpoint: `${g.origin}${pathOf(g)}`, queryParams, headers, data: g.data }).Authorization ?? '';
}

describe('Signer: signRequest equals the official Node SDK on generated requests', () => {
  it('gives a byte-identical Authorization header on 800 generated requests (seeded)', async () => {
    // Prepare
    let compared = 0;
    const property = fc.asyncProperty(generatedRequest, async (g) => {
      // Act
      const ours = ourSignature(g);
      const theirs = await sdkSignature(g);

      // Assess
      expect(ours).toBe(theirs);
      compared += 1;
    });

    // Act + Assess
    await fc.assert(property, { seed: SEED, numRuns: 800 });
    expect(compared).toBe(800);
  });
});

describe('Signer: where the Node SDK and the wire part ways (documented, not copied)', () => {
  it('signs the dot-resolved path an HTTP client sends, where the SDK signs the unresolved text', () => {
    // Prepare
    const now = parseSdkDate(DATE_2025) as Date;
    const resolved = signRequest({ method: 'GET', url: 'https://example.huaweicloud.com/b', headers: {} }, CREDENTIALS, { now });

    // Act
    const signed = signRequest({ method: 'GET', url: 'https://example.huaweicloud.com/a/../b', headers: {} }, CREDENTIALS, { now });
    const oracle = sdkSign({ method: 'GET', endpoint: 'https://example.huaweicloud.com/a/../b', headers: { 'X-Sdk-Date': DATE_2025 } });

    // Assess
    expect(signed.headers.Authorization).toBe(resolved.headers.Authorization);
    expect(oracle.Authorization).not.toBe(signed.headers.Authorization);
  });

  it('omits a default port from the signed host (the Host header sent), where the SDK keeps it', () => {
    // Prepare
    const now = parseSdkDate(DATE_2025) as Date;

    // Act
    const signed = signRequest({ method: 'GET', url: 'https://example.huaweicloud.com:443/p', headers: {} }, CREDENTIALS, { now });
    const oracle = sdkSign({ method: 'GET', endpoint: 'https://example.huaweicloud.com:443/p', headers: { 'X-Sdk-Date': DATE_2025 } });

    // Assess
    expect(signed.headers.host).toBe('example.huaweicloud.com');
    expect(oracle.host).toBe('example.huaweicloud.com:443');
  });

  it('hashes the bytes of a falsy JSON body, where the SDK hashes an empty body', () => {
    // Prepare
    const now = parseSdkDate(DATE_2025) as Date;

    // Act
    const signed = signRequest({ method: 'POST', url: 'https://example.huaweicloud.com/p', headers: {}, body: JSON.stringify(false) }, CREDENTIALS, { now });
    const asEmpty = signRequest({ method: 'POST', url: 'https://example.huaweicloud.com/p', headers: {} }, CREDENTIALS, { now });
    const oracle = sdkSign({ method: 'POST', endpoint: 'https://example.huaweicloud.com/p', headers: { 'X-Sdk-Date': DATE_2025 }, data: false });

    // Assess
    expect(oracle.Authorization).toBe(asEmpty.headers.Authorization);
    expect(signed.headers.Authorization).not.toBe(asEmpty.headers.Authorization);
  });

  it('trims header values as GO and PY do, where the Node SDK signs them untrimmed', () => {
    // Prepare
    const now = parseSdkDate(DATE_2025) as Date;

    // Act
    const spaced = signRequest({ method: 'GET', url: 'https://example.huaweicloud.com/p', headers: { workspace: ' ws-1 ' } }, CREDENTIALS, { now });
    const trimmed = sdkSign({ method: 'GET', endpoint: 'https://example.huaweicloud.com/p', headers: { workspace: 'ws-1', 'X-Sdk-Date': DATE_2025 } });

    // Assess
    expect(spaced.headers.Authorization).toBe(trimmed.Authorization);
  });
});
