/**
 * Configuration of the timer and event functions, read once per container (beside shared/runtime.ts,
 * which holds the Huawei Cloud settings and the client) and validated: a missing or malformed value fails
 * the function with a ConfigError naming the variable. Documented in docs/timers-and-events.md.
 */
import '../zod-config';
import * as z from 'zod/mini';
import { ConfigError } from '../errors';
import { codeartsIdSchema, userIdSchema } from '../contracts/ids';
import { requireCodeartsProjectId, requireWorkspace, type Env } from '../config/env';
import { MAX_PENDING_ITEMS_PER_PACKAGE } from '../contracts/dataarts';
import { registerSecret } from '../logger';
import { parseWebhookSecret, WebhookSecretError, type WebhookSecret } from '../notify/webhook';
import type { InvocationContext } from '../platform/invocation';
import { once } from '../once';
import type { Runtime } from '../runtime';
import { parseSchedule, ScheduleSyntaxError, type Schedule } from './schedule';
import { isTimeZone, MINUTE_MS } from './time';
import { parseWindowSet, WindowSyntaxError, type WindowSet } from './windows';

// ---- reading one variable -------------------------------------------------------------------------

function value(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function parsed<T>(name: string, raw: string, parse: (raw: string) => T): T {
  try {
    return parse(raw);
  } catch (error) {
    if (error instanceof ScheduleSyntaxError || error instanceof WindowSyntaxError || error instanceof WebhookSecretError) throw new ConfigError(name, error.message);
    throw error;
  }
}

function withSchema<T>(name: string, raw: string, schema: z.ZodMiniType<T>): T {
  const result = schema.safeParse(raw);
  if (!result.success) throw new ConfigError(name, result.error.issues[0]?.message ?? 'is invalid');
  return result.data;
}

function required(env: Env, name: string): string {
  const raw = value(env, name);
  if (raw === undefined) throw new ConfigError(name, 'is required but not set');
  return raw;
}

const wholeMinutes = (max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^[0-9]+$/, 'must be a whole number of minutes')), z.transform(Number)),
    z.number().check(z.int(), z.lte(max, `must be at most ${max}`)),
  );

/** A whole number in [min, max], from its decimal digits. */
const wholeNumber = (min: number, max: number) =>
  z.pipe(
    z.pipe(z.string().check(z.regex(/^[0-9]+$/, 'must be a whole number')), z.transform(Number)),
    z.number().check(z.int(), z.gte(min, `must be at least ${min}`), z.lte(max, `must be at most ${max}`)),
  );

function minutes(env: Env, name: string, fallback: number, options: { min: number; max: number }): number {
  const raw = value(env, name);
  const result = raw === undefined ? fallback : withSchema(name, raw, wholeMinutes(options.max));
  if (result < options.min) throw new ConfigError(name, `must be at least ${options.min}`);
  return result;
}

function list(raw: string | undefined): string[] {
  return raw === undefined ? [] : raw.split(',').map((s) => s.trim()).filter((s) => s !== '');
}

function idList(env: Env, name: string, schema: z.ZodMiniType<string>, options: { min: number; max: number }): string[] {
  const items = list(value(env, name));
  if (items.length < options.min) throw new ConfigError(name, options.min === 1 ? 'is required but not set' : `must list at least ${options.min} ids`);
  if (items.length > options.max) throw new ConfigError(name, `must list at most ${options.max} ids`);
  for (const item of items) withSchema(name, item, schema);
  if (new Set(items).size !== items.length) throw new ConfigError(name, 'must not repeat an id');
  return items;
}

function timeZone(env: Env, name: string): string {
  const raw = value(env, name) ?? 'UTC';
  if (!isTimeZone(raw)) throw new ConfigError(name, `"${raw}" is not an IANA time zone such as Asia/Shanghai or UTC`);
  return raw;
}

function schedule(env: Env, name: string, fallback: string): Schedule {
  return parsed(name, value(env, name) ?? fallback, parseSchedule);
}

function windows(env: Env, prefix: string, options: { required: boolean }): WindowSet | undefined {
  const allowName = `${prefix}_ALLOW`;
  const allow = options.required ? required(env, allowName) : value(env, allowName);
  const deny = value(env, `${prefix}_DENY`);
  const zone = timeZone(env, `${prefix}_TIMEZONE`);
  // No allow means always (where allow is optional): a deny alone narrows "always".
  if (allow === undefined) return deny === undefined ? undefined : parsed(`${prefix}_DENY`, deny, () => parseWindowSet({ allow: '* * * * *', deny, timeZone: zone }));
  // Allow alone first, so that a bad pattern is blamed on the variable that holds it.
  parsed(allowName, allow, () => parseWindowSet({ allow, timeZone: zone }));
  return parsed(`${prefix}_DENY`, deny ?? '', () => parseWindowSet({ allow, deny, timeZone: zone }));
}

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

const webhookUrlSchema = z.string().check(
  z.refine(
    (raw: string) => {
      try {
        const url = new URL(raw);
        return !url.username && !url.password && (url.protocol === 'https:' || (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)));
      } catch {
        return false;
      }
    },
    { message: 'must be an https URL without credentials (plain http only to 127.0.0.1 or localhost)' },
  ),
);

// ---- releaseCheck ---------------------------------------------------------------------------------

export interface WebhookTarget {
  readonly url: string;
  readonly secret: WebhookSecret;
}

export interface ReleaseCheckConfig {
  readonly workspace: string;
  readonly schedule: Schedule;
  readonly approvalThresholdMs: number;
  readonly releasingThresholdMs: number;
  readonly webhook: WebhookTarget | undefined;
  readonly maxPages: number;
  readonly concurrency: number;
}

export const RELEASE_CHECK_DEFAULTS = {
  schedule: 'rate(15 minutes)',
  approvalThresholdMinutes: 240,
  releasingThresholdMinutes: 60,
  maxPages: 200,
  concurrency: 4,
} as const;

function webhook(env: Env, prefix: string): WebhookTarget | undefined {
  const urlName = `${prefix}_WEBHOOK_URL`;
  const secretName = `${prefix}_WEBHOOK_SECRET`;
  const url = value(env, urlName);
  const secretValue = value(env, secretName);
  // Registered before validation, so that even a malformed secret never reaches a log line.
  registerSecret(secretValue);
  if (secretValue?.startsWith('whsec_')) registerSecret(secretValue.slice('whsec_'.length));
  if (url === undefined) {
    if (secretValue !== undefined) throw new ConfigError(urlName, `is required when ${secretName} is set`);
    return undefined;
  }
  withSchema(urlName, url, webhookUrlSchema);
  if (secretValue === undefined) throw new ConfigError(secretName, `is required when ${urlName} is set`);
  return { url, secret: parsed(secretName, secretValue, parseWebhookSecret) };
}

export function loadReleaseCheckConfig(env: Env, runtime: Runtime): ReleaseCheckConfig {
  return {
    workspace: requireWorkspace(runtime.config),
    schedule: schedule(env, 'RELEASE_CHECK_SCHEDULE', RELEASE_CHECK_DEFAULTS.schedule),
    approvalThresholdMs: minutes(env, 'RELEASE_CHECK_APPROVAL_THRESHOLD_MINUTES', RELEASE_CHECK_DEFAULTS.approvalThresholdMinutes, { min: 0, max: 525_600 }) * MINUTE_MS,
    releasingThresholdMs: minutes(env, 'RELEASE_CHECK_RELEASING_THRESHOLD_MINUTES', RELEASE_CHECK_DEFAULTS.releasingThresholdMinutes, { min: 0, max: 525_600 }) * MINUTE_MS,
    webhook: webhook(env, 'RELEASE_CHECK'),
    maxPages: (() => {
      const raw = value(env, 'RELEASE_CHECK_MAX_PAGES');
      return raw === undefined ? RELEASE_CHECK_DEFAULTS.maxPages : withSchema('RELEASE_CHECK_MAX_PAGES', raw, wholeNumber(1, 1000));
    })(),
    concurrency: RELEASE_CHECK_DEFAULTS.concurrency,
  };
}

// ---- releaseTrain ---------------------------------------------------------------------------------

export interface ReleaseTrainRules {
  readonly taskTypes: readonly number[];
  readonly updateTypes: readonly number[];
  /** Submitter user names or user ids. */
  readonly submitters: readonly string[];
  readonly itemPattern: RegExp | undefined;
}

export interface ReleaseTrainConfig {
  readonly workspace: string;
  readonly schedule: Schedule;
  readonly prefix: string;
  readonly applicantId: string;
  readonly approverIds: readonly string[];
  readonly rules: ReleaseTrainRules;
  readonly windows: WindowSet | undefined;
  readonly maxItems: number;
}

export const RELEASE_TRAIN_DEFAULTS = { schedule: 'cron(0 8 * * ? *)', prefix: 'train' } as const;

function enumList(env: Env, name: string, allowed: readonly number[]): number[] {
  const items = list(value(env, name));
  const out: number[] = [];
  for (const item of items) {
    const n = Number(item);
    if (!/^[0-9]+$/.test(item) || !allowed.includes(n)) throw new ConfigError(name, `"${item}" is not one of ${allowed.join(', ')}`);
    if (!out.includes(n)) out.push(n);
  }
  return out;
}

function itemPattern(env: Env): RegExp | undefined {
  const raw = value(env, 'RELEASE_TRAIN_ITEM_PATTERN');
  if (raw === undefined) return undefined;
  if (raw.length > 256) throw new ConfigError('RELEASE_TRAIN_ITEM_PATTERN', 'must be at most 256 characters');
  try {
    return new RegExp(raw, 'u');
  } catch (error) {
    throw new ConfigError('RELEASE_TRAIN_ITEM_PATTERN', `is not a valid regular expression (${error instanceof Error ? error.message : 'invalid'})`);
  }
}

export function loadReleaseTrainConfig(env: Env, runtime: Runtime): ReleaseTrainConfig {
  const applicantId = withSchema('RELEASE_TRAIN_APPLICANT_ID', required(env, 'RELEASE_TRAIN_APPLICANT_ID'), userIdSchema);
  const approverIds = idList(env, 'RELEASE_TRAIN_APPROVER_IDS', userIdSchema, { min: 1, max: 20 });
  if (approverIds.some((id) => id.toLowerCase() === applicantId.toLowerCase())) throw new ConfigError('RELEASE_TRAIN_APPROVER_IDS', 'must not include the applicant (RELEASE_TRAIN_APPLICANT_ID)');
  const prefix = withSchema(
    'RELEASE_TRAIN_PREFIX',
    value(env, 'RELEASE_TRAIN_PREFIX') ?? RELEASE_TRAIN_DEFAULTS.prefix,
    z.string().check(z.regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'must be 1 to 64 letters, digits, "_", "-" or "." starting with a letter or digit')),
  );
  const rawMax = value(env, 'RELEASE_TRAIN_MAX_ITEMS');
  const maxItems =
    rawMax === undefined
      ? MAX_PENDING_ITEMS_PER_PACKAGE
      : withSchema('RELEASE_TRAIN_MAX_ITEMS', rawMax, wholeNumber(1, MAX_PENDING_ITEMS_PER_PACKAGE));
  return {
    workspace: requireWorkspace(runtime.config),
    schedule: schedule(env, 'RELEASE_TRAIN_SCHEDULE', RELEASE_TRAIN_DEFAULTS.schedule),
    prefix,
    applicantId,
    approverIds,
    rules: {
      taskTypes: enumList(env, 'RELEASE_TRAIN_TASK_TYPES', [1, 2]),
      updateTypes: enumList(env, 'RELEASE_TRAIN_UPDATE_TYPES', [1, 2, 3]),
      submitters: list(value(env, 'RELEASE_TRAIN_SUBMITTERS')),
      itemPattern: itemPattern(env),
    },
    windows: windows(env, 'RELEASE_TRAIN', { required: false }),
    maxItems,
  };
}

// ---- deployWindow ---------------------------------------------------------------------------------

export interface DeployWindowConfig {
  readonly codeartsProjectId: string;
  readonly taskIds: readonly string[];
  readonly windows: WindowSet;
  /** The zone in which CodeArts Deploy history reports `yyyy-MM-dd HH:mm:ss` times. */
  readonly historyTimeZone: string;
}

export function loadDeployWindowConfig(env: Env, runtime: Runtime): DeployWindowConfig {
  const windowSet = windows(env, 'DEPLOY_WINDOW', { required: true });
  if (!windowSet) throw new ConfigError('DEPLOY_WINDOW_ALLOW', 'is required but not set');
  return {
    codeartsProjectId: requireCodeartsProjectId(runtime.config),
    taskIds: idList(env, 'DEPLOY_WINDOW_TASK_IDS', codeartsIdSchema, { min: 1, max: 20 }),
    windows: windowSet,
    historyTimeZone: timeZone(env, 'DEPLOY_WINDOW_HISTORY_TIMEZONE'),
  };
}

// ---- pipelineGate ---------------------------------------------------------------------------------

export interface PipelineGateConfig {
  readonly codeartsProjectId: string;
  readonly approvalDeadlineMs: number;
}

export const PIPELINE_GATE_DEFAULTS = { approvalDeadlineMinutes: 1440 } as const;

export function loadPipelineGateConfig(env: Env, runtime: Runtime): PipelineGateConfig {
  return {
    codeartsProjectId: requireCodeartsProjectId(runtime.config),
    approvalDeadlineMs: minutes(env, 'PIPELINE_GATE_APPROVAL_DEADLINE_MINUTES', PIPELINE_GATE_DEFAULTS.approvalDeadlineMinutes, { min: 1, max: 525_600 }) * MINUTE_MS,
  };
}

// ---- once per container ---------------------------------------------------------------------------

export type ConfigSource<C> = (invocation: InvocationContext, runtime: Runtime) => C;

/**
 * Loads the configuration on first use and keeps it (or its error) for the container's life. It reads
 * the runtime's environment: process.env with FunctionGraph's user data as a fallback (shared/runtime.ts).
 */
export function lazyConfig<C>(load: (env: Env, runtime: Runtime) => C): ConfigSource<C> {
  return once((_invocation: InvocationContext, runtime: Runtime) => load(runtime.env, runtime));
}

/** A fixed configuration, for tests. */
export function fixedConfig<C>(config: C): ConfigSource<C> {
  return () => config;
}
