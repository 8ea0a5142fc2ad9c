/**
 * EmulatorOptions from EMULATOR_* variables, for `npm run emulator` and `npm start` alike (see README.md for the
 * list): a malformed value is a ConfigError naming the variable, never an option's internal name.
 */
import { ConfigError } from '../shared/errors';
import { validateFaultSettings, type FaultSettings } from './faults';
import { identityFromEnv } from './identity';
import type { EmulatorOptions } from './server';

type Env = Readonly<Record<string, string | undefined>>;

function numberFrom(env: Env, name: string, whole = false): number | undefined {
  const raw = env[name];
  if (raw === undefined || raw.trim() === '') return undefined;
  const value = Number(raw);
  if (whole && !/^\s*[0-9]+\s*$/.test(raw)) throw new ConfigError(name, `must be a whole number, got "${raw.trim()}"`);
  if (!Number.isFinite(value)) throw new ConfigError(name, `must be a number, got "${raw}"`);
  return value;
}

/** The variable behind each fault setting. */
const FAULT_VARIABLES = {
  latencyMs: 'EMULATOR_LATENCY_MS',
  throttleRatio: 'EMULATOR_THROTTLE_RATIO',
  serverErrorRatio: 'EMULATOR_5XX_RATIO',
  dropRatio: 'EMULATOR_DROP_RATIO',
  stallRatio: 'EMULATOR_STALL_RATIO',
  seed: 'EMULATOR_FAULT_SEED',
  retryAfterSeconds: 'EMULATOR_RETRY_AFTER_SECONDS',
  pathPattern: 'EMULATOR_FAULT_PATH_PATTERN',
  faultTiming: 'EMULATOR_FAULT_TIMING',
} as const satisfies Partial<Record<keyof FaultSettings, string>>;

/**
 * The emulator checks its fault settings when it starts, naming the setting (`serverErrorRatio must be…`):
 * checked here one at a time, so the message names the variable the user set instead.
 */
function checkFaults(env: Env, faults: FaultSettings): void {
  for (const [key, name] of Object.entries(FAULT_VARIABLES) as [keyof typeof FAULT_VARIABLES, string][]) {
    if (faults[key] === undefined) continue;
    try {
      validateFaultSettings({ [key]: faults[key] });
    } catch (error) {
      const reason = error instanceof Error ? error.message.replace(new RegExp(`^${key} `), '') : String(error);
      throw new ConfigError(name, `${reason}, got "${env[name]}"`);
    }
  }
  try {
    validateFaultSettings(faults);
  } catch {
    const ratios = [FAULT_VARIABLES.throttleRatio, FAULT_VARIABLES.serverErrorRatio, FAULT_VARIABLES.dropRatio, FAULT_VARIABLES.stallRatio];
    throw new ConfigError(ratios.join(' + '), 'must add up to at most 1');
  }
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
    if (timing !== 'before' && timing !== 'after') throw new ConfigError('EMULATOR_FAULT_TIMING', `must be "before" or "after", got "${timing}"`);
    faults.faultTiming = timing;
  }
  checkFaults(env, faults);
  return faults;
}

function portFrom(env: Env, name: string, fallback: number): number {
  const raw = env[name]?.trim();
  if (raw === undefined || raw === '') return fallback;
  if (!/^[0-9]+$/.test(raw) || Number(raw) > 65_535) throw new ConfigError(name, `must be a port number (0-65535), got "${raw}"`);
  return Number(raw);
}

/** Options of `npm run emulator`: port 4010 unless EMULATOR_PORT says otherwise. */
export function optionsFromEnv(env: Env): EmulatorOptions {
  const options: EmulatorOptions = {
    port: portFrom(env, 'EMULATOR_PORT', 4010),
    host: env.EMULATOR_HOST || '127.0.0.1',
    identity: identityFromEnv(env),
    faults: faultsFromEnv(env),
  };
  const seedSize = numberFrom(env, 'EMULATOR_SEED_SIZE', true);
  if (seedSize !== undefined) options.seedSize = seedSize;
  const dataSeed = numberFrom(env, 'EMULATOR_DATA_SEED');
  if (dataSeed !== undefined) options.dataSeed = dataSeed;
  const deployDurationMs = numberFrom(env, 'EMULATOR_DEPLOY_DURATION_MS', true);
  if (deployDurationMs !== undefined) options.deployDurationMs = deployDurationMs;
  if (env.EMULATOR_NOW) {
    const now = new Date(env.EMULATOR_NOW);
    if (Number.isNaN(now.getTime())) throw new ConfigError('EMULATOR_NOW', `must be an ISO 8601 time, got "${env.EMULATOR_NOW}"`);
    options.now = now;
  }
  return options;
}
