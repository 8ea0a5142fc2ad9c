/**
 * Faults on demand, reproducible from a seed: every request a fault setting applies to draws exactly one
 * number from a mulberry32 PRNG, and that number picks at most one fault (drop, stall, throttle, server
 * error, in that order of the ratios). The same seed and the same sequence of requests give the same faults.
 * Setting faults restarts the PRNG from the seed.
 */
import { mulberry32, type Random } from './prng';

export interface FaultSettings {
  /**
   * The upstream's whole response time in milliseconds (real time), counted from the request's arrival
   * (a timer started when it has been read). A request that is processed is processed at once, while the
   * latency runs, and answered when the latency has passed, or when processing is done if that takes
   * longer: the emulator's own processing is not added to the latency. Throttled and failed requests, and
   * drops and stalls with `faultTiming` 'before', act when the latency has passed, without processing the
   * request; drops and stalls with 'after' happen when the latency has passed, after processing.
   */
  latencyMs?: number;
  /** Share of requests answered 429 APIG.0308. */
  throttleRatio?: number;
  /** Share of requests answered 503 (or serverErrorStatus) APIG.0202, or 504 APIG.0201. */
  serverErrorRatio?: number;
  /** Share of requests whose connection is destroyed without an answer. */
  dropRatio?: number;
  /** Share of requests answered with status and headers, then a body that never comes. */
  stallRatio?: number;
  /** PRNG seed; default 1. */
  seed?: number;
  /** Only apply to paths matching this regular expression (matched against the raw path). */
  pathPattern?: string;
  /**
   * When a drop or stall happens: 'before' (default) the request is not processed (no side effect);
   * 'after' it is processed first, so the client cannot know the outcome.
   */
  faultTiming?: 'before' | 'after';
  /** Retry-After (seconds) sent with 429 answers; none by default, like Huawei's gateway. */
  retryAfterSeconds?: number;
  /** Status of injected server errors: 503 (default) or 502, APIG.0202 (backend unavailable), or 504, APIG.0201 (backend timeout). */
  serverErrorStatus?: 502 | 503 | 504;
}

export type FaultKind = 'drop' | 'stall' | 'throttle' | 'server-error';

export interface FaultDecision {
  readonly latencyMs: number;
  readonly fault: FaultKind | undefined;
  readonly timing: 'before' | 'after';
}

const RATIO_KEYS = ['throttleRatio', 'serverErrorRatio', 'dropRatio', 'stallRatio'] as const;

/** Throws RangeError naming the field when a setting is out of range. */
export function validateFaultSettings(settings: FaultSettings): FaultSettings {
  for (const key of RATIO_KEYS) {
    const value = settings[key];
    if (value !== undefined && !(typeof value === 'number' && value >= 0 && value <= 1)) throw new RangeError(`${key} must be a number in [0, 1]`);
  }
  const sum = RATIO_KEYS.reduce((total, key) => total + (settings[key] ?? 0), 0);
  if (sum > 1 + 1e-9) throw new RangeError('the fault ratios must add up to at most 1');
  if (settings.latencyMs !== undefined && !(Number.isFinite(settings.latencyMs) && settings.latencyMs >= 0)) throw new RangeError('latencyMs must be ≥ 0');
  if (settings.seed !== undefined && !Number.isInteger(settings.seed)) throw new RangeError('seed must be an integer');
  if (settings.retryAfterSeconds !== undefined && !(Number.isInteger(settings.retryAfterSeconds) && settings.retryAfterSeconds >= 0)) {
    throw new RangeError('retryAfterSeconds must be a non-negative integer');
  }
  if (settings.serverErrorStatus !== undefined && ![502, 503, 504].includes(settings.serverErrorStatus)) {
    throw new RangeError('serverErrorStatus must be 502, 503 or 504');
  }
  if (settings.faultTiming !== undefined && settings.faultTiming !== 'before' && settings.faultTiming !== 'after') {
    throw new RangeError("faultTiming must be 'before' or 'after'");
  }
  if (settings.pathPattern !== undefined) {
    try {
      new RegExp(settings.pathPattern);
    } catch {
      throw new RangeError('pathPattern must be a regular expression');
    }
  }
  return settings;
}

export class FaultInjector {
  private settings: FaultSettings = {};
  private pattern: RegExp | undefined;
  private random: Random = mulberry32(1);

  constructor(settings: FaultSettings = {}) {
    this.set(settings);
  }

  get(): FaultSettings {
    return { ...this.settings };
  }

  set(settings: FaultSettings): void {
    validateFaultSettings(settings);
    this.settings = { ...settings };
    this.pattern = settings.pathPattern === undefined ? undefined : new RegExp(settings.pathPattern);
    this.random = mulberry32(settings.seed ?? 1);
  }

  /** Whether faults apply to a request on `rawPath` of a route with the given fault policy. */
  applies(policy: 'service' | 'opt-in' | 'none', rawPath: string): boolean {
    if (policy === 'none') return false;
    if (this.pattern) return this.pattern.test(rawPath);
    return policy === 'service';
  }

  /** Decides the faults of one request (one PRNG draw). Call only when {@link applies}. */
  decide(): FaultDecision {
    const s = this.settings;
    const timing = s.faultTiming ?? 'before';
    const latencyMs = s.latencyMs ?? 0;
    const anyRatio = RATIO_KEYS.some((key) => (s[key] ?? 0) > 0);
    if (!anyRatio) return { latencyMs, fault: undefined, timing };
    const draw = this.random();
    let edge = s.dropRatio ?? 0;
    if (draw < edge) return { latencyMs, fault: 'drop', timing };
    edge += s.stallRatio ?? 0;
    if (draw < edge) return { latencyMs, fault: 'stall', timing };
    edge += s.throttleRatio ?? 0;
    if (draw < edge) return { latencyMs, fault: 'throttle', timing };
    edge += s.serverErrorRatio ?? 0;
    if (draw < edge) return { latencyMs, fault: 'server-error', timing };
    return { latencyMs, fault: undefined, timing };
  }
}
