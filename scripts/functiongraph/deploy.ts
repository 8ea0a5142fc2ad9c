/**
 * `npm run deploy:functiongraph [-- --dry-run] [--dir .build/functiongraph]`: creates or updates every
 * function of the manifest (`npm run package:functiongraph` first) and its triggers, through the official
 * FunctionGraph client. Idempotent: a second deploy of the same build makes no write request at all.
 * `--dry-run` reads what is there, prints the plan and writes nothing. A build of the `local` stage (or one
 * whose functions would call 127.0.0.1) goes to a local endpoint only (plan.ts, checkTarget).
 *
 * Settings: scripts/functiongraph/deploy-config.ts (HUAWEICLOUD_SDK_*, HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH,
 * FUNCTIONGRAPH_*). Step by step: docs/deploy.md.
 *
 * Order of the writes: functions (code, then configuration, so a failure in between is redone by the next
 * deploy), then every trigger deletion, then every trigger creation (an APIG route moving between
 * functions is free before it is taken again). The first failure stops the deploy; running it again
 * continues from what is there.
 */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { registerSecret } from '../../shared/logger';
import { sdkFunctionGraphApi, type FunctionGraphApi, type RemoteTrigger } from './api';
import { loadDeployConfig, type DeployConfig } from './deploy-config';
import { MANIFEST_FILE, manifestSchema, type Manifest } from './manifest';
import { DEFAULT_OUT_DIR, parseArgs, sha256Hex } from './package';
import { desiredState, formatPlan, planDeploy, retiredFunctions, type DeployPlan } from './plan';

export interface DeployOptions {
  /** The directory `package:functiongraph` wrote (manifest.json and the zips). */
  readonly dir?: string;
  readonly config: DeployConfig;
  /** Default: the official SDK client for `config`. */
  readonly api?: FunctionGraphApi;
  readonly dryRun?: boolean;
  /** Progress and the plan; default stdout. */
  readonly log?: (line: string) => void;
}

export interface DeployReport {
  readonly plan: DeployPlan;
  readonly dryRun: boolean;
  /** Write requests made. */
  readonly writes: number;
}

export class ManifestError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'ManifestError';
  }
}

export function readManifest(dir: string): { manifest: Manifest; zips: Map<string, Buffer> } {
  let raw: unknown;
  try {
    raw = JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8'));
  } catch (error) {
    throw new ManifestError(`cannot read ${join(dir, MANIFEST_FILE)} (run npm run package:functiongraph first): ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = manifestSchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ManifestError(`${join(dir, MANIFEST_FILE)} is not a FunctionGraph manifest (${issue ? `${issue.path.join('.')}: ${issue.message}` : 'invalid'})`);
  }
  const zips = new Map<string, Buffer>();
  for (const fn of parsed.data.functions) {
    const zip = readFileSync(join(dir, fn.zip));
    if (sha256Hex(zip) !== fn.codeSha256) throw new ManifestError(`${fn.zip} does not match the manifest's sha256 (package again)`);
    zips.set(fn.key, zip);
  }
  return { manifest: parsed.data, zips };
}

export async function deployFunctionGraph(options: DeployOptions): Promise<DeployReport> {
  const log = options.log ?? ((line: string) => process.stdout.write(`${line}\n`));
  const dir = resolve(options.dir ?? DEFAULT_OUT_DIR);
  const { config } = options;
  const { manifest, zips } = readManifest(dir);
  const desired = desiredState(manifest, config);
  const api = options.api ?? sdkFunctionGraphApi(config);

  // Reads: the functions of the package, then the triggers of those that exist.
  const remote = await api.listFunctions(config.packageName);
  const wanted = new Set(manifest.functions.map((fn) => fn.name));
  const retired = retiredFunctions(manifest, remote);
  const remoteTriggers = new Map<string, RemoteTrigger[]>();
  for (const fn of remote) if (wanted.has(fn.name) || retired.includes(fn)) remoteTriggers.set(fn.urn, await api.listFunctionTriggers(fn.urn));

  const plan = planDeploy(desired, remote, remoteTriggers, retired);
  const dryRun = options.dryRun ?? false;
  log(
    formatPlan(
      plan,
      `FunctionGraph ${dryRun ? 'deploy plan (dry run: nothing is written)' : 'deploy'}: ${manifest.service} stage ${manifest.stage} → ${config.endpoint}, project ${config.projectId}, package ${config.packageName}`,
    ),
  );
  if (dryRun) return { plan, dryRun, writes: 0 };

  let writes = 0;
  const urns = new Map<string, string>();
  for (const fn of plan.functions) {
    const zip = zips.get(fn.key) as Buffer;
    if (fn.action === 'create') {
      const created = await api.createFunction({ ...fn.desired.config, packageName: config.packageName, zip });
      writes += 1;
      urns.set(fn.key, created.urn);
      log(`  created ${fn.name}`);
      continue;
    }
    const urn = fn.urn as string;
    urns.set(fn.key, urn);
    if (fn.codeChanged) {
      await api.updateFunctionCode(urn, zip);
      writes += 1;
    }
    if (fn.action === 'update') {
      await api.updateFunctionConfig(urn, fn.desired.config);
      writes += 1;
      log(`  updated ${fn.name}`);
    }
  }
  // Deletions first, a retired function's included: a route or timer it held may be created again below.
  for (const fn of plan.retired) {
    for (const t of fn.triggers) {
      if (t.action !== 'delete') continue;
      await api.deleteFunctionTrigger(fn.urn, t.existing.typeCode, t.existing.id);
      writes += 1;
      log(`  deleted trigger ${t.label} of ${fn.name} (no longer in serverless.yml)`);
    }
  }
  for (const fn of plan.functions) {
    for (const t of fn.triggers) {
      if (t.action !== 'delete' && t.action !== 'replace') continue;
      await api.deleteFunctionTrigger(urns.get(fn.key) as string, t.existing.typeCode, t.existing.id);
      writes += 1;
      if (t.action === 'delete') log(`  deleted trigger ${t.label} of ${fn.name}`);
    }
  }
  for (const fn of plan.functions) {
    for (const t of fn.triggers) {
      if (t.action !== 'create' && t.action !== 'replace') continue;
      await api.createFunctionTrigger(urns.get(fn.key) as string, t.input);
      writes += 1;
      log(`  ${t.action === 'create' ? 'created' : 'replaced'} trigger ${t.label} of ${fn.name}`);
    }
  }
  log(`  done: ${writes} write request${writes === 1 ? '' : 's'}`);
  return { plan, dryRun, writes };
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2), ['dir'], ['dry-run']);
  const config = loadDeployConfig(process.env);
  registerSecret(config.credentials.secretKey);
  registerSecret(config.credentials.securityToken);
  await deployFunctionGraph({ config, dryRun: args['dry-run'] === true, ...(typeof args.dir === 'string' ? { dir: args.dir } : {}) });
}

if (require.main === module) {
  main().catch((error: unknown) => {
    process.stderr.write(`deploy:functiongraph failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  });
}
