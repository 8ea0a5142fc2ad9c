/**
 * Environment configuration: every missing or malformed variable fails with a ConfigError naming it.
 */
import { ConfigError } from '../../../shared/errors';
import { loadHuaweiCloudConfig, requireCodeartsProjectId, requireWorkspace, resolveEndpoint, type Env } from '../../../shared/config/env';
import { UnsupportedRegionError } from '../../../shared/config/endpoints';

const PROJECT_ID = '62099355b894428e8916573ae635f1f9';
const WORKSPACE = 'e265f808151d458bb7967e0aaf42d146';
const CODEARTS_PROJECT = 'd80a8a6530324b7bac972cbb8a9f28ec';
const AK = 'HPUAL2ZQ5XEXAMPLE01';
const SK = 'sk-0123456789-example-secret';
const VISIBLE_ASCII = 'must be visible ASCII characters (no spaces, line breaks or control characters)';

const BASE: Env = { HUAWEICLOUD_SDK_REGION: 'cn-north-4', HUAWEICLOUD_SDK_PROJECT_ID: PROJECT_ID };
const NO_OVERRIDES = { dataarts: '', codeartsDeploy: '', codeartsPipeline: '', iam: '' };

/** Runs the loader and returns the ConfigError it throws (or fails the test). */
function configErrorOf(env: Env): { name: string; variable: string; message: string } {
  try {
    loadHuaweiCloudConfig(env);
  } catch (error) {
    if (error instanceof ConfigError) return { name: error.name, variable: error.variable, message: error.message };
    throw error;
  }
  throw new Error('expected a ConfigError');
}

describe('Config: a minimal environment', () => {
  it('loads region and project with defaults and no credentials', () => {
    // Prepare
    const env = { ...BASE };

    // Act
    const config = loadHuaweiCloudConfig(env);

    // Assess
    expect(config).toStrictEqual({
      region: 'cn-north-4',
      projectId: PROJECT_ID,
      auth: { kind: 'none' },
      endpoints: NO_OVERRIDES,
      dataartsWorkspace: undefined,
      codeartsProjectId: undefined,
      callDeadlineMs: 10_000,
    });
  });

  it('loads every optional setting', () => {
    // Prepare
    const env = {
      ...BASE,
      HUAWEICLOUD_SDK_AK: AK,
      HUAWEICLOUD_SDK_SK: SK,
      HUAWEICLOUD_SDK_SECURITY_TOKEN: 'sts-token',
      HUAWEICLOUD_DATAARTS_WORKSPACE: WORKSPACE,
      HUAWEICLOUD_CODEARTS_PROJECT_ID: CODEARTS_PROJECT,
      HUAWEICLOUD_CALL_DEADLINE_MS: '2500',
      HUAWEICLOUD_ENDPOINT_DATAARTS: 'http://127.0.0.1:8080',
      HUAWEICLOUD_ENDPOINT_CODEARTS_DEPLOY: 'http://localhost:8080/',
      HUAWEICLOUD_ENDPOINT_CODEARTS_PIPELINE: 'http://[::1]:8080',
      HUAWEICLOUD_ENDPOINT_IAM: 'https://iam.example.internal',
    };

    // Act
    const config = loadHuaweiCloudConfig(env);

    // Assess
    expect(config).toStrictEqual({
      region: 'cn-north-4',
      projectId: PROJECT_ID,
      auth: { kind: 'aksk', accessKey: AK, secretKey: SK, securityToken: 'sts-token' },
      endpoints: {
        dataarts: 'http://127.0.0.1:8080',
        codeartsDeploy: 'http://localhost:8080',
        codeartsPipeline: 'http://[::1]:8080',
        iam: 'https://iam.example.internal',
      },
      dataartsWorkspace: WORKSPACE,
      codeartsProjectId: CODEARTS_PROJECT,
      callDeadlineMs: 2500,
    });
  });

  it('treats empty strings as unset (serverless.yml passes "" for absent variables)', () => {
    // Prepare
    const env = { ...BASE, HUAWEICLOUD_SDK_AK: '', HUAWEICLOUD_SDK_SK: '', HUAWEICLOUD_DATAARTS_WORKSPACE: '', HUAWEICLOUD_ENDPOINT_IAM: '', HUAWEICLOUD_CALL_DEADLINE_MS: '' };

    // Act
    const config = loadHuaweiCloudConfig(env);

    // Assess
    expect(config).toStrictEqual({
      region: 'cn-north-4',
      projectId: PROJECT_ID,
      auth: { kind: 'none' },
      endpoints: NO_OVERRIDES,
      dataartsWorkspace: undefined,
      codeartsProjectId: undefined,
      callDeadlineMs: 10_000,
    });
  });
});

describe('Config: a missing or malformed variable is named', () => {
  it.each<[string, Env, string, string]>([
    ['region missing', { HUAWEICLOUD_SDK_PROJECT_ID: PROJECT_ID }, 'HUAWEICLOUD_SDK_REGION', 'is required but not set'],
    ['region malformed', { ...BASE, HUAWEICLOUD_SDK_REGION: 'CN-NORTH-4' }, 'HUAWEICLOUD_SDK_REGION', 'must be a region id such as cn-north-4'],
    ['region with a path', { ...BASE, HUAWEICLOUD_SDK_REGION: 'cn-north-4/x' }, 'HUAWEICLOUD_SDK_REGION', 'must be a region id such as cn-north-4'],
    ['project missing', { HUAWEICLOUD_SDK_REGION: 'cn-north-4' }, 'HUAWEICLOUD_SDK_PROJECT_ID', 'is required but not set'],
    ['project malformed', { ...BASE, HUAWEICLOUD_SDK_PROJECT_ID: '../x' }, 'HUAWEICLOUD_SDK_PROJECT_ID', 'must be 32 letters or digits (an IAM project id)'],
    ['access key malformed', { ...BASE, HUAWEICLOUD_SDK_AK: 'bad key!', HUAWEICLOUD_SDK_SK: SK }, 'HUAWEICLOUD_SDK_AK', 'must be an access key of letters and digits'],
    ['CLOUD_SDK_AK malformed', { ...BASE, CLOUD_SDK_AK: 'short', CLOUD_SDK_SK: SK }, 'CLOUD_SDK_AK', 'must be an access key of letters and digits'],
    ['secret key too short', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: 'short' }, 'HUAWEICLOUD_SDK_SK', 'is too short to be a secret key'],
    ['secret key with a trailing carriage return', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: `${SK}\r` }, 'HUAWEICLOUD_SDK_SK', VISIBLE_ASCII],
    ['secret key with a trailing line break', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: `${SK}\n` }, 'HUAWEICLOUD_SDK_SK', VISIBLE_ASCII],
    ['secret key of spaces', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: ' '.repeat(12) }, 'HUAWEICLOUD_SDK_SK', VISIBLE_ASCII],
    ['secret key with a tab', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: `\t${SK}` }, 'HUAWEICLOUD_SDK_SK', VISIBLE_ASCII],
    ['secret key with a NUL', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: `${SK}\u0000` }, 'HUAWEICLOUD_SDK_SK', VISIBLE_ASCII],
    ['secret key with DEL', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: `${SK}\u007f` }, 'HUAWEICLOUD_SDK_SK', VISIBLE_ASCII],
    ['secret key with a Latin-1 letter', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: `${SK}\u00e9` }, 'HUAWEICLOUD_SDK_SK', VISIBLE_ASCII],
    ['secret key with a non-breaking space', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: `${SK}\u00a0` }, 'HUAWEICLOUD_SDK_SK', VISIBLE_ASCII],
    ['secret key with non-Latin-1 characters', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: `${SK}\u5bc6\u94a5` }, 'HUAWEICLOUD_SDK_SK', VISIBLE_ASCII],
    ['CLOUD_SDK_SK with a trailing carriage return', { ...BASE, CLOUD_SDK_AK: AK, CLOUD_SDK_SK: `${SK}\r` }, 'CLOUD_SDK_SK', VISIBLE_ASCII],
    ['security token with a line break', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: 'abcdefgh\nijkl' }, 'HUAWEICLOUD_SDK_SECURITY_TOKEN', VISIBLE_ASCII],
    ['security token with a space', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: 'sts token' }, 'HUAWEICLOUD_SDK_SECURITY_TOKEN', VISIBLE_ASCII],
    ['security token of non-Latin-1 characters', { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: '\u4ee4\u724c' }, 'HUAWEICLOUD_SDK_SECURITY_TOKEN', VISIBLE_ASCII],
    ['AK without SK', { ...BASE, HUAWEICLOUD_SDK_AK: AK }, 'HUAWEICLOUD_SDK_SK', 'is required when HUAWEICLOUD_SDK_AK is set'],
    ['CLOUD_SDK_AK without SK', { ...BASE, CLOUD_SDK_AK: AK }, 'HUAWEICLOUD_SDK_SK', 'is required when CLOUD_SDK_AK is set'],
    ['SK without AK', { ...BASE, HUAWEICLOUD_SDK_SK: SK }, 'HUAWEICLOUD_SDK_AK', 'is required when HUAWEICLOUD_SDK_SK is set'],
    ['CLOUD_SDK_SK without AK', { ...BASE, CLOUD_SDK_SK: SK }, 'HUAWEICLOUD_SDK_AK', 'is required when CLOUD_SDK_SK is set'],
    ['token without AK', { ...BASE, HUAWEICLOUD_SDK_SECURITY_TOKEN: 'sts' }, 'HUAWEICLOUD_SDK_AK', 'is required when HUAWEICLOUD_SDK_SECURITY_TOKEN is set'],
    ['password without user', { ...BASE, HUAWEICLOUD_IAM_PASSWORD: 'pw', HUAWEICLOUD_IAM_DOMAIN: 'acme' }, 'HUAWEICLOUD_IAM_USER', 'is required when HUAWEICLOUD_IAM_PASSWORD is set'],
    ['password without domain', { ...BASE, HUAWEICLOUD_IAM_PASSWORD: 'pw', HUAWEICLOUD_IAM_USER: 'deployer' }, 'HUAWEICLOUD_IAM_DOMAIN', 'is required when HUAWEICLOUD_IAM_PASSWORD is set'],
    ['user without password', { ...BASE, HUAWEICLOUD_IAM_USER: 'deployer', HUAWEICLOUD_IAM_DOMAIN: 'acme' }, 'HUAWEICLOUD_IAM_PASSWORD', 'is required when HUAWEICLOUD_IAM_USER is set'],
    ['domain without password', { ...BASE, HUAWEICLOUD_IAM_DOMAIN: 'acme' }, 'HUAWEICLOUD_IAM_PASSWORD', 'is required when HUAWEICLOUD_IAM_DOMAIN is set'],
    ['workspace malformed', { ...BASE, HUAWEICLOUD_DATAARTS_WORKSPACE: 'a/b' }, 'HUAWEICLOUD_DATAARTS_WORKSPACE', 'must be 32 letters or digits (a DataArts workspace id)'],
    ['CodeArts project malformed', { ...BASE, HUAWEICLOUD_CODEARTS_PROJECT_ID: `${CODEARTS_PROJECT}0` }, 'HUAWEICLOUD_CODEARTS_PROJECT_ID', 'must be 32 letters or digits (a CodeArts id)'],
    ['deadline not a number', { ...BASE, HUAWEICLOUD_CALL_DEADLINE_MS: 'soon' }, 'HUAWEICLOUD_CALL_DEADLINE_MS', 'must be a whole number of milliseconds'],
    ['deadline fractional', { ...BASE, HUAWEICLOUD_CALL_DEADLINE_MS: '1.5' }, 'HUAWEICLOUD_CALL_DEADLINE_MS', 'must be a whole number of milliseconds'],
    ['deadline in exponent form', { ...BASE, HUAWEICLOUD_CALL_DEADLINE_MS: '1e3' }, 'HUAWEICLOUD_CALL_DEADLINE_MS', 'must be a whole number of milliseconds'],
    ['deadline negative', { ...BASE, HUAWEICLOUD_CALL_DEADLINE_MS: '-1' }, 'HUAWEICLOUD_CALL_DEADLINE_MS', 'must be a whole number of milliseconds'],
    ['deadline zero', { ...BASE, HUAWEICLOUD_CALL_DEADLINE_MS: '0' }, 'HUAWEICLOUD_CALL_DEADLINE_MS', 'must be at least 1'],
    ['deadline too long', { ...BASE, HUAWEICLOUD_CALL_DEADLINE_MS: '900001' }, 'HUAWEICLOUD_CALL_DEADLINE_MS', 'must be at most 900000'],
  ])('%s', (_label, env, variable, message) => {
    // Prepare
    const input = env;

    // Act
    const error = configErrorOf(input);

    // Assess
    expect(error).toStrictEqual({ name: 'ConfigError', variable, message: `${variable}: ${message}` });
  });

  it.each([
    ['HUAWEICLOUD_SDK_SK', { HUAWEICLOUD_SDK_SK: 'a secret with spaces 0001' }],
    ['HUAWEICLOUD_SDK_SECURITY_TOKEN', { HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_SDK_SECURITY_TOKEN: 'a token with spaces 0001' }],
  ])('never echoes a malformed %s in the error', (variable, secrets) => {
    // Prepare
    const env = { ...BASE, HUAWEICLOUD_SDK_AK: AK, ...secrets };

    // Act
    const error = configErrorOf(env);

    // Assess
    expect(error).toStrictEqual({ name: 'ConfigError', variable, message: `${variable}: ${VISIBLE_ASCII}` });
    expect(error.message.includes('with spaces')).toBe(false);
  });

  it('accepts a secret key and a security token of any visible ASCII characters', () => {
    // Prepare: every character from ! to ~.
    const visible = Array.from({ length: 0x7e - 0x21 + 1 }, (_, i) => String.fromCharCode(0x21 + i)).join('');
    const env = { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: visible, HUAWEICLOUD_SDK_SECURITY_TOKEN: visible };

    // Act
    const config = loadHuaweiCloudConfig(env);

    // Assess
    expect(config.auth).toStrictEqual({ kind: 'aksk', accessKey: AK, secretKey: visible, securityToken: visible });
  });

  it('never echoes a secret value in the error', () => {
    // Prepare
    const secret = 'shh';

    // Act
    const error = configErrorOf({ ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: secret });

    // Assess
    expect(error).toStrictEqual({ name: 'ConfigError', variable: 'HUAWEICLOUD_SDK_SK', message: 'HUAWEICLOUD_SDK_SK: is too short to be a secret key' });
    expect(error.message.includes(secret)).toBe(false);
  });
});

describe('Config: credentials', () => {
  it('accepts CLOUD_SDK_AK and CLOUD_SDK_SK (the names used in Huawei samples)', () => {
    // Prepare
    const env = { ...BASE, CLOUD_SDK_AK: AK, CLOUD_SDK_SK: SK };

    // Act
    const config = loadHuaweiCloudConfig(env);

    // Assess
    expect(config.auth).toStrictEqual({ kind: 'aksk', accessKey: AK, secretKey: SK, securityToken: undefined });
  });

  it('prefers HUAWEICLOUD_SDK_AK/SK over CLOUD_SDK_AK/SK', () => {
    // Prepare
    const env = { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, CLOUD_SDK_AK: 'OTHERACCESSKEY00', CLOUD_SDK_SK: 'other-secret-value' };

    // Act
    const config = loadHuaweiCloudConfig(env);

    // Assess
    expect(config.auth).toStrictEqual({ kind: 'aksk', accessKey: AK, secretKey: SK, securityToken: undefined });
  });

  it('loads the IAM password mode', () => {
    // Prepare
    const env = { ...BASE, HUAWEICLOUD_IAM_DOMAIN: 'acme', HUAWEICLOUD_IAM_USER: 'deployer', HUAWEICLOUD_IAM_PASSWORD: 'correct horse' };

    // Act
    const config = loadHuaweiCloudConfig(env);

    // Assess
    expect(config.auth).toStrictEqual({ kind: 'password', domainName: 'acme', userName: 'deployer', password: 'correct horse' });
  });

  it('uses AK/SK when both AK/SK and a password are configured', () => {
    // Prepare
    const env = { ...BASE, HUAWEICLOUD_SDK_AK: AK, HUAWEICLOUD_SDK_SK: SK, HUAWEICLOUD_IAM_DOMAIN: 'acme', HUAWEICLOUD_IAM_USER: 'deployer', HUAWEICLOUD_IAM_PASSWORD: 'pw' };

    // Act
    const config = loadHuaweiCloudConfig(env);

    // Assess
    expect(config.auth).toStrictEqual({ kind: 'aksk', accessKey: AK, secretKey: SK, securityToken: undefined });
  });
});

describe('Config: endpoint overrides', () => {
  const VAR = 'HUAWEICLOUD_ENDPOINT_DATAARTS';
  const HTTPS_ONLY = `${VAR}: must be an https URL (plain http is allowed only to 127.0.0.1 or localhost)`;
  const BARE = `${VAR}: must be a bare origin such as https://dayu.cn-north-4.myhuaweicloud.com`;
  const ABSOLUTE = `${VAR}: must be an absolute URL such as https://dayu.cn-north-4.myhuaweicloud.com`;

  it.each([
    ['https://dayu.example.internal', 'https://dayu.example.internal'],
    ['https://dayu.example.internal/', 'https://dayu.example.internal'],
    ['https://dayu.example.internal:8443', 'https://dayu.example.internal:8443'],
    ['HTTPS://DAYU.Example.Internal', 'https://dayu.example.internal'],
    ['https://dayu.example.internal:443', 'https://dayu.example.internal'],
    ['http://127.0.0.1:4010', 'http://127.0.0.1:4010'],
    ['http://localhost:4010', 'http://localhost:4010'],
    ['http://[::1]:4010', 'http://[::1]:4010'],
  ])('accepts %s as %s', (value, expected) => {
    // Prepare
    const env = { ...BASE, [VAR]: value };

    // Act
    const config = loadHuaweiCloudConfig(env);

    // Assess
    expect(config.endpoints).toStrictEqual({ ...NO_OVERRIDES, dataarts: expected });
  });

  it.each([
    ['http://dayu.example.internal', HTTPS_ONLY],
    ['http://127.0.0.2', HTTPS_ONLY],
    ['http://localhost.evil.example', HTTPS_ONLY],
    ['http://127.0.0.1.nip.io', HTTPS_ONLY],
    ['ftp://dayu.example.internal', HTTPS_ONLY],
    ['javascript:alert(1)', HTTPS_ONLY],
    ['https://dayu.example.internal/v2', BARE],
    ['https://dayu.example.internal?x=1', BARE],
    ['https://dayu.example.internal/?', BARE],
    ['https://dayu.example.internal#frag', BARE],
    ['https://user:pass@dayu.example.internal', BARE],
    ['not a url', ABSOLUTE],
    ['https://', ABSOLUTE],
    ['dayu.example.internal', ABSOLUTE],
  ])('refuses %s', (value, message) => {
    // Prepare
    const env = { ...BASE, [VAR]: value };

    // Act
    const error = configErrorOf(env);

    // Assess
    expect(error).toStrictEqual({ name: 'ConfigError', variable: VAR, message });
  });

  it.each(['HUAWEICLOUD_ENDPOINT_CODEARTS_DEPLOY', 'HUAWEICLOUD_ENDPOINT_CODEARTS_PIPELINE', 'HUAWEICLOUD_ENDPOINT_IAM'])('names %s when it is malformed', (variable) => {
    // Prepare
    const env = { ...BASE, [variable]: 'http://example.com' };

    // Act
    const error = configErrorOf(env);

    // Assess
    expect(error).toStrictEqual({
      name: 'ConfigError',
      variable,
      message: `${variable}: must be an https URL (plain http is allowed only to 127.0.0.1 or localhost)`,
    });
  });
});

describe('Config: resolveEndpoint', () => {
  it('uses the override when set', () => {
    // Prepare
    const config = loadHuaweiCloudConfig({ ...BASE, HUAWEICLOUD_ENDPOINT_CODEARTS_PIPELINE: 'http://127.0.0.1:4010' });

    // Act
    const endpoint = resolveEndpoint(config, 'codeartsPipeline');

    // Assess
    expect(endpoint).toBe('http://127.0.0.1:4010');
  });

  it.each([
    ['dataarts', 'https://dayu.cn-north-4.myhuaweicloud.com'],
    ['codeartsDeploy', 'https://codearts-deploy.cn-north-4.myhuaweicloud.com'],
    ['codeartsPipeline', 'https://cloudpipeline-ext.cn-north-4.myhuaweicloud.com'],
    ['iam', 'https://iam.cn-north-4.myhuaweicloud.com'],
  ] as const)('falls back to the public %s endpoint of the region', (service, expected) => {
    // Prepare
    const config = loadHuaweiCloudConfig(BASE);

    // Act
    const endpoint = resolveEndpoint(config, service);

    // Assess
    expect(endpoint).toBe(expected);
  });

  it('throws UnsupportedRegionError for a service the region lacks, only when it is used', () => {
    // Prepare
    const config = loadHuaweiCloudConfig({ ...BASE, HUAWEICLOUD_SDK_REGION: 'af-north-1' });

    // Act
    const act = () => resolveEndpoint(config, 'dataarts');

    // Assess
    expect(act).toThrow(UnsupportedRegionError);
    expect(resolveEndpoint(config, 'codeartsPipeline')).toBe('https://pipeline.af-north-1.myhuaweicloud.com');
  });

  it('lets an override serve a service the region lacks', () => {
    // Prepare
    const config = loadHuaweiCloudConfig({ ...BASE, HUAWEICLOUD_SDK_REGION: 'af-north-1', HUAWEICLOUD_ENDPOINT_DATAARTS: 'https://dayu.private.example' });

    // Act
    const endpoint = resolveEndpoint(config, 'dataarts');

    // Assess
    expect(endpoint).toBe('https://dayu.private.example');
  });
});

describe('Config: settings a function needs', () => {
  it('returns the workspace and the CodeArts project id when configured', () => {
    // Prepare
    const config = loadHuaweiCloudConfig({ ...BASE, HUAWEICLOUD_DATAARTS_WORKSPACE: WORKSPACE, HUAWEICLOUD_CODEARTS_PROJECT_ID: CODEARTS_PROJECT });

    // Act
    const values = [requireWorkspace(config), requireCodeartsProjectId(config)];

    // Assess
    expect(values).toStrictEqual([WORKSPACE, CODEARTS_PROJECT]);
  });

  it.each([
    ['requireWorkspace', requireWorkspace, 'HUAWEICLOUD_DATAARTS_WORKSPACE'],
    ['requireCodeartsProjectId', requireCodeartsProjectId, 'HUAWEICLOUD_CODEARTS_PROJECT_ID'],
  ] as const)('%s names %s when it is not set', (_label, require, variable) => {
    // Prepare
    const config = loadHuaweiCloudConfig(BASE);

    // Act
    const act = () => require(config);

    // Assess
    expect(act).toThrow(new ConfigError(variable, 'is required but not set'));
    expect(act).toThrow(`${variable}: is required but not set`);
  });
});
