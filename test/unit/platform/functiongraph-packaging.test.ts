/**
 * serverless.yml → FunctionGraph: variables resolved as osls resolves them, events converted to triggers
 * (EventBridge schedules to FunctionGraph Rate/Cron with the same firing times), secrets kept out.
 */
import { mkdtempSync, rmSync, writeFileSync, mkdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseSchedule } from '../../../shared/schedules/schedule';
import { convertCron, convertEvents, convertRate, EventConversionError } from '../../../scripts/functiongraph/triggers';
import { resolveString, VariableError } from '../../../scripts/functiongraph/variables';
import { isSecretName, readService, ServiceError } from '../../../scripts/functiongraph/service';
import { nextRuns } from '../../helpers/cron-runs';

describe('FunctionGraph packaging: variables', () => {
  const sources = { env: { A: 'a', EMPTY: '', COMMA: 'x,y' }, options: { stage: 'prod' }, stage: 'prod', self: { service: 'svc', custom: { n: 3 } } };

  it.each([
    ['${env:A}', 'a'],
    ["${env:MISSING, 'fallback'}", 'fallback'],
    ['${env:MISSING, "double"}', 'double'],
    ["${env:MISSING, ''}", ''],
    ['${env:EMPTY, x}', ''],
    ['${env:MISSING, ${env:A}}', 'a'],
    ["${env:MISSING, ${env:ALSO_MISSING, 'deep'}}", 'deep'],
    ['${env:MISSING, ${env:COMMA}}', 'x,y'],
    ["${opt:stage, 'local'}", 'prod'],
    ['${sls:stage}', 'prod'],
    ['${self:service}-${sls:stage}', 'svc-prod'],
    ['${self:custom.n}', '3'],
    ['plain --enable-source-maps', 'plain --enable-source-maps'],
  ])('resolves %s to "%s"', (input, expected) => {
    // Act
    const value = resolveString(input, 'provider.environment.X', sources);

    // Assess
    expect(value).toBe(expected);
  });

  it.each([
    ['${env:MISSING}', 'serverless.yml provider.environment.X: ${env:MISSING} has no value and no fallback'],
    ['${ssm:/path}', 'serverless.yml provider.environment.X: unsupported variable source "ssm" in ${ssm:/path} (supported: env, opt, sls:stage, self)'],
    ['${self:custom}', 'serverless.yml provider.environment.X: ${self:custom} is not a single value'],
  ])('refuses %s, naming the property', (input, message) => {
    // Act
    const act = () => resolveString(input, 'provider.environment.X', sources);

    // Assess
    expect(act).toThrow(VariableError);
    expect(act).toThrow(message);
  });
});

describe('FunctionGraph packaging: schedules', () => {
  it.each([
    ['rate(1 minute)', { scheduleType: 'Rate', schedule: '1m' }],
    ['rate(15 minutes)', { scheduleType: 'Rate', schedule: '15m' }],
    ['rate(60 minutes)', { scheduleType: 'Rate', schedule: '60m' }],
    ['rate(120 minutes)', { scheduleType: 'Rate', schedule: '2h' }],
    ['rate(1 hour)', { scheduleType: 'Rate', schedule: '1h' }],
    ['rate(24 hours)', { scheduleType: 'Rate', schedule: '24h' }],
    ['rate(48 hours)', { scheduleType: 'Rate', schedule: '2d' }],
    ['rate(30 days)', { scheduleType: 'Rate', schedule: '30d' }],
    ['rate(90 minutes)', { scheduleType: 'Cron', schedule: '@every 90m' }],
    ['rate(45 days)', { scheduleType: 'Cron', schedule: '@every 1080h' }],
  ])('converts %s', (input, expected) => {
    // Act
    const converted = convertRate(input);

    // Assess
    expect(converted).toStrictEqual(expected);
  });

  it.each([
    ['cron(0 8 * * ? *)', 'CRON_TZ=UTC 0 0 8 * * ?'],
    ['cron(0/15 * * * ? *)', 'CRON_TZ=UTC 0 0/15 * * * ?'],
    ['cron(30 9 ? * 2-6 *)', 'CRON_TZ=UTC 0 30 9 ? * 1-5'],
    ['cron(0 18 ? * MON-FRI *)', 'CRON_TZ=UTC 0 0 18 ? * MON-FRI'],
    ['cron(0 6 ? * 1,7 *)', 'CRON_TZ=UTC 0 0 6 ? * 0,6'],
    ['cron(15 10 1 JAN,JUL ? *)', 'CRON_TZ=UTC 0 15 10 1 JAN,JUL ?'],
  ])('converts %s to %s, firing at the same instants', (aws, expected) => {
    // Act
    const converted = convertCron(aws);

    // Assess: the text, and the next 25 firings of both expressions (EventBridge runs in UTC)
    expect(converted).toBe(expected);
    const a = parseSchedule(aws);
    const f = parseSchedule(converted);
    if (a.kind !== 'cron' || f.kind !== 'cron') throw new Error('expected cron schedules');
    const from = new Date('2026-11-23T00:00:00Z');
    expect(nextRuns(f.cron, 25, from).map((d) => d.toISOString())).toStrictEqual(nextRuns(a.cron, 25, from).map((d) => d.toISOString()));
  });

  it.each([
    ['cron(0 8 * * ? 2027)', 'FunctionGraph cron has no year field'],
    ['cron(0 8 L * ? *)', 'L, W and # are not supported'],
    ['cron(0 8 ? * 6#3 *)', 'L, W and # are not supported'],
    ['cron(0 8 * *)', 'cron(...) needs 6 fields, got 4'],
  ])('refuses %s', (input, message) => {
    // Act
    const act = () => convertCron(input);

    // Assess
    expect(act).toThrow(message);
  });
});

describe('FunctionGraph packaging: events', () => {
  it('turns http events into APIG triggers and schedules into TIMER triggers; the rest is manual', () => {
    // Prepare
    const events = [
      { http: { path: 'v1/pending-items', method: 'get' } },
      { http: 'POST /v1/deploy-tasks/{task_id}/start/' },
      { schedule: 'rate(15 minutes)' },
      { schedule: { rate: ['cron(0 8 * * ? *)', 'rate(1 hour)'], enabled: false, input: { kind: 'train' } } },
      { eventBridge: { pattern: { source: ['hwc.codearts.pipeline'] } } },
      { eventBridge: { schedule: 'rate(5 minutes)' } },
      { sqs: { arn: 'arn:aws:sqs:eu-west-1:1:q' } },
    ];

    // Act
    const converted = convertEvents('gate', events);

    // Assess
    expect(converted).toStrictEqual({
      triggers: [
        { type: 'APIG', method: 'GET', path: '/v1/pending-items' },
        { type: 'APIG', method: 'POST', path: '/v1/deploy-tasks/{task_id}/start' },
        { type: 'TIMER', name: 'gate-schedule-1', scheduleType: 'Rate', schedule: '15m', source: 'rate(15 minutes)', enabled: true },
        { type: 'TIMER', name: 'gate-schedule-2', scheduleType: 'Cron', schedule: 'CRON_TZ=UTC 0 0 8 * * ?', source: 'cron(0 8 * * ? *)', enabled: false, userEvent: '{"kind":"train"}' },
        { type: 'TIMER', name: 'gate-schedule-3', scheduleType: 'Rate', schedule: '1h', source: 'rate(1 hour)', enabled: false, userEvent: '{"kind":"train"}' },
        { type: 'TIMER', name: 'gate-schedule-4', scheduleType: 'Rate', schedule: '5m', source: 'rate(5 minutes)', enabled: true },
      ],
      manualEvents: [
        { event: 'eventBridge', reason: 'an EventBridge event pattern: on FunctionGraph, subscribe the function to the same events in EventGrid (docs/deploy.md)' },
        { event: 'sqs', reason: 'no FunctionGraph trigger is created for this event type' },
      ],
    });
  });

  it.each([
    [[{ http: { path: 'x', method: 'FETCH' } }], 'function f: http method "FETCH" is not one of GET, POST, PUT, DELETE, PATCH, HEAD, OPTIONS, ANY'],
    [[{ http: { path: 'x', method: 'get' } }, { http: 'GET /x' }], 'function f: APIG GET /x is declared twice'],
    [[{ schedule: 'every day' }], 'function f: "every day" is neither rate(...) nor cron(...)'],
    [[{ schedule: { rate: 'rate(1 hour)', inputTransformer: {} } }], 'function f: schedule inputPath/inputTransformer have no FunctionGraph equivalent (use input)'],
  ])('refuses what FunctionGraph cannot do (%j)', (events, message) => {
    // Act
    const act = () => convertEvents('f', events);

    // Assess
    expect(act).toThrow(EventConversionError);
    expect(act).toThrow(message);
  });
});

describe('FunctionGraph packaging: serverless.yml', () => {
  let root: string;
  beforeEach(() => {
    root = mkdtempSync(join(tmpdir(), 'fg-service-'));
    mkdirSync(join(root, 'functions'));
    writeFileSync(join(root, 'functions', 'a.ts'), 'export const handler = async (_e: unknown, _c: unknown) => 1;\n');
  });
  afterEach(() => rmSync(root, { recursive: true, force: true }));

  const yaml = (functions: string, extra = '') => `service: svc
useDotenv: true
provider:
  name: aws
  stage: \${opt:stage, 'local'}
  memorySize: 256
  timeout: 29
  environment:
    LOG_LEVEL: \${env:LOG_LEVEL, 'info'}
    SERVICE_URL: https://\${self:service}.example/\${sls:stage}
    HUAWEICLOUD_SDK_SK: \${env:HUAWEICLOUD_SDK_SK}
    HRF_CLIENTS: \${env:HRF_CLIENTS, ''}
${extra}functions:
${functions}`;

  it('reads functions with provider defaults, .env.<stage> under the process environment, secrets by name only', () => {
    // Prepare: the secret has no value and no fallback; it is not even resolved.
    writeFileSync(join(root, 'serverless.yml'), yaml('  a:\n    handler: functions/a.handler\n    memorySize: 512\n    environment:\n      WEBHOOK_SECRET: ${env:WEBHOOK_SECRET}\n      LOCAL_ONLY: ${env:LOCAL_ONLY}\n    events:\n      - schedule: rate(15 minutes)\n'));
    writeFileSync(join(root, '.env.local'), 'LOG_LEVEL=debug\nLOCAL_ONLY=from-dotenv\n');

    // Act
    const service = readService({ root, env: { LOG_LEVEL: 'warn' } });

    // Assess
    expect(service).toStrictEqual({
      service: 'svc',
      stage: 'local',
      esbuild: {},
      functions: [
        {
          key: 'a',
          name: 'svc-local-a',
          description: '',
          entry: join(root, 'functions', 'a.ts'),
          exportName: 'handler',
          memoryMB: 512,
          timeoutSeconds: 29,
          environment: {
            HRF_CLIENTS: { secret: true },
            HUAWEICLOUD_SDK_SK: { secret: true },
            LOCAL_ONLY: { secret: false, value: 'from-dotenv' },
            LOG_LEVEL: { secret: false, value: 'warn' },
            SERVICE_URL: { secret: false, value: 'https://svc.example/local' },
            WEBHOOK_SECRET: { secret: true },
          },
          triggers: [{ type: 'TIMER', name: 'a-schedule-1', scheduleType: 'Rate', schedule: '15m', source: 'rate(15 minutes)', enabled: true }],
          manualEvents: [],
        },
      ],
    });
  });

  it('takes the stage from --stage and the function name from serverless.yml', () => {
    // Prepare
    writeFileSync(join(root, 'serverless.yml'), yaml('  a:\n    handler: functions/a.handler\n    name: custom-${sls:stage}-a\n'));

    // Act
    const service = readService({ root, env: {}, stage: 'prod' });

    // Assess
    expect(service.functions.map((f) => [f.name, f.environment.SERVICE_URL])).toStrictEqual([['custom-prod-a', { secret: false, value: 'https://svc.example/prod' }]]);
  });

  it.each([
    ['  a:\n    handler: functions/missing.handler\n', 'functions.a.handler: no module functions/missing{.ts,.mts,.cts,.js,.mjs,.cjs}'],
    ['  a:\n    handler: functions/a.handler\n    memorySize: 300\n', 'functions.a: memory 300 MB is not a FunctionGraph size'],
    ['  a:\n    handler: functions/a.handler\n    timeout: 1\n', "functions.a: timeout 1 s is outside FunctionGraph's 3–259200 s"],
    ['  a:\n    handler: functions/a.handler\n    name: 9-starts-with-a-digit\n', 'functions.a: the FunctionGraph function name "9-starts-with-a-digit" must be'],
    ['  a:\n    handler: functions/a.handler\n    environment:\n      BAD-NAME: x\n', 'functions.a.environment.BAD-NAME: FunctionGraph variable names are a letter followed by letters, digits or "_"'],
  ])('refuses what FunctionGraph cannot run (%#)', (functions, message) => {
    // Prepare
    writeFileSync(join(root, 'serverless.yml'), yaml(functions));

    // Act
    const act = () => readService({ root, env: {} });

    // Assess
    expect(act).toThrow(ServiceError);
    expect(act).toThrow(message);
  });

  it('treats credentials, passwords, tokens, keys, the client list and proxy URLs as secrets, and nothing else', () => {
    // Prepare
    const names = [
      'HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'HUAWEICLOUD_IAM_PASSWORD', 'HRF_CLIENTS',
      'RELEASE_CHECK_WEBHOOK_SECRET', 'API_KEY', 'PRIVATE_CERT', 'HTTPS_PROXY', 'HTTP_PROXY',
      'NO_PROXY', 'HRF_CLIENTS_FILE', 'HUAWEICLOUD_SDK_REGION', 'LOG_LEVEL', 'NODE_OPTIONS', 'HUAWEICLOUD_ENDPOINT_IAM', 'KEYBOARD_LAYOUT',
    ];

    // Act
    const secret = names.filter(isSecretName);

    // Assess
    expect(secret).toStrictEqual(['HUAWEICLOUD_SDK_AK', 'HUAWEICLOUD_SDK_SK', 'HUAWEICLOUD_SDK_SECURITY_TOKEN', 'HUAWEICLOUD_IAM_PASSWORD', 'HRF_CLIENTS', 'RELEASE_CHECK_WEBHOOK_SECRET', 'API_KEY', 'PRIVATE_CERT', 'HTTPS_PROXY', 'HTTP_PROXY']);
  });
});
