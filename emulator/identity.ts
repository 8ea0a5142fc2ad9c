/** The tenant the emulator plays: one IAM project, one DataArts workspace, one CodeArts project, one AK/SK. */
export interface EmulatorIdentity {
  accessKey: string;
  secretKey: string;
  /** IAM project id: the `{project_id}` of DataArts paths. */
  projectId: string;
  /** DataArts workspace id (the `workspace` header). */
  workspace: string;
  /** CodeArts project id: the `{project_id}` of CodeArts Pipeline (and Deploy history) paths. */
  codeartsProjectId: string;
  region: string;
  /** The account (domain) id: IAM's `domain.id`, and each CodeArts Deploy component's `domain_id` (the tenant id). */
  domainId: string;
  /** IAM account (domain) name, user name and password accepted by POST /v3/auth/tokens. */
  iamDomain: string;
  iamUser: string;
  iamPassword: string;
}

export const DEFAULT_IDENTITY: EmulatorIdentity = Object.freeze({
  accessKey: 'HWCLOCALEMULATORAK01',
  secretKey: 'hwc-local-emulator-secret-key-0000000001',
  projectId: '0123456789abcdef0123456789abcdef',
  workspace: 'e265f808151d458bb7967e0aaf42d146',
  codeartsProjectId: 'c0dea75c0dea75c0dea75c0dea75c0de',
  region: 'cn-north-4',
  domainId: 'd0a1d0a1d0a1d0a1d0a1d0a1d0a1d0a1',
  iamDomain: 'emulator-domain',
  iamUser: 'emulator-user',
  iamPassword: 'emulator-password-0001',
});

const ENV_KEYS: Record<keyof EmulatorIdentity, string> = {
  accessKey: 'EMULATOR_AK',
  secretKey: 'EMULATOR_SK',
  projectId: 'EMULATOR_PROJECT_ID',
  workspace: 'EMULATOR_WORKSPACE',
  codeartsProjectId: 'EMULATOR_CODEARTS_PROJECT_ID',
  region: 'EMULATOR_REGION',
  domainId: 'EMULATOR_DOMAIN_ID',
  iamDomain: 'EMULATOR_IAM_DOMAIN',
  iamUser: 'EMULATOR_IAM_USER',
  iamPassword: 'EMULATOR_IAM_PASSWORD',
};

/** The identity from EMULATOR_* variables, each defaulting to {@link DEFAULT_IDENTITY}. */
export function identityFromEnv(env: Readonly<Record<string, string | undefined>>): EmulatorIdentity {
  const identity = { ...DEFAULT_IDENTITY };
  for (const key of Object.keys(ENV_KEYS) as (keyof EmulatorIdentity)[]) {
    const value = env[ENV_KEYS[key]];
    if (value !== undefined && value.trim() !== '') identity[key] = value.trim();
  }
  return identity;
}
