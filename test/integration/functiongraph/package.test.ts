/**
 * `npm run package:functiongraph`: one minimal zip per function of serverless.yml and a manifest that
 * holds no secret, checked against serverless.yml read independently; the build is reproducible (the npm
 * script, run in a child process, gives the same bytes as the build made here).
 */
import { spawn } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import JSZip from 'jszip';
import { parse } from 'yaml';
import { MANIFEST_FILE, manifestSchema } from '../../../scripts/functiongraph/manifest';
import { packageFunctionGraph, sha256Hex } from '../../../scripts/functiongraph/package';
import { isSecretName } from '../../../scripts/functiongraph/service';
import { MissingSettingsError } from '../../../scripts/functiongraph/settings';
import { TEST_SECRETS } from '../../helpers/logs';
import { buildFunctionGraph, FUNCTION_SETTINGS, TEST_STAGE, type TestBuild } from './support';

const ROOT = join(__dirname, '..', '..', '..');

/** Secret values present in the packager's environment: none may reach the manifest. */
const PACKAGE_TIME_SECRETS = {
  HUAWEICLOUD_SDK_AK: 'PACKAGETIMEAK0000001',
  HUAWEICLOUD_SDK_SK: 'package-time-secret-key-0001',
  HUAWEICLOUD_IAM_PASSWORD: 'package-time-password-0001',
  HRF_CLIENTS: '{"clients":[{"id":"package-time-client-0001"}]}',
  RELEASE_CHECK_WEBHOOK_SECRET: 'whsec_cGFja2FnZS10aW1lLXdlYmhvb2s=',
};
for (const value of Object.values(PACKAGE_TIME_SECRETS)) TEST_SECRETS.add(value);
const PACKAGE_ENV = { ...FUNCTION_SETTINGS, ...PACKAGE_TIME_SECRETS, LOG_LEVEL: 'warn', HUAWEICLOUD_SDK_REGION: 'cn-north-4' };

interface RawFunction {
  handler: string;
  name?: string;
  memorySize?: number;
  timeout?: number;
  description?: string;
  environment?: Record<string, unknown>;
  events?: Record<string, unknown>[];
}
interface RawService {
  service: string;
  provider: { memorySize?: number; timeout?: number; environment?: Record<string, unknown> };
  functions: Record<string, RawFunction>;
}

const serverlessYml = parse(readFileSync(join(ROOT, 'serverless.yml'), 'utf8'), { logLevel: 'silent' }) as RawService;
let build: TestBuild;

beforeAll(async () => {
  build = await buildFunctionGraph(PACKAGE_ENV);
});
afterAll(() => build?.cleanup());


/** Runs `npm run package:functiongraph`'s script as a process, with only PATH and `env` as its environment. */
function runPackager(out: string, env: Record<string, string>): Promise<{ status: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, ['--import', 'tsx', 'scripts/functiongraph/package.ts', '--stage', TEST_STAGE, '--out', out], {
      cwd: ROOT,
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (c: string) => (stdout += c));
    child.stderr.setEncoding('utf8').on('data', (c: string) => (stderr += c));
    child.once('error', reject);
    child.once('close', (status) => resolve({ status, stdout, stderr }));
  });
}

describe('FunctionGraph package: the manifest', () => {
  it('describes every function of serverless.yml: name, handler, runtime, memory, timeout', () => {
    // Prepare
    const { provider, functions } = serverlessYml;

    // Act
    const described = build.manifest.functions.map((fn) => ({ key: fn.key, name: fn.name, handler: fn.handler, runtime: fn.runtime, memoryMB: fn.memoryMB, timeoutSeconds: fn.timeoutSeconds }));

    // Assess
    expect(described).toStrictEqual(
      Object.entries(functions).map(([key, fn]) => ({
        key,
        name: fn.name ?? `${serverlessYml.service}-${TEST_STAGE}-${key}`,
        handler: 'index.handler',
        runtime: 'Node.js20.15',
        memoryMB: fn.memorySize ?? provider.memorySize ?? 1024,
        timeoutSeconds: fn.timeout ?? provider.timeout ?? 6,
      })),
    );
  });

  it('lists every environment variable of the provider and the function, with the values of non-secret ones only', () => {
    // Act
    const environments = build.manifest.functions.map((fn) => [fn.key, fn.environment]);

    // Assess
    expect(environments).toStrictEqual(
      Object.entries(serverlessYml.functions).map(([key, fn]) => {
        const names = [...new Set([...Object.keys(serverlessYml.provider.environment ?? {}), ...Object.keys(fn.environment ?? {})])].sort();
        return [key, Object.fromEntries(names.map((name) => [name, isSecretName(name) ? { secret: true } : { secret: false, value: expect.any(String) }]))];
      }),
    );
    const first = build.manifest.functions[0];
    expect([first?.environment.LOG_LEVEL, first?.environment.HUAWEICLOUD_SDK_REGION]).toStrictEqual([
      { secret: false, value: 'warn' },
      { secret: false, value: 'cn-north-4' },
    ]);
  });

  it('writes no secret value, though the packager had them in its environment', () => {
    // Act
    const text = readFileSync(build.manifestPath, 'utf8');

    // Assess
    expect(Object.values(PACKAGE_TIME_SECRETS).filter((secret) => text.includes(secret))).toStrictEqual([]);
    expect(manifestSchema.parse(JSON.parse(text))).toStrictEqual(build.manifest);
  });

  it('has an APIG trigger per http event and a TIMER trigger per schedule event', () => {
    // Act
    const triggers = build.manifest.functions.map((fn) => [fn.key, fn.triggers.map((t) => (t.type === 'APIG' ? `APIG ${t.method} ${t.path}` : `TIMER ${t.source}`))]);

    // Assess
    expect(triggers).toStrictEqual(
      Object.entries(serverlessYml.functions).map(([key, fn]) => [
        key,
        (fn.events ?? []).flatMap((event) => {
          const http = event.http as { method: string; path: string } | undefined;
          if (http) return [`APIG ${http.method.toUpperCase()} /${http.path.replace(/^\/+/, '')}`];
          const schedule = event.schedule;
          if (typeof schedule === 'string') return [`TIMER ${schedule.replace(/^\$\{env:[A-Z_]+, '(.*)'\}$/, '$1')}`];
          return [];
        }),
      ]),
    );
  });
});

describe('FunctionGraph package: the zips', () => {
  it('holds index.js only, the bundle exporting handler, its source map kept beside the zip', async () => {
    // Act
    const zips = await Promise.all(
      build.manifest.functions.map(async (fn) => {
        const bytes = readFileSync(join(build.outDir, fn.zip));
        const archive = await JSZip.loadAsync(bytes);
        const code = await archive.file('index.js')?.async('nodebuffer');
        return {
          key: fn.key,
          entries: Object.keys(archive.files),
          sha256: sha256Hex(bytes),
          sameAsBundle: code?.equals(readFileSync(join(build.outDir, fn.key, 'index.js'))),
          commonJsHandler: /\bmodule\.exports\b/.test(code?.toString('utf8') ?? '') && /handler/.test(code?.toString('utf8') ?? ''),
          sourceMapInZip: code?.toString('utf8').includes('sourceMappingURL'),
          sourceMapBeside: fn.sourceMap !== undefined && existsSync(join(build.outDir, fn.sourceMap)),
          sizes: fn.zipBytes === bytes.length && fn.bundleBytes === code?.length,
        };
      }),
    );

    // Assess
    expect(zips).toStrictEqual(
      build.manifest.functions.map((fn) => ({
        key: fn.key,
        entries: ['index.js'],
        sha256: fn.codeSha256,
        sameAsBundle: true,
        commonJsHandler: true,
        sourceMapInZip: false,
        sourceMapBeside: true,
        sizes: true,
      })),
    );
  });

  it('is reproducible: the npm script builds the same bytes', async () => {
    // Prepare
    const out = mkdtempSync(join(tmpdir(), 'fg-build-cli-'));

    // Act
    const run = await runPackager(out, PACKAGE_ENV);
    const again = manifestSchema.parse(JSON.parse(readFileSync(join(out, MANIFEST_FILE), 'utf8')));
    rmSync(out, { recursive: true, force: true });

    // Assess
    expect([run.status, run.stderr]).toStrictEqual([0, '']);
    expect(run.stdout).toMatch(new RegExp(`^Packaged ${build.manifest.functions.length} functions of hwc-release-functions \\(stage ${TEST_STAGE}\\) for FunctionGraph in \\d+ ms`));
    expect(again).toStrictEqual(build.manifest);
  });

  it('refuses to replace a directory that is not a FunctionGraph build', async () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'fg-not-a-build-'));
    mkdirSync(join(dir, 'keep'));
    writeFileSync(join(dir, 'keep', 'notes.txt'), 'mine');

    // Act
    const act = packageFunctionGraph({ outDir: dir, stage: TEST_STAGE, env: FUNCTION_SETTINGS });

    // Assess
    await expect(act).rejects.toThrow('is not empty and holds no manifest.json: refusing to replace it');
    expect(readFileSync(join(dir, 'keep', 'notes.txt'), 'utf8')).toBe('mine');
    rmSync(dir, { recursive: true, force: true });
  });
});

describe('FunctionGraph package: the settings the functions need', () => {
  it('refuses a stage other than local while one is empty, naming every one, and leaves the previous build as it was', async () => {
    // Prepare: a previous build in the output directory
    const out = mkdtempSync(join(tmpdir(), 'fg-build-refused-'));
    const previous = await packageFunctionGraph({ outDir: out, stage: TEST_STAGE, env: FUNCTION_SETTINGS });
    const before = readFileSync(previous.manifestPath, 'utf8');

    // Act
    const error = await packageFunctionGraph({ outDir: out, stage: TEST_STAGE, env: { ...FUNCTION_SETTINGS, HUAWEICLOUD_SDK_REGION: '', DEPLOY_WINDOW_TASK_IDS: ' ' } }).then(
      () => undefined,
      (caught: unknown) => caught,
    );

    // Assess
    expect(error instanceof MissingSettingsError ? error.message : error).toBe(
      [
        `stage ${TEST_STAGE}: 2 settings the functions need are empty:`,
        '  DEPLOY_WINDOW_TASK_IDS (deployWindow)',
        '  HUAWEICLOUD_SDK_REGION (listPendingItems, publishReleasePackage, queryReleasePackages, startDeployTask, rejectManualReview, pipelineEventWebhook, releaseCheck, releaseTrain, deployWindow, pipelineGate)',
        `Their values are fixed in the build: set them in the environment (or .env.${TEST_STAGE}) and package again.`,
      ].join('\n'),
    );
    expect(readFileSync(previous.manifestPath, 'utf8')).toBe(before);
    rmSync(out, { recursive: true, force: true });
  });

  it('refuses a route the manifest cannot hold, naming the function by its key, and leaves the previous build as it was', async () => {
    // Prepare: a previous build; then a project whose openapi function has a {proxy+} route (the project's own
    // sources, linked, with that serverless.yml).
    const out = mkdtempSync(join(tmpdir(), 'fg-build-bad-route-'));
    const previous = await packageFunctionGraph({ outDir: out, stage: TEST_STAGE, env: FUNCTION_SETTINGS });
    const before = readFileSync(previous.manifestPath, 'utf8');
    const root = mkdtempSync(join(tmpdir(), 'fg-project-'));
    for (const entry of readdirSync(ROOT)) if (entry !== 'serverless.yml' && !entry.startsWith('.env')) symlinkSync(join(ROOT, entry), join(root, entry));
    writeFileSync(
      join(root, 'serverless.yml'),
      readFileSync(join(ROOT, 'serverless.yml'), 'utf8').replace(
        '      - http: { path: v1/openapi.json, method: head }\n',
        '      - http: { path: v1/openapi.json, method: head }\n      - http: { path: "v1/docs/{proxy+}", method: get }\n',
      ),
    );

    // Act
    const error = await packageFunctionGraph({ root, outDir: out, stage: TEST_STAGE, env: FUNCTION_SETTINGS }).then(
      () => undefined,
      (caught: unknown) => (caught as Error).message,
    );

    // Assess
    expect(error).toMatch(/^serverless\.yml: functions\.openapi: triggers\.2\.path: .+ \(nothing was written: the previous build is kept\)$/);
    expect(readFileSync(previous.manifestPath, 'utf8')).toBe(before);
    rmSync(out, { recursive: true, force: true });
    rmSync(root, { recursive: true, force: true });
  });

  it('npm run package:functiongraph -- --stage <stage> fails with them named when the packager has none of them set', async () => {
    // Prepare
    const parent = mkdtempSync(join(tmpdir(), 'fg-build-cli-refused-'));
    const out = join(parent, 'build');

    // Act
    const run = await runPackager(out, { LOG_LEVEL: 'warn' });

    // Assess
    const runtime = 'listPendingItems, publishReleasePackage, queryReleasePackages, startDeployTask, rejectManualReview, pipelineEventWebhook, releaseCheck, releaseTrain, deployWindow, pipelineGate';
    expect(run).toStrictEqual({
      status: 1,
      stdout: '',
      stderr: [
        `package:functiongraph failed: stage ${TEST_STAGE}: 8 settings the functions need are empty:`,
        '  DEPLOY_WINDOW_ALLOW (deployWindow)',
        '  DEPLOY_WINDOW_TASK_IDS (deployWindow)',
        '  HUAWEICLOUD_CODEARTS_PROJECT_ID (rejectManualReview, pipelineEventWebhook, deployWindow, pipelineGate)',
        '  HUAWEICLOUD_DATAARTS_WORKSPACE (releaseCheck, releaseTrain)',
        `  HUAWEICLOUD_SDK_PROJECT_ID (${runtime})`,
        `  HUAWEICLOUD_SDK_REGION (${runtime})`,
        '  RELEASE_TRAIN_APPLICANT_ID (releaseTrain)',
        '  RELEASE_TRAIN_APPROVER_IDS (releaseTrain)',
        `Their values are fixed in the build: set them in the environment (or .env.${TEST_STAGE}) and package again.`,
        '',
      ].join('\n'),
    });
    expect(existsSync(out)).toBe(false);
    rmSync(parent, { recursive: true, force: true });
  });
});
