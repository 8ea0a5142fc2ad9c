/** Configuration of the timer and event functions: defaults, parsing, and errors naming the variable. */
import { ConfigError } from '../../../shared/errors';
import {
  loadDeployWindowConfig,
  loadPipelineGateConfig,
  loadReleaseCheckConfig,
  loadReleaseTrainConfig,
  lazyConfig,
} from '../../../shared/schedules/config';
import { testRuntime } from '../../helpers/runtime';
import { functionGraphContext } from '../../helpers/contexts';
import { fromPlatformContext } from '../../../shared/platform/invocation';

const SECRET = `whsec_${Buffer.from('test-webhook-secret-0123456789').toString('base64')}`;
const USER_A = '5eed0000000000000000000000000101';
const USER_B = '5eed0000000000000000000000000102';
const TASK = 'd2dc947ec2424d8789bb3984bb3adf45';

const load = <C>(loader: (env: Record<string, string | undefined>, runtime: ReturnType<typeof testRuntime>) => C, env: Record<string, string>) => {
  const runtime = testRuntime('http://127.0.0.1:9', {}, env);
  return loader(runtime.env, runtime);
};

describe('Config: releaseCheck', () => {
  it('uses the defaults: every 15 minutes, 240 and 60 minute thresholds, no webhook', () => {
    const config = load(loadReleaseCheckConfig, {});
    expect({ ...config, schedule: config.schedule.expression }).toStrictEqual({
      workspace: 'e265f808151d458bb7967e0aaf42d146',
      schedule: 'rate(15 minutes)',
      approvalThresholdMs: 240 * 60_000,
      releasingThresholdMs: 60 * 60_000,
      webhook: undefined,
      maxPages: 200,
      concurrency: 4,
    });
  });

  it('reads the webhook URL and its whsec_ secret', () => {
    const config = load(loadReleaseCheckConfig, { RELEASE_CHECK_WEBHOOK_URL: 'https://hooks.example.com/release', RELEASE_CHECK_WEBHOOK_SECRET: SECRET });
    expect(config.webhook).toStrictEqual({ url: 'https://hooks.example.com/release', secret: { value: SECRET, key: Buffer.from('test-webhook-secret-0123456789') } });
  });

  it.each([
    [{ RELEASE_CHECK_SCHEDULE: 'rate(0 minutes)' }, 'RELEASE_CHECK_SCHEDULE', 'a rate must be a whole number of at least 1'],
    [{ RELEASE_CHECK_APPROVAL_THRESHOLD_MINUTES: '-5' }, 'RELEASE_CHECK_APPROVAL_THRESHOLD_MINUTES', 'must be a whole number of minutes'],
    [{ RELEASE_CHECK_RELEASING_THRESHOLD_MINUTES: '999999' }, 'RELEASE_CHECK_RELEASING_THRESHOLD_MINUTES', 'must be at most 525600'],
    [{ RELEASE_CHECK_WEBHOOK_URL: 'http://hooks.example.com/x', RELEASE_CHECK_WEBHOOK_SECRET: SECRET }, 'RELEASE_CHECK_WEBHOOK_URL', 'must be an https URL without credentials (plain http only to 127.0.0.1 or localhost)'],
    [{ RELEASE_CHECK_WEBHOOK_URL: 'https://user:pw@hooks.example.com/x', RELEASE_CHECK_WEBHOOK_SECRET: SECRET }, 'RELEASE_CHECK_WEBHOOK_URL', 'must be an https URL without credentials (plain http only to 127.0.0.1 or localhost)'],
    [{ RELEASE_CHECK_WEBHOOK_URL: 'https://hooks.example.com/x' }, 'RELEASE_CHECK_WEBHOOK_SECRET', 'is required when RELEASE_CHECK_WEBHOOK_URL is set'],
    [{ RELEASE_CHECK_WEBHOOK_SECRET: SECRET }, 'RELEASE_CHECK_WEBHOOK_URL', 'is required when RELEASE_CHECK_WEBHOOK_SECRET is set'],
    [{ RELEASE_CHECK_WEBHOOK_URL: 'https://hooks.example.com/x', RELEASE_CHECK_WEBHOOK_SECRET: 'test-webhook-secret-0123456789' }, 'RELEASE_CHECK_WEBHOOK_SECRET', 'must have the form whsec_<base64>'],
    [{ RELEASE_CHECK_MAX_PAGES: '0' }, 'RELEASE_CHECK_MAX_PAGES', 'must be at least 1'],
    [{ HUAWEICLOUD_DATAARTS_WORKSPACE: '' }, 'HUAWEICLOUD_DATAARTS_WORKSPACE', 'is required but not set'],
  ])('refuses %j, naming %s', (env, variable, message) => {
    expect(() => load(loadReleaseCheckConfig, env)).toThrow(new ConfigError(variable, message));
  });
});

describe('Config: releaseTrain', () => {
  const REQUIRED = { RELEASE_TRAIN_APPLICANT_ID: USER_A, RELEASE_TRAIN_APPROVER_IDS: USER_B };

  it('reads rules, windows and defaults', () => {
    const config = load(loadReleaseTrainConfig, {
      ...REQUIRED,
      RELEASE_TRAIN_TASK_TYPES: '2, 1, 2',
      RELEASE_TRAIN_UPDATE_TYPES: '3',
      RELEASE_TRAIN_SUBMITTERS: 'dev_zhang, ops_li',
      RELEASE_TRAIN_ITEM_PATTERN: '^job_(ods|dwd)_',
      RELEASE_TRAIN_ALLOW: '* 9-17 * * 1-5',
      RELEASE_TRAIN_DENY: '* 12 * * *',
      RELEASE_TRAIN_TIMEZONE: 'Asia/Shanghai',
    });
    expect({
      ...config,
      schedule: config.schedule.expression,
      windows: config.windows && { zone: config.windows.timeZone, allow: config.windows.allow.map((p) => p.pattern), deny: config.windows.deny.map((p) => p.pattern) },
    }).toStrictEqual({
      workspace: 'e265f808151d458bb7967e0aaf42d146',
      schedule: 'cron(0 8 * * ? *)',
      prefix: 'train',
      applicantId: USER_A,
      approverIds: [USER_B],
      rules: { taskTypes: [2, 1], updateTypes: [3], submitters: ['dev_zhang', 'ops_li'], itemPattern: /^job_(ods|dwd)_/u },
      windows: { zone: 'Asia/Shanghai', allow: ['* 9-17 * * 1-5'], deny: ['* 12 * * *'] },
      maxItems: 100,
    });
  });

  it.each([
    [{}, 'RELEASE_TRAIN_APPLICANT_ID', 'is required but not set'],
    [{ RELEASE_TRAIN_APPLICANT_ID: USER_A }, 'RELEASE_TRAIN_APPROVER_IDS', 'is required but not set'],
    [{ ...REQUIRED, RELEASE_TRAIN_APPROVER_IDS: `${USER_B},${USER_A}` }, 'RELEASE_TRAIN_APPROVER_IDS', 'must not include the applicant (RELEASE_TRAIN_APPLICANT_ID)'],
    [{ ...REQUIRED, RELEASE_TRAIN_APPROVER_IDS: `${USER_B},${USER_B}` }, 'RELEASE_TRAIN_APPROVER_IDS', 'must not repeat an id'],
    [{ ...REQUIRED, RELEASE_TRAIN_APPROVER_IDS: 'ops_li' }, 'RELEASE_TRAIN_APPROVER_IDS', 'must be 32 letters or digits (an IAM user id)'],
    [{ ...REQUIRED, RELEASE_TRAIN_PREFIX: 'train 1' }, 'RELEASE_TRAIN_PREFIX', 'must be 1 to 64 letters, digits, "_", "-" or "." starting with a letter or digit'],
    [{ ...REQUIRED, RELEASE_TRAIN_TASK_TYPES: '3' }, 'RELEASE_TRAIN_TASK_TYPES', '"3" is not one of 1, 2'],
    [{ ...REQUIRED, RELEASE_TRAIN_ITEM_PATTERN: '(' }, 'RELEASE_TRAIN_ITEM_PATTERN', 'is not a valid regular expression (Invalid regular expression: /(/u: Unterminated group)'],
    [{ ...REQUIRED, RELEASE_TRAIN_MAX_ITEMS: '101' }, 'RELEASE_TRAIN_MAX_ITEMS', 'must be at most 100'],
    [{ ...REQUIRED, RELEASE_TRAIN_DENY: '* 24 * * *' }, 'RELEASE_TRAIN_DENY', '"* 24 * * *": Invalid value for hour: 24'],
    [{ ...REQUIRED, RELEASE_TRAIN_ALLOW: '* * * *' }, 'RELEASE_TRAIN_ALLOW', '"* * * *" must have 5 fields (minute hour day-of-month month day-of-week)'],
    [{ ...REQUIRED, RELEASE_TRAIN_ALLOW: '* * * * *', RELEASE_TRAIN_DENY: '* 24 * * *' }, 'RELEASE_TRAIN_DENY', '"* 24 * * *": Invalid value for hour: 24'],
    [{ ...REQUIRED, RELEASE_TRAIN_ALLOW: '* * * * *', RELEASE_TRAIN_TIMEZONE: 'Beijing' }, 'RELEASE_TRAIN_TIMEZONE', '"Beijing" is not an IANA time zone such as Asia/Shanghai or UTC'],
  ])('refuses %j, naming %s', (env, variable, message) => {
    expect(() => load(loadReleaseTrainConfig, env)).toThrow(new ConfigError(variable, message));
  });

  it('reads a deny window alone as narrowing "always" (no allow means always)', () => {
    const config = load(loadReleaseTrainConfig, { ...REQUIRED, RELEASE_TRAIN_DENY: '* 12 * * *', RELEASE_TRAIN_TIMEZONE: 'Asia/Shanghai' });
    expect(config.windows && { zone: config.windows.timeZone, allow: config.windows.allow.map((p) => p.pattern), deny: config.windows.deny.map((p) => p.pattern) }).toStrictEqual({
      zone: 'Asia/Shanghai',
      allow: ['* * * * *'],
      deny: ['* 12 * * *'],
    });
  });
});

describe('Config: deployWindow and pipelineGate', () => {
  it('reads the deploy window settings', () => {
    const config = load(loadDeployWindowConfig, { DEPLOY_WINDOW_TASK_IDS: TASK, DEPLOY_WINDOW_ALLOW: '0-59 9-17 * * 1-5', DEPLOY_WINDOW_TIMEZONE: 'Europe/Berlin' });
    expect({ ...config, windows: { zone: config.windows.timeZone, allow: config.windows.allow.map((p) => p.pattern), deny: config.windows.deny.length } }).toStrictEqual({
      codeartsProjectId: 'c0dea75c0dea75c0dea75c0dea75c0de',
      taskIds: [TASK],
      windows: { zone: 'Europe/Berlin', allow: ['0-59 9-17 * * 1-5'], deny: 0 },
      historyTimeZone: 'UTC',
    });
  });

  it.each([
    [{ DEPLOY_WINDOW_ALLOW: '* * * * *' }, 'DEPLOY_WINDOW_TASK_IDS', 'is required but not set'],
    [{ DEPLOY_WINDOW_TASK_IDS: TASK }, 'DEPLOY_WINDOW_ALLOW', 'is required but not set'],
    [{ DEPLOY_WINDOW_TASK_IDS: 'task-1', DEPLOY_WINDOW_ALLOW: '* * * * *' }, 'DEPLOY_WINDOW_TASK_IDS', 'must be 32 letters or digits (a CodeArts id)'],
    [{ DEPLOY_WINDOW_TASK_IDS: TASK, DEPLOY_WINDOW_ALLOW: '* * * * *', DEPLOY_WINDOW_HISTORY_TIMEZONE: 'China/Beijing' }, 'DEPLOY_WINDOW_HISTORY_TIMEZONE', '"China/Beijing" is not an IANA time zone such as Asia/Shanghai or UTC'],
    [{ DEPLOY_WINDOW_TASK_IDS: TASK, DEPLOY_WINDOW_ALLOW: '* * * * *', HUAWEICLOUD_CODEARTS_PROJECT_ID: '' }, 'HUAWEICLOUD_CODEARTS_PROJECT_ID', 'is required but not set'],
  ])('refuses %j, naming %s', (env, variable, message) => {
    expect(() => load(loadDeployWindowConfig, env)).toThrow(new ConfigError(variable, message));
  });

  it('reads the gate deadline, default a day', () => {
    expect([load(loadPipelineGateConfig, {}), load(loadPipelineGateConfig, { PIPELINE_GATE_APPROVAL_DEADLINE_MINUTES: '90' })]).toStrictEqual([
      { codeartsProjectId: 'c0dea75c0dea75c0dea75c0dea75c0de', approvalDeadlineMs: 1440 * 60_000 },
      { codeartsProjectId: 'c0dea75c0dea75c0dea75c0dea75c0de', approvalDeadlineMs: 90 * 60_000 },
    ]);
  });

  it('refuses a zero deadline', () => {
    expect(() => load(loadPipelineGateConfig, { PIPELINE_GATE_APPROVAL_DEADLINE_MINUTES: '0' })).toThrow(new ConfigError('PIPELINE_GATE_APPROVAL_DEADLINE_MINUTES', 'must be at least 1'));
  });
});

describe('Config: once per container', () => {
  it('loads once and keeps the error of a bad configuration for every later invocation', () => {
    // Prepare
    const invocation = fromPlatformContext(functionGraphContext());
    const good = testRuntime('http://127.0.0.1:9');
    const bad = testRuntime('http://127.0.0.1:9', {}, { PIPELINE_GATE_APPROVAL_DEADLINE_MINUTES: 'soon' });
    const loader = jest.fn(loadPipelineGateConfig);
    const source = lazyConfig(loader);
    const failing = lazyConfig(loadPipelineGateConfig);
    // Act
    const first = source(invocation, good);
    const second = source(invocation, good);
    // Assess
    expect([first === second, loader.mock.calls.length]).toStrictEqual([true, 1]);
    expect(() => failing(invocation, bad)).toThrow(new ConfigError('PIPELINE_GATE_APPROVAL_DEADLINE_MINUTES', 'must be a whole number of minutes'));
    expect(() => failing(invocation, good)).toThrow(new ConfigError('PIPELINE_GATE_APPROVAL_DEADLINE_MINUTES', 'must be a whole number of minutes'));
  });
});
