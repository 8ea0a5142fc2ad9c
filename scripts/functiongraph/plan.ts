/**
 * What the FunctionGraph deploy wants (from the manifest and the deployer's environment) against what is
 * there (ListFunctions, ListFunctionTriggers) → a plan: per function create / update (code, config) /
 * unchanged, per trigger create / replace / delete / unchanged. Pure: no I/O here.
 *
 * How "unchanged" is decided without ever reading a secret back:
 *  - the code: the zip's sha256 is kept in the function's user data as HRF_CODE_SHA256 (the zips are
 *    reproducible, so a rebuild of the same code has the same sha256);
 *  - the secrets (encrypted user data): their scrypt digest is kept as HRF_SECRETS_DIGEST;
 *  - everything else is compared field by field with what FunctionGraph returns.
 * Triggers are identified by timer name (TIMER) and by method and path (APIG); a trigger of these types
 * that serverless.yml no longer declares is deleted. Triggers of other types are left alone.
 */
import { createHash, scryptSync } from 'node:crypto';
import type { ApigTriggerInput, FunctionConfigInput, RemoteFunction, RemoteTrigger, TimerTriggerInput, TriggerInput } from './api';
import { FUNCTION_VALUE_PREFIX, functionVariableValue, type DeployConfig } from './deploy-config';
import { isLoopbackUrl } from '../loopback-url';
import type { Manifest, ManifestFunction } from './manifest';
import { LOCAL_STAGE } from './settings';
import type { Env } from './variables';

export const CODE_MARKER = 'HRF_CODE_SHA256';
export const SECRETS_MARKER = 'HRF_SECRETS_DIGEST';
/** FunctionGraph's limit on all environment variables (keys and values) of a function. */
export const MAX_ENVIRONMENT_CHARS = 4096;
const MANAGED_TRIGGER_TYPES = new Set(['TIMER', 'APIG', 'DEDICATEDGATEWAY']);
const RESERVED_PREFIX = /^RUNTIME_/;

export class DeployPlanError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'DeployPlanError';
  }
}

export interface DesiredFunction {
  readonly manifest: ManifestFunction;
  readonly config: FunctionConfigInput;
  readonly userData: Readonly<Record<string, string>>;
  readonly triggers: readonly TriggerInput[];
}

export interface DesiredState {
  readonly functions: readonly DesiredFunction[];
  /** Secret variables with no value in the deployer's environment (the functions get none). */
  readonly unsetSecrets: readonly string[];
}

function sorted(map: Readonly<Record<string, string>>): Record<string, string> {
  return Object.fromEntries(Object.entries(map).sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)));
}

/** A slow, salted digest of the secret values: what HRF_SECRETS_DIGEST holds (never the values). */
export function secretsDigest(secrets: Readonly<Record<string, string>>, salt: string): string {
  const key = scryptSync(JSON.stringify(sorted(secrets)), `hrf-secrets:${salt}`, 32, { N: 16_384, r: 8, p: 1 });
  return `s1:${key.toString('base64url')}`;
}

function shortHash(text: string): string {
  return createHash('sha256').update(text).digest('hex').slice(0, 8);
}

/** APIG API names: 3–64 letters, digits and '_', starting with a letter; unique in the API group. */
export function apiName(manifest: Pick<Manifest, 'service' | 'stage'>, fn: Pick<ManifestFunction, 'key'>, method: string, path: string, disambiguate: boolean): string {
  let name = `${manifest.service}_${manifest.stage}_${fn.key}_${method}`.replace(/[^A-Za-z0-9_]/g, '_');
  if (disambiguate) name = `${name}_${shortHash(path)}`;
  if (!/^[A-Za-z]/.test(name)) name = `api_${name}`;
  if (name.length > 64) name = `${name.slice(0, 55)}_${shortHash(name)}`;
  return name;
}

function environmentChars(...maps: Readonly<Record<string, string>>[]): number {
  let total = 0;
  for (const map of maps) for (const [k, v] of Object.entries(map)) total += k.length + v.length;
  return total;
}

/**
 * A build for the local cloud never reaches a FunctionGraph that is not local: its functions would be named
 * for the `local` stage and would call 127.0.0.1 from inside FunctionGraph, i.e. nothing. Sending it to the
 * local cloud (a loopback endpoint) is the rehearsal, and passes.
 */
export function checkTarget(manifest: Manifest, endpoint: string): void {
  if (isLoopbackUrl(endpoint)) return;
  const loopback = new Set<string>();
  for (const fn of manifest.functions) {
    for (const [name, entry] of Object.entries(fn.environment)) if (!entry.secret && isLoopbackUrl(entry.value)) loopback.add(`${name}=${entry.value}`);
  }
  const reasons = [
    ...(manifest.stage === LOCAL_STAGE ? [`it is the ${LOCAL_STAGE} stage`] : []),
    ...(loopback.size > 0 ? [`its functions would call this machine (${[...loopback].sort().join(', ')})`] : []),
  ];
  if (reasons.length === 0) return;
  throw new DeployPlanError(
    `refusing to deploy the build of stage ${manifest.stage} to ${endpoint}: ${reasons.join('; ')}. Package it for the target, with the target's settings: npm run package:functiongraph -- --stage <stage>`,
  );
}

/**
 * FUNCTIONGRAPH_FN_<NAME> sets secrets only. A non-secret value is fixed in the build: the manifest shows
 * it and the redeploy compares against it, so the deploy does not change it. Given for a non-secret
 * variable, FUNCTIONGRAPH_FN_<NAME> would do nothing, silently: it is refused instead.
 */
export function checkFunctionValues(manifest: Manifest, env: Env): void {
  const refused = new Set<string>();
  for (const [variable, value] of Object.entries(env)) {
    if (value === undefined || value === '' || !variable.startsWith(FUNCTION_VALUE_PREFIX)) continue;
    const name = variable.slice(FUNCTION_VALUE_PREFIX.length);
    if (manifest.functions.some((fn) => fn.environment[name]?.secret === false)) refused.add(name);
  }
  if (refused.size === 0) return;
  const names = [...refused].sort();
  throw new DeployPlanError(
    `${names.map((name) => `${FUNCTION_VALUE_PREFIX}${name}`).join(', ')}: ${FUNCTION_VALUE_PREFIX}<NAME> sets secret variables only; ${names.join(', ')} ${names.length === 1 ? 'is' : 'are'} fixed in the build: set ${names.length === 1 ? 'it' : 'them'} and package again`,
  );
}

/** The desired configuration of every function; throws DeployPlanError before anything is written. */
export function desiredState(manifest: Manifest, config: DeployConfig): DesiredState {
  checkTarget(manifest, config.endpoint);
  checkFunctionValues(manifest, config.env);
  const unset = new Set<string>();
  const digests = new Map<string, string>();
  const functions = manifest.functions.map((fn): DesiredFunction => {
    const userData: Record<string, string> = {};
    const secrets: Record<string, string> = {};
    for (const [name, entry] of Object.entries(fn.environment)) {
      if (name === CODE_MARKER || name === SECRETS_MARKER || RESERVED_PREFIX.test(name)) {
        throw new DeployPlanError(`function ${fn.key}: the variable name ${name} is reserved`);
      }
      if (entry.secret) {
        const value = functionVariableValue(config.env, name);
        // A secret is resolved here, not in the build, so checkTarget's look at this machine is repeated for it.
        if (value && !isLoopbackUrl(config.endpoint) && isLoopbackUrl(value)) {
          throw new DeployPlanError(`refusing to deploy to ${config.endpoint}: ${name} of function ${fn.key} points at this machine`);
        }
        if (value === undefined || value === '') unset.add(name);
        else secrets[name] = value;
      } else if (entry.value !== '') userData[name] = entry.value;
    }
    userData[CODE_MARKER] = fn.codeSha256;
    if (Object.keys(secrets).length > 0) {
      const canonical = JSON.stringify(sorted(secrets));
      let digest = digests.get(canonical);
      if (!digest) {
        digest = secretsDigest(secrets, `${manifest.service}:${manifest.stage}`);
        digests.set(canonical, digest);
      }
      userData[SECRETS_MARKER] = digest;
    }
    const chars = environmentChars(userData, secrets);
    if (chars > MAX_ENVIRONMENT_CHARS) {
      throw new DeployPlanError(`function ${fn.key}: its environment variables hold ${chars} characters; FunctionGraph allows ${MAX_ENVIRONMENT_CHARS}`);
    }

    const apigMethods = fn.triggers.filter((t) => t.type === 'APIG').map((t) => (t.type === 'APIG' ? t.method : ''));
    const triggers = fn.triggers.map((t): TriggerInput => {
      if (t.type === 'TIMER') {
        return { typeCode: 'TIMER', status: t.enabled ? 'ACTIVE' : 'DISABLED', name: t.name, scheduleType: t.scheduleType, schedule: t.schedule, userEvent: t.userEvent };
      }
      const apig = config.apig;
      if (!apig) throw new DeployPlanError(`function ${fn.key} has an http event (${t.method} ${t.path}): set FUNCTIONGRAPH_APIG_GROUP_ID and FUNCTIONGRAPH_APIG_ENV_ID`);
      return {
        typeCode: apig.instanceId ? 'DEDICATEDGATEWAY' : 'APIG',
        name: apiName(manifest, fn, t.method, t.path, apigMethods.filter((m) => m === t.method).length > 1),
        groupId: apig.groupId,
        envId: apig.envId,
        envName: apig.envName,
        instanceId: apig.instanceId,
        auth: apig.auth,
        method: t.method,
        path: t.path,
        backendTimeoutMs: Math.min(fn.timeoutSeconds * 1000, 60_000),
      };
    });
    if (triggers.length > 10) throw new DeployPlanError(`function ${fn.key} has ${triggers.length} triggers; FunctionGraph allows 10`);

    return {
      manifest: fn,
      userData: sorted(userData),
      triggers,
      config: {
        name: fn.name,
        runtime: fn.runtime,
        handler: fn.handler,
        memorySize: fn.memoryMB,
        timeout: fn.timeoutSeconds,
        description: fn.description,
        xrole: config.agency,
        userData: JSON.stringify(sorted(userData)),
        encryptedUserData: Object.keys(secrets).length > 0 ? JSON.stringify(sorted(secrets)) : undefined,
      },
    };
  });
  return { functions, unsetSecrets: [...unset].sort() };
}

// ---- the plan ---------------------------------------------------------------------------------------

export type TriggerAction =
  | { readonly action: 'create'; readonly label: string; readonly input: TriggerInput }
  | { readonly action: 'replace'; readonly label: string; readonly input: TriggerInput; readonly existing: RemoteTrigger; readonly changes: readonly string[] }
  | { readonly action: 'delete'; readonly label: string; readonly existing: RemoteTrigger }
  | { readonly action: 'unchanged'; readonly label: string }
  | { readonly action: 'kept'; readonly label: string };

export interface FunctionPlan {
  readonly key: string;
  readonly name: string;
  readonly action: 'create' | 'update' | 'unchanged';
  readonly codeChanged: boolean;
  /** Configuration fields that differ (names only; never values of secrets). */
  readonly configChanges: readonly string[];
  /** The existing function's URN (undefined when it is to be created). */
  readonly urn: string | undefined;
  readonly desired: DesiredFunction;
  readonly triggers: readonly TriggerAction[];
  readonly manual: readonly string[];
}

/**
 * A function of this service and stage that serverless.yml no longer declares (removed, renamed, or moved to
 * another key): its managed triggers are deleted, so a timer stops firing and a route is free for the function
 * that takes it over. The function itself is kept: deleting code is left to a person (the plan names it).
 */
export interface RetiredFunction {
  readonly name: string;
  readonly urn: string;
  readonly triggers: readonly TriggerAction[];
}

export interface DeployPlan {
  readonly functions: readonly FunctionPlan[];
  readonly retired: readonly RetiredFunction[];
  readonly unsetSecrets: readonly string[];
  /** How many write requests applying the plan makes. */
  readonly writes: number;
}

export function triggerLabel(input: TriggerInput): string {
  return input.typeCode === 'TIMER' ? `TIMER ${input.name} (${input.scheduleType} ${input.schedule}${input.status === 'DISABLED' ? ', disabled' : ''})` : `${input.typeCode} ${input.method} ${input.path}`;
}

function remoteLabel(trigger: RemoteTrigger): string {
  const d = trigger.eventData;
  if (trigger.typeCode === 'TIMER') return `TIMER ${String(d.name ?? trigger.id)} (${String(d.schedule_type ?? '?')} ${String(d.schedule ?? '?')})`;
  if (trigger.typeCode === 'APIG' || trigger.typeCode === 'DEDICATEDGATEWAY') return `${trigger.typeCode} ${String(d.req_method ?? '?')} ${String(d.path ?? '?')}`;
  return `${trigger.typeCode} ${trigger.id}`;
}

function identity(typeCode: string, eventData: Readonly<Record<string, unknown>>): string {
  if (typeCode === 'TIMER') return `TIMER ${String(eventData.name)}`;
  return `ROUTE ${String(eventData.req_method)} ${String(eventData.path)}`;
}

function inputIdentity(input: TriggerInput): string {
  return input.typeCode === 'TIMER' ? `TIMER ${input.name}` : `ROUTE ${input.method} ${input.path}`;
}

const text = (v: unknown) => (v === undefined || v === null ? '' : String(v));

/** Differences between a wanted trigger and an existing one with the same identity. */
function triggerChanges(input: TriggerInput, existing: RemoteTrigger): string[] {
  const d = existing.eventData;
  const changes: string[] = [];
  if (existing.typeCode !== input.typeCode) changes.push('trigger_type_code');
  if (input.typeCode === 'TIMER') {
    if (text(d.schedule_type) !== input.scheduleType) changes.push('schedule_type');
    if (text(d.schedule) !== input.schedule) changes.push('schedule');
    if (text(d.user_event) !== (input.userEvent ?? '')) changes.push('user_event');
    if (existing.status !== input.status) changes.push('trigger_status');
  } else {
    if (text(d.group_id) !== input.groupId) changes.push('group_id');
    if (text(d.env_id) !== input.envId) changes.push('env_id');
    if (text(d.name) !== input.name) changes.push('name');
    if (text(d.auth) !== input.auth) changes.push('auth');
    if (text(d.instance_id) !== (input.instanceId ?? '')) changes.push('instance_id');
    const funcInfo = (d.func_info ?? {}) as Record<string, unknown>;
    if (funcInfo.timeout !== undefined && Number(funcInfo.timeout) !== input.backendTimeoutMs) changes.push('func_info.timeout');
  }
  return changes;
}

function configChanges(desired: DesiredFunction, remote: RemoteFunction): string[] {
  const changes: string[] = [];
  const c = desired.config;
  if (remote.runtime !== c.runtime) changes.push('runtime');
  if (remote.handler !== c.handler) changes.push('handler');
  if (remote.memorySize !== c.memorySize) changes.push('memory_size');
  if (remote.timeout !== c.timeout) changes.push('timeout');
  if (remote.description !== c.description) changes.push('description');
  if ((remote.xrole ?? '') !== (c.xrole ?? '')) changes.push('xrole (agency)');
  const have = remote.userData;
  if (!have) changes.push('user_data');
  else {
    const names = new Set([...Object.keys(have), ...Object.keys(desired.userData)]);
    for (const name of [...names].sort()) {
      if (name === CODE_MARKER) continue;
      if (have[name] !== desired.userData[name]) changes.push(name === SECRETS_MARKER ? 'encrypted_user_data (secrets)' : `user_data ${name}`);
    }
  }
  return changes;
}

/** The remote functions this service and stage deployed (named `<service>-<stage>-<key>`) that the manifest no longer has. */
export function retiredFunctions(manifest: { service: string; stage: string; functions: readonly { name: string }[] }, remoteFunctions: readonly RemoteFunction[]): RemoteFunction[] {
  const prefix = `${manifest.service}-${manifest.stage}-`;
  const wanted = new Set(manifest.functions.map((fn) => fn.name));
  return remoteFunctions.filter((fn) => fn.name.startsWith(prefix) && !wanted.has(fn.name));
}

export function planDeploy(desired: DesiredState, remoteFunctions: readonly RemoteFunction[], remoteTriggers: ReadonlyMap<string, readonly RemoteTrigger[]>, retiredRemote: readonly RemoteFunction[] = []): DeployPlan {
  const byName = new Map(remoteFunctions.map((fn) => [fn.name, fn]));
  let writes = 0;
  const retired = retiredRemote.map((fn): RetiredFunction => {
    const triggers = (remoteTriggers.get(fn.urn) ?? []).map((t): TriggerAction => {
      if (!MANAGED_TRIGGER_TYPES.has(t.typeCode)) return { action: 'kept', label: `${remoteLabel(t)} (not managed by this deploy)` };
      writes += 1;
      return { action: 'delete', label: remoteLabel(t), existing: t };
    });
    return { name: fn.name, urn: fn.urn, triggers };
  });
  const functions = desired.functions.map((d): FunctionPlan => {
    const fn = d.manifest;
    const manual = fn.manualEvents.map((m) => `${m.event}: ${m.reason}`);
    const remote = byName.get(fn.name);
    if (!remote) {
      writes += 1 + d.triggers.length;
      return {
        key: fn.key,
        name: fn.name,
        action: 'create',
        codeChanged: true,
        configChanges: [],
        urn: undefined,
        desired: d,
        triggers: d.triggers.map((input) => ({ action: 'create', label: triggerLabel(input), input })),
        manual,
      };
    }
    const codeChanged = remote.userData?.[CODE_MARKER] !== fn.codeSha256;
    const changes = configChanges(d, remote);
    if (codeChanged) writes += 1;
    if (codeChanged || changes.length > 0) writes += 1;

    const existing = [...(remoteTriggers.get(remote.urn) ?? [])];
    const actions: TriggerAction[] = [];
    const matched = new Set<RemoteTrigger>();
    for (const input of d.triggers) {
      const same = existing.find((t) => !matched.has(t) && MANAGED_TRIGGER_TYPES.has(t.typeCode) && identity(t.typeCode, t.eventData) === inputIdentity(input));
      if (!same) {
        actions.push({ action: 'create', label: triggerLabel(input), input });
        writes += 1;
        continue;
      }
      matched.add(same);
      const diff = triggerChanges(input, same);
      if (diff.length === 0) actions.push({ action: 'unchanged', label: triggerLabel(input) });
      else {
        actions.push({ action: 'replace', label: triggerLabel(input), input, existing: same, changes: diff });
        writes += 2;
      }
    }
    for (const t of existing) {
      if (matched.has(t)) continue;
      if (MANAGED_TRIGGER_TYPES.has(t.typeCode)) {
        actions.push({ action: 'delete', label: remoteLabel(t), existing: t });
        writes += 1;
      } else actions.push({ action: 'kept', label: `${remoteLabel(t)} (not managed by this deploy)` });
    }
    const touched = codeChanged || changes.length > 0;
    return { key: fn.key, name: fn.name, action: touched ? 'update' : 'unchanged', codeChanged, configChanges: changes, urn: remote.urn, desired: d, triggers: actions, manual };
  });
  return { functions, retired, unsetSecrets: desired.unsetSecrets, writes };
}

export function formatPlan(plan: DeployPlan, header: string): string {
  const lines = [header];
  for (const fn of plan.functions) {
    const detail =
      fn.action === 'update' ? ` (${[...(fn.codeChanged ? ['code'] : []), ...fn.configChanges].join(', ')})` : fn.action === 'create' ? ` (code ${fn.desired.manifest.codeSha256.slice(0, 12)}…, ${fn.desired.manifest.zipBytes} bytes)` : '';
    lines.push(`  function ${fn.name}: ${fn.action}${detail}`);
    for (const t of fn.triggers) {
      const why = t.action === 'replace' ? ` (${t.changes.join(', ')})` : '';
      lines.push(`    trigger ${t.label}: ${t.action}${why}`);
    }
    for (const m of fn.manual) lines.push(`    manual  ${m}`);
  }
  for (const fn of plan.retired) {
    lines.push(`  function ${fn.name}: no longer in serverless.yml: its triggers are deleted, the function is kept (delete it in the console when it is not needed)`);
    for (const t of fn.triggers) lines.push(`    trigger ${t.label}: ${t.action}`);
  }
  if (plan.unsetSecrets.length > 0) lines.push(`  secrets without a value in the deployer's environment (the functions get none): ${plan.unsetSecrets.join(', ')}`);
  const counts = { create: 0, update: 0, unchanged: 0 };
  for (const fn of plan.functions) counts[fn.action] += 1;
  lines.push(`  ${counts.create} to create, ${counts.update} to update, ${counts.unchanged} unchanged; ${plan.writes} write request${plan.writes === 1 ? '' : 's'}`);
  return lines.join('\n');
}

export type { ApigTriggerInput, TimerTriggerInput };
