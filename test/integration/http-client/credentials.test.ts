/**
 * Where the client's credentials come from (shared/auth): per-invocation temporary AK/SK/token first, then
 * configured AK/SK (with an optional security token), then an IAM token from a password (../shared/api-reference.md §7),
 * fetched once, shared, renewed by the injected clock, never leaking the password.
 */
import { type ScriptedResponse, type UpstreamRequest, useFakeUpstream } from '../../helpers/fake-upstream';
import { AK, configFor, failureOf, NO_FAILURE_DETAILS, NOW, PROJECT, signedHeadersOf, testClient, verifyReceived } from './support';
import { listPendingItems, queryReleasePackages } from '../../../shared/http/dataarts';

const fake = useFakeUpstream();

const TEMP = { accessKey: 'TEMPAK0000000000001', secretKey: 'TEMPSECRETKEY0123456789abcdef', securityToken: 'temporary-security-token-value-0001' };
const CONFIG_TOKEN = 'config-security-token-value-0001';
const IAM = { domain: 'fake-domain', user: 'fake-user', password: 'fake-iam-password-0001' };
const WRONG_PASSWORD = 'wrong-iam-password-0002';
const LIST_OK: ScriptedResponse = { status: 200, body: { total: 0, data: [] } };
const HOUR = 3600_000;

const AKSK_VARIABLES = ['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK'];
const passwordEnv = (password = IAM.password) => ({ HUAWEICLOUD_IAM_DOMAIN: IAM.domain, HUAWEICLOUD_IAM_USER: IAM.user, HUAWEICLOUD_IAM_PASSWORD: password });

const serviceRequests = () => fake.server.requests.filter((r) => !r.url.startsWith('/v3/auth/tokens'));
const iamRequests = () => fake.server.requests.filter((r) => r.url.startsWith('/v3/auth/tokens'));

/** A fake IAM on the same server: tokens fake-iam-token-0001, -0002, … issued at `now()`, valid 24 h. */
function fakeIam(now: () => Date): void {
  let issued = 0;
  fake.server.setFallback((request) => {
    if (!request.url.startsWith('/v3/auth/tokens')) return LIST_OK;
    const body = JSON.parse(request.body) as { auth: { identity: { password: { user: { password: string } } } } };
    if (body.auth.identity.password.user.password !== IAM.password) {
      return { status: 401, body: { error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' } } };
    }
    issued++;
    const at = now().getTime();
    return {
      status: 201,
      headers: { 'X-Subject-Token': `fake-iam-token-000${issued}` },
      body: { token: { issued_at: new Date(at).toISOString(), expires_at: new Date(at + 24 * HOUR).toISOString(), methods: ['password'] } },
    };
  });
}

const authHeaders = (r: UpstreamRequest) => ({
  'x-auth-token': r.headers['x-auth-token'],
  authorization: r.headers.authorization,
  'x-sdk-date': r.headers['x-sdk-date'],
  'x-security-token': r.headers['x-security-token'],
});

describe('HTTP client: the credentials chain', () => {
  it('per-invocation temporary credentials win over configured AK/SK and send a signed X-Security-Token', async () => {
    // Prepare
    fake.server.setFallback(LIST_OK);
    const { client } = testClient(configFor(fake.server.url));

    // Act
    await listPendingItems(client, {}, { credentials: TEMP });

    // Assess
    const [request] = fake.server.requests as [UpstreamRequest];
    expect(request.headers['x-security-token']).toBe(TEMP.securityToken);
    expect(String(request.headers.authorization).startsWith(`SDK-HMAC-SHA256 Access=${TEMP.accessKey}, `)).toBe(true);
    expect(signedHeadersOf(request)).toBe('host;user-agent;workspace;x-project-id;x-sdk-date;x-security-token');
    expect(verifyReceived(request, NOW, { [TEMP.accessKey]: TEMP.secretKey })).toStrictEqual({ ok: true, accessKey: TEMP.accessKey, signedAt: NOW });
  });

  it('per-invocation credentials win over an IAM password too: no token is fetched', async () => {
    // Prepare
    const { client, clock } = testClient(configFor(fake.server.url, passwordEnv(), AKSK_VARIABLES));
    fakeIam(clock.now);

    // Act
    await listPendingItems(client, {}, { credentials: TEMP });

    // Assess
    expect(iamRequests()).toStrictEqual([]);
    expect(verifyReceived(fake.server.requests[0] as UpstreamRequest, NOW, { [TEMP.accessKey]: TEMP.secretKey }).ok).toBe(true);
  });

  it('configured AK/SK with a security token: the token is sent and signed', async () => {
    // Prepare
    fake.server.setFallback(LIST_OK);
    const { client } = testClient(configFor(fake.server.url, { HUAWEICLOUD_SDK_SECURITY_TOKEN: CONFIG_TOKEN }));

    // Act
    await listPendingItems(client, {});
    await queryReleasePackages(client, {});

    // Assess
    expect(fake.server.requests.map((r) => [r.headers['x-security-token'], signedHeadersOf(r)?.includes('x-security-token'), verifyReceived(r, NOW).ok])).toStrictEqual([
      [CONFIG_TOKEN, true, true],
      [CONFIG_TOKEN, true, true],
    ]);
  });

  it('configured AK/SK without a token send no X-Security-Token', async () => {
    // Prepare
    fake.server.setFallback(LIST_OK);
    const { client } = testClient(configFor(fake.server.url));

    // Act
    await listPendingItems(client, {});

    // Assess
    expect(fake.server.requests.map(authHeaders)).toStrictEqual([
      { 'x-auth-token': undefined, authorization: expect.stringMatching(new RegExp(`^SDK-HMAC-SHA256 Access=${AK}, `)), 'x-sdk-date': '20250601T080000Z', 'x-security-token': undefined },
    ]);
  });

  it('no credentials at all is a credentials failure and nothing is sent', async () => {
    // Prepare
    fake.server.setFallback(LIST_OK);
    const { client } = testClient(configFor(fake.server.url, {}, AKSK_VARIABLES));

    // Act
    const failure = await failureOf(listPendingItems(client, {}));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'no Huawei Cloud credentials are configured: set HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK, the HUAWEICLOUD_IAM_* password variables, or give the function an agency',
      operation: 'ListFactoryPendingItems',
      kind: 'credentials',
      attempts: 1,
    });
    expect(fake.server.requests).toStrictEqual([]);
  });
});

describe('HTTP client: IAM password mode', () => {
  it('fetches a token once from POST /v3/auth/tokens and sends it as X-Auth-Token instead of a signature', async () => {
    // Prepare
    const { client, clock } = testClient(configFor(fake.server.url, passwordEnv(), AKSK_VARIABLES));
    fakeIam(clock.now);

    // Act
    await listPendingItems(client, {});
    await queryReleasePackages(client, {});
    await listPendingItems(client, {});

    // Assess
    expect(iamRequests().map((r) => ({ method: r.method, url: r.url, contentType: r.headers['content-type'], body: JSON.parse(r.body) as unknown }))).toStrictEqual([
      {
        method: 'POST',
        url: '/v3/auth/tokens?nocatalog=true',
        contentType: 'application/json;charset=UTF-8',
        body: {
          auth: {
            identity: { methods: ['password'], password: { user: { domain: { name: IAM.domain }, name: IAM.user, password: IAM.password } } },
            scope: { project: { id: PROJECT } },
          },
        },
      },
    ]);
    const expected = { 'x-auth-token': 'fake-iam-token-0001', authorization: undefined, 'x-sdk-date': undefined, 'x-security-token': undefined };
    expect(serviceRequests().map(authHeaders)).toStrictEqual([expected, expected, expected]);
  });

  it('renews the token once the injected clock passes the renewal point (85% of its lifetime), not before', async () => {
    // Prepare
    const { client, clock } = testClient(configFor(fake.server.url, passwordEnv(), AKSK_VARIABLES));
    fakeIam(clock.now);

    // Act
    await listPendingItems(client, {});
    clock.advance(20 * HOUR);
    await listPendingItems(client, {});
    clock.advance(0.5 * HOUR); // 20.5 h of 24: past 20.4 h
    await listPendingItems(client, {});
    await listPendingItems(client, {});

    // Assess
    expect(iamRequests()).toHaveLength(2);
    expect(serviceRequests().map((r) => r.headers['x-auth-token'])).toStrictEqual(['fake-iam-token-0001', 'fake-iam-token-0001', 'fake-iam-token-0002', 'fake-iam-token-0002']);
  });

  it('keeps using a token that has not expired when its early renewal fails, and fails once it has expired', async () => {
    // Prepare
    const { client, clock } = testClient(configFor(fake.server.url, passwordEnv(), AKSK_VARIABLES));
    fakeIam(clock.now);
    await listPendingItems(client, {});
    fake.server.setFallback((request) => (request.url.startsWith('/v3/auth/tokens') ? { status: 503, body: { error: { code: 503, message: 'busy' } } } : LIST_OK));
    clock.advance(21 * HOUR);

    // Act
    const during = await listPendingItems(client, {});
    clock.advance(3 * HOUR); // 24 h: expired
    const after = await failureOf(listPendingItems(client, {}));

    // Assess
    expect(during.attempts).toBe(1);
    expect(serviceRequests().map((r) => r.headers['x-auth-token'])).toStrictEqual(['fake-iam-token-0001', 'fake-iam-token-0001']);
    expect([after.kind, after.status, after.message]).toStrictEqual(['credentials', 503, 'IAM could not issue a token for HUAWEICLOUD_IAM_USER (HTTP 503)']);
    expect(iamRequests()).toHaveLength(3);
  });

  it('forgets a token the service refuses (401), so the next call fetches a new one', async () => {
    // Prepare: the service refuses the first token once, as it would a revoked one.
    const { client, clock } = testClient(configFor(fake.server.url, passwordEnv(), AKSK_VARIABLES));
    let refused = false;
    const fallback = (request: UpstreamRequest): ScriptedResponse => {
      if (request.url.startsWith('/v3/auth/tokens')) {
        const n = iamRequests().length;
        const at = clock.now().getTime();
        return { status: 201, headers: { 'X-Subject-Token': `fake-iam-token-000${n}` }, body: { token: { issued_at: new Date(at).toISOString(), expires_at: new Date(at + 24 * HOUR).toISOString() } } };
      }
      if (!refused) {
        refused = true;
        return { status: 401, body: { error_code: 'APIG.0301', error_msg: 'Incorrect IAM authentication information: token expires' } };
      }
      return LIST_OK;
    };
    fake.server.setFallback(fallback);

    // Act
    const first = await failureOf(listPendingItems(client, {}));
    await listPendingItems(client, {});

    // Assess
    expect([first.kind, first.status]).toStrictEqual(['http', 401]);
    expect(iamRequests()).toHaveLength(2);
    expect(serviceRequests().map((r) => r.headers['x-auth-token'])).toStrictEqual(['fake-iam-token-0001', 'fake-iam-token-0002']);
  });

  it('concurrent calls share one token request', async () => {
    // Prepare
    const { client, clock } = testClient(configFor(fake.server.url, passwordEnv(), AKSK_VARIABLES));
    fakeIam(clock.now);

    // Act
    const results = await Promise.all(Array.from({ length: 6 }, () => listPendingItems(client, {})));

    // Assess
    expect(results.map((r) => r.attempts)).toStrictEqual([1, 1, 1, 1, 1, 1]);
    expect(iamRequests()).toHaveLength(1);
    expect(new Set(serviceRequests().map((r) => r.headers['x-auth-token']))).toStrictEqual(new Set(['fake-iam-token-0001']));
  });

  it('a wrong password is a credentials failure whose message does not hold the password; no service call is made', async () => {
    // Prepare
    const { client, clock } = testClient(configFor(fake.server.url, passwordEnv(WRONG_PASSWORD), AKSK_VARIABLES));
    fakeIam(clock.now);

    // Act
    const failure = await failureOf(listPendingItems(client, {}));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'IAM refused the password of HUAWEICLOUD_IAM_USER (HTTP 401)',
      operation: 'ListFactoryPendingItems',
      kind: 'credentials',
      status: 401,
      attempts: 1,
    });
    expect(failure.message).not.toContain(WRONG_PASSWORD);
    expect(serviceRequests()).toStrictEqual([]);
    expect(iamRequests()).toHaveLength(1);
  });

  it('an IAM answer without X-Subject-Token is a credentials failure', async () => {
    // Prepare
    fake.server.setFallback((request) => (request.url.startsWith('/v3/auth/tokens') ? { status: 201, body: { token: {} } } : LIST_OK));
    const { client } = testClient(configFor(fake.server.url, passwordEnv(), AKSK_VARIABLES));

    // Act
    const failure = await failureOf(listPendingItems(client, {}));

    // Assess
    expect([failure.kind, failure.message, failure.status, serviceRequests().length]).toStrictEqual(['credentials', 'IAM answered without an X-Subject-Token', 201, 0]);
  });

  it('an unreachable IAM is a credentials failure that says nothing of the password', async () => {
    // Prepare
    fake.server.setFallback((request) => (request.url.startsWith('/v3/auth/tokens') ? 'drop' : LIST_OK));
    const { client } = testClient(configFor(fake.server.url, passwordEnv(), AKSK_VARIABLES));

    // Act
    const failure = await failureOf(listPendingItems(client, {}));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'the credentials could not be resolved (ECONNRESET)',
      operation: 'ListFactoryPendingItems',
      kind: 'credentials',
      attempts: 1,
    });
    expect(serviceRequests()).toStrictEqual([]);
  });
});
