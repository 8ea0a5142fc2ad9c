/**
 * The local stack: the local Huawei Cloud plus the function set (serverless-offline), wired together.
 * Used by `npm start` and by the end-to-end test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../emulator';
import { sha256Hex } from '../shared/inbound/clients';

export const DEFAULT_LOCAL_API_TOKEN = 'local-dev-token-change-me';

export interface LocalStackOptions {
  readonly port: number;
  readonly lambdaPort?: number;
  /** Start the local Huawei Cloud (default). Off: the functions use the HUAWEICLOUD_* variables as set. */
  readonly localCloud: boolean;
  readonly emulatorPort?: number;
  readonly apiToken: string;
  readonly env?: NodeJS.ProcessEnv;
  readonly onOutput?: (line: string) => void;
}

export interface LocalStack {
  readonly url: string;
  readonly emulator: RunningEmulator | undefined;
  stop(): Promise<void>;
}

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Environment that points the functions at the local cloud, with a bearer client holding every scope.
 * Against real Huawei Cloud (no emulator) the user's own HRF_CLIENTS / HRF_CLIENTS_FILE win.
 */
export function localFunctionEnv(emulator: RunningEmulator | undefined, apiToken: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const clients = JSON.stringify({
    clients: [{ id: 'local-developer', type: 'bearer', token_sha256: sha256Hex(apiToken), scopes: ['read', 'publish', 'deploy', 'review'] }],
  });
  if (!emulator) return env.HRF_CLIENTS || env.HRF_CLIENTS_FILE ? {} : { HRF_CLIENTS: clients };
  const { identity, url } = emulator;
  return {
    HRF_CLIENTS: clients,
    HUAWEICLOUD_SDK_REGION: identity.region,
    HUAWEICLOUD_SDK_PROJECT_ID: identity.projectId,
    HUAWEICLOUD_SDK_AK: identity.accessKey,
    HUAWEICLOUD_SDK_SK: identity.secretKey,
    HUAWEICLOUD_DATAARTS_WORKSPACE: identity.workspace,
    HUAWEICLOUD_CODEARTS_PROJECT_ID: identity.codeartsProjectId,
    HUAWEICLOUD_ENDPOINT_DATAARTS: url,
    HUAWEICLOUD_ENDPOINT_CODEARTS_DEPLOY: url,
    HUAWEICLOUD_ENDPOINT_CODEARTS_PIPELINE: url,
    HUAWEICLOUD_ENDPOINT_IAM: url,
  };
}

function waitForReady(child: ChildProcess, onOutput: (line: string) => void, timeoutMs: number): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`the functions did not start within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        onOutput(line);
        if (/Server ready/i.test(line)) finish();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => finish(new Error(`serverless-offline exited with code ${code}`)));
  });
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const onOutput = options.onOutput ?? ((line: string) => process.stdout.write(`${line}\n`));
  const emulator = options.localCloud ? await startEmulator({ port: options.emulatorPort ?? 0 }) : undefined;
  const lambdaPort = options.lambdaPort ?? (await freePort());
  const root = join(__dirname, '..');
  const child = spawn(
    process.execPath,
    // The `local` stage reads .env.local (the local cloud's endpoints and identity); against real Huawei
    // Cloud the `live` stage reads nothing, so only the HUAWEICLOUD_* variables the user set count.
    [
      join(root, 'node_modules/osls/bin/serverless.js'),
      'offline',
      'start',
      '--stage',
      options.localCloud ? 'local' : 'live',
      '--httpPort',
      String(options.port),
      '--lambdaPort',
      String(lambdaPort),
    ],
    {
      cwd: root,
      env: { ...process.env, ...options.env, ...localFunctionEnv(emulator, options.apiToken), SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off' },
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    },
  );
  const stop = async () => {
    if (child.exitCode === null && child.pid) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    await emulator?.close();
  };
  try {
    await waitForReady(child, onOutput, 120_000);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${options.port}`, emulator, stop };
}
