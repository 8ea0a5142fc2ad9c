/** EmulatorOptions from EMULATOR_* variables (used by main.ts; see README.md for the list). */
import type { FaultSettings } from './faults';
import { identityFromEnv } from './identity';
import type { EmulatorOptions } from './server';

type Env = Readonly<Record<string, string | undefined>>;

function numberFrom(env: Env, name: string): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (!Number.isFinite(value)) throw new Error(`${name}: must be a number, got "${raw}"`);
  return value;
}

export function faultsFromEnv(env: Env): FaultSettings {
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
  if (timing !== undefined && timing !== '') {
    if (timing !== 'before' && timing !== 'after') throw new Error(`EMULATOR_FAULT_TIMING: must be "before" or "after", got "${timing}"`);
    faults.faultTiming = timing;
  }
  return faults;
}

/** Options of `npm run emulator`: port 4010 unless EMULATOR_PORT says otherwise. */
export function optionsFromEnv(env: Env): EmulatorOptions {
  const options: EmulatorOptions = {
    port: numberFrom(env, 'EMULATOR_PORT') ?? 4010,
    host: env.EMULATOR_HOST || '127.0.0.1',
    identity: identityFromEnv(env),
    faults: faultsFromEnv(env),
  };
  const seedSize = numberFrom(env, 'EMULATOR_SEED_SIZE');
  if (seedSize !== undefined) options.seedSize = seedSize;
  const dataSeed = numberFrom(env, 'EMULATOR_DATA_SEED');
  if (dataSeed !== undefined) options.dataSeed = dataSeed;
  const deployDurationMs = numberFrom(env, 'EMULATOR_DEPLOY_DURATION_MS');
  if (deployDurationMs !== undefined) options.deployDurationMs = deployDurationMs;
  if (env.EMULATOR_NOW) {
    const now = new Date(env.EMULATOR_NOW);
    if (Number.isNaN(now.getTime())) throw new Error(`EMULATOR_NOW: must be an ISO 8601 time, got "${env.EMULATOR_NOW}"`);
    options.now = now;
  }
  return options;
}
