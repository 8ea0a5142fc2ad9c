/**
 * The settings a FunctionGraph build cannot go without (scripts/functiongraph/settings.ts): which ones each
 * function needs (checked against the functions' own configuration loaders: exactly those, no more), and
 * the one error that names every empty one.
 */
import { join } from 'node:path';
import { requireCodeartsProjectId, type Env } from '../../../shared/config/env';
import { ConfigError } from '../../../shared/errors';
import { createRuntime } from '../../../shared/runtime';
import { loadDeployWindowConfig, loadPipelineGateConfig, loadReleaseCheckConfig, loadReleaseTrainConfig } from '../../../shared/schedules/config';
import type { EnvironmentEntry } from '../../../scripts/functiongraph/manifest';
import { readService, ROOT } from '../../../scripts/functiongraph/service';
import {
  checkRequiredSettings,
  MissingSettingsError,
  missingSettings,
  moduleOf,
  REQUIRED_SETTINGS,
  requiredSettings,
  type FunctionSettings,
} from '../../../scripts/functiongraph/settings';

/** A valid value for every setting some function requires. */
const VALUES: Readonly<Record<string, string>> = {
  HUAWEICLOUD_SDK_REGION: 'cn-north-4',
  HUAWEICLOUD_SDK_PROJECT_ID: '0123456789abcdef0123456789abcdef',
  HUAWEICLOUD_DATAARTS_WORKSPACE: 'e265f808151d458bb7967e0aaf42d146',
  HUAWEICLOUD_CODEARTS_PROJECT_ID: 'c0dea75c0dea75c0dea75c0dea75c0de',
  RELEASE_TRAIN_APPLICANT_ID: '5eed0000000000000000000000000101',
  RELEASE_TRAIN_APPROVER_IDS: '5eed0000000000000000000000000102',
  DEPLOY_WINDOW_ALLOW: '* 9-17 * * 1-5',
  DEPLOY_WINDOW_TASK_IDS: 'dep1oytask0000000000000000000001',
};

/** What each function reads at its start, the way it reads it. */
const STARTS: Readonly<Record<string, (env: Env) => unknown>> = {
  'functions/http/list-pending-items': (env) => createRuntime(env),
  'functions/http/publish-release-package': (env) => createRuntime(env),
  'functions/http/query-release-packages': (env) => createRuntime(env),
  'functions/http/start-deploy-task': (env) => createRuntime(env),
  'functions/http/reject-manual-review': (env) => requireCodeartsProjectId(createRuntime(env).config),
  'functions/http/pipeline-event-webhook': (env) => loadPipelineGateConfig(env, createRuntime(env)),
  'functions/http/openapi': () => undefined,
  'functions/timers/release-check': (env) => loadReleaseCheckConfig(env, createRuntime(env)),
  'functions/timers/release-train': (env) => loadReleaseTrainConfig(env, createRuntime(env)),
  'functions/timers/deploy-window': (env) => loadDeployWindowConfig(env, createRuntime(env)),
  'functions/events/pipeline-gate': (env) => loadPipelineGateConfig(env, createRuntime(env)),
};

const plain = (value: string): EnvironmentEntry => ({ secret: false, value });

function fn(key: string, module: string, environment: Record<string, EnvironmentEntry>): FunctionSettings {
  return { key, module, environment };
}

describe('FunctionGraph packaging: required settings', () => {
  it('lists every function of serverless.yml by its module, and nothing else', () => {
    // Act
    const modules = readService({ env: {}, stage: 'fgtest' }).functions.map((f) => moduleOf(ROOT, f.entry));

    // Assess
    expect([...modules].sort()).toStrictEqual(Object.keys(REQUIRED_SETTINGS).sort());
  });

  it.each(Object.keys(STARTS))('asks of %s exactly what it cannot start without', (module) => {
    // Prepare
    const start = STARTS[module] as (env: Env) => unknown;
    const required = requiredSettings(module);
    const only = Object.fromEntries(required.map((name) => [name, VALUES[name] as string]));

    // Act: the required settings alone, then each one left out
    const withAll = () => start(only);
    const withoutEach = required.map((name) => {
      try {
        start({ ...only, [name]: '' });
        return [name, 'started'];
      } catch (error) {
        return [name, error instanceof ConfigError ? error.variable : String(error)];
      }
    });

    // Assess
    expect(withAll).not.toThrow();
    expect(withoutEach).toStrictEqual(required.map((name) => [name, name]));
  });

  it('takes a function whose module is not listed to need the runtime', () => {
    // Act
    const settings = requiredSettings('functions/http/not-yet-listed');

    // Assess
    expect(settings).toStrictEqual(['HUAWEICLOUD_SDK_REGION', 'HUAWEICLOUD_SDK_PROJECT_ID']);
  });

  it('names a module from its entry file, whatever the extension', () => {
    // Act
    const modules = [join(ROOT, 'functions', 'http', 'openapi.ts'), join(ROOT, 'functions', 'timers', 'x.mjs'), join(ROOT, 'lib', 'y.cjs')].map((entry) => moduleOf(ROOT, entry));

    // Assess
    expect(modules).toStrictEqual(['functions/http/openapi', 'functions/timers/x', 'lib/y']);
  });

  it('finds every empty, blank or undeclared setting once, with the functions that need it', () => {
    // Prepare
    const functions = [
      fn('listPendingItems', 'functions/http/list-pending-items', { HUAWEICLOUD_SDK_REGION: plain(''), HUAWEICLOUD_SDK_PROJECT_ID: plain('0123456789abcdef0123456789abcdef') }),
      fn('openapi', 'functions/http/openapi', { HUAWEICLOUD_SDK_REGION: plain('') }),
      fn('releaseTrain', 'functions/timers/release-train', {
        HUAWEICLOUD_SDK_REGION: plain('  '),
        HUAWEICLOUD_SDK_PROJECT_ID: plain('0123456789abcdef0123456789abcdef'),
        HUAWEICLOUD_DATAARTS_WORKSPACE: plain(''),
        RELEASE_TRAIN_APPLICANT_ID: plain('5eed0000000000000000000000000101'),
        RELEASE_TRAIN_APPROVER_IDS: { secret: true },
      }),
    ];

    // Act
    const missing = missingSettings(functions);

    // Assess: openapi needs nothing; a secret is set at deploy, not here
    expect([...missing]).toStrictEqual([
      ['HUAWEICLOUD_DATAARTS_WORKSPACE', ['releaseTrain']],
      ['HUAWEICLOUD_SDK_REGION', ['listPendingItems', 'releaseTrain']],
    ]);
  });

  it('says where to fix a setting serverless.yml does not declare', () => {
    // Prepare
    const functions = [fn('pipelineGate', 'functions/events/pipeline-gate', { HUAWEICLOUD_SDK_REGION: plain('cn-north-4'), HUAWEICLOUD_SDK_PROJECT_ID: plain('0123456789abcdef0123456789abcdef') })];

    // Act
    const missing = missingSettings(functions);

    // Assess
    expect([...missing]).toStrictEqual([['HUAWEICLOUD_CODEARTS_PROJECT_ID', ['pipelineGate: not declared in its serverless.yml environment']]]);
  });

  it('refuses a build of another stage than local with one error naming every empty setting', () => {
    // Prepare
    const functions = [
      fn('listPendingItems', 'functions/http/list-pending-items', { HUAWEICLOUD_SDK_REGION: plain(''), HUAWEICLOUD_SDK_PROJECT_ID: plain('') }),
      fn('pipelineGate', 'functions/events/pipeline-gate', { HUAWEICLOUD_SDK_REGION: plain(''), HUAWEICLOUD_SDK_PROJECT_ID: plain(''), HUAWEICLOUD_CODEARTS_PROJECT_ID: plain('') }),
    ];

    // Act
    let error: unknown;
    try {
      checkRequiredSettings('prod', functions);
    } catch (caught) {
      error = caught;
    }

    // Assess
    expect(error).toBeInstanceOf(MissingSettingsError);
    expect((error as Error).message).toBe(
      [
        'stage prod: 3 settings the functions need are empty:',
        '  HUAWEICLOUD_CODEARTS_PROJECT_ID (pipelineGate)',
        '  HUAWEICLOUD_SDK_PROJECT_ID (listPendingItems, pipelineGate)',
        '  HUAWEICLOUD_SDK_REGION (listPendingItems, pipelineGate)',
        'Their values are fixed in the build: set them in the environment (or .env.prod) and package again.',
      ].join('\n'),
    );
  });

  it('passes a build with every setting, and any build of the local stage (the rehearsal on the local cloud)', () => {
    // Prepare
    const complete = [fn('startDeployTask', 'functions/http/start-deploy-task', { HUAWEICLOUD_SDK_REGION: plain('cn-north-4'), HUAWEICLOUD_SDK_PROJECT_ID: plain('0123456789abcdef0123456789abcdef') })];
    const empty = [fn('startDeployTask', 'functions/http/start-deploy-task', { HUAWEICLOUD_SDK_REGION: plain(''), HUAWEICLOUD_SDK_PROJECT_ID: plain('') })];

    // Act
    const acts = [() => checkRequiredSettings('prod', complete), () => checkRequiredSettings('local', empty)];

    // Assess
    for (const act of acts) expect(act).not.toThrow();
  });
});
