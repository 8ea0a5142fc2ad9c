/**
 * The SDK-HMAC-SHA256 verifier: accepts what our signer and the official Node SDK produce, and refuses
 * every tampering, unknown keys, malformed headers, stale or future dates and an unsigned security token.
 */
import fc from 'fast-check';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { encodeRfc3986, formatSdkDate, parseSdkDate, sha256Hex, signRequest, splitUrl, type SignableRequest } from '../../../shared/signing/signer';
import { DEFAULT_MAX_SKEW_MS, parseAuthorization, safeEqualHex, verifyRequest, type ReceivedRequest, type VerifyOptions } from '../../../shared/signing/verifier';

const AK = 'AccessKey';
const SK = 'SecretKey';
const OTHER_AK = 'OtherAccessKey';
const OTHER_SK = 'OtherSecretKey';
const SECRETS = new Map([
  [AK, SK],
  [OTHER_AK, OTHER_SK],
]);
const SIGNED_AT = parseSdkDate('20250101T000000Z') as Date;
const PROJECT_ID = '0123456789abcdef0123456789abcdef';
const URL_V4 = `https://dayu.cn-north-4.myhuaweicloud.com/v2/${PROJECT_ID}/factory/pending-items/package?dry_run=true&tag=a%20b&tag=%E4%B8%80`;
const BODY_V4 = '{"apply_user_id":"u1","package_name":"pkg","pending_item_list":["26"],"approver_ids":["a1"]}';

function options(now: Date = SIGNED_AT): VerifyOptions {
  return { now, secretFor: (key) => SECRETS.get(key) };
}

/** A signed request as the server receives it: raw path and query, lower-case header names, body bytes. */
function received(signed: SignableRequest): ReceivedRequest {
  const { rawPath, rawQuery } = splitUrl(signed.url);
  return {
    method: signed.method,
    rawPath,
    rawQuery,
    headers: Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v])),
    body: typeof signed.body === 'string' ? Buffer.from(signed.body, 'utf8') : (signed.body ?? new Uint8Array(0)),
  };
}

function signedV4(securityToken?: string): ReceivedRequest {
  return received(
    signRequest(
      { method: 'POST', url: URL_V4, headers: { 'content-type': 'application/json', workspace: 'ws-1', 'X-Project-Id': PROJECT_ID }, body: BODY_V4 },
      { accessKey: AK, secretKey: SK, securityToken },
      { now: SIGNED_AT },
    ),
  );
}

function withHeaders(request: ReceivedRequest, headers: Record<string, string | undefined>): ReceivedRequest {
  return { ...request, headers: { ...request.headers, ...headers } };
}

const OK = { ok: true, accessKey: AK, signedAt: SIGNED_AT };

describe('Verifier: accepts genuine signatures', () => {
  it('accepts a request signed by signRequest', () => {
    // Prepare
    const request = signedV4();

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual(OK);
  });

  it('accepts a request signed with temporary credentials (X-Security-Token signed)', () => {
    // Prepare
    const request = signedV4('sts-token-value');

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual(OK);
  });

  it('round-trips 300 generated requests signed by signRequest (seeded)', () => {
    // Prepare
    const text = fc.string({ unit: 'grapheme', maxLength: 12 });
    const property = fc.property(
      fc.constantFrom('GET', 'POST', 'PUT', 'DELETE'),
      fc.array(text.filter((s) => s !== '.' && s !== '..'), { maxLength: 4 }),
      fc.array(fc.tuple(text, text), { maxLength: 5 }),
      fc.uniqueArray(fc.tuple(fc.stringMatching(/^[a-z][a-z0-9-]{0,15}$/), fc.string({ unit: 'grapheme-ascii', maxLength: 20 })), {
        maxLength: 4,
        selector: ([name]) => name,
      }),
      fc.option(fc.jsonValue({ maxDepth: 2 }), { nil: undefined }),
      fc.option(fc.stringMatching(/^[A-Za-z0-9+/=]{16,64}$/), { nil: undefined }),
      fc.date({ min: new Date('2000-01-01T00:00:00Z'), max: new Date('2099-12-31T00:00:00Z'), noInvalidDate: true }),
      (method, segments, query, headers, data, token, date) => {
        const now = new Date(Math.floor(date.getTime() / 1000) * 1000);
        const qs = query.map(([k, v]) => `${encodeRfc3986(k)}=${encodeRfc3986(v)}`).join('&');
        const url = `https://dayu.cn-north-4.myhuaweicloud.com/${segments.map(encodeRfc3986).join('/')}${qs ? `?${qs}` : ''}`;
        const reserved = new Set(['host', 'x-sdk-date', 'authorization', 'x-security-token', 'x-sdk-content-sha256']);
        const signed = signRequest(
          { method, url, headers: Object.fromEntries(headers.filter(([n]) => !reserved.has(n))), body: data === undefined ? undefined : JSON.stringify(data) },
          { accessKey: AK, secretKey: SK, securityToken: token },
          { now },
        );

        // Act
        const result = verifyRequest(received(signed), options(now));

        // Assess
        expect(result).toStrictEqual({ ok: true, accessKey: AK, signedAt: now });
      },
    );

    // Act + Assess
    fc.assert(property, { seed: 4242, numRuns: 300 });
  });

  it('accepts a request signed by the official Node SDK signer', () => {
    // Prepare
    const data = { apply_user_id: 'u1', package_name: 'pkg', pending_item_list: ['26'], approver_ids: ['a1'] };
    const sdkHeaders = AKSKSigner.sign(
      {
        method: 'POST',
        endpoint: `https://dayu.cn-north-4.myhuaweicloud.com/v2/${PROJECT_ID}/factory/pending-items/package`,
        queryParams: { tag: ['一', 'a b'], dry_run: 'true' },
        headers: { 'X-Sdk-Date': formatSdkDate(SIGNED_AT), 'content-type': 'application/json', workspace: 'ws-1', 'X-Project-Id': PROJECT_ID },
        data,
      },
      new BasicCredentials().withAk(AK).withSk(SK),
    ) as Record<string, string>;
    const request: ReceivedRequest = {
      method: 'POST',
      rawPath: `/v2/${PROJECT_ID}/factory/pending-items/package`,
      rawQuery: 'dry_run=true&tag=a%20b&tag=%E4%B8%80',
      headers: Object.fromEntries(Object.entries(sdkHeaders).map(([k, v]) => [k.toLowerCase(), v])),
      body: JSON.stringify(data),
    };

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual(OK);
  });

  it('accepts a request signed through the SDK credential pipeline with a security token', async () => {
    // Prepare
    const signed = await new BasicCredentials()
      .withAk(AK)
      .withSk(SK)
      .withSecurityToken('sts-token-value')
      .withProjectId(PROJECT_ID)
      .processAuthRequest(undefined as never, {
        endpoint: 'https://dayu.cn-north-4.myhuaweicloud.com',
        url: '/v2/{project_id}/factory/pending-items',
        method: 'GET',
        queryParams: { limit: 10, offset: 0 },
        headers: { 'X-Sdk-Date': formatSdkDate(SIGNED_AT), 'content-type': 'application/json', workspace: 'ws-1' },
        data: undefined,
      });
    const request: ReceivedRequest = {
      method: 'GET',
      rawPath: `/v2/${PROJECT_ID}/factory/pending-items`,
      rawQuery: 'limit=10&offset=0',
      headers: Object.fromEntries(Object.entries(signed.headers as Record<string, string>).map(([k, v]) => [k.toLowerCase(), v])),
      body: '',
    };

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(request.headers['x-security-token']).toBe('sts-token-value');
    expect(result).toStrictEqual(OK);
  });

  it('accepts GO vector 1, which signs only x-sdk-date', () => {
    // Prepare
    const request: ReceivedRequest = {
      method: 'GET',
      rawPath: '/path',
      rawQuery: 'limit=1',
      headers: {
        host: 'example.huaweicloud.com',
        'x-sdk-date': '20060102T150405Z',
        test_underscore: 'TEST_VALUE',
        authorization: 'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=x-sdk-date, Signature=5a2ce64c865e0e6046321c6f3d5a77ba8413eeaf355c3166c03d58d02ac79624',
      },
      body: '',
    };

    // Act
    const result = verifyRequest(request, options(parseSdkDate('20060102T150405Z') as Date));

    // Assess
    expect(result).toStrictEqual({ ok: true, accessKey: AK, signedAt: parseSdkDate('20060102T150405Z') });
  });
});

describe('Verifier: refuses tampering', () => {
  const mismatch = { ok: false, reason: 'signature-mismatch', accessKey: AK };

  it.each<[string, (r: ReceivedRequest) => ReceivedRequest]>([
    ['the method to PUT', (r) => ({ ...r, method: 'PUT' })],
    ['the method to GET', (r) => ({ ...r, method: 'GET' })],
    ['the path', (r) => ({ ...r, rawPath: r.rawPath.replace('package', 'packages') })],
    ['the path by a trailing segment', (r) => ({ ...r, rawPath: `${r.rawPath}/x` })],
    ['the query value', (r) => ({ ...r, rawQuery: r.rawQuery.replace('dry_run=true', 'dry_run=false') })],
    ['the query by an added parameter', (r) => ({ ...r, rawQuery: `${r.rawQuery}&admin=1` })],
    ['the query by a dropped parameter', (r) => ({ ...r, rawQuery: 'tag=a%20b&tag=%E4%B8%80' })],
    ['a signed header', (r) => withHeaders(r, { workspace: 'ws-2' })],
    ['a signed header by removing it', (r) => withHeaders(r, { workspace: undefined })],
    ['the host', (r) => withHeaders(r, { host: 'evil.example' })],
    ['the body', (r) => ({ ...r, body: BODY_V4.replace('"26"', '"27"') })],
    ['the body by one trailing byte', (r) => ({ ...r, body: `${BODY_V4}\n` })],
    ['the signature', (r) => withHeaders(r, { authorization: String(r.headers.authorization).replace(/Signature=(.)/, (_m, c: string) => `Signature=${c === '0' ? '1' : '0'}`) })],
    ['the signed header list', (r) => withHeaders(r, { authorization: String(r.headers.authorization).replace('workspace;', '') })],
  ])('refuses a change of %s', (_label, tamper) => {
    // Prepare
    const request = tamper(signedV4());

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual(mismatch);
  });

  it('refuses a change of the payload hash to UNSIGNED-PAYLOAD after signing', () => {
    // Prepare
    const request = withHeaders(signedV4(), {
      authorization: String(signedV4().headers.authorization).replace('x-project-id;', 'x-project-id;x-sdk-content-sha256;'),
      'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD',
    });

    // Act
    const refused = verifyRequest(request, options());
    const gatewayLike = verifyRequest(request, { ...options(), allowUnsignedPayload: true });

    // Assess
    expect(refused).toStrictEqual({ ok: false, reason: 'payload-mismatch', accessKey: AK });
    expect(gatewayLike).toStrictEqual(mismatch);
  });

  it('refuses a body that is not the one a signed X-Sdk-Content-Sha256 declares', () => {
    // Prepare: a request whose payload hash was signed for `{}`, sent with another body.
    const signed = signRequest(
      { method: 'POST', url: 'https://api.example.com/v1/deploy-tasks/abc/start', headers: { 'content-type': 'application/json', 'X-Sdk-Content-Sha256': sha256Hex('{}') }, body: '{}' },
      { accessKey: AK, secretKey: SK },
      { now: SIGNED_AT },
    );
    const headers = Object.fromEntries(Object.entries(signed.headers).map(([k, v]) => [k.toLowerCase(), v]));
    const honest = { method: 'POST', rawPath: '/v1/deploy-tasks/abc/start', rawQuery: '', headers, body: Buffer.from('{}') };
    const swapped = { ...honest, body: Buffer.from('{"record_id":"ffffffffffffffffffffffffffffffff"}') };

    // Act
    const accepted = verifyRequest(honest, options());
    const refused = verifyRequest(swapped, options());

    // Assess
    expect(accepted).toStrictEqual({ ok: true, accessKey: AK, signedAt: SIGNED_AT });
    expect(refused).toStrictEqual({ ok: false, reason: 'payload-mismatch', accessKey: AK });
  });

  it('refuses a change of the access key to another known key', () => {
    // Prepare
    const request = withHeaders(signedV4(), { authorization: String(signedV4().headers.authorization).replace(`Access=${AK}`, `Access=${OTHER_AK}`) });

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual({ ok: false, reason: 'signature-mismatch', accessKey: OTHER_AK });
  });

  it('refuses a malformed percent escape in the query as a signature mismatch', () => {
    // Prepare
    const request = { ...signedV4(), rawQuery: 'tag=%E4%B8' };

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual(mismatch);
  });
});

describe('Verifier: refuses bad credentials and headers', () => {
  it('refuses an unknown access key', () => {
    // Prepare
    const request = withHeaders(signedV4(), { authorization: String(signedV4().headers.authorization).replace(`Access=${AK}`, 'Access=NobodyKnowsMe') });

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual({ ok: false, reason: 'unknown-access-key', accessKey: 'NobodyKnowsMe' });
  });

  it('answers an unknown and a known access key alike while the date or the signed headers fail, so the answer does not tell which keys exist', () => {
    // Prepare: the same stale request, under a known key and under an unknown one.
    const stale = signedV4();
    const unknown = withHeaders(stale, { authorization: String(stale.headers.authorization).replace(`Access=${AK}`, 'Access=NobodyKnowsMe') });
    const later = options(new Date(SIGNED_AT.getTime() + 16 * 60_000));

    // Act
    const results = [verifyRequest(stale, later), verifyRequest(unknown, later)].map((r) => (r.ok ? 'ok' : r.reason));

    // Assess
    expect(results).toStrictEqual(['date-out-of-window', 'date-out-of-window']);
  });

  it.each([undefined, ''])('refuses a missing Authorization (%j)', (value) => {
    // Prepare
    const request = withHeaders(signedV4(), { authorization: value });

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual({ ok: false, reason: 'missing-authorization' });
  });

  it.each([
    'Bearer abc',
    'SDK-HMAC-SHA1 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=' + 'a'.repeat(64),
    'SDK-HMAC-SHA256 Access=AccessKey',
    'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date',
    'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=' + 'a'.repeat(63),
    'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=' + 'A'.repeat(64),
    'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=' + 'a'.repeat(65),
    'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;;x-sdk-date, Signature=' + 'a'.repeat(64),
    'SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=Host;x-sdk-date, Signature=' + 'a'.repeat(64),
    'SDK-HMAC-SHA256 Access=, SignedHeaders=host;x-sdk-date, Signature=' + 'a'.repeat(64),
    'SDK-HMAC-SHA256 Signature=' + 'a'.repeat(64) + ', SignedHeaders=host;x-sdk-date, Access=AccessKey',
  ])('refuses the malformed Authorization %j', (authorization) => {
    // Prepare
    const request = withHeaders(signedV4(), { authorization });

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual({ ok: false, reason: 'malformed-authorization' });
  });

  it('parses a well-formed Authorization into its parts', () => {
    // Prepare
    const value = `  SDK-HMAC-SHA256 Access=AccessKey, SignedHeaders=host;x-sdk-date, Signature=${'0a'.repeat(32)} `;

    // Act
    const parsed = parseAuthorization(value);

    // Assess
    expect(parsed).toStrictEqual({ accessKey: 'AccessKey', signedHeaders: ['host', 'x-sdk-date'], signature: '0a'.repeat(32) });
  });

  it('refuses an X-Security-Token that was added but not signed', () => {
    // Prepare
    const request = withHeaders(signedV4(), { 'x-security-token': 'stolen-token' });

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual({ ok: false, reason: 'unsigned-required-header', accessKey: AK });
  });

  it('refuses an X-Sdk-Content-Sha256 (payload-hash override) that was added but not signed', () => {
    // Prepare
    const request = withHeaders({ ...signedV4(), body: '{"tampered":true}' }, { 'x-sdk-content-sha256': 'UNSIGNED-PAYLOAD' });

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual({ ok: false, reason: 'unsigned-required-header', accessKey: AK });
  });

  it('refuses a signature whose signed headers leave out x-sdk-date', () => {
    // Prepare
    const request = withHeaders(signedV4(), { authorization: String(signedV4().headers.authorization).replace(';x-sdk-date', '') });

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual({ ok: false, reason: 'unsigned-required-header', accessKey: AK });
  });

  it.each([undefined, '2025-01-01T00:00:00Z', '20250132T000000Z'])('refuses a missing or malformed X-Sdk-Date (%j)', (date) => {
    // Prepare
    const request = withHeaders(signedV4(), { 'x-sdk-date': date });

    // Act
    const result = verifyRequest(request, options());

    // Assess
    expect(result).toStrictEqual({ ok: false, reason: 'missing-date', accessKey: AK });
  });
});

describe('Verifier: the 15-minute date window', () => {
  const second = 1000;
  const window = 15 * 60 * second;

  it('uses 15 minutes by default', () => {
    // Prepare
    const expected = window;

    // Act
    const actual = DEFAULT_MAX_SKEW_MS;

    // Assess
    expect(actual).toBe(expected);
  });

  it.each([
    ['15 min + 1 s after the signing time', window + second],
    ['15 min + 1 s before the signing time', -(window + second)],
  ])('refuses a server clock %s', (_label, offset) => {
    // Prepare
    const now = new Date(SIGNED_AT.getTime() + offset);

    // Act
    const result = verifyRequest(signedV4(), options(now));

    // Assess
    expect(result).toStrictEqual({ ok: false, reason: 'date-out-of-window', accessKey: AK });
  });

  it.each([
    ['14:59 after', window - second],
    ['14:59 before', -(window - second)],
    ['exactly 15:00 after', window],
    ['exactly 15:00 before', -window],
  ])('accepts a server clock %s the signing time', (_label, offset) => {
    // Prepare
    const now = new Date(SIGNED_AT.getTime() + offset);

    // Act
    const result = verifyRequest(signedV4(), options(now));

    // Assess
    expect(result).toStrictEqual(OK);
  });

  it('honours a narrower maxSkewMs', () => {
    // Prepare
    const now = new Date(SIGNED_AT.getTime() + 301 * second);

    // Act
    const result = verifyRequest(signedV4(), { ...options(now), maxSkewMs: 300 * second });

    // Assess
    expect(result).toStrictEqual({ ok: false, reason: 'date-out-of-window', accessKey: AK });
  });
});

describe('Verifier: safeEqualHex', () => {
  it.each([
    ['equal strings', 'a'.repeat(64), 'a'.repeat(64), true],
    ['equal empty strings', '', '', true],
    ['one differing character', 'a'.repeat(64), `${'a'.repeat(63)}b`, false],
    ['a shorter left side', 'a'.repeat(63), 'a'.repeat(64), false],
    ['a shorter right side', 'a'.repeat(64), 'a'.repeat(63), false],
    ['an empty left side', '', 'a'.repeat(64), false],
    ['an empty right side', 'a'.repeat(64), '', false],
    ['a common prefix of different length', 'abc', 'abcd', false],
  ])('compares %s without throwing', (_label, a, b, expected) => {
    // Prepare
    const left = a;

    // Act
    const equal = safeEqualHex(left, b);

    // Assess
    expect(equal).toBe(expected);
  });
});
