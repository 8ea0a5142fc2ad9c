/**
 * `npm start`'s settings (scripts/local-stack.ts startOptionsFromEnv, timerNotices): read once from the
 * environment, validated, failing with the variable's name; and scripts/start.ts failing on them before
 * starting anything. Pure, apart from the last block, which runs `npm start`'s script in a child process.
 */
import { execFile } from 'node:child_process';
import { join } from 'node:path';
import { DEFAULT_IDENTITY, SEED, startEmulator, type RunningEmulator } from '../../../emulator';
import { DEFAULT_LOCAL_API_TOKEN, LOCAL_TIMER_SETTINGS, localFunctionEnv, offlineEnv, startOptionsFromEnv, timerNotices, type LocalTimer } from '../../../scripts/local-stack';

const ROOT = join(__dirname, '..', '..', '..');

/** The error a call throws, as name and message (undefined when it throws nothing). */
function thrown(call: () => unknown): { name: string; message: string } | undefined {
  try {
    call();
  } catch (error) {
    return error instanceof Error ? { name: error.name, message: error.message } : { name: typeof error, message: String(error) };
  }
  return undefined;
}

describe('npm start settings: startOptionsFromEnv', () => {
  it('starts the local cloud on port 4010 and the functions on port 3000, timers on, with the default token when nothing is set', () => {
    // Act
    const options = startOptionsFromEnv({});

    // Assess
    expect(options).toStrictEqual({
      port: 3000,
      localCloud: true,
      timers: true,
      apiToken: DEFAULT_LOCAL_API_TOKEN,
      shownToken: DEFAULT_LOCAL_API_TOKEN,
      emulatorOptions: { port: 4010, host: '127.0.0.1', identity: { ...DEFAULT_IDENTITY }, faults: {} },
      notices: [],
    });
  });

  it('counts empty values as unset', () => {
    // Act
    const options = startOptionsFromEnv({ PORT: '', HRF_LOCAL_CLOUD: ' ', HRF_LOCAL_TIMERS: '', LOCAL_API_TOKEN: '', EMULATOR_PORT: '', EMULATOR_SEED_SIZE: '' });

    // Assess
    expect(options).toStrictEqual(startOptionsFromEnv({}));
  });

  it('honours PORT, HRF_LOCAL_TIMERS, LOCAL_API_TOKEN and the EMULATOR_* variables of `npm run emulator`', () => {
    // Prepare
    const env = {
      PORT: '3100',
      HRF_LOCAL_TIMERS: 'on',
      LOCAL_API_TOKEN: 'my-own-local-token-0001',
      EMULATOR_PORT: '0',
      EMULATOR_HOST: '127.0.0.1',
      EMULATOR_SEED_SIZE: '200',
      EMULATOR_DATA_SEED: '7',
      EMULATOR_DEPLOY_DURATION_MS: '5000',
      EMULATOR_AK: 'MYLOCALAK0000000001',
      EMULATOR_REGION: 'cn-east-3',
      EMULATOR_LATENCY_MS: '500',
      EMULATOR_5XX_RATIO: '0.1',
      EMULATOR_THROTTLE_RATIO: '0.2',
      EMULATOR_FAULT_SEED: '42',
      EMULATOR_FAULT_TIMING: 'after',
      EMULATOR_FAULT_PATH_PATTERN: '^/v2/tasks/',
      EMULATOR_RETRY_AFTER_SECONDS: '3',
    };

    // Act
    const options = startOptionsFromEnv(env);

    // Assess
    expect(options).toStrictEqual({
      port: 3100,
      localCloud: true,
      timers: true,
      apiToken: 'my-own-local-token-0001',
      shownToken: 'my-own-local-token-0001',
      emulatorOptions: {
        port: 0,
        host: '127.0.0.1',
        identity: { ...DEFAULT_IDENTITY, accessKey: 'MYLOCALAK0000000001', region: 'cn-east-3' },
        faults: { latencyMs: 500, throttleRatio: 0.2, serverErrorRatio: 0.1, seed: 42, retryAfterSeconds: 3, pathPattern: '^/v2/tasks/', faultTiming: 'after' },
        seedSize: 200,
        dataSeed: 7,
        deployDurationMs: 5000,
      },
      notices: [],
    });
  });

  it.each([
    [{ PORT: 'abc' }, 'ConfigError', 'PORT: must be a port number (1-65535), got "abc"'],
    [{ PORT: '0' }, 'ConfigError', 'PORT: must be a port number (1-65535), got "0"'],
    [{ PORT: '70000' }, 'ConfigError', 'PORT: must be a port number (1-65535), got "70000"'],
    [{ PORT: '3000.5' }, 'ConfigError', 'PORT: must be a port number (1-65535), got "3000.5"'],
    [{ HRF_LOCAL_CLOUD: 'false' }, 'ConfigError', 'HRF_LOCAL_CLOUD: must be "on" or "off", got "false"'],
    [{ HRF_LOCAL_TIMERS: 'yes' }, 'ConfigError', 'HRF_LOCAL_TIMERS: must be "on" or "off", got "yes"'],
    [{ EMULATOR_PORT: '-1' }, 'ConfigError', 'EMULATOR_PORT: must be a port number (0-65535), got "-1"'],
    [{ EMULATOR_HOST: '0.0.0.0' }, 'ConfigError', 'EMULATOR_HOST: npm start serves the local cloud on 127.0.0.1 only, got "0.0.0.0"'],
    [
      { EMULATOR_NOW: '2026-11-23T07:00:00Z' },
      'ConfigError',
      'EMULATOR_NOW: not supported by npm start: the functions sign their calls with the real time, which the local cloud refuses more than 15 minutes away from its clock (EMULATOR_NOW is for `npm run emulator` and tests)',
    ],
    [{ EMULATOR_SEED_SIZE: '-3' }, 'ConfigError', 'EMULATOR_SEED_SIZE: must be a whole number, got "-3"'],
    [{ EMULATOR_SEED_SIZE: '2.5' }, 'ConfigError', 'EMULATOR_SEED_SIZE: must be a whole number, got "2.5"'],
    [{ EMULATOR_DEPLOY_DURATION_MS: 'soon' }, 'ConfigError', 'EMULATOR_DEPLOY_DURATION_MS: must be a whole number, got "soon"'],
    [{ EMULATOR_DATA_SEED: 'x' }, 'ConfigError', 'EMULATOR_DATA_SEED: must be a number, got "x"'],
    [{ EMULATOR_LATENCY_MS: 'fast' }, 'ConfigError', 'EMULATOR_LATENCY_MS: must be a number, got "fast"'],
    [{ EMULATOR_LATENCY_MS: '-5' }, 'ConfigError', 'EMULATOR_LATENCY_MS: must be ≥ 0, got "-5"'],
    [{ EMULATOR_5XX_RATIO: '2' }, 'ConfigError', 'EMULATOR_5XX_RATIO: must be a number in [0, 1], got "2"'],
    [{ EMULATOR_DROP_RATIO: '-0.1' }, 'ConfigError', 'EMULATOR_DROP_RATIO: must be a number in [0, 1], got "-0.1"'],
    [{ EMULATOR_FAULT_SEED: '1.5' }, 'ConfigError', 'EMULATOR_FAULT_SEED: must be an integer, got "1.5"'],
    [{ EMULATOR_RETRY_AFTER_SECONDS: '-1' }, 'ConfigError', 'EMULATOR_RETRY_AFTER_SECONDS: must be a non-negative integer, got "-1"'],
    [{ EMULATOR_FAULT_PATH_PATTERN: '(' }, 'ConfigError', 'EMULATOR_FAULT_PATH_PATTERN: must be a regular expression, got "("'],
    [{ EMULATOR_FAULT_TIMING: 'during' }, 'ConfigError', 'EMULATOR_FAULT_TIMING: must be "before" or "after", got "during"'],
    [
      { EMULATOR_THROTTLE_RATIO: '0.6', EMULATOR_STALL_RATIO: '0.6' },
      'ConfigError',
      'EMULATOR_THROTTLE_RATIO + EMULATOR_5XX_RATIO + EMULATOR_DROP_RATIO + EMULATOR_STALL_RATIO: must add up to at most 1',
    ],
    [
      { HRF_LOCAL_CLOUD: 'off' },
      'ConfigError',
      'LOCAL_API_TOKEN: against real Huawei Cloud (HRF_LOCAL_CLOUD=off), set a token of your own, or HRF_CLIENTS / HRF_CLIENTS_FILE',
    ],
  ])('refuses %j, naming the variable', (env, name, message) => {
    // Act & Assess
    expect(thrown(() => startOptionsFromEnv(env))).toStrictEqual({ name, message });
  });

  it('says that HRF_CLIENTS and HRF_CLIENTS_FILE are not used while the local cloud is on', () => {
    // Act
    const options = startOptionsFromEnv({ HRF_CLIENTS: '{"clients":[]}', HRF_CLIENTS_FILE: '/etc/hrf/clients.json' });

    // Assess
    expect([options.apiToken, options.notices]).toStrictEqual([
      DEFAULT_LOCAL_API_TOKEN,
      [
        'HRF_CLIENTS and HRF_CLIENTS_FILE are set but not used: with the local cloud the functions accept the local bearer token (LOCAL_API_TOKEN) alone; HRF_LOCAL_CLOUD=off uses your clients',
      ],
    ]);
  });

  it('against real Huawei Cloud with a token of your own: starts no local cloud and says which settings it leaves unused', () => {
    // Act
    const options = startOptionsFromEnv({ HRF_LOCAL_CLOUD: 'off', LOCAL_API_TOKEN: 'a-token-of-my-own-0001', EMULATOR_SEED_SIZE: '200', EMULATOR_NOW: '2026-11-23T07:00:00Z' });

    // Assess
    expect(options).toStrictEqual({
      port: 3000,
      localCloud: false,
      timers: false,
      apiToken: 'a-token-of-my-own-0001',
      shownToken: '$LOCAL_API_TOKEN',
      emulatorOptions: undefined,
      notices: ['EMULATOR_NOW, EMULATOR_SEED_SIZE are set but not used: HRF_LOCAL_CLOUD=off starts no local cloud'],
    });
  });

  it('against real Huawei Cloud with your own clients: the default token is not used, and LOCAL_API_TOKEN is said to be unused', () => {
    // Act
    const options = startOptionsFromEnv({ HRF_LOCAL_CLOUD: 'off', HRF_CLIENTS_FILE: '/etc/hrf/clients.json', LOCAL_API_TOKEN: 'a-token-of-my-own-0001' });

    // Assess
    expect([options.localCloud, options.shownToken, options.notices]).toStrictEqual([
      false,
      '<your token>',
      ['LOCAL_API_TOKEN is set but not used: against real Huawei Cloud your HRF_CLIENTS_FILE decides who may call'],
    ]);
  });
});

describe('npm start settings: timerNotices', () => {
  const timers = (scheduled: boolean): LocalTimer[] => [
    { functionName: 'releaseCheck', cron: '*/15 * * * *', scheduled },
    { functionName: 'deployWindow', cron: '*/15 * * * *', scheduled },
  ];

  it('names the timers that are not scheduled and how to run them', () => {
    expect(timerNotices(timers(false), true)).toStrictEqual([
      'Timers not scheduled: releaseCheck, deployWindow. HRF_LOCAL_TIMERS=on schedules them; to run one once, use npx osls invoke local (docs/timers-and-events.md, "Running them locally").',
    ]);
  });

  it('lists the scheduled timers with their crons, and how to turn them off', () => {
    expect(timerNotices(timers(true), true)).toStrictEqual(['Timers scheduled: releaseCheck [*/15 * * * *], deployWindow [*/15 * * * *] (HRF_LOCAL_TIMERS=off turns them off).']);
  });

  it('warns that scheduled timers act on real Huawei Cloud', () => {
    expect(timerNotices(timers(true), false)).toStrictEqual([
      'Timers scheduled: releaseCheck [*/15 * * * *], deployWindow [*/15 * * * *] (HRF_LOCAL_TIMERS=off turns them off).',
      'They act on real Huawei Cloud: releaseTrain publishes release packages and deployWindow starts deploy tasks when their settings let them.',
    ]);
  });

  it('says nothing when there is no timer', () => {
    expect(timerNotices([], true)).toStrictEqual([]);
  });
});

describe('npm start (scripts/start.ts)', () => {
  it.each([
    [{ PORT: 'abc' }, 'npm start failed: PORT: must be a port number (1-65535), got "abc"\n'],
    [{ EMULATOR_SEED_SIZE: '-1' }, 'npm start failed: EMULATOR_SEED_SIZE: must be a whole number, got "-1"\n'],
  ])('fails with %j before starting anything, naming the variable', async (variables, stderr) => {
    // Act: only PATH besides, so the developer's own settings do not change the outcome.
    const result = await new Promise<{ code: number | null; stdout: string; stderr: string }>((resolve) => {
      const child = execFile(process.execPath, ['--import', 'tsx', join(ROOT, 'scripts/start.ts')], { cwd: ROOT, env: { PATH: process.env.PATH, ...variables }, timeout: 30_000 }, (_error, stdout, stderrText) =>
        resolve({ code: child.exitCode, stdout, stderr: stderrText }),
      );
    });

    // Assess
    expect(result).toStrictEqual({ code: 1, stdout: '', stderr });
  });
});

describe('npm start: the functions\' environment with the local cloud', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ port: 0, seedSize: 0 });
  });
  afterAll(async () => {
    await emulator.close();
  });

  it('keeps a proxy of the shell away from the local cloud: loopback is added to NO_PROXY, in both spellings', () => {
    const proxied = localFunctionEnv(emulator, 'token-0001', { HTTPS_PROXY: 'http://proxy.corp:3128', no_proxy: '.corp.example' });
    const bare = localFunctionEnv(emulator, 'token-0001', {});
    expect([proxied.NO_PROXY, proxied.no_proxy, bare.NO_PROXY, bare.no_proxy]).toStrictEqual([
      '.corp.example,127.0.0.1,localhost',
      '.corp.example,127.0.0.1,localhost',
      '127.0.0.1,localhost',
      '127.0.0.1,localhost',
    ]);
  });

  it('keeps the release check from notifying a receiver off this machine about the local cloud, and says so', () => {
    const elsewhere = { RELEASE_CHECK_WEBHOOK_URL: 'https://hooks.example.com/release', RELEASE_CHECK_WEBHOOK_SECRET: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=' };
    const loopback = { RELEASE_CHECK_WEBHOOK_URL: 'http://127.0.0.1:9999/hook', RELEASE_CHECK_WEBHOOK_SECRET: 'whsec_c2VjcmV0LXNlY3JldC1zZWNyZXQ=' };
    const pick = (env: Record<string, string>) => [env.RELEASE_CHECK_WEBHOOK_URL, env.RELEASE_CHECK_WEBHOOK_SECRET];
    expect([
      pick(localFunctionEnv(emulator, 'token-0001', elsewhere)),
      pick(localFunctionEnv(emulator, 'token-0001', loopback)),
      startOptionsFromEnv(elsewhere).notices,
      startOptionsFromEnv(loopback).notices,
    ]).toStrictEqual([['', ''], [undefined, undefined], ['RELEASE_CHECK_WEBHOOK_URL is set but not used: with the local cloud the release check notifies a receiver on loopback only'], []]);
  });

  it('gives the timers the local settings they need to run, unless yours are set', () => {
    const yours = localFunctionEnv(emulator, 'token-0001', { RELEASE_TRAIN_APPLICANT_ID: SEED.users.secondApprover, DEPLOY_WINDOW_ALLOW: ' ' });
    const pick = (env: Record<string, string>) => Object.keys(LOCAL_TIMER_SETTINGS).map((name) => env[name]);
    expect([pick(localFunctionEnv(emulator, 'token-0001', {})), pick(yours)]).toStrictEqual([
      [SEED.users.applicant, SEED.users.approver, SEED.deployTasks.idle, '0-14 * * * *'],
      [undefined, SEED.users.approver, SEED.deployTasks.idle, '0-14 * * * *'],
    ]);
  });
});

describe('npm start: the environment of serverless-offline', () => {
  it('runs it in UTC whatever the shell\'s zone, so the timers fire at their UTC times, and keeps the shell and function settings', () => {
    const env = offlineEnv({ TZ: 'Asia/Shanghai', PATH: '/usr/bin', HRF_LOCAL_TIMERS: 'on' }, { HUAWEICLOUD_SDK_REGION: 'cn-north-4' });
    expect(env).toStrictEqual({ PATH: '/usr/bin', HRF_LOCAL_TIMERS: 'on', HUAWEICLOUD_SDK_REGION: 'cn-north-4', SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', TZ: 'UTC' });
  });
});
