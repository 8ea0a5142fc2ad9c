/**
 * `npm run deploy:functiongraph` against the local Huawei Cloud, through the official SDK client (its
 * requests signed and verified like every call to the local cloud): a first deploy creates everything,
 * a redeploy of the same build makes no write request at all, a changed function is the only one
 * updated, a dry run writes nothing and prints the plan. Write requests are counted from the requests
 * the local cloud recorded.
 */
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startEmulator, type RunningEmulator } from '../../../emulator';
import { functionGraphState } from '../../../emulator/routes/functiongraph';
import { FunctionGraphApiError, sdkFunctionGraphApi } from '../../../scripts/functiongraph/api';
import { deployFunctionGraph, type DeployReport } from '../../../scripts/functiongraph/deploy';
import { loadDeployConfig } from '../../../scripts/functiongraph/deploy-config';
import { MANIFEST_FILE, manifestSchema, type Manifest } from '../../../scripts/functiongraph/manifest';
import { packageFunctionGraph, sha256Hex, zipIndexJs, type PackageResult } from '../../../scripts/functiongraph/package';
import { CODE_MARKER, DeployPlanError, SECRETS_MARKER } from '../../../scripts/functiongraph/plan';
import { admin } from '../../helpers/emulator';
import { findSecretsInLogs, TEST_SECRETS } from '../../helpers/logs';
import { APIG, buildFunctionGraph, copyBuild, deployerEnv, type TestBuild } from './support';

const ROOT = join(__dirname, '..', '..', '..');
const CLIENTS_SECRET = '{"clients":[{"id":"fg-deploy-test","type":"bearer","token_sha256":"00","scopes":["read"]}]}';
const FUNCTION_SECRETS = { HRF_CLIENTS: CLIENTS_SECRET, RELEASE_CHECK_WEBHOOK_SECRET: 'whsec_ZmctZGVwbG95LXdlYmhvb2stc2VjcmV0' };
const TEMPORARY = { accessKey: 'FGDEPLOYTEMPAK000001', secretKey: 'fg-deploy-temporary-secret-0001', securityToken: 'fg-deploy-security-token-0001' };
for (const secret of [CLIENTS_SECRET, FUNCTION_SECRETS.RELEASE_CHECK_WEBHOOK_SECRET, TEMPORARY.secretKey, TEMPORARY.securityToken]) TEST_SECRETS.add(secret);

let emulator: RunningEmulator;
let build: TestBuild;
let lines: string[] = [];

const writes = () => emulator.requests.filter((r) => r.method !== 'GET');
const fg = () => functionGraphState({ state: emulator.state });

async function deploy(options: { dir?: string; dryRun?: boolean; env?: Record<string, string> } = {}): Promise<DeployReport> {
  const config = loadDeployConfig(deployerEnv(emulator, { ...FUNCTION_SECRETS, ...options.env }));
  return deployFunctionGraph({ dir: options.dir ?? build.outDir, config, dryRun: options.dryRun ?? false, log: (text) => lines.push(...text.split('\n')) });
}

function readManifestAt(dir: string): Manifest {
  return manifestSchema.parse(JSON.parse(readFileSync(join(dir, MANIFEST_FILE), 'utf8')));
}

function writeManifestAt(dir: string, manifest: Manifest): void {
  writeFileSync(join(dir, MANIFEST_FILE), JSON.stringify(manifestSchema.parse(manifest), null, 2));
}

beforeAll(async () => {
  emulator = await startEmulator();
  build = await buildFunctionGraph({ LOG_LEVEL: 'warn' });
});

afterAll(async () => {
  build?.cleanup();
  await emulator?.close();
});

beforeEach(() => {
  emulator.reset();
  lines = [];
});

afterEach(() => {
  // Nothing the deploy printed holds a secret (the deployer's SK, the functions' secrets).
  TEST_SECRETS.add(emulator.identity.secretKey);
  expect(findSecretsInLogs(lines)).toStrictEqual([]);
});

describe('FunctionGraph deploy: first deploy', () => {
  it('creates every function with its configuration, code and triggers', async () => {
    // Act
    const report = await deploy();

    // Assess: what was written
    const { functions } = build.manifest;
    const triggerCount = functions.reduce((n, fn) => n + fn.triggers.length, 0);
    expect(report.writes).toBe(functions.length + triggerCount);
    expect(writes().map((r) => [r.operation, r.status])).toStrictEqual([
      ...functions.map(() => ['CreateFunction', 200]),
      ...functions.flatMap((fn) => fn.triggers.map(() => ['CreateFunctionTrigger', 201])),
    ]);
    expect(report.plan.functions.map((f) => [f.key, f.action])).toStrictEqual(functions.map((fn) => [fn.key, 'create']));

    // Assess: what FunctionGraph now holds, function by function
    const state = fg();
    for (const fn of functions) {
      const record = [...state.functions.values()].find((f) => f.funcName === fn.name);
      const plain = Object.fromEntries(Object.entries(fn.environment).flatMap(([name, e]) => (!e.secret && e.value !== '' ? [[name, e.value]] : [])));
      const secrets = Object.fromEntries(Object.entries(FUNCTION_SECRETS).filter(([name]) => fn.environment[name]?.secret));
      const userData = JSON.parse(record?.userData ?? '{}') as Record<string, string>;
      expect({
        package: record?.package,
        runtime: record?.runtime,
        handler: record?.handler,
        memory: record?.memorySize,
        timeout: record?.timeout,
        description: record?.description,
        agency: record?.xrole,
        code: record ? sha256Hex(record.code) : undefined,
        userData: { ...userData, [SECRETS_MARKER]: '(digest)' },
        encrypted: JSON.parse(record?.encryptedUserData || '{}') as unknown,
      }).toStrictEqual({
        package: 'default',
        runtime: 'Node.js20.15',
        handler: 'index.handler',
        memory: fn.memoryMB,
        timeout: fn.timeoutSeconds,
        description: fn.description,
        agency: 'hrf-functions-agency',
        code: fn.codeSha256,
        userData: { ...plain, [CODE_MARKER]: fn.codeSha256, [SECRETS_MARKER]: '(digest)' },
        encrypted: secrets,
      });
      // The digest stands for the secrets without holding them.
      expect(userData[SECRETS_MARKER]).toMatch(/^s1:[A-Za-z0-9_-]{43}$/);
      expect(record?.userData).not.toContain(CLIENTS_SECRET);

      const triggers = record ? state.triggersOf(record.urn) : [];
      expect(
        triggers.map((t) => ({
          type: t.triggerTypeCode,
          status: t.triggerStatus,
          ...(t.triggerTypeCode === 'TIMER'
            ? { name: t.eventData.name, schedule_type: t.eventData.schedule_type, schedule: t.eventData.schedule }
            : { group_id: t.eventData.group_id, env_id: t.eventData.env_id, req_method: t.eventData.req_method, path: t.eventData.path, auth: t.eventData.auth, protocol: t.eventData.protocol }),
        })),
      ).toStrictEqual(
        fn.triggers.map((t) =>
          t.type === 'TIMER'
            ? { type: 'TIMER', status: t.enabled ? 'ACTIVE' : 'DISABLED', name: t.name, schedule_type: t.scheduleType, schedule: t.schedule }
            : { type: 'APIG', status: 'ACTIVE', group_id: APIG.FUNCTIONGRAPH_APIG_GROUP_ID, env_id: APIG.FUNCTIONGRAPH_APIG_ENV_ID, req_method: t.method, path: t.path, auth: 'NONE', protocol: 'HTTPS' },
        ),
      );
    }
  });

  it("never passes the deployer's own credentials to the functions, unless given as FUNCTIONGRAPH_FN_<NAME>", async () => {
    // Act
    await deploy({ env: { FUNCTIONGRAPH_FN_HUAWEICLOUD_SDK_AK: 'FUNCTIONSTATICAK0001', FUNCTIONGRAPH_FN_HUAWEICLOUD_SDK_SK: 'function-static-secret-key-0001' } });

    // Assess
    TEST_SECRETS.add('function-static-secret-key-0001');
    const encrypted = [...fg().functions.values()].map((f) => JSON.parse(f.encryptedUserData || '{}') as Record<string, string>);
    expect(encrypted.every((e) => e.HUAWEICLOUD_SDK_AK === 'FUNCTIONSTATICAK0001' && e.HUAWEICLOUD_SDK_SK === 'function-static-secret-key-0001')).toBe(true);
    expect(JSON.stringify([...fg().functions.values()].map((f) => [f.userData, f.encryptedUserData]))).not.toContain(emulator.identity.secretKey);
  });
});

describe('FunctionGraph deploy: redeploy', () => {
  it('of the same build makes no write request at all', async () => {
    // Prepare
    await deploy();
    emulator.requests.length = 0;
    lines = [];

    // Act
    const report = await deploy();

    // Assess
    const { functions } = build.manifest;
    expect(report.writes).toBe(0);
    expect(writes()).toStrictEqual([]);
    expect(emulator.requests.map((r) => r.operation)).toStrictEqual(['ListFunctions', ...functions.map(() => 'ListFunctionTriggers')]);
    expect(report.plan.functions.map((f) => [f.key, f.action, f.triggers.map((t) => t.action)])).toStrictEqual(functions.map((fn) => [fn.key, 'unchanged', fn.triggers.map(() => 'unchanged')]));
    expect(lines.at(-2)).toBe(`  0 to create, 0 to update, ${functions.length} unchanged; 0 write requests`);
  });

  it('of a changed function updates that function only (code, then configuration)', async () => {
    // Prepare: the same build, but listPendingItems has new code
    await deploy();
    const copy = copyBuild(build);
    const manifest = readManifestAt(copy.dir);
    const fn = manifest.functions.find((f) => f.key === 'listPendingItems');
    if (!fn) throw new Error('no listPendingItems');
    const code = readFileSync(join(copy.dir, fn.key, 'index.js'));
    const zip = await zipIndexJs(Buffer.concat([code, Buffer.from('\n// changed\n')]));
    writeFileSync(join(copy.dir, fn.zip), zip);
    writeManifestAt(copy.dir, { ...manifest, functions: manifest.functions.map((f) => (f.key === fn.key ? { ...f, codeSha256: sha256Hex(zip), zipBytes: zip.length } : f)) });
    emulator.requests.length = 0;

    // Act
    const report = await deploy({ dir: copy.dir });
    copy.cleanup();

    // Assess
    const urn = [...fg().functions.values()].find((f) => f.funcName === fn.name)?.urn;
    expect(writes().map((r) => [r.operation, decodeURIComponent(r.path.split('/')[5] ?? '')])).toStrictEqual([
      ['UpdateFunctionCode', `${urn}:latest`],
      ['UpdateFunctionConfig', `${urn}:latest`],
    ]);
    expect(report.plan.functions.filter((f) => f.action !== 'unchanged').map((f) => [f.key, f.action, f.codeChanged, f.configChanges])).toStrictEqual([['listPendingItems', 'update', true, []]]);
    const record = [...fg().functions.values()].find((f) => f.funcName === fn.name);
    expect(record ? sha256Hex(record.code) : '').toBe(sha256Hex(zip));
    expect((JSON.parse(record?.userData ?? '{}') as Record<string, string>)[CODE_MARKER]).toBe(sha256Hex(zip));
  });

  it('of a changed setting, schedule or route updates just that: configuration, one trigger replaced, one deleted', async () => {
    // Prepare
    await deploy();
    const copy = copyBuild(build);
    const manifest = readManifestAt(copy.dir);
    const changed: Manifest = {
      ...manifest,
      functions: manifest.functions.map((f) => {
        if (f.key === 'releaseCheck') {
          return {
            ...f,
            memoryMB: 512,
            environment: { ...f.environment, LOG_LEVEL: { secret: false, value: 'debug' } },
            triggers: f.triggers.map((t) => (t.type === 'TIMER' ? { ...t, schedule: '30m', source: 'rate(30 minutes)' } : t)),
          };
        }
        if (f.key === 'pipelineEventWebhook') return { ...f, triggers: [] };
        return f;
      }),
    };
    writeManifestAt(copy.dir, changed);
    emulator.requests.length = 0;

    // Act
    const report = await deploy({ dir: copy.dir });
    copy.cleanup();

    // Assess
    expect(report.plan.functions.filter((f) => f.action !== 'unchanged' || f.triggers.some((t) => t.action !== 'unchanged')).map((f) => [f.key, f.action, f.configChanges, f.triggers.map((t) => t.action)])).toStrictEqual([
      ['pipelineEventWebhook', 'unchanged', [], ['delete']],
      ['releaseCheck', 'update', ['memory_size', 'user_data LOG_LEVEL'], ['replace']],
    ]);
    expect(writes().map((r) => r.operation)).toStrictEqual(['UpdateFunctionConfig', 'DeleteFunctionTrigger', 'DeleteFunctionTrigger', 'CreateFunctionTrigger']);
    const releaseCheck = [...fg().functions.values()].find((f) => f.funcName.endsWith('-releaseCheck'));
    expect(releaseCheck ? fg().triggersOf(releaseCheck.urn).map((t) => t.eventData.schedule) : []).toStrictEqual(['30m']);
  });

  it('after a secret changed updates every function that has it, without writing the secret anywhere but the encrypted user data', async () => {
    // Prepare
    await deploy();
    emulator.requests.length = 0;
    const rotated = '{"clients":[{"id":"fg-deploy-test","type":"bearer","token_sha256":"11","scopes":["read"]}]}';
    TEST_SECRETS.add(rotated);

    // Act
    const report = await deploy({ env: { HRF_CLIENTS: rotated } });

    // Assess
    const withClients = build.manifest.functions.filter((fn) => fn.environment.HRF_CLIENTS?.secret);
    expect(report.plan.functions.filter((f) => f.action === 'update').map((f) => [f.key, f.configChanges])).toStrictEqual(withClients.map((fn) => [fn.key, ['encrypted_user_data (secrets)']]));
    expect(writes().map((r) => r.operation)).toStrictEqual(withClients.map(() => 'UpdateFunctionConfig'));
    expect([...fg().functions.values()].every((f) => !f.userData.includes('token_sha256'))).toBe(true);
  });

  it('leaves alone a trigger of a type it does not manage, and says so', async () => {
    // Prepare
    await deploy();
    const gate = [...fg().functions.values()].find((f) => f.funcName.endsWith('-pipelineGate'));
    if (!gate) throw new Error('no pipelineGate');
    fg().triggersOf(gate.urn).push({ triggerId: 'eventgrid-0001', triggerTypeCode: 'EVENTGRID', triggerStatus: 'ACTIVE', eventTypeCode: undefined, eventData: { channel_name: 'default' }, createdMs: 0, lastUpdatedMs: 0 });
    emulator.requests.length = 0;

    // Act
    const report = await deploy();

    // Assess
    expect(writes()).toStrictEqual([]);
    expect(report.plan.functions.find((f) => f.key === 'pipelineGate')?.triggers.map((t) => [t.action, t.label])).toStrictEqual([
      ['kept', 'EVENTGRID eventgrid-0001 (not managed by this deploy)'],
    ]);
  });

  it('over a deploy from before the webhook had its own function moves the route: deleted from pipelineGate before it is created again', async () => {
    // Prepare: what that deploy left, pipelineGate serving POST /v1/events/pipeline and no pipelineEventWebhook
    const copy = copyBuild(build);
    const manifest = readManifestAt(copy.dir);
    const webhook = manifest.functions.find((f) => f.key === 'pipelineEventWebhook');
    if (!webhook) throw new Error('no pipelineEventWebhook');
    writeManifestAt(copy.dir, {
      ...manifest,
      functions: manifest.functions.filter((f) => f !== webhook).map((f) => (f.key === 'pipelineGate' ? { ...f, triggers: webhook.triggers } : f)),
    });
    await deploy({ dir: copy.dir });
    copy.cleanup();
    emulator.requests.length = 0;

    // Act
    const report = await deploy();

    // Assess: the route is free (APIG refuses a route twice in a group) before the new function takes it
    expect(report.plan.functions.filter((f) => f.action !== 'unchanged' || f.triggers.some((t) => t.action !== 'unchanged')).map((f) => [f.key, f.action, f.triggers.map((t) => [t.action, t.label])])).toStrictEqual([
      ['pipelineEventWebhook', 'create', [['create', 'APIG POST /v1/events/pipeline']]],
      ['pipelineGate', 'unchanged', [['delete', 'APIG POST /v1/events/pipeline']]],
    ]);
    expect(writes().map((r) => r.operation)).toStrictEqual(['CreateFunction', 'DeleteFunctionTrigger', 'CreateFunctionTrigger']);
    const routeOwners = [...fg().functions.values()].filter((f) => fg().triggersOf(f.urn).some((t) => t.eventData.path === '/v1/events/pipeline')).map((f) => f.funcName);
    expect(routeOwners).toStrictEqual([webhook.name]);
  });
});

describe('FunctionGraph deploy: a function no longer in serverless.yml', () => {
  it('loses its triggers (a route its successor takes is free first) and is kept, named in the plan; a second run writes nothing', async () => {
    // Prepare: everything deployed; then `openapi` is renamed `openapiDocument` in serverless.yml.
    await deploy();
    const copy = copyBuild(build);
    const manifest = readManifestAt(copy.dir);
    const old = manifest.functions.find((f) => f.key === 'openapi');
    if (!old) throw new Error('no openapi');
    const renamed = { ...old, key: 'openapiDocument', name: old.name.replace(/openapi$/, 'openapiDocument') };
    writeManifestAt(copy.dir, { ...manifest, functions: manifest.functions.map((f) => (f === old ? renamed : f)) });
    emulator.requests.length = 0;
    lines = [];

    // Act
    try {
      const report = await deploy({ dir: copy.dir });
      const firstWrites = writes().map((r) => r.operation);
      emulator.requests.length = 0;
      const again = await deploy({ dir: copy.dir });

      // Assess
      expect(report.plan.retired.map((f) => [f.name, f.triggers.map((t) => [t.action, t.label])])).toStrictEqual([
        [old.name, [['delete', 'APIG GET /v1/openapi.json'], ['delete', 'APIG HEAD /v1/openapi.json']]],
      ]);
      expect(firstWrites).toStrictEqual(['CreateFunction', 'DeleteFunctionTrigger', 'DeleteFunctionTrigger', 'CreateFunctionTrigger', 'CreateFunctionTrigger']);
      expect(lines).toContain(`  function ${old.name}: no longer in serverless.yml: its triggers are deleted, the function is kept (delete it in the console when it is not needed)`);
      const routeOwners = [...fg().functions.values()].filter((f) => fg().triggersOf(f.urn).some((t) => t.eventData.path === '/v1/openapi.json')).map((f) => f.funcName);
      expect([routeOwners, [...fg().functions.values()].some((f) => f.funcName === old.name)]).toStrictEqual([[renamed.name], true]);
      expect([again.writes, writes().length, again.plan.retired.map((f) => [f.name, f.triggers.length])]).toStrictEqual([0, 0, [[old.name, 0]]]);
    } finally {
      copy.cleanup();
    }
  });
});

describe('FunctionGraph deploy: dry run', () => {
  it('prints the plan and writes nothing', async () => {
    // Act
    const report = await deploy({ dryRun: true });

    // Assess
    const { functions } = build.manifest;
    expect(writes()).toStrictEqual([]);
    expect(emulator.requests.map((r) => r.operation)).toStrictEqual(['ListFunctions']);
    expect(report).toMatchObject({ dryRun: true, writes: 0 });
    expect(lines[0]).toBe(`FunctionGraph deploy plan (dry run: nothing is written): hwc-release-functions stage fgtest → ${emulator.url}, project ${emulator.identity.projectId}, package default`);
    expect(lines).toContain(`  function ${functions[0]?.name}: create (code ${functions[0]?.codeSha256.slice(0, 12)}…, ${functions[0]?.zipBytes} bytes)`);
    expect(lines.at(-1)).toBe(`  ${functions.length} to create, 0 to update, 0 unchanged; ${report.plan.writes} write requests`);
    expect(fg().functions.size).toBe(0);
  });

  it('after a change shows the update and still writes nothing', async () => {
    // Prepare
    await deploy();
    emulator.requests.length = 0;
    lines = [];

    // Act
    const report = await deploy({ dryRun: true, env: { FUNCTIONGRAPH_AGENCY: 'another-agency' } });

    // Assess
    expect(writes()).toStrictEqual([]);
    expect(new Set(report.plan.functions.map((f) => `${f.action} ${f.configChanges.join(',')}`))).toStrictEqual(new Set(['update xrole (agency)']));
    expect(report.plan.writes).toBe(build.manifest.functions.length);
  });
});

describe('FunctionGraph deploy: credentials and failures', () => {
  it('deploys with temporary credentials (X-Security-Token signed by the SDK)', async () => {
    // Prepare
    const added = await admin(emulator, 'POST', '/credentials', TEMPORARY);
    expect(added.status).toBe(201);

    // Act
    const report = await deploy({ env: { HUAWEICLOUD_SDK_AK: TEMPORARY.accessKey, HUAWEICLOUD_SDK_SK: TEMPORARY.secretKey, HUAWEICLOUD_SDK_SECURITY_TOKEN: TEMPORARY.securityToken } });

    // Assess
    expect(report.writes).toBeGreaterThan(0);
    expect(emulator.requests.every((r) => r.status !== null && r.status < 300 && r.headers['x-security-token'] === '[REDACTED]')).toBe(true);
  });

  it('retries reads that FunctionGraph throttles, and still writes nothing on a redeploy', async () => {
    // Prepare
    await deploy();
    emulator.requests.length = 0;
    emulator.setFaults({ throttleRatio: 0.3, seed: 11, pathPattern: '/fgs/' });
    const config = loadDeployConfig(deployerEnv(emulator, FUNCTION_SECRETS));

    // Act
    const report = await deployFunctionGraph({ dir: build.outDir, config, api: sdkFunctionGraphApi(config, { readRetryDelaysMs: [1, 1, 1, 1] }), log: (text) => lines.push(...text.split('\n')) });
    emulator.setFaults({});

    // Assess
    expect(report.writes).toBe(0);
    expect(writes()).toStrictEqual([]);
    expect(emulator.requests.filter((r) => r.status === 429).length).toBeGreaterThan(0);
    expect(report.plan.functions.every((f) => f.action === 'unchanged')).toBe(true);
  });

  it('stops before any write when a function has an http event and no API group is configured', async () => {
    // Act
    const act = () => deployFunctionGraph({ dir: build.outDir, config: loadDeployConfig(deployerEnv(emulator, { FUNCTIONGRAPH_APIG_GROUP_ID: '', FUNCTIONGRAPH_APIG_ENV_ID: '' })), log: () => undefined });

    // Assess
    await expect(act()).rejects.toThrow(DeployPlanError);
    await expect(act()).rejects.toThrow('set FUNCTIONGRAPH_APIG_GROUP_ID and FUNCTIONGRAPH_APIG_ENV_ID');
    expect(emulator.requests).toStrictEqual([]);
  });

  it('reports a refused request with its operation, status and code, and the SDK prints nothing', async () => {
    // Prepare: a project the credentials do not belong to (FunctionGraph answers 403)
    const printed: string[] = [];
    const spy = jest.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
      printed.push(String(chunk));
      return true;
    });
    const config = loadDeployConfig({ ...deployerEnv(emulator, FUNCTION_SECRETS), HUAWEICLOUD_SDK_PROJECT_ID: 'ffffffffffffffffffffffffffffffff' });

    // Act
    let error: unknown;
    try {
      await deployFunctionGraph({ dir: build.outDir, config, log: (text) => lines.push(...text.split('\n')) });
    } catch (e) {
      error = e;
    } finally {
      spy.mockRestore();
    }

    // Assess
    expect(error).toBeInstanceOf(FunctionGraphApiError);
    expect(error).toMatchObject({ operation: 'ListFunctions', details: { status: 403, errorCode: 'FSS.0403' } });
    expect(printed).toStrictEqual([]);
  });

  it('refuses a build whose zip does not match its manifest', async () => {
    // Prepare
    const copy = copyBuild(build);
    const first = build.manifest.functions[0];
    if (!first) throw new Error('no function');
    writeFileSync(join(copy.dir, first.zip), await zipIndexJs(Buffer.from('exports.handler = async (e, c) => ({});\n')));

    // Act
    const act = deploy({ dir: copy.dir });

    // Assess
    await expect(act).rejects.toThrow(`${first.zip} does not match the manifest's sha256 (package again)`);
    copy.cleanup();
    expect(emulator.requests).toStrictEqual([]);
  });
});

describe('FunctionGraph deploy: a build of the local stage', () => {
  // What `npm run package:functiongraph` without --stage builds: the local stage, with .env.local.
  let local: PackageResult;
  beforeAll(async () => {
    local = await packageFunctionGraph({ outDir: mkdtempSync(join(tmpdir(), 'fg-build-local-')), stage: 'local', env: {} });
  });
  afterAll(() => {
    if (local) rmSync(local.outDir, { recursive: true, force: true });
  });

  it('is refused for a FunctionGraph that is not local, before any request', async () => {
    // Prepare: the region's public endpoint, and a client that would reach the local cloud if called
    const config = loadDeployConfig(deployerEnv(emulator, { ...FUNCTION_SECRETS, HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH: '' }));
    const api = sdkFunctionGraphApi({ ...config, endpoint: emulator.url });

    // Act
    let error: unknown;
    try {
      await deployFunctionGraph({ dir: local.outDir, config, api, log: (text) => lines.push(...text.split('\n')) });
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(config.endpoint).toBe('https://functiongraph.cn-north-4.myhuaweicloud.com');
    expect(error instanceof DeployPlanError ? error.message : error).toBe(
      'refusing to deploy the build of stage local to https://functiongraph.cn-north-4.myhuaweicloud.com: it is the local stage; its functions would call this machine (' +
        'HUAWEICLOUD_ENDPOINT_CODEARTS_DEPLOY=http://127.0.0.1:4010, HUAWEICLOUD_ENDPOINT_CODEARTS_PIPELINE=http://127.0.0.1:4010, HUAWEICLOUD_ENDPOINT_DATAARTS=http://127.0.0.1:4010, HUAWEICLOUD_ENDPOINT_IAM=http://127.0.0.1:4010). ' +
        "Package it for the target, with the target's settings: npm run package:functiongraph -- --stage <stage>",
    );
    expect([emulator.requests, lines]).toStrictEqual([[], []]);
  });

  it('is deployed to the local cloud: the rehearsal', async () => {
    // Act
    const report = await deploy({ dir: local.outDir });

    // Assess
    const names = local.manifest.functions.map((fn) => `hwc-release-functions-local-${fn.key}`);
    expect(report.plan.functions.map((fn) => [fn.name, fn.action])).toStrictEqual(names.map((name) => [name, 'create']));
    expect([...fg().functions.values()].map((fn) => fn.funcName).sort()).toStrictEqual([...names].sort());
  });
});

/** Runs a script in a child process (asynchronously: the local cloud answers from this process). */
function runScript(args: string[], env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', ...args], { cwd: ROOT, env: { PATH: process.env.PATH ?? '', ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const timer = setTimeout(() => child.kill(), 60_000);
    child.once('error', reject);
    child.once('close', (status) => {
      clearTimeout(timer);
      resolve({ status, stdout, stderr });
    });
  });
}

describe('FunctionGraph deploy: the npm scripts', () => {
  it('npm run deploy:functiongraph -- --dry-run prints the plan and writes nothing', async () => {
    // Act
    const run = await runScript(['scripts/functiongraph/deploy.ts', '--dry-run', '--dir', build.outDir], deployerEnv(emulator, FUNCTION_SECRETS));

    // Assess
    lines = run.stdout.split('\n');
    expect([run.status, run.stderr]).toStrictEqual([0, '']);
    expect(run.stdout).toContain('FunctionGraph deploy plan (dry run: nothing is written)');
    expect(writes()).toStrictEqual([]);
    const scripts = (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { scripts: Record<string, string> }).scripts;
    expect([scripts['package:functiongraph'], scripts['deploy:functiongraph']]).toStrictEqual(['node --import tsx scripts/functiongraph/package.ts', 'node --import tsx scripts/functiongraph/deploy.ts']);
  });

  it('fails with the variable named when the deployer has no credentials', async () => {
    // Act
    const run = await runScript(['scripts/functiongraph/deploy.ts', '--dry-run', '--dir', build.outDir], {
      HUAWEICLOUD_SDK_REGION: 'cn-north-4',
      HUAWEICLOUD_SDK_PROJECT_ID: emulator.identity.projectId,
      HUAWEICLOUD_ENDPOINT_FUNCTIONGRAPH: emulator.url,
    });

    // Assess
    expect([run.status, run.stderr.trim()]).toStrictEqual([1, 'deploy:functiongraph failed: HUAWEICLOUD_SDK_AK: the FunctionGraph deploy signs with an access key: set HUAWEICLOUD_SDK_AK and HUAWEICLOUD_SDK_SK']);
    expect(emulator.requests).toStrictEqual([]);
  });
});
