/**
 * The one structured logger: a JSON line per entry. Secrets never leave it: values under secret-looking
 * keys are replaced, and known secret values registered at start (AK, SK, tokens, webhook secrets) are
 * masked wherever they appear in a string.
 */

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
const LEVELS: Record<LogLevel, number> = { debug: 10, info: 20, warn: 30, error: 40 };

export type LogSink = (line: string) => void;

const SECRET_KEY = /(authorization|secret|password|passwd|token|signature|^sk$|secret_?key|access_?key|^ak$|cookie|api[-_]?key)/i;
const SIGNATURE_IN_TEXT = /(Signature=)[0-9a-f]{16,}/gi;
/** A bearer credential in text; not the words that follow "bearer" in prose ("The bearer token is not valid"). */
const BEARER_IN_TEXT = /(Bearer\s+)(?!(?:token|tokens|credential|credentials)[.,;:!?]?(?:\s|$))[^\s",]+/gi;
export const REDACTED = '[REDACTED]';

/** Secrets of the configuration: masked for the life of the process. */
const pinnedSecrets = new Set<string>();
/** Per-invocation temporary credentials rotate: only the newest are kept (they are the ones in use). */
const rotatingSecrets = new Set<string>();
const MAX_ROTATING_SECRETS = 64;

/**
 * Registers a secret value so that it is masked wherever it shows up in a log line, or in upstream text we
 * pass on (maskSecrets). A rotating secret used again becomes the newest; one registered pinned stays.
 */
export function registerSecret(value: string | undefined, lifetime: 'pinned' | 'rotating' = 'pinned'): void {
  if (!value || value.length < 6 || pinnedSecrets.has(value)) return;
  rotatingSecrets.delete(value);
  if (lifetime === 'pinned') {
    pinnedSecrets.add(value);
    return;
  }
  if (rotatingSecrets.size >= MAX_ROTATING_SECRETS) {
    const oldest = rotatingSecrets.values().next();
    if (!oldest.done) rotatingSecrets.delete(oldest.value);
  }
  rotatingSecrets.add(value);
}

/**
 * Masks the secrets in a text: every registered value, SDK-HMAC signatures and bearer credentials. For log
 * lines, and for text from upstream that we pass on (an error message may echo a request header back).
 */
export function maskSecrets(text: string): string {
  let out = text.replace(SIGNATURE_IN_TEXT, `$1${REDACTED}`).replace(BEARER_IN_TEXT, `$1${REDACTED}`);
  for (const secrets of [pinnedSecrets, rotatingSecrets]) {
    for (const secret of secrets) if (out.includes(secret)) out = out.split(secret).join(REDACTED);
  }
  return out;
}

function scrub(value: unknown, depth = 0): unknown {
  if (depth > 8) return '[truncated]';
  if (typeof value === 'string') return maskSecrets(value);
  if (value instanceof Error) {
    return { name: value.name, message: maskSecrets(value.message), ...(value.cause ? { cause: scrub(value.cause, depth + 1) } : {}) };
  }
  if (Array.isArray(value)) return value.map((v) => scrub(v, depth + 1));
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) out[k] = SECRET_KEY.test(k) ? REDACTED : scrub(v, depth + 1);
    return out;
  }
  return value;
}

export class Logger {
  private persistentKeys: Record<string, unknown>;

  constructor(
    private readonly options: { level: LogLevel | (() => LogLevel); sink?: LogSink; service?: string },
    keys: Record<string, unknown> = {},
  ) {
    this.persistentKeys = keys;
  }

  /** Keys added to every following entry (e.g. the invocation's request id); replaced per invocation. */
  setKeys(keys: Record<string, unknown>): void {
    this.persistentKeys = keys;
  }

  child(keys: Record<string, unknown>): Logger {
    return new Logger(this.options, { ...this.persistentKeys, ...keys });
  }

  debug(message: string, data?: Record<string, unknown>): void {
    this.write('debug', message, data);
  }
  info(message: string, data?: Record<string, unknown>): void {
    this.write('info', message, data);
  }
  warn(message: string, data?: Record<string, unknown>): void {
    this.write('warn', message, data);
  }
  error(message: string, data?: Record<string, unknown>): void {
    this.write('error', message, data);
  }

  private write(level: LogLevel, message: string, data?: Record<string, unknown>): void {
    const threshold = typeof this.options.level === 'function' ? this.options.level() : this.options.level;
    if (LEVELS[level] < LEVELS[threshold]) return;
    const entry = scrub({
      level,
      time: new Date().toISOString(),
      ...(this.options.service ? { service: this.options.service } : {}),
      message,
      ...this.persistentKeys,
      ...data,
    });
    (this.options.sink ?? defaultSink)(JSON.stringify(entry));
  }
}

const defaultSink: LogSink = (line) => {
  process.stdout.write(`${line}\n`);
};

let sinkOverride: LogSink | undefined;
/** Tests capture every log line of the process through this (see test/setup/capture-logs.ts). */
export function setLogSink(sink: LogSink | undefined): void {
  sinkOverride = sink;
}

function envLevel(): LogLevel {
  const value = process.env.LOG_LEVEL;
  return value === 'debug' || value === 'info' || value === 'warn' || value === 'error' ? value : 'info';
}

let level: LogLevel = envLevel();
/** Changes the process-wide level (tests run everything at debug to prove nothing secret is logged). */
export function setLogLevel(next: LogLevel): void {
  level = next;
}

/** The process-wide logger. */
export const logger = new Logger({ level: () => level, sink: (line) => (sinkOverride ?? defaultSink)(line) });
