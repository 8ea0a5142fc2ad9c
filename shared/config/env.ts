/**
 * The environment, read once and validated. A missing or malformed value throws ConfigError naming the
 * variable. Nothing else in the project reads process.env for Huawei Cloud settings.
 */
import '../zod-config';
import * as z from 'zod/mini';
import { ConfigError } from '../errors';
import { codeartsIdSchema, iamProjectIdSchema, workspaceIdSchema } from '../contracts/ids';
import { ENDPOINT_OVERRIDE_VARIABLES, regionEndpoint, type EndpointService } from './endpoints';

export type Env = Readonly<Record<string, string | undefined>>;

const regionSchema = z.string().check(z.regex(/^[a-z]{2}-[a-z]+-[0-9]{1,3}$/, 'must be a region id such as cn-north-4'));

function parseUrl(value: string): URL | undefined {
  try {
    return new URL(value);
  } catch {
    return undefined;
  }
}

const LOOPBACK_HOSTS = ['127.0.0.1', 'localhost', '[::1]'];

/**
 * https anywhere; plain http only to loopback (the local Huawei Cloud); a bare origin. The value is
 * normalised to the URL's origin (lower-case scheme and host, no trailing slash).
 */
const endpointSchema = z.pipe(
  z.string().check(
    z.superRefine((value, ctx) => {
      const url = parseUrl(value);
      if (!url) {
        ctx.addIssue({ code: 'custom', message: 'must be an absolute URL such as https://dayu.cn-north-4.myhuaweicloud.com' });
      } else if (!(url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.includes(url.hostname)))) {
        ctx.addIssue({ code: 'custom', message: 'must be an https URL (plain http is allowed only to 127.0.0.1 or localhost)' });
      } else if (url.pathname !== '/' || url.search || url.hash || url.username || url.password || /[?#]/.test(value)) {
        ctx.addIssue({ code: 'custom', message: 'must be a bare origin such as https://dayu.cn-north-4.myhuaweicloud.com' });
      }
    }),
  ),
  z.transform((value: string) => new URL(value).origin),
);

const positiveMs = (max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^[0-9]+$/, 'must be a whole number of milliseconds')), z.transform(Number)),
    z.number().check(z.int(), z.gte(1, 'must be at least 1'), z.lte(max, `must be at most ${max}`)),
  );

export type HuaweiAuthSettings =
  | { readonly kind: 'aksk'; readonly accessKey: string; readonly secretKey: string; readonly securityToken?: string | undefined }
  | {
      readonly kind: 'password';
      readonly domainName: string;
      readonly userName: string;
      readonly password: string;
    }
  /** No static credentials: only per-invocation temporary credentials (a FunctionGraph agency) can be used. */
  | { readonly kind: 'none' };

export interface HuaweiCloudConfig {
  readonly region: string;
  readonly projectId: string;
  readonly auth: HuaweiAuthSettings;
  readonly endpoints: Readonly<Record<EndpointService, string>>;
  readonly dataartsWorkspace?: string | undefined;
  readonly codeartsProjectId?: string | undefined;
  /** The total deadline of one upstream call, all attempts included. */
  readonly callDeadlineMs: number;
}

function pick(env: Env, ...names: string[]): { name: string; value: string } | undefined {
  for (const name of names) {
    const value = env[name];
    if (value !== undefined && value !== '') return { name, value };
  }
  return undefined;
}

function parseVar<T>(schema: z.ZodMiniType<T>, name: string, value: string | undefined): T {
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    throw new ConfigError(name, value === undefined ? 'is required but not set' : (issue?.message ?? 'is invalid'));
  }
  return result.data;
}

const accessKeySchema = z.string().check(z.regex(/^[A-Za-z0-9]{10,128}$/, 'must be an access key of letters and digits'));
// Visible ASCII only: a stray space, line break or non-Latin-1 character fails every signature (and repeated
// failures can lock the access key), so it is refused at start. The messages never quote the value.
const secretKeySchema = z.string().check(
  z.minLength(10, 'is too short to be a secret key'),
  z.maxLength(256),
  z.regex(/^[\x21-\x7e]*$/, 'must be visible ASCII characters (no spaces, line breaks or control characters)'),
);
const securityTokenSchema = z.string().check(z.regex(/^[\x21-\x7e]+$/, 'must be visible ASCII characters (no spaces, line breaks or control characters)'));

function readAuth(env: Env): HuaweiAuthSettings {
  const ak = pick(env, 'HUAWEICLOUD_SDK_AK', 'CLOUD_SDK_AK');
  const sk = pick(env, 'HUAWEICLOUD_SDK_SK', 'CLOUD_SDK_SK');
  const token = pick(env, 'HUAWEICLOUD_SDK_SECURITY_TOKEN');
  if (ak || sk) {
    if (!ak) throw new ConfigError('HUAWEICLOUD_SDK_AK', `is required when ${sk?.name} is set`);
    if (!sk) throw new ConfigError('HUAWEICLOUD_SDK_SK', `is required when ${ak.name} is set`);
    parseVar(accessKeySchema, ak.name, ak.value);
    parseVar(secretKeySchema, sk.name, sk.value);
    if (token) parseVar(securityTokenSchema, token.name, token.value);
    return { kind: 'aksk', accessKey: ak.value, secretKey: sk.value, securityToken: token?.value };
  }
  if (token) throw new ConfigError('HUAWEICLOUD_SDK_AK', 'is required when HUAWEICLOUD_SDK_SECURITY_TOKEN is set');
  const password = pick(env, 'HUAWEICLOUD_IAM_PASSWORD');
  const user = pick(env, 'HUAWEICLOUD_IAM_USER');
  const domain = pick(env, 'HUAWEICLOUD_IAM_DOMAIN');
  if (!password && (user || domain)) {
    // A half-configured password login would otherwise silently fall back to no credentials.
    throw new ConfigError('HUAWEICLOUD_IAM_PASSWORD', `is required when ${(user ?? domain)?.name} is set`);
  }
  if (password) {
    if (!user) throw new ConfigError('HUAWEICLOUD_IAM_USER', 'is required when HUAWEICLOUD_IAM_PASSWORD is set');
    if (!domain) throw new ConfigError('HUAWEICLOUD_IAM_DOMAIN', 'is required when HUAWEICLOUD_IAM_PASSWORD is set');
    return { kind: 'password', domainName: domain.value, userName: user.value, password: password.value };
  }
  return { kind: 'none' };
}

/** Reads and validates the Huawei Cloud settings. Pure: pass the environment in. */
export function loadHuaweiCloudConfig(env: Env): HuaweiCloudConfig {
  const region = parseVar(regionSchema, 'HUAWEICLOUD_SDK_REGION', pick(env, 'HUAWEICLOUD_SDK_REGION')?.value);
  const projectId = parseVar(iamProjectIdSchema, 'HUAWEICLOUD_SDK_PROJECT_ID', pick(env, 'HUAWEICLOUD_SDK_PROJECT_ID')?.value);
  const auth = readAuth(env);
  const workspace = pick(env, 'HUAWEICLOUD_DATAARTS_WORKSPACE');
  const codearts = pick(env, 'HUAWEICLOUD_CODEARTS_PROJECT_ID');
  const deadline = pick(env, 'HUAWEICLOUD_CALL_DEADLINE_MS');

  const endpoints = {} as Record<EndpointService, string>;
  for (const service of Object.keys(ENDPOINT_OVERRIDE_VARIABLES) as EndpointService[]) {
    const variable = ENDPOINT_OVERRIDE_VARIABLES[service];
    const override = pick(env, variable);
    // An unoffered service is only an error when it is used (see resolveEndpoint), not at start.
    endpoints[service] = override ? parseVar(endpointSchema, variable, override.value) : '';
  }
  return {
    region,
    projectId,
    auth,
    endpoints,
    dataartsWorkspace: workspace ? parseVar(workspaceIdSchema, workspace.name, workspace.value) : undefined,
    codeartsProjectId: codearts ? parseVar(codeartsIdSchema, codearts.name, codearts.value) : undefined,
    callDeadlineMs: deadline ? parseVar(positiveMs(900_000), deadline.name, deadline.value) : 10_000,
  };
}

/** The endpoint a call goes to: the override when set, else the region's public endpoint (or UnsupportedRegionError). */
export function resolveEndpoint(config: HuaweiCloudConfig, service: EndpointService): string {
  return config.endpoints[service] || regionEndpoint(service, config.region);
}

/** Settings a function cannot run without, checked at its start with the variable's name. */
export function requireWorkspace(config: HuaweiCloudConfig): string {
  if (!config.dataartsWorkspace) throw new ConfigError('HUAWEICLOUD_DATAARTS_WORKSPACE', 'is required but not set');
  return config.dataartsWorkspace;
}

export function requireCodeartsProjectId(config: HuaweiCloudConfig): string {
  if (!config.codeartsProjectId) throw new ConfigError('HUAWEICLOUD_CODEARTS_PROJECT_ID', 'is required but not set');
  return config.codeartsProjectId;
}
