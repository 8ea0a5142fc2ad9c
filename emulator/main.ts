/**
 * `npm run emulator`: the local Huawei Cloud on 127.0.0.1:${EMULATOR_PORT:-4010}, configured by EMULATOR_*
 * variables (see README.md). Prints one line with the URL and identity (never the secret key); stops on
 * SIGINT/SIGTERM.
 */
import { identityFromEnv, startEmulator, type FaultSettings } from './index';

function numberFrom(env: NodeJS.ProcessEnv, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name}: must be a number, got "${raw}"`);
  return value;
}

export function faultsFromEnv(env: NodeJS.ProcessEnv): FaultSettings {
  const faults: FaultSettings = {};
  const set = <K extends keyof FaultSettings>(key: K, value: FaultSettings[K] | undefined) => {
    if (value !== undefined) faults[key] = value;
  };
  set('latencyMs', numberFrom(env, 'EMULATOR_LATENCY_MS'));
  set('throttleRatio', numberFrom(env, 'EMULATOR_THROTTLE_RATIO'));
  set('serverErrorRatio', numberFrom(env, 'EMULATOR_5XX_RATIO'));
  set('dropRatio', numberFrom(env, 'EMULATOR_DROP_RATIO'));
  set('stallRatio', numberFrom(env, 'EMULATOR_STALL_RATIO'));
  set('seed', numberFrom(env, 'EMULATOR_FAULT_SEED'));
  set('retryAfterSeconds', numberFrom(env, 'EMULATOR_RETRY_AFTER_SECONDS'));
  if (env.EMULATOR_FAULT_PATH_PATTERN) faults.pathPattern = env.EMULATOR_FAULT_PATH_PATTERN;
  const timing = env.EMULATOR_FAULT_TIMING;
  if (timing === 'before' || timing === 'after') faults.faultTiming = timing;
  return faults;
}

async function main(): Promise<void> {
  const env = process.env;
  const identity = identityFromEnv(env);
  const emulator = await startEmulator({
    port: numberFrom(env, 'EMULATOR_PORT') ?? 4010,
    host: env.EMULATOR_HOST || '127.0.0.1',
    identity,
    seedSize: numberFrom(env, 'EMULATOR_SEED_SIZE'),
    dataSeed: numberFrom(env, 'EMULATOR_DATA_SEED'),
    faults: faultsFromEnv(env),
  });
  process.stdout.write(
    `Local Huawei Cloud emulator at ${emulator.url} (AK ${identity.accessKey}, project ${identity.projectId}, ` +
      `workspace ${identity.workspace}, CodeArts project ${identity.codeartsProjectId}, region ${identity.region}, ` +
      `IAM ${identity.iamDomain}/${identity.iamUser}); admin API at ${emulator.url}/_emulator/\n`,
  );
  const stop = () => {
    emulator.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`emulator: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
