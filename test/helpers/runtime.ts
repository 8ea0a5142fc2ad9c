/** Runtimes for handler tests: real config, inbound clients with known tokens, a client at a given endpoint. */
import { createRuntime, fixedRuntime, type Runtime, type RuntimeOverrides } from '../../shared/runtime';
import { sha256Hex } from '../../shared/inbound/clients';
import { SEED } from '../../emulator/seed';

export const TOKENS = {
  all: 'test-bearer-token-all-0001',
  read: 'test-bearer-token-read-0001',
  /** Publishes only as BOUND_USER. */
  bound: 'test-bearer-token-bound-0001',
  /** Deploys and reviews only the seeded idle deploy task and the seeded pipeline. */
  limited: 'test-bearer-token-limited-0001',
  /** Deploys and reviews only a task and a pipeline the local cloud does not have. */
  elsewhere: 'test-bearer-token-elsewhere-0001',
} as const;

export const BOUND_USER = 'f8ccc2ff3c7748e8a7bfede38ae1cffa';

export const APP = { key: 'test-app-key-0001', secret: 'test-app-secret-0123456789abcdef' } as const;

/** A Standard Webhooks sender (a client of type "webhook"), allowed to send pipeline events. */
export const WEBHOOK_SENDER = { id: 'pipeline-sender', secret: `whsec_${Buffer.from('test-webhook-secret-0123456789').toString('base64')}` } as const;

export const TEST_PROJECT_ID = '0123456789abcdef0123456789abcdef';
export const TEST_WORKSPACE = 'e265f808151d458bb7967e0aaf42d146';
export const OTHER_WORKSPACE = 'aaaabbbbccccddddeeeeffff00001111';
export const TEST_CODEARTS_PROJECT = 'c0dea75c0dea75c0dea75c0dea75c0de';
/** A CodeArts id (deploy task, pipeline) the local cloud does not have. */
export const OTHER_CODEARTS_ID = 'e15ewhe4ee15ewhe4ee15ewhe4ee15ew';

export function clientsDocument(): string {
  return JSON.stringify({
    clients: [
      { id: 'all-scopes', type: 'bearer', token_sha256: sha256Hex(TOKENS.all), scopes: ['read', 'publish', 'deploy', 'review'] },
      { id: 'reader', type: 'bearer', token_sha256: sha256Hex(TOKENS.read), scopes: ['read'] },
      { id: 'bound-publisher', type: 'bearer', token_sha256: sha256Hex(TOKENS.bound), scopes: ['read', 'publish'], iam_user_id: BOUND_USER },
      { id: 'release-app', type: 'app', app_key: APP.key, app_secret: APP.secret, scopes: ['read', 'publish', 'deploy', 'review'] },
      { id: 'limited', type: 'bearer', token_sha256: sha256Hex(TOKENS.limited), scopes: ['deploy', 'review'], deploy_tasks: [SEED.deployTasks.idle], pipelines: [SEED.pipelines.pipelineId] },
      { id: WEBHOOK_SENDER.id, type: 'webhook', webhook_secret: WEBHOOK_SENDER.secret, scopes: ['review'] },
      { id: 'elsewhere', type: 'bearer', token_sha256: sha256Hex(TOKENS.elsewhere), scopes: ['deploy', 'review'], deploy_tasks: [OTHER_CODEARTS_ID], pipelines: [OTHER_CODEARTS_ID] },
    ],
  });
}

export function testEnv(endpoint: string, extra: Record<string, string> = {}): Record<string, string> {
  return {
    HUAWEICLOUD_SDK_REGION: 'cn-north-4',
    HUAWEICLOUD_SDK_PROJECT_ID: TEST_PROJECT_ID,
    HUAWEICLOUD_SDK_AK: 'HWCLOCALEMULATORAK01',
    HUAWEICLOUD_SDK_SK: 'hwc-local-emulator-secret-key-0000000001',
    HUAWEICLOUD_DATAARTS_WORKSPACE: TEST_WORKSPACE,
    HUAWEICLOUD_CODEARTS_PROJECT_ID: TEST_CODEARTS_PROJECT,
    HUAWEICLOUD_ENDPOINT_DATAARTS: endpoint,
    HUAWEICLOUD_ENDPOINT_CODEARTS_DEPLOY: endpoint,
    HUAWEICLOUD_ENDPOINT_CODEARTS_PIPELINE: endpoint,
    HUAWEICLOUD_ENDPOINT_IAM: endpoint,
    HUAWEICLOUD_CALL_DEADLINE_MS: '3000',
    HRF_CLIENTS: clientsDocument(),
    ...extra,
  };
}

export function testRuntime(endpoint: string, overrides: RuntimeOverrides = {}, extraEnv: Record<string, string> = {}): Runtime {
  return createRuntime(testEnv(endpoint, extraEnv), overrides);
}

export { fixedRuntime };
