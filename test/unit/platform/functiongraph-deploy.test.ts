/**
 * The FunctionGraph deploy's pure parts: the deployer's settings, the desired configuration of each
 * function (user data, encrypted user data, markers, limits), API names and the secrets digest.
 */
import { ConfigError } from '../../../shared/errors';
import { functionVariableValue, loadDeployConfig } from '../../../scripts/functiongraph/deploy-config';
import { isLoopbackUrl } from '../../../scripts/loopback-url';
import type { Manifest, ManifestFunction } from '../../../scripts/functiongraph/manifest';
import { apiName, checkFunctionValues, checkTarget, CODE_MARKER, DeployPlanError, desiredState, SECRETS_MARKER, secretsDigest } from '../../../scripts/functiongraph/plan';
import { TEST_SECRETS } from '../../helpers/logs';

const SECRET_VALUE = 'deploy-unit-test-secret-value-0001';
TEST_SECRETS.add(SECRET_VALUE);

const BASE_ENV = {
  HUAWEICLOUD_SDK_AK: 'DEPLOYERACCESSKEY0001',
  HUAWEICLOUD_SDK_SK: 'deployer-secret-key-0001',
  HUAWEICLOUD_SDK_REGION: 'cn-north-4',
  HUAWEICLOUD_SDK_PROJECT_ID: '0123456789abcdef0123456789abcdef',
};
TEST_SECRETS.add(BASE_ENV.HUAWEICLOUD_SDK_SK);

function fn(overrides: Partial<ManifestFunction> = {}): ManifestFunction {
  return {
    key: 'listPendingItems',
    name: 'svc-prod-listPendingItems',
    description: 'List',
    handler: 'index.handler',
    runtime: 'Node.js20.15',
    memoryMB: 256,
    timeoutSeconds: 29,
    zip: 'listPendingItems.zip',
    codeSha256: 'a'.repeat(64),
    zipBytes: 100,
    bundleBytes: 300,
    environment: {
      LOG_LEVEL: { secret: false, value: 'info' },
      HRF_WORKSPACE_ALLOWLIST: { secret: false, value: '' },
      HRF_CLIENTS: { secret: true },
      HUAWEICLOUD_SDK_SK: { secret: true },
    },
    triggers: [{ type: 'APIG', method: 'GET', path: '/v1/pending-items' }],
    manualEvents: [],
    ...overrides,
  };
}

const manifest = (functions: ManifestFunction[]): Manifest => ({ manifestVersion: 1, service: 'svc', stage: 'prod', functions });

describe('FunctionGraph deploy: settings', () => {
  it('reads the deployer, the endpoint (the region default, or an override) and the APIG settings', () => {
    // Act
    const defaults = loadDeployConfig(BASE_ENV);
    const custom = loadDeployConfig({
      ...BASE_ENV,
      HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH: 'http://127.0.0.1:4010/',
      FUNCTIONGRAPH_PACKAGE: 'release-tools',
      FUNCTIONGRAPH_AGENCY: 'hrf-functions',
      FUNCTIONGRAPH_APIG_GROUP_ID: 'group01',
      FUNCTIONGRAPH_APIG_ENV_ID: 'env01',
      FUNCTIONGRAPH_APIG_INSTANCE_ID: 'instance01',
      FUNCTIONGRAPH_APIG_AUTH: 'app',
    });

    // Assess
    expect([defaults.endpoint, defaults.packageName, defaults.agency, defaults.apig]).toStrictEqual(['https://functiongraph.cn-north-4.myhuaweicloud.com', 'default', undefined, undefined]);
    expect([custom.endpoint, custom.packageName, custom.agency, custom.apig]).toStrictEqual([
      'http://127.0.0.1:4010',
      'release-tools',
      'hrf-functions',
      { groupId: 'group01', envId: 'env01', envName: 'RELEASE', instanceId: 'instance01', auth: 'APP' },
    ]);
  });

  it.each([
    [{ HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH: 'http://functiongraph.example.com' }, 'HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH: must be an https URL (plain http is allowed only to 127.0.0.1 or localhost)'],
    [{ HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH: 'https://fg.example.com/v2' }, 'HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH: must be a bare origin such as https://functiongraph.cn-north-4.myhuaweicloud.com'],
    [{ HUAWEICLOUD_SDK_REGION: 'xx-nowhere-9' }, 'HUAWEICLOUD_SDK_REGION: FunctionGraph is not offered in region xx-nowhere-9 (set HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH for a private endpoint)'],
    [{ FUNCTIONGRAPH_APIG_GROUP_ID: 'group01' }, 'FUNCTIONGRAPH_APIG_ENV_ID: is required when FUNCTIONGRAPH_APIG_GROUP_ID is set'],
    [{ FUNCTIONGRAPH_APIG_GROUP_ID: 'g', FUNCTIONGRAPH_APIG_ENV_ID: 'e', FUNCTIONGRAPH_APIG_AUTH: 'OPEN' }, 'FUNCTIONGRAPH_APIG_AUTH: must be NONE, APP or IAM'],
    [{ FUNCTIONGRAPH_PACKAGE: 'a b' }, 'FUNCTIONGRAPH_PACKAGE: must be 1 to 64 letters, digits, "_" or "-"'],
    [{ HUAWEICLOUD_SDK_AK: '', HUAWEICLOUD_SDK_SK: '' }, 'HUAWEICLOUD_SDK_AK: the FunctionGraph deploy signs with an access key: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK'],
  ])('refuses %j, naming the variable', (change, message) => {
    // Act
    const act = () => loadDeployConfig({ ...BASE_ENV, ...change });

    // Assess
    expect(act).toThrow(ConfigError);
    expect(act).toThrow(message);
  });

  it("takes a function's value from FUNCTIONGRAPH_FN_<NAME>, else <NAME>, never the deployer's own keys", () => {
    // Prepare
    const env = { ...BASE_ENV, HRF_CLIENTS: 'plain', FUNCTIONGRAPH_FN_RELEASE_CHECK_WEBHOOK_SECRET: 'explicit', FUNCTIONGRAPH_FN_HUAWEICLOUD_SDK_AK: 'FUNCTIONAK0001' };

    // Act
    const values = ['HRF_CLIENTS', 'RELEASE_CHECK_WEBHOOK_SECRET', 'HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK'].map((name) => functionVariableValue(env, name));

    // Assess
    expect(values).toStrictEqual(['plain', 'explicit', 'FUNCTIONAK0001', undefined]);
  });

  it("never copies the deployer's own proxy into a function: the functions' proxy is FUNCTIONGRAPH_FN_HTTPS_PROXY", () => {
    const env = { ...BASE_ENV, HTTPS_PROXY: 'http://127.0.0.1:3128', HTTP_PROXY: 'http://127.0.0.1:3128', FUNCTIONGRAPH_FN_HTTPS_PROXY: 'http://proxy.corp.example:3128' };
    expect(['HTTPS_PROXY', 'HTTP_PROXY'].map((name) => functionVariableValue(env, name))).toStrictEqual(['http://proxy.corp.example:3128', undefined]);
  });
});

describe('FunctionGraph deploy: desired configuration', () => {
  it('puts non-empty plain values and the markers in user data, secrets in encrypted user data only', () => {
    // Prepare
    const config = loadDeployConfig({ ...BASE_ENV, FUNCTIONGRAPH_AGENCY: 'hrf', FUNCTIONGRAPH_APIG_GROUP_ID: 'g1', FUNCTIONGRAPH_APIG_ENV_ID: 'e1', HRF_CLIENTS: SECRET_VALUE });

    // Act
    const { functions, unsetSecrets } = desiredState(manifest([fn()]), config);
    const desired = functions[0];

    // Assess
    const digest = secretsDigest({ HRF_CLIENTS: SECRET_VALUE }, 'svc:prod');
    expect(desired?.config).toStrictEqual({
      name: 'svc-prod-listPendingItems',
      runtime: 'Node.js20.15',
      handler: 'index.handler',
      memorySize: 256,
      timeout: 29,
      description: 'List',
      xrole: 'hrf',
      userData: JSON.stringify({ [CODE_MARKER]: 'a'.repeat(64), [SECRETS_MARKER]: digest, LOG_LEVEL: 'info' }),
      encryptedUserData: JSON.stringify({ HRF_CLIENTS: SECRET_VALUE }),
    });
    expect(desired?.triggers).toStrictEqual([
      { typeCode: 'APIG', name: 'svc_prod_listPendingItems_GET', groupId: 'g1', envId: 'e1', envName: 'RELEASE', instanceId: undefined, auth: 'NONE', method: 'GET', path: '/v1/pending-items', backendTimeoutMs: 29_000 },
    ]);
    expect(unsetSecrets).toStrictEqual(['HUAWEICLOUD_SDK_SK']);
    expect(digest).not.toContain(SECRET_VALUE);
    expect(secretsDigest({ HRF_CLIENTS: SECRET_VALUE }, 'svc:prod')).toBe(digest);
    expect(secretsDigest({ HRF_CLIENTS: `${SECRET_VALUE}x` }, 'svc:prod')).not.toBe(digest);
  });

  it.each([
    [fn({ environment: { BIG: { secret: false, value: 'x'.repeat(4100) } } }), 'function listPendingItems: its environment variables hold 4182 characters; FunctionGraph allows 4096'],
    [fn({ environment: { HRF_CODE_SHA256: { secret: false, value: 'x' } } }), 'function listPendingItems: the variable name HRF_CODE_SHA256 is reserved'],
    [fn({ environment: { RUNTIME_FUNC_NAME: { secret: false, value: 'x' } } }), 'function listPendingItems: the variable name RUNTIME_FUNC_NAME is reserved'],
    [fn({ triggers: Array.from({ length: 11 }, (_v, i) => ({ type: 'TIMER' as const, name: `t${i}`, scheduleType: 'Rate' as const, schedule: '5m', source: 'rate(5 minutes)', enabled: true })) }), 'function listPendingItems has 11 triggers; FunctionGraph allows 10'],
  ])('refuses before writing anything (%#)', (manifestFunction, message) => {
    // Act
    const act = () => desiredState(manifest([manifestFunction]), loadDeployConfig({ ...BASE_ENV, FUNCTIONGRAPH_APIG_GROUP_ID: 'g1', FUNCTIONGRAPH_APIG_ENV_ID: 'e1' }));

    // Assess
    expect(act).toThrow(DeployPlanError);
    expect(act).toThrow(message);
  });

  it('names APIs within APIG rules: letters, digits and "_", at most 64, distinct for two routes of one method', () => {
    // Act
    const names = [
      apiName({ service: 'hwc-release-functions', stage: 'prod' }, { key: 'listPendingItems' }, 'GET', '/v1/pending-items', false),
      apiName({ service: 'hwc-release-functions', stage: 'production-eu' }, { key: 'rejectManualReviewWithAVeryLongName' }, 'POST', '/a', false),
      apiName({ service: 'svc', stage: 'prod' }, { key: 'fn' }, 'GET', '/a', true),
      apiName({ service: 'svc', stage: 'prod' }, { key: 'fn' }, 'GET', '/b', true),
    ];

    // Assess
    expect(names[0]).toBe('hwc_release_functions_prod_listPendingItems_GET');
    expect(names.every((n) => /^[A-Za-z][A-Za-z0-9_]{2,63}$/.test(n))).toBe(true);
    expect(names[1]?.length).toBe(64);
    expect(names[2]).not.toBe(names[3]);
  });
});

describe('FunctionGraph deploy: the target', () => {
  const REMOTE = 'https://functiongraph.cn-north-4.myhuaweicloud.com';
  /** The error an action throws, whole: its class name and message. */
  const thrown = (act: () => unknown): [string, string] | undefined => {
    try {
      act();
      return undefined;
    } catch (error) {
      return error instanceof Error ? [error.name, error.message] : ['(not an Error)', String(error)];
    }
  };
  const LOCAL_CLOUD = fn({
    name: 'svc-local-listPendingItems',
    environment: {
      LOG_LEVEL: { secret: false, value: 'info' },
      HUAWEICLOUD_ENDPOINT_DATAARTS: { secret: false, value: 'http://127.0.0.1:4010' },
      HUAWEICLOUD_ENDPOINT_IAM: { secret: false, value: 'http://localhost:4010' },
      HRF_CLIENTS: { secret: true },
    },
  });

  it.each([
    ['http://127.0.0.1:4010', true],
    ['https://localhost', true],
    ['http://127.10.0.3:80', true],
    ['http://[::1]:4010', true],
    [' http://127.0.0.1:4010 ', true],
    ['https://functiongraph.cn-north-4.myhuaweicloud.com', false],
    ['https://127.0.0.1.example.com', false],
    ['127.0.0.1:4010', false],
    ['ftp://127.0.0.1', false],
    ['', false],
  ])('tells %j is this machine: %s', (value, loopback) => {
    // Act
    const result = isLoopbackUrl(value);

    // Assess
    expect(result).toBe(loopback);
  });

  it('refuses a build of the local stage for a FunctionGraph that is not local', () => {
    // Prepare
    const local: Manifest = { manifestVersion: 1, service: 'svc', stage: 'local', functions: [fn({ name: 'svc-local-listPendingItems' })] };

    // Act
    const error = thrown(() => checkTarget(local, REMOTE));

    // Assess
    expect(error).toStrictEqual([
      'DeployPlanError',
      `refusing to deploy the build of stage local to ${REMOTE}: it is the local stage. Package it for the target, with the target's settings: npm run package:functiongraph -- --stage <stage>`,
    ]);
  });

  it('refuses a build whose functions would call this machine, naming each value, whatever its stage', () => {
    // Prepare
    const local: Manifest = { manifestVersion: 1, service: 'svc', stage: 'local', functions: [LOCAL_CLOUD, { ...LOCAL_CLOUD, key: 'other', name: 'svc-local-other' }] };
    const prod = manifest([fn({ environment: { RELEASE_CHECK_WEBHOOK_URL: { secret: false, value: 'http://127.0.0.1:9000/hook' } } })]);

    // Act
    const errors = [thrown(() => checkTarget(local, REMOTE)), thrown(() => desiredState(prod, loadDeployConfig({ ...BASE_ENV, FUNCTIONGRAPH_APIG_GROUP_ID: 'g1', FUNCTIONGRAPH_APIG_ENV_ID: 'e1' })))];

    // Assess
    expect(errors).toStrictEqual([
      [
        'DeployPlanError',
        `refusing to deploy the build of stage local to ${REMOTE}: it is the local stage; its functions would call this machine (HUAWEICLOUD_ENDPOINT_DATAARTS=http://127.0.0.1:4010, HUAWEICLOUD_ENDPOINT_IAM=http://localhost:4010). Package it for the target, with the target's settings: npm run package:functiongraph -- --stage <stage>`,
      ],
      [
        'DeployPlanError',
        `refusing to deploy the build of stage prod to ${REMOTE}: its functions would call this machine (RELEASE_CHECK_WEBHOOK_URL=http://127.0.0.1:9000/hook). Package it for the target, with the target's settings: npm run package:functiongraph -- --stage <stage>`,
      ],
    ]);
  });

  it('sends a local build to the local cloud (the rehearsal), and a build for the cloud anywhere', () => {
    // Prepare
    const local: Manifest = { manifestVersion: 1, service: 'svc', stage: 'local', functions: [LOCAL_CLOUD] };
    const config = loadDeployConfig({ ...BASE_ENV, HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH: 'http://127.0.0.1:4010', FUNCTIONGRAPH_APIG_GROUP_ID: 'g1', FUNCTIONGRAPH_APIG_ENV_ID: 'e1' });

    // Act
    const errors = [thrown(() => checkTarget(local, 'http://127.0.0.1:4010')), thrown(() => checkTarget(local, 'https://localhost:8443')), thrown(() => checkTarget(manifest([fn()]), REMOTE))];
    const rehearsal = desiredState(local, config);

    // Assess
    expect(errors).toStrictEqual([undefined, undefined, undefined]);
    expect(rehearsal.functions.map((f) => f.config.name)).toStrictEqual(['svc-local-listPendingItems']);
  });

  it('refuses FUNCTIONGRAPH_FN_<NAME> for a variable that is not secret: its value is fixed in the build', () => {
    // Prepare
    const prod = manifest([fn({ environment: { LOG_LEVEL: { secret: false, value: 'info' }, HUAWEICLOUD_SDK_REGION: { secret: false, value: '' }, HRF_CLIENTS: { secret: true } } })]);
    const env = { FUNCTIONGRAPH_FN_LOG_LEVEL: 'debug', FUNCTIONGRAPH_FN_HUAWEICLOUD_SDK_REGION: 'cn-north-4', FUNCTIONGRAPH_FN_HRF_CLIENTS: SECRET_VALUE };

    // Act
    const error = thrown(() => checkFunctionValues(prod, env));

    // Assess
    expect(error).toStrictEqual([
      'DeployPlanError',
      'FUNCTIONGRAPH_FN_HUAWEICLOUD_SDK_REGION, FUNCTIONGRAPH_FN_LOG_LEVEL: FUNCTIONGRAPH_FN_<NAME> sets secret variables only; HUAWEICLOUD_SDK_REGION, LOG_LEVEL are fixed in the build: set them and package again',
    ]);
  });

  it('refuses a secret that points at this machine (a proxy on the deployer\'s loopback) when the target is remote, naming it', () => {
    const withProxy = fn({ environment: { ...fn().environment, HTTPS_PROXY: { secret: true } } });
    const remote = loadDeployConfig({ ...BASE_ENV, FUNCTIONGRAPH_FN_HTTPS_PROXY: 'http://127.0.0.1:3128', FUNCTIONGRAPH_APIG_GROUP_ID: 'g1', FUNCTIONGRAPH_APIG_ENV_ID: 'e1' });
    const local = loadDeployConfig({ ...BASE_ENV, HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH: 'http://127.0.0.1:4010', FUNCTIONGRAPH_FN_HTTPS_PROXY: 'http://127.0.0.1:3128', FUNCTIONGRAPH_APIG_GROUP_ID: 'g1', FUNCTIONGRAPH_APIG_ENV_ID: 'e1' });
    expect([thrown(() => desiredState(manifest([withProxy]), remote)), thrown(() => desiredState(manifest([withProxy]), local))]).toStrictEqual([
      ['DeployPlanError', `refusing to deploy to ${remote.endpoint}: HTTPS_PROXY of function listPendingItems points at this machine`],
      undefined,
    ]);
  });

  it('takes FUNCTIONGRAPH_FN_<NAME> for a secret, and ignores one no function declares', () => {
    // Prepare
    const config = loadDeployConfig({ ...BASE_ENV, FUNCTIONGRAPH_FN_HRF_CLIENTS: SECRET_VALUE, FUNCTIONGRAPH_FN_UNDECLARED: 'x', FUNCTIONGRAPH_APIG_GROUP_ID: 'g1', FUNCTIONGRAPH_APIG_ENV_ID: 'e1' });

    // Act
    const { functions } = desiredState(manifest([fn()]), config);

    // Assess
    expect(functions[0]?.config.encryptedUserData).toBe(JSON.stringify({ HRF_CLIENTS: SECRET_VALUE }));
  });
});
