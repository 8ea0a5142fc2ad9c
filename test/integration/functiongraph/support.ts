/**
 * Shared pieces of the FunctionGraph integration tests: a build of serverless.yml in a temporary
 * directory (the same code path as `npm run package:functiongraph`), and the deployer settings for the
 * local cloud.
 */
import { cpSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DEFAULT_IDENTITY, SEED, type RunningEmulator } from '../../../emulator';
import { packageFunctionGraph, type PackageResult } from '../../../scripts/functiongraph/package';

/** A stage with no .env file, so the build depends on the given environment only. */
export const TEST_STAGE = 'fgtest';

/**
 * The settings a build for a stage other than `local` cannot go without (scripts/functiongraph/settings.ts),
 * as the local cloud knows them.
 */
export const FUNCTION_SETTINGS = {
  HUAWEICLOUD_SDK_REGION: DEFAULT_IDENTITY.region,
  HUAWEICLOUD_SDK_PROJECT_ID: DEFAULT_IDENTITY.projectId,
  HUAWEICLOUD_DATAARTS_WORKSPACE: DEFAULT_IDENTITY.workspace,
  HUAWEICLOUD_CODEARTS_PROJECT_ID: DEFAULT_IDENTITY.codeartsProjectId,
  RELEASE_TRAIN_APPLICANT_ID: SEED.users.applicant,
  RELEASE_TRAIN_APPROVER_IDS: SEED.users.approver,
  DEPLOY_WINDOW_ALLOW: '* * * * *',
  DEPLOY_WINDOW_TASK_IDS: SEED.deployTasks.idle,
} as const;

export interface TestBuild extends PackageResult {
  cleanup(): void;
}

/** A build of stage fgtest: FUNCTION_SETTINGS under the given environment. */
export async function buildFunctionGraph(env: Record<string, string> = {}): Promise<TestBuild> {
  const outDir = mkdtempSync(join(tmpdir(), 'fg-build-'));
  const result = await packageFunctionGraph({ outDir, stage: TEST_STAGE, env: { ...FUNCTION_SETTINGS, ...env } });
  return { ...result, cleanup: () => rmSync(outDir, { recursive: true, force: true }) };
}

/** A copy of a build, to change without touching the original. */
export function copyBuild(build: PackageResult): { dir: string; cleanup(): void } {
  const dir = mkdtempSync(join(tmpdir(), 'fg-build-copy-'));
  cpSync(build.outDir, dir, { recursive: true });
  return { dir, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

export const APIG = { FUNCTIONGRAPH_APIG_GROUP_ID: 'a1b2c3d4e5f60718293a4b5c6d7e8f90', FUNCTIONGRAPH_APIG_ENV_ID: 'DEFAULT_ENVIRONMENT_RELEASE_ID' } as const;

/** The deployer's environment against the local cloud. */
export function deployerEnv(emulator: RunningEmulator, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HUAWEICLOUD_SDK_AK: emulator.identity.accessKey,
    HUAWEICLOUD_SDK_SK: emulator.identity.secretKey,
    HUAWEICLOUD_SDK_PROJECT_ID: emulator.identity.projectId,
    HUAWEICLOUD_SDK_REGION: emulator.identity.region,
    HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH: emulator.url,
    FUNCTIONGRAPH_AGENCY: 'hrf-functions-agency',
    ...APIG,
    ...extra,
  };
}
