/**
 * The emulator's API gateway: AK/SK signatures (our signer and the official Node SDK), tampering, the
 * date window, temporary credentials, IAM tokens, the AK lock, request ids and unknown APIs.
 */
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core';
import { startEmulator, SEED, type RunningEmulator } from '../../../emulator';
import { admin, send, signFor, signedCall } from '../../helpers/emulator';

const NOW = new Date('2025-06-01T08:00:00Z');
const TEMP = { accessKey: 'TEMPAK0000000000001', secretKey: 'TEMPSECRETKEY0123456789abcdef', securityToken: 'temporary-security-token-value-0001' };
let emulator: RunningEmulator;
let pendingItemsPath: string;
let packagesPath: string;

beforeAll(async () => {
  // The AK lock is tested on its own emulator below; here every tampering test may fail freely.
  emulator = await startEmulator({ now: NOW, lockout: false });
  pendingItemsPath = `/v2/${emulator.identity.projectId}/factory/pending-items`;
  packagesPath = `/v2/${emulator.identity.projectId}/factory/release-packages`;
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.clock.set(NOW);
});

function unauthorized(requestId: unknown, reason: string) {
  return { error_code: 'APIG.0301', error_msg: `Incorrect IAM authentication information: ${reason}`, request_id: requestId };
}

const workspace = () => ({ workspace: emulator.identity.workspace });

describe('Emulator gateway: AK/SK', () => {
  it('accepts a request signed by the official Node SDK (GET with a query)', async () => {
    // Prepare
    const cred = new BasicCredentials().withAk(emulator.identity.accessKey).withSk(emulator.identity.secretKey).withProjectId(emulator.identity.projectId);
    const signed = (await cred.processAuthRequest(undefined as never, {
      endpoint: emulator.url,
      url: '/v2/{project_id}/factory/pending-items',
      method: 'GET',
      queryParams: { limit: 3, offset: 0 },
      headers: { 'X-Sdk-Date': '20250601T080000Z', 'content-type': 'application/json', workspace: emulator.identity.workspace },
      data: undefined,
    } as never)) as unknown as { url: string; headers: Record<string, string> };
    // Act
    const response = await send(emulator.url, { method: 'GET', path: `${signed.url}?limit=3&offset=0`, headers: signed.headers });
    // Assess
    expect(response.status).toBe(200);
    expect((response.body as { data: unknown[] }).data).toHaveLength(3);
    expect(signed.headers.Authorization).toMatch(/SignedHeaders=content-type;host;workspace;x-project-id;x-sdk-date,/);
  });

  it('accepts a request signed by the official Node SDK (POST with a JSON body)', async () => {
    const cred = new BasicCredentials().withAk(emulator.identity.accessKey).withSk(emulator.identity.secretKey).withProjectId(emulator.identity.projectId);
    const data = { limit: 2, key_word: 'seed_release' };
    const signed = (await cred.processAuthRequest(undefined as never, {
      endpoint: emulator.url,
      url: '/v2/{project_id}/factory/release-packages',
      method: 'POST',
      queryParams: {},
      headers: { 'X-Sdk-Date': '20250601T080000Z', 'content-type': 'application/json', workspace: emulator.identity.workspace },
      data,
    } as never)) as unknown as { url: string; headers: Record<string, string> };
    const response = await send(emulator.url, { method: 'POST', path: signed.url, headers: signed.headers, body: JSON.stringify(data) });
    expect(response.status).toBe(200);
    expect((response.body as { total: number }).total).toBe(40);
  });

  it('accepts a request signed by shared/signing/signer.ts and answers a 32-hex X-Request-Id', async () => {
    const response = await signedCall(emulator, { method: 'GET', path: `${pendingItemsPath}?limit=1`, headers: workspace() });
    expect(response.status).toBe(200);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  type Tamper = (headers: Record<string, string>) => { method: string; path: string; headers: Record<string, string>; body?: string };
  const tampering: [string, () => { method: string; path: string; body?: string }, Tamper, string | undefined][] = [
    // signed as PUT, sent as POST
    ['method', () => ({ method: 'POST', path: packagesPath, body: '{}' }), (h) => ({ method: 'POST', path: packagesPath, headers: h, body: '{}' }), 'PUT'],
    ['path', () => ({ method: 'GET', path: `${packagesPath}/1` }), (h) => ({ method: 'GET', path: `${packagesPath}/2`, headers: h }), undefined],
    ['query', () => ({ method: 'GET', path: `${pendingItemsPath}?limit=1` }), (h) => ({ method: 'GET', path: `${pendingItemsPath}?limit=2`, headers: h }), undefined],
    [
      'signed header',
      () => ({ method: 'GET', path: `${pendingItemsPath}?limit=1` }),
      (h) => ({ method: 'GET', path: `${pendingItemsPath}?limit=1`, headers: { ...h, 'x-project-id': 'ffffffffffffffffffffffffffffffff' } }),
      undefined,
    ],
    ['body', () => ({ method: 'POST', path: packagesPath, body: '{"limit":1}' }), (h) => ({ method: 'POST', path: packagesPath, headers: h, body: '{"limit":2}' }), undefined],
  ];

  it.each(tampering)('refuses a request whose %s was changed after signing with 401 APIG.0301', async (_what, original, tamper, signedMethod) => {
    // Prepare: the untampered request is accepted
    const call = { ...original(), headers: { ...workspace(), 'x-project-id': emulator.identity.projectId } };
    expect((await signedCall(emulator, call)).status).toBe(200);
    const { headers } = signFor(emulator, { ...call, method: signedMethod ?? call.method });
    // Act
    const response = await send(emulator.url, tamper(headers));
    // Assess
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual(unauthorized(response.headers['x-request-id'], 'verify aksk signature fail'));
  });

  it('refuses an unknown access key', async () => {
    const response = await signedCall(emulator, {
      method: 'GET',
      path: pendingItemsPath,
      headers: workspace(),
      credentials: { accessKey: 'UNKNOWNAK00000000001', secretKey: 'whatever-secret-0001' },
    });
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual(unauthorized(response.headers['x-request-id'], 'verify aksk signature fail, the access key does not exist'));
  });

  it.each([
    ['16 minutes behind', -16],
    ['16 minutes ahead', 16],
  ])('refuses an X-Sdk-Date %s with "signature expired"', async (_label, minutes) => {
    const response = await signedCall(emulator, { method: 'GET', path: pendingItemsPath, headers: workspace(), now: new Date(NOW.getTime() + minutes * 60_000) });
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual(unauthorized(response.headers['x-request-id'], 'verify aksk signature fail, signature expired'));
  });

  it('accepts an X-Sdk-Date 14 minutes off, and follows the emulator clock', async () => {
    const signedAt = new Date(NOW.getTime() - 14 * 60_000);
    expect((await signedCall(emulator, { method: 'GET', path: pendingItemsPath, headers: workspace(), now: signedAt })).status).toBe(200);
    emulator.clock.advance(2 * 60_000);
    expect((await signedCall(emulator, { method: 'GET', path: pendingItemsPath, headers: workspace(), now: signedAt })).status).toBe(401);
  });

  it('refuses a request without any authentication', async () => {
    const response = await send(emulator.url, { method: 'GET', path: pendingItemsPath, headers: workspace() });
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual(unauthorized(response.headers['x-request-id'], 'x-auth-token not found'));
  });

  it('refuses a malformed Authorization header', async () => {
    const response = await send(emulator.url, { method: 'GET', path: pendingItemsPath, headers: { ...workspace(), authorization: 'SDK-HMAC-SHA256 nonsense' } });
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual(unauthorized(response.headers['x-request-id'], 'verify aksk signature fail, authorization header malformed'));
  });

  it('refuses a permanent AK that comes with an X-Security-Token', async () => {
    const response = await signedCall(emulator, {
      method: 'GET',
      path: pendingItemsPath,
      headers: workspace(),
      credentials: { ...emulator.identity, securityToken: 'not-for-permanent-keys' },
    });
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual(unauthorized(response.headers['x-request-id'], 'verify aksk signature fail, security token given for a permanent access key'));
  });

  it('answers an unknown API with 404 APIG.0101 and an unknown method too', async () => {
    const unknownPath = await signedCall(emulator, { method: 'GET', path: '/v2/nowhere' });
    const unknownMethod = await signedCall(emulator, { method: 'DELETE', path: pendingItemsPath, headers: workspace() });
    for (const response of [unknownPath, unknownMethod]) {
      expect(response.status).toBe(404);
      expect(response.body).toStrictEqual({
        error_code: 'APIG.0101',
        error_msg: 'The API does not exist or has not been published in the environment',
        request_id: response.headers['x-request-id'],
      });
    }
  });

  it('answers a body over 12 MB with 413 APIG.0201', async () => {
    const response = await send(emulator.url, { method: 'POST', path: packagesPath, headers: { 'content-type': 'application/json' }, body: 'x'.repeat(12 * 1024 * 1024 + 1) });
    expect(response.status).toBe(413);
    expect(response.body).toStrictEqual({ error_code: 'APIG.0201', error_msg: 'Request entity too large', request_id: response.headers['x-request-id'] });
  });
});

describe('Emulator gateway: temporary credentials', () => {
  beforeAll(async () => {
    const added = await admin(emulator, 'POST', '/credentials', { ...TEMP, expiresAt: '2025-06-01T09:00:00Z' });
    expect([added.status, added.body]).toStrictEqual([201, { accessKey: TEMP.accessKey, expiresAt: '2025-06-01T09:00:00Z' }]);
  });

  it('accepts a request signed with temporary credentials and their security token', async () => {
    const response = await signedCall(emulator, { method: 'GET', path: pendingItemsPath, headers: workspace(), credentials: TEMP });
    expect(response.status).toBe(200);
  });

  it('refuses a temporary AK with another security token', async () => {
    const response = await signedCall(emulator, { method: 'GET', path: pendingItemsPath, headers: workspace(), credentials: { ...TEMP, securityToken: 'another-token-0000000' } });
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual(unauthorized(response.headers['x-request-id'], 'verify aksk signature fail, security token invalid'));
  });

  it('refuses a temporary AK without its security token', async () => {
    const response = await signedCall(emulator, { method: 'GET', path: pendingItemsPath, headers: workspace(), credentials: { accessKey: TEMP.accessKey, secretKey: TEMP.secretKey } });
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual(unauthorized(response.headers['x-request-id'], 'verify aksk signature fail, x-security-token missing for a temporary access key'));
  });

  it('refuses an unsigned security token', async () => {
    const { headers } = signFor(emulator, { method: 'GET', path: pendingItemsPath, headers: workspace(), credentials: { accessKey: TEMP.accessKey, secretKey: TEMP.secretKey } });
    const response = await send(emulator.url, { method: 'GET', path: pendingItemsPath, headers: { ...headers, 'x-security-token': TEMP.securityToken } });
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual(unauthorized(response.headers['x-request-id'], 'verify aksk signature fail, a required header is not signed'));
  });

  it('refuses temporary credentials after they expire', async () => {
    emulator.clock.set(new Date('2025-06-01T09:00:01Z'));
    const response = await signedCall(emulator, { method: 'GET', path: pendingItemsPath, headers: workspace(), credentials: TEMP });
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual(unauthorized(response.headers['x-request-id'], 'security token expires'));
  });

  it('refuses malformed temporary credentials on the admin API', async () => {
    const response = await admin(emulator, 'POST', '/credentials', { accessKey: 'x', secretKey: 'short' });
    expect(response.status).toBe(400);
    expect((response.body as { error_code: string }).error_code).toBe('EMULATOR.0400');
  });
});

describe('Emulator gateway: IAM tokens', () => {
  const tokenBody = (password: string, scope: unknown = { project: { name: 'cn-north-4' } }) => ({
    auth: {
      identity: { methods: ['password'], password: { user: { domain: { name: emulator.identity.iamDomain }, name: emulator.identity.iamUser, password } } },
      scope,
    },
  });
  const issue = (body: unknown, query = '') =>
    send(emulator.url, { method: 'POST', path: `/v3/auth/tokens${query}`, headers: { 'content-type': 'application/json;charset=UTF-8' }, body: JSON.stringify(body) });

  it('issues a 24 h token in X-Subject-Token (201) that authenticates service calls until it expires', async () => {
    // Act
    const issued = await issue(tokenBody(emulator.identity.iamPassword));
    const token = issued.headers['x-subject-token'] as string;
    const domain = { id: 'd0a1d0a1d0a1d0a1d0a1d0a1d0a1d0a1', name: 'emulator-domain' };
    // Assess
    expect(issued.status).toBe(201);
    expect(token).toMatch(/^MII[A-Za-z0-9_-]{100,}$/);
    expect(issued.body).toStrictEqual({
      token: {
        expires_at: '2025-06-02T08:00:00.000000Z',
        issued_at: '2025-06-01T08:00:00.000000Z',
        methods: ['password'],
        user: { domain, id: SEED.users.caller, name: 'emulator-user', password_expires_at: '' },
        project: { domain, id: emulator.identity.projectId, name: 'cn-north-4' },
        roles: [{ id: '0', name: 'op_service' }],
        catalog: [],
      },
    });
    const use = () => send(emulator.url, { method: 'GET', path: `${pendingItemsPath}?limit=1`, headers: { ...workspace(), 'x-auth-token': token } });
    expect((await use()).status).toBe(200);
    emulator.clock.advance(24 * 60 * 60_000 - 1);
    expect((await use()).status).toBe(200);
    emulator.clock.advance(1);
    const expired = await use();
    expect(expired.status).toBe(401);
    expect(expired.body).toStrictEqual(unauthorized(expired.headers['x-request-id'], 'token expires'));
  });

  it('omits the catalog with ?nocatalog and accepts a domain scope', async () => {
    const issued = await issue(tokenBody(emulator.identity.iamPassword, { domain: { name: 'emulator-domain' } }), '?nocatalog=true');
    expect(issued.status).toBe(201);
    expect(Object.keys((issued.body as { token: object }).token).sort()).toStrictEqual(['domain', 'expires_at', 'issued_at', 'methods', 'roles', 'user']);
  });

  it('answers a wrong password with 401 and issues no token', async () => {
    const issued = await issue(tokenBody('wrong-password'));
    expect(issued.status).toBe(401);
    expect(issued.headers['x-subject-token']).toBeUndefined();
    expect(issued.body).toStrictEqual({ error: { code: 401, message: 'The username or password is wrong.', title: 'Unauthorized' } });
  });

  it('answers a malformed body and an unknown project scope with 400', async () => {
    const malformed = await issue({ auth: { identity: { methods: ['token'] } } });
    const otherProject = await issue(tokenBody(emulator.identity.iamPassword, { project: { id: 'ffffffffffffffffffffffffffffffff' } }));
    expect([malformed.status, otherProject.status]).toStrictEqual([400, 400]);
    expect(otherProject.body).toStrictEqual({ error: { code: 400, message: 'The project in the scope does not exist.', title: 'Bad Request' } });
  });

  it('refuses an unknown token', async () => {
    const response = await send(emulator.url, { method: 'GET', path: pendingItemsPath, headers: { ...workspace(), 'x-auth-token': 'MIInot-a-token' } });
    expect(response.status).toBe(401);
    expect(response.body).toStrictEqual(unauthorized(response.headers['x-request-id'], 'decrypt token fail'));
  });

  it('records requests without secrets: no signature, token, security token or password', async () => {
    emulator.requests.length = 0;
    await issue(tokenBody(emulator.identity.iamPassword));
    await signedCall(emulator, { method: 'GET', path: pendingItemsPath, headers: workspace(), credentials: TEMP });
    await send(emulator.url, { method: 'GET', path: pendingItemsPath, headers: { ...workspace(), 'x-auth-token': 'MIIsome-token-value' } });
    const recorded = JSON.stringify(emulator.requests);
    expect(recorded).not.toContain(emulator.identity.iamPassword);
    expect(recorded).not.toContain('Signature=');
    expect(recorded).not.toContain(TEMP.securityToken);
    expect(recorded).not.toContain('MIIsome-token-value');
    expect(emulator.requests.map((r) => [r.operation, r.headers.authorization ?? r.headers['x-auth-token']])).toStrictEqual([
      ['KeystoneCreateUserTokenByPassword', undefined],
      ['ListFactoryPendingItems', '[REDACTED]'],
      ['ListFactoryPendingItems', '[REDACTED]'],
    ]);
  });
});

describe('Emulator gateway: AK lock after repeated signature failures', () => {
  it('locks the AK for 5 minutes after more than 5 consecutive failures, then accepts it again', async () => {
    // Prepare
    const locked = await startEmulator({ now: NOW });
    const path = `/v2/${locked.identity.projectId}/factory/pending-items`;
    const headers = { workspace: locked.identity.workspace };
    const bad = () => signedCall(locked, { method: 'GET', path, headers, credentials: { accessKey: locked.identity.accessKey, secretKey: 'a-wrong-secret-key' } });
    const good = () => signedCall(locked, { method: 'GET', path, headers });
    try {
      // Act: five failures, a success resets the count; then six failures in a row
      for (let i = 0; i < 5; i++) expect((await bad()).status).toBe(401);
      expect((await good()).status).toBe(200);
      for (let i = 0; i < 6; i++) expect((await bad()).status).toBe(401);
      const refused = await good();
      // Assess
      expect(refused.status).toBe(401);
      expect(refused.body).toStrictEqual(unauthorized(refused.headers['x-request-id'], 'AK access failed to reach the limit,forbidden'));
      locked.clock.advance(5 * 60_000 - 1);
      expect((await good()).status).toBe(401);
      locked.clock.advance(1);
      expect((await good()).status).toBe(200);
    } finally {
      await locked.close();
    }
  });
});
