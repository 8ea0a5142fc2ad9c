/**
 * The settings each function cannot run without. A build for a stage other than `local` with one of them
 * empty is refused: deployed, such a function would answer every call with a 500 (a ConfigError at its
 * first invocation), and nothing before that would say so.
 *
 * Packaging is where to check, because it is where the values are decided: non-secret values are
 * resolved from the packager's environment (and .env.<stage>) into the manifest, and the deploy sends them
 * as they are (FUNCTIONGRAPH_FN_<NAME> sets secrets only, see plan.ts). None of these settings is a secret.
 *
 * Keyed by the handler's module, the code that has the requirement. Each list is what that code reads
 * unconditionally, and nothing more:
 *  - every function that builds the runtime (shared/runtime.ts → loadHuaweiCloudConfig): the region and
 *    the project id;
 *  - requireCodeartsProjectId where every call reaches it (shared/http/codearts-pipeline.ts);
 *  - the per-function loaders of shared/schedules/config.ts: their `required(...)`, `require*` and
 *    `idList(..., { min: 1 })`.
 * Not listed, because the function still answers without them: HUAWEICLOUD_DATAARTS_WORKSPACE for the
 * HTTP routes (a caller may send X-Workspace-Id; without either it is a 400) and for pipelineGate (an event
 * naming no workspace is acknowledged as ignored); HRF_CLIENTS (a secret; without it every request is a
 * 401); variables required only when another one is set (checked by the loaders at run time).
 */
import { relative, sep } from 'node:path';
import type { EnvironmentEntry } from './manifest';

export const LOCAL_STAGE = 'local';

const RUNTIME = ['HUAWEICLOUD_SDK_REGION', 'HUAWEICLOUD_SDK_PROJECT_ID'] as const;
const CODEARTS = 'HUAWEICLOUD_CODEARTS_PROJECT_ID';
const WORKSPACE = 'HUAWEICLOUD_DATAARTS_WORKSPACE';

export const REQUIRED_SETTINGS: Readonly<Record<string, readonly string[]>> = {
  'functions/http/list-pending-items': RUNTIME,
  'functions/http/publish-release-package': RUNTIME,
  'functions/http/query-release-packages': RUNTIME,
  'functions/http/start-deploy-task': RUNTIME,
  'functions/http/reject-manual-review': [...RUNTIME, CODEARTS],
  'functions/http/pipeline-event-webhook': [...RUNTIME, CODEARTS],
  // Serves a document generated at build time: no runtime, no setting.
  'functions/http/openapi': [],
  'functions/timers/release-check': [...RUNTIME, WORKSPACE],
  'functions/timers/release-train': [...RUNTIME, WORKSPACE, 'RELEASE_TRAIN_APPLICANT_ID', 'RELEASE_TRAIN_APPROVER_IDS'],
  'functions/timers/deploy-window': [...RUNTIME, CODEARTS, 'DEPLOY_WINDOW_ALLOW', 'DEPLOY_WINDOW_TASK_IDS'],
  'functions/events/pipeline-gate': [...RUNTIME, CODEARTS],
};

/**
 * What a function's module requires. A module not listed is taken to build the runtime, as every function
 * but openapi does (a test keeps every function of serverless.yml listed).
 */
export function requiredSettings(module: string): readonly string[] {
  return REQUIRED_SETTINGS[module] ?? RUNTIME;
}

/** The module of an entry file, as REQUIRED_SETTINGS names it: relative to the root, "/" separated, no extension. */
export function moduleOf(root: string, entry: string): string {
  return relative(root, entry).split(sep).join('/').replace(/\.[cm]?[jt]s$/, '');
}

export interface FunctionSettings {
  readonly key: string;
  readonly module: string;
  readonly environment: Readonly<Record<string, EnvironmentEntry>>;
}

export class MissingSettingsError extends Error {
  constructor(
    readonly stage: string,
    /** Variable → the keys of the functions that need it. */
    readonly missing: ReadonlyMap<string, readonly string[]>,
  ) {
    const lines = [...missing].map(([name, keys]) => `  ${name} (${keys.join(', ')})`);
    super(
      [
        `stage ${stage}: ${missing.size === 1 ? 'a setting the functions need is' : `${missing.size} settings the functions need are`} empty:`,
        ...lines,
        `Their values are fixed in the build: set them in the environment (or .env.${stage}) and package again.`,
      ].join('\n'),
    );
    this.name = 'MissingSettingsError';
  }
}

/** Every required setting that is empty or not declared, by variable (sorted), with the functions needing it. */
export function missingSettings(functions: readonly FunctionSettings[]): Map<string, string[]> {
  const missing = new Map<string, string[]>();
  for (const fn of functions) {
    for (const name of requiredSettings(fn.module)) {
      const entry = fn.environment[name];
      // A secret's value comes at deploy; none of the required settings is one, but a serverless.yml
      // that made one secret is not this check's to judge.
      if (entry && (entry.secret || entry.value.trim() !== '')) continue;
      // Undeclared, no value in the environment would reach the function: say where to fix it.
      missing.set(name, [...(missing.get(name) ?? []), entry ? fn.key : `${fn.key}: not declared in its serverless.yml environment`]);
    }
  }
  return new Map([...missing].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/**
 * Throws MissingSettingsError naming every empty required setting, unless the stage is `local`: that one is
 * the rehearsal on the local cloud (its values come from .env.local), where a partial build harms nothing,
 * and the deploy refuses to send a `local` build to a FunctionGraph that is not local (plan.ts).
 */
export function checkRequiredSettings(stage: string, functions: readonly FunctionSettings[]): void {
  if (stage === LOCAL_STAGE) return;
  const missing = missingSettings(functions);
  if (missing.size > 0) throw new MissingSettingsError(stage, missing);
}
