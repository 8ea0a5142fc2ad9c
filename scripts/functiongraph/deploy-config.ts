/**
 * The deployer's settings, read once from the environment and validated (a wrong or missing value is a
 * ConfigError naming the variable):
 *
 *   HUAWEICLOUD_SDK_AK / _SK (/ _SECURITY_TOKEN), HUAWEICLOUD_SDK_PROJECT_ID, HUAWEICLOUD_SDK_REGION
 *                                      the deployer's credentials and target (shared/config/env.ts)
 *   HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH override of https://functiongraph.<region>.myhuaweicloud.com
 *                                      (https, or plain http to 127.0.0.1/localhost: the local cloud)
 *   FUNCTIONGRAPH_PACKAGE              the FunctionGraph application (package) of the functions; default "default"
 *   FUNCTIONGRAPH_AGENCY               the agency the functions run with (their temporary credentials)
 *   FUNCTIONGRAPH_APIG_GROUP_ID        API group of the APIG triggers        } required when a function
 *   FUNCTIONGRAPH_APIG_ENV_ID          environment (stage) id of the group   } has an http event
 *   FUNCTIONGRAPH_APIG_ENV_NAME        its name; default RELEASE
 *   FUNCTIONGRAPH_APIG_INSTANCE_ID     a dedicated APIG gateway (DEDICATEDGATEWAY triggers); unset: shared APIG
 *   FUNCTIONGRAPH_APIG_AUTH            APIG authentication: NONE (default: the functions authenticate callers
 *                                      themselves with bearer tokens or app signatures), APP or IAM
 *   FUNCTIONGRAPH_FN_<NAME>            value of the functions' secret variable <NAME> (else <NAME> itself);
 *                                      the only way to give the functions their own Huawei credentials
 *                                      (HUAWEICLOUD_SDK_AK/SK/SECURITY_TOKEN), which are never taken from the
 *                                      deployer's. Secrets only: other values are fixed in the build (plan.ts)
 */
import { FunctionGraphRegion } from '@huaweicloud/huaweicloud-sdk-functiongraph';
import { loadHuaweiCloudConfig } from '../../shared/config/env';
import { ConfigError } from '../../shared/errors';
import type { Env } from './variables';

export interface DeployCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly securityToken?: string | undefined;
}

export type ApigAuth = 'NONE' | 'APP' | 'IAM';

export interface ApigSettings {
  readonly groupId: string;
  readonly envId: string;
  readonly envName: string;
  readonly instanceId: string | undefined;
  readonly auth: ApigAuth;
}

export interface DeployConfig {
  readonly region: string;
  readonly projectId: string;
  readonly credentials: DeployCredentials;
  readonly endpoint: string;
  readonly packageName: string;
  readonly agency: string | undefined;
  /** Undefined when FUNCTIONGRAPH_APIG_GROUP_ID is not set (an error only if a function has an http event). */
  readonly apig: ApigSettings | undefined;
  /** The environment function variables take their secret values from. */
  readonly env: Env;
}

export const ENDPOINT_VARIABLE = 'HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH';
export const FUNCTION_VALUE_PREFIX = 'FUNCTIONGRAPH_FN_';
/**
 * The deployer's own credentials, and its own outbound proxy (a proxy on the deployer's machine or network
 * is no proxy for the functions): never copied into a function unless given as FUNCTIONGRAPH_FN_<NAME>.
 */
export const DEPLOYER_CREDENTIAL_VARIABLES: ReadonlySet<string> = new Set([
  'HUAWEICLOUD_SDK_AK',
  'HUAWEICLOUD_SDK_SK',
  'HUAWEICLOUD_SDK_SECURITY_TOKEN',
  'CLOUD_SDK_AK',
  'CLOUD_SDK_SK',
  'HTTPS_PROXY',
  'HTTP_PROXY',
]);

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

function value(env: Env, name: string): string | undefined {
  const v = env[name];
  return v === undefined || v.trim() === '' ? undefined : v.trim();
}

/** https anywhere, plain http only to loopback; a bare origin. Same rules as the functions' endpoint overrides. */
export function parseEndpoint(raw: string, variable: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new ConfigError(variable, 'must be an absolute URL such as https://functiongraph.cn-north-4.myhuaweicloud.com');
  }
  if (!(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)))) {
    throw new ConfigError(variable, 'must be an https URL (plain http is allowed only to 127.0.0.1 or localhost)');
  }
  if (url.pathname !== '/' || url.search || url.hash || url.username || url.password || /[?#]/.test(raw)) {
    throw new ConfigError(variable, 'must be a bare origin such as https://functiongraph.cn-north-4.myhuaweicloud.com');
  }
  return url.origin;
}

/** FunctionGraph's public endpoint in a region (from the official SDK's region table). */
export function functionGraphEndpoint(region: string): string {
  try {
    const endpoint = FunctionGraphRegion.valueOf(region).endpoints[0];
    if (endpoint) return endpoint;
  } catch {
    // fall through
  }
  throw new ConfigError('HUAWEICLOUD_SDK_REGION', `FunctionGraph is not offered in region ${region} (set ${ENDPOINT_VARIABLE} for a private endpoint)`);
}

export function loadDeployConfig(env: Env): DeployConfig {
  const cloud = loadHuaweiCloudConfig(env);
  if (cloud.auth.kind !== 'aksk') {
    throw new ConfigError('HUAWEICLOUD_SDK_AK', 'the FunctionGraph deploy signs with an access key: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK');
  }
  const override = value(env, ENDPOINT_VARIABLE);
  const endpoint = override ? parseEndpoint(override, ENDPOINT_VARIABLE) : functionGraphEndpoint(cloud.region);

  const packageName = value(env, 'FUNCTIONGRAPH_PACKAGE') ?? 'default';
  if (!/^[A-Za-z0-9_-]{1,64}$/.test(packageName)) throw new ConfigError('FUNCTIONGRAPH_PACKAGE', 'must be 1 to 64 letters, digits, "_" or "-"');
  const agency = value(env, 'FUNCTIONGRAPH_AGENCY');
  if (agency !== undefined && !/^[A-Za-z0-9_.\-]{1,64}$/.test(agency)) throw new ConfigError('FUNCTIONGRAPH_AGENCY', 'must be an agency name (1 to 64 letters, digits, "_", "-" or ".")');

  let apig: ApigSettings | undefined;
  const groupId = value(env, 'FUNCTIONGRAPH_APIG_GROUP_ID');
  const envId = value(env, 'FUNCTIONGRAPH_APIG_ENV_ID');
  if (groupId || envId) {
    if (!groupId) throw new ConfigError('FUNCTIONGRAPH_APIG_GROUP_ID', 'is required when FUNCTIONGRAPH_APIG_ENV_ID is set');
    if (!envId) throw new ConfigError('FUNCTIONGRAPH_APIG_ENV_ID', 'is required when FUNCTIONGRAPH_APIG_GROUP_ID is set');
    for (const [name, v] of [['FUNCTIONGRAPH_APIG_GROUP_ID', groupId], ['FUNCTIONGRAPH_APIG_ENV_ID', envId]] as const) {
      if (!/^[A-Za-z0-9_-]{1,64}$/.test(v)) throw new ConfigError(name, 'must be an APIG id (letters, digits, "_" or "-")');
    }
    const auth = (value(env, 'FUNCTIONGRAPH_APIG_AUTH') ?? 'NONE').toUpperCase();
    if (auth !== 'NONE' && auth !== 'APP' && auth !== 'IAM') throw new ConfigError('FUNCTIONGRAPH_APIG_AUTH', 'must be NONE, APP or IAM');
    const envName = value(env, 'FUNCTIONGRAPH_APIG_ENV_NAME') ?? 'RELEASE';
    if (!/^[A-Za-z][A-Za-z0-9_]{2,63}$/.test(envName)) throw new ConfigError('FUNCTIONGRAPH_APIG_ENV_NAME', 'must be an APIG environment name');
    apig = { groupId, envId, envName, instanceId: value(env, 'FUNCTIONGRAPH_APIG_INSTANCE_ID'), auth };
  }

  return {
    region: cloud.region,
    projectId: cloud.projectId,
    credentials: { accessKey: cloud.auth.accessKey, secretKey: cloud.auth.secretKey, securityToken: cloud.auth.securityToken },
    endpoint,
    packageName,
    agency,
    apig,
    env,
  };
}

/**
 * The value a function's secret variable gets at deploy: FUNCTIONGRAPH_FN_<NAME> when set, else <NAME> from
 * the deployer's environment, except the deployer's own credentials, which never flow into a function.
 */
export function functionVariableValue(env: Env, name: string): string | undefined {
  const explicit = env[`${FUNCTION_VALUE_PREFIX}${name}`];
  if (explicit !== undefined) return explicit;
  if (DEPLOYER_CREDENTIAL_VARIABLES.has(name)) return undefined;
  return env[name];
}
