/**
 * Where the signing credentials of a call come from, in order:
 *  1. the per-invocation temporary credentials FunctionGraph hands the function through its context
 *     (the function agency's AK/SK/token; never cached in module scope: they rotate);
 *  2. static AK/SK (and an optional security token) from configuration;
 *  3. an IAM token obtained with an IAM user's password (cached and renewed by IamTokenProvider).
 */
import type { HuaweiCloudConfig } from '../config/env';
import { registerSecret } from '../logger';
import { IamTokenProvider } from './iam-token';

export interface TemporaryCredentials {
  readonly accessKey: string;
  readonly secretKey: string;
  readonly securityToken?: string;
}

export type ResolvedAuth =
  | { readonly kind: 'aksk'; readonly accessKey: string; readonly secretKey: string; readonly securityToken?: string | undefined }
  | { readonly kind: 'token'; readonly token: string };

export interface CredentialsProvider {
  resolve(invocation?: TemporaryCredentials, signal?: AbortSignal): Promise<ResolvedAuth>;
  /** Huawei Cloud refused a token this provider gave: forget it. */
  invalidateToken?(): void;
}

export class NoCredentialsError extends Error {
  constructor() {
    super('no Huawei Cloud credentials are configured: set HUAWEICLOUD_SDK_AK/HUAWEICLOUD_SDK_SK, the HUAWEICLOUD_IAM_* password variables, or give the function an agency');
    this.name = 'NoCredentialsError';
  }
}

export function createCredentialsProvider(config: HuaweiCloudConfig, deps: { iam?: IamTokenProvider; now?: () => Date } = {}): CredentialsProvider {
  const auth = config.auth;
  const iam = auth.kind === 'password' ? (deps.iam ?? new IamTokenProvider({ config, now: deps.now })) : undefined;
  return {
    async resolve(invocation, signal) {
      if (invocation) {
        registerSecret(invocation.accessKey, 'rotating');
        registerSecret(invocation.secretKey, 'rotating');
        registerSecret(invocation.securityToken, 'rotating');
        return { kind: 'aksk', accessKey: invocation.accessKey, secretKey: invocation.secretKey, securityToken: invocation.securityToken };
      }
      if (auth.kind === 'aksk') return { kind: 'aksk', accessKey: auth.accessKey, secretKey: auth.secretKey, securityToken: auth.securityToken };
      if (iam) return { kind: 'token', token: await iam.token(signal) };
      throw new NoCredentialsError();
    },
    invalidateToken() {
      iam?.invalidate();
    },
  };
}
