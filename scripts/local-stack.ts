/**
 * The local stack: the local Huawei Cloud plus the function set (serverless-offline), wired together.
 * Used by `npm start` and by the end-to-end test.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { optionsFromEnv, SEED, startEmulator, type EmulatorOptions, type RunningEmulator } from '../emulator';
import { ConfigError } from '../shared/errors';
import { sha256Hex } from '../shared/inbound/clients';
import { isLoopbackUrl } from './loopback-url';

export const DEFAULT_LOCAL_API_TOKEN = 'local-dev-token-change-me';

type Env = Readonly<Record<string, string | undefined>>;

export interface LocalStackOptions {
  readonly port: number;
  /** Start the local Huawei Cloud (default). Off: the functions use the HUAWEICLOUD_* variables as set. */
  readonly localCloud: boolean;
  /** The local cloud's options; its port defaults to 0 (a free one). */
  readonly emulatorOptions?: EmulatorOptions;
  readonly apiToken: string;
  /**
   * Fire the timer functions on their schedules. Unset means off here; `npm start` sets it on with the local cloud
   * (startOptionsFromEnv). Off, serverless-offline's scheduler is kept from firing: see {@link noSchedulesPreload}.
   */
  readonly timers?: boolean;
  readonly env?: NodeJS.ProcessEnv;
  readonly onOutput?: (line: string) => void;
}

/** A function with a schedule event, as serverless-offline announced it, and whether it fires. */
export interface LocalTimer {
  readonly functionName: string;
  /** The cron expression serverless-offline derived from the schedule. */
  readonly cron: string;
  readonly scheduled: boolean;
}

export interface LocalStack {
  readonly url: string;
  readonly emulator: RunningEmulator | undefined;
  readonly timers: readonly LocalTimer[];
  /**
   * Where serverless-offline serves Lambda invocations (`POST /2015-03-31/functions/{name}/invocations`):
   * a Unix socket in a directory only this user may enter; on Windows a random loopback port.
   */
  readonly invokeEndpoint: string;
  /** Stops the functions and the local cloud; a second call waits for the first. */
  stop(): Promise<void>;
}

// ---- `npm start`'s settings -------------------------------------------------------------------------

/** What `npm start` runs, read once from the environment and validated. */
export interface StartOptions {
  readonly port: number;
  readonly localCloud: boolean;
  readonly timers: boolean;
  readonly apiToken: string;
  /** The token as the printed curl command shows it: in full only when it is the local cloud's own. */
  readonly shownToken: string;
  /** The local cloud's options (EMULATOR_*); undefined with HRF_LOCAL_CLOUD=off. */
  readonly emulatorOptions: EmulatorOptions | undefined;
  /** One line per variable that is set but not used, so nobody believes it is. */
  readonly notices: readonly string[];
}

/** A set variable, trimmed; empty counts as unset (as everywhere in the project). */
function setValue(env: Env, name: string): string | undefined {
  const raw = env[name];
  return raw === undefined || raw.trim() === '' ? undefined : raw.trim();
}

function onOff(env: Env, name: string, fallback: boolean): boolean {
  const raw = setValue(env, name);
  if (raw === undefined) return fallback;
  if (raw !== 'on' && raw !== 'off') throw new ConfigError(name, `must be "on" or "off", got "${raw}"`);
  return raw === 'on';
}

function portNumber(env: Env, name: string, fallback: number, { min }: { min: 0 | 1 }): number {
  const raw = setValue(env, name);
  if (raw === undefined) return fallback;
  const port = Number(raw);
  if (!/^[0-9]+$/.test(raw) || port < min || port > 65_535) throw new ConfigError(name, `must be a port number (${min}-65535), got "${raw}"`);
  return port;
}

/** The local cloud of `npm start`: the EMULATOR_* variables `npm run emulator` reads, where they make sense here. */
function emulatorOptionsFromEnv(env: Env): EmulatorOptions {
  const host = setValue(env, 'EMULATOR_HOST');
  if (host !== undefined && host !== '127.0.0.1') {
    // Elsewhere the local cloud, whose identity is public, would be open to the network, and the functions
    // refuse a plain-http endpoint that is not loopback anyway.
    throw new ConfigError('EMULATOR_HOST', `npm start serves the local cloud on 127.0.0.1 only, got "${host}"`);
  }
  if (setValue(env, 'EMULATOR_NOW') !== undefined) {
    // A pinned clock would make every call fail: the functions sign with the real time, and the local cloud,
    // like Huawei's gateway, refuses a signature more than 15 minutes away from its own clock.
    throw new ConfigError(
      'EMULATOR_NOW',
      'not supported by npm start: the functions sign their calls with the real time, which the local cloud refuses more than 15 minutes away from its clock (EMULATOR_NOW is for `npm run emulator` and tests)',
    );
  }
  // Throws a ConfigError naming the EMULATOR_… variable that is malformed, as `npm run emulator` does.
  return optionsFromEnv(env);
}

/** Whether RELEASE_CHECK_WEBHOOK_URL names a receiver other than one on loopback. */
function notifiesElsewhere(env: Env): boolean {
  const url = env.RELEASE_CHECK_WEBHOOK_URL?.trim();
  return url !== undefined && url !== '' && !isLoopbackUrl(url);
}

/** `npm start`'s settings from its environment; throws a ConfigError naming the first variable that is wrong. */
export function startOptionsFromEnv(env: Env): StartOptions {
  const port = portNumber(env, 'PORT', 3000, { min: 1 });
  const localCloud = onOff(env, 'HRF_LOCAL_CLOUD', true);
  // On with the local cloud (the timers then act on it, with LOCAL_TIMER_SETTINGS where yours are unset); off
  // against real Huawei Cloud unless asked, where the train would publish and the window start deploys.
  const timers = onOff(env, 'HRF_LOCAL_TIMERS', localCloud);
  const clientVariables = ['HRF_CLIENTS', 'HRF_CLIENTS_FILE'].filter((name) => setValue(env, name) !== undefined);
  const ownToken = env.LOCAL_API_TOKEN !== undefined && env.LOCAL_API_TOKEN.trim() !== '' ? env.LOCAL_API_TOKEN : undefined;
  const notices: string[] = [];
  if (localCloud) {
    if (notifiesElsewhere(env)) notices.push('RELEASE_CHECK_WEBHOOK_URL is set but not used: with the local cloud the release check notifies a receiver on loopback only');
    if (clientVariables.length > 0) {
      notices.push(
        `${clientVariables.join(' and ')} ${clientVariables.length > 1 ? 'are' : 'is'} set but not used: with the local cloud the functions accept the local bearer token (LOCAL_API_TOKEN) alone; HRF_LOCAL_CLOUD=off uses your clients`,
      );
    }
  } else {
    if (clientVariables.length === 0 && ownToken === undefined) {
      // The default token is public: it must not open real Huawei Cloud to anyone who reads the README.
      throw new ConfigError('LOCAL_API_TOKEN', 'against real Huawei Cloud (HRF_LOCAL_CLOUD=off), set a token of your own, or HRF_CLIENTS / HRF_CLIENTS_FILE');
    }
    if (clientVariables.length > 0 && ownToken !== undefined) {
      notices.push(`LOCAL_API_TOKEN is set but not used: against real Huawei Cloud your ${clientVariables.join(' and ')} decide${clientVariables.length > 1 ? '' : 's'} who may call`);
    }
    const emulatorVariables = Object.keys(env).filter((name) => name.startsWith('EMULATOR_') && setValue(env, name) !== undefined).sort();
    if (emulatorVariables.length > 0) {
      notices.push(`${emulatorVariables.join(', ')} ${emulatorVariables.length > 1 ? 'are' : 'is'} set but not used: HRF_LOCAL_CLOUD=off starts no local cloud`);
    }
  }
  const apiToken = ownToken ?? DEFAULT_LOCAL_API_TOKEN;
  return {
    port,
    localCloud,
    timers,
    apiToken,
    shownToken: localCloud ? apiToken : clientVariables.length > 0 ? '<your token>' : '$LOCAL_API_TOKEN',
    emulatorOptions: localCloud ? emulatorOptionsFromEnv(env) : undefined,
    notices,
  };
}

/** What `npm start` says about the timers once the stack runs. */
export function timerNotices(timers: readonly LocalTimer[], localCloud: boolean): string[] {
  if (timers.length === 0) return [];
  const names = timers.map((timer) => timer.functionName).join(', ');
  if (!timers.some((timer) => timer.scheduled)) {
    return [
      `Timers not scheduled: ${names}. HRF_LOCAL_TIMERS=on schedules them; to run one once, use npx osls invoke local (docs/timers-and-events.md, "Running them locally").`,
    ];
  }
  const lines = [`Timers scheduled: ${timers.map((timer) => `${timer.functionName} [${timer.cron}]`).join(', ')} (HRF_LOCAL_TIMERS=off turns them off).`];
  if (!localCloud) lines.push('They act on real Huawei Cloud: releaseTrain publishes release packages and deployWindow starts deploy tasks when their settings let them.');
  return lines;
}

/**
 * What the timers must be told to run at all, for the local cloud when you have not set them: the seeded
 * applicant and approver for the release train; the idle deploy task and a window open for the first quarter of
 * every hour for the deploy window (it then starts that task once an hour). Yours win.
 */
export const LOCAL_TIMER_SETTINGS: Readonly<Record<string, string>> = Object.freeze({
  RELEASE_TRAIN_APPLICANT_ID: SEED.users.applicant,
  RELEASE_TRAIN_APPROVER_IDS: SEED.users.approver,
  DEPLOY_WINDOW_TASK_IDS: SEED.deployTasks.idle,
  DEPLOY_WINDOW_ALLOW: '0-14 * * * *',
});

// ---- the stack --------------------------------------------------------------------------------------

export async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      server.close(() => resolve(port));
    });
  });
}

/**
 * Environment that points the functions at the local cloud, with a bearer client holding every scope.
 * Against real Huawei Cloud (no emulator) the user's own HRF_CLIENTS / HRF_CLIENTS_FILE win.
 */
/**
 * The environment serverless-offline runs in: the shell's, the functions' local settings, no telemetry, and
 * TZ=UTC, since it schedules the timers with node-schedule in the process's zone, and the schedules (like
 * EventBridge's and FunctionGraph's) are UTC: `cron(0 8 * * ? *)` fires at 08:00 UTC whatever the machine's zone.
 */
export function offlineEnv(env: NodeJS.ProcessEnv, functionEnv: Record<string, string>): NodeJS.ProcessEnv {
  return { ...env, ...functionEnv, SLS_TELEMETRY_DISABLED: '1', SLS_NOTIFICATIONS_MODE: 'off', TZ: 'UTC' };
}

export function localFunctionEnv(emulator: RunningEmulator | undefined, apiToken: string, env: NodeJS.ProcessEnv = process.env): Record<string, string> {
  const clients = JSON.stringify({
    clients: [{ id: 'local-developer', type: 'bearer', token_sha256: sha256Hex(apiToken), scopes: ['read', 'publish', 'deploy', 'review'] }],
  });
  if (!emulator) return env.HRF_CLIENTS || env.HRF_CLIENTS_FILE ? {} : { HRF_CLIENTS: clients };
  const { identity, url } = emulator;
  // The local cloud is on loopback: a proxy in the developer's shell (HTTPS_PROXY, HTTP_PROXY, which
  // serverless.yml passes on) must not be asked for it. Both spellings, since proxy-from-env reads either.
  const noProxy = [env.no_proxy || env.NO_PROXY, '127.0.0.1', 'localhost'].filter((part) => part !== undefined && part !== '').join(',');
  const timerSettings = Object.entries(LOCAL_TIMER_SETTINGS).filter(([name]) => env[name] === undefined || env[name]?.trim() === '');
  return {
    ...Object.fromEntries(timerSettings),
    // The release check reports on the local cloud's seeded packages: never to a receiver off this machine.
    ...(notifiesElsewhere(env) ? { RELEASE_CHECK_WEBHOOK_URL: '', RELEASE_CHECK_WEBHOOK_SECRET: '' } : {}),
    HRF_CLIENTS: clients,
    NO_PROXY: noProxy,
    no_proxy: noProxy,
    HUAWEICLOUD_SDK_REGION: identity.region,
    HUAWEICLOUD_SDK_PROJECT_ID: identity.projectId,
    HUAWEICLOUD_SDK_AK: identity.accessKey,
    HUAWEICLOUD_SDK_SK: identity.secretKey,
    HUAWEICLOUD_DATAARTS_WORKSPACE: identity.workspace,
    HUAWEICLOUD_CODEARTS_PROJECT_ID: identity.codeartsProjectId,
    HUAWEICLOUD_ENDPOINT_DATAARTS: url,
    HUAWEICLOUD_ENDPOINT_CODEARTS_DEPLOY: url,
    HUAWEICLOUD_ENDPOINT_CODEARTS_PIPELINE: url,
    HUAWEICLOUD_ENDPOINT_IAM: url,
  };
}

/**
 * serverless-offline 14.8.2 fires schedule events with node-schedule's `scheduleJob`
 * (src/events/schedule/Schedule.js) and has no option to turn that off: only `enabled: false` on each
 * schedule event in serverless.yml, which every deploy would take too. Imported into its process before
 * anything else, this module makes `scheduleJob` schedule nothing. The handlers' worker threads inherit
 * the flag; having no schedules, they are left alone.
 */
export function noSchedulesPreload(root: string): string {
  const source = [
    "import { createRequire } from 'node:module';",
    "import { isMainThread } from 'node:worker_threads';",
    // Resolved from serverless-offline, so it is the copy serverless-offline imports (CommonJS, one instance).
    `if (isMainThread) createRequire(${JSON.stringify(join(root, 'node_modules/serverless-offline/package.json'))})('node-schedule').scheduleJob = () => null;`,
  ].join('\n');
  return `data:text/javascript,${encodeURIComponent(source)}`;
}

/** serverless-offline's announcement of a schedule event: `Scheduling [releaseCheck] cron: [*\/15 * * * *]`. */
const SCHEDULING_LINE = /^Scheduling \[([^\]]+)\] cron: \[([^\]]*)\]/;

function waitForReady(
  child: ChildProcess,
  onOutput: (line: string) => void,
  timeoutMs: number,
  onTimer: (functionName: string, cron: string) => boolean,
): Promise<void> {
  return new Promise((resolve, reject) => {
    let settled = false;
    const timer = setTimeout(() => finish(new Error(`the functions did not start within ${timeoutMs} ms`)), timeoutMs);
    const finish = (error?: Error) => {
      if (settled) return;
      settled = true;
      clearTimeout(timer);
      if (error) reject(error);
      else resolve();
    };
    const onData = (chunk: Buffer) => {
      for (const line of chunk.toString('utf8').split('\n')) {
        if (line.trim() === '') continue;
        const scheduling = SCHEDULING_LINE.exec(line);
        // When schedules are off, the announcement is false: it is not passed on.
        if (scheduling && !onTimer(scheduling[1] as string, scheduling[2] as string)) continue;
        onOutput(line);
        if (/Server ready/i.test(line)) finish();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', (code) => finish(new Error(`serverless-offline exited with code ${code}`)));
  });
}

/**
 * serverless-offline always serves Lambda invocations, on `lambdaPort`, to any caller and with any event:
 * past the HTTP routes' authentication, into the timer and event functions. Its server (hapi) takes a
 * path for a port and then listens on a Unix socket: one in a directory only this user may enter keeps
 * other users of the machine out. Windows has no such directory, so there it stays a loopback port.
 */
async function privateInvokeEndpoint(): Promise<{ endpoint: string; lambdaPort: string; directory: string | undefined }> {
  if (process.platform === 'win32') {
    const port = await freePort();
    return { endpoint: `http://localhost:${port}`, lambdaPort: String(port), directory: undefined };
  }
  const directory = await mkdtemp(join(tmpdir(), 'hrf-invoke-')); // mode 0700
  const socket = join(directory, 'invoke.sock');
  return { endpoint: socket, lambdaPort: socket, directory };
}

export async function startLocalStack(options: LocalStackOptions): Promise<LocalStack> {
  const onOutput = options.onOutput ?? ((line: string) => process.stdout.write(`${line}\n`));
  const scheduleTimers = options.timers ?? false;
  const emulator = options.localCloud ? await startEmulator({ port: 0, ...options.emulatorOptions }) : undefined;
  const invoke = await privateInvokeEndpoint();
  const root = join(__dirname, '..');
  const env = { ...process.env, ...options.env };
  const child = spawn(
    process.execPath,
    [
      ...(scheduleTimers ? [] : ['--import', noSchedulesPreload(root)]),
      join(root, 'node_modules/osls/bin/serverless.js'),
      'offline',
      'start',
      // The `local` stage reads .env.local (the local cloud's endpoints and identity); against real Huawei
      // Cloud the `live` stage reads nothing, so only the HUAWEICLOUD_* variables the user set count.
      '--stage',
      options.localCloud ? 'local' : 'live',
      '--httpPort',
      String(options.port),
      '--lambdaPort',
      invoke.lambdaPort,
    ],
    {
      cwd: root,
      env: offlineEnv(env, localFunctionEnv(emulator, options.apiToken, env)),
      stdio: ['ignore', 'pipe', 'pipe'],
      detached: process.platform !== 'win32',
    },
  );
  const timers: LocalTimer[] = [];
  const onTimer = (functionName: string, cron: string) => {
    timers.push({ functionName, cron, scheduled: scheduleTimers });
    return scheduleTimers;
  };
  let stopping: Promise<void> | undefined;
  const stopOnce = async () => {
    if (child.exitCode === null && child.signalCode === null && child.pid) {
      const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
      try {
        process.kill(-child.pid, 'SIGTERM');
      } catch {
        child.kill('SIGTERM');
      }
      const timer = setTimeout(() => {
        try {
          if (child.pid) process.kill(-child.pid, 'SIGKILL');
        } catch {
          /* already gone */
        }
      }, 5_000);
      await exited;
      clearTimeout(timer);
    }
    await emulator?.close();
    if (invoke.directory) await rm(invoke.directory, { recursive: true, force: true });
  };
  const stop = () => (stopping ??= stopOnce());
  try {
    await waitForReady(child, onOutput, 120_000, onTimer);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url: `http://127.0.0.1:${options.port}`, emulator, timers, invokeEndpoint: invoke.endpoint, stop };
}
