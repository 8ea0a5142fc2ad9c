/**
 * deployWindow against the local cloud: tasks start only inside allow windows and outside deny windows,
 * at most once per task per window however often the timer fires (reconciled against the deployment
 * history), across the Asia/Shanghai date change and a Europe/Berlin DST change, through faults and a
 * lost answer.
 */
import { SEED } from '../../../emulator';
import { createDeployWindow } from '../../../functions/timers/deploy-window';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';
import { awsScheduledEvent, deliverUntilDone, functionGraphTimerEvent, requestsOf, runtimeSource, useLocalCloud } from './support';

const { idle, failing, deploying } = SEED.deployTasks;
// Monday 2026-11-23 10:00:30 in Shanghai.
const NOW = new Date('2026-11-23T02:00:30Z');
const local = useLocalCloud({ now: NOW, seedSize: 5 });
const logs = local.logs;

const SHANGHAI = {
  DEPLOY_WINDOW_TASK_IDS: `${idle},${failing}`,
  DEPLOY_WINDOW_ALLOW: '0-59 9-17 * * 1-5',
  DEPLOY_WINDOW_DENY: '* 12 * * *',
  DEPLOY_WINDOW_TIMEZONE: 'Asia/Shanghai',
};
const windowFn = (env: Record<string, string> = {}) => createDeployWindow({ runtime: runtimeSource(local.emulator, { ...SHANGHAI, ...env }) });
const fire = (handler: ReturnType<typeof windowFn>, time = '2026-11-23T02:00:00Z') => handler(awsScheduledEvent(time), lambdaContext());
const starts = (applied = false) => requestsOf(local.emulator, 'StartDeployTask', { applied });
/** The deployment of a task that started at exactly this instant. */
const recordAt = (taskId: string, iso: string) => [...local.emulator.state.deployments.values()].find((d) => d.taskId === taskId && d.startedAtMs === Date.parse(iso))?.id;
const recordOf = (taskId: string) => [...local.emulator.state.deployments.values()].filter((d) => d.taskId === taskId && d.startedAtMs >= NOW.getTime() - 60_000 * 60).map((d) => d.id);

describe('deployWindow: at most once per task per window', () => {
  it('starts every task inside the window, with one audit line each', async () => {
    // Act
    const result = await fire(windowFn());
    // Assess
    const [idleRecord] = recordOf(idle);
    const [failingRecord] = recordOf(failing);
    expect(result).toStrictEqual({
      status: 'done',
      checked_at: '2026-11-23T02:00:30.000Z',
      window_start: '2026-11-23T01:00:00.000Z',
      tasks: [
        { task_id: idle, outcome: 'started', record_id: idleRecord },
        { task_id: failing, outcome: 'started', record_id: failingRecord },
      ],
    });
    expect(logs((e) => e.audit === true).map((e) => [e.actor, e.action, e.target, e.outcome, typeof e.upstream_request_id])).toStrictEqual([
      ['deployWindow', 'start-deploy-task', { task_id: idle, record_id: idleRecord }, 'succeeded', 'string'],
      ['deployWindow', 'start-deploy-task', { task_id: failing, record_id: failingRecord }, 'succeeded', 'string'],
    ]);
  });

  it('starts nothing more when the firing is delivered again, in this container or another, before or after the deployments end', async () => {
    // Prepare
    const container = windowFn();
    await fire(container);
    // Act
    const again = await fire(container);
    const otherContainer = await windowFn()(functionGraphTimerEvent('2026-11-23T02:00:00Z'), functionGraphContext());
    local.emulator.clock.set(new Date('2026-11-23T03:59:00Z')); // 11:59 Shanghai: the deployments ended long ago, still the morning window
    const later = await fire(windowFn(), '2026-11-23T03:59:00Z');
    // Assess
    const [idleRecord] = recordOf(idle);
    const [failingRecord] = recordOf(failing);
    const done = (checkedAt: string, tasks: unknown[]) => ({ status: 'done', checked_at: checkedAt, window_start: '2026-11-23T01:00:00.000Z', tasks });
    expect(again).toStrictEqual(
      done('2026-11-23T02:00:30.000Z', [
        { task_id: idle, outcome: 'already-started', record_id: idleRecord, reason: `deployment ${idleRecord} was started in this window by this function instance` },
        { task_id: failing, outcome: 'already-started', record_id: failingRecord, reason: `deployment ${failingRecord} was started in this window by this function instance` },
      ]),
    );
    expect(otherContainer).toStrictEqual(
      done('2026-11-23T02:00:30.000Z', [
        { task_id: idle, outcome: 'already-started', record_id: idleRecord, reason: `deployment ${idleRecord} started at 2026-11-23 02:00:30 in this window (running)` },
        { task_id: failing, outcome: 'already-started', record_id: failingRecord, reason: `deployment ${failingRecord} started at 2026-11-23 02:00:30 in this window (running)` },
      ]),
    );
    expect(later).toStrictEqual(
      done('2026-11-23T03:59:00.000Z', [
        { task_id: idle, outcome: 'already-started', record_id: idleRecord, reason: `deployment ${idleRecord} started at 2026-11-23 02:00:30 in this window (succeeded)` },
        { task_id: failing, outcome: 'already-started', record_id: failingRecord, reason: `deployment ${failingRecord} started at 2026-11-23 02:00:30 in this window (failed)` },
      ]),
    );
    expect(starts()).toHaveLength(2);
  });

  it('skips the deny window and starts again in the next window', async () => {
    const handler = windowFn();
    await fire(handler);
    local.emulator.clock.set(new Date('2026-11-23T04:30:00Z')); // 12:30 Shanghai
    const denied = await fire(handler, '2026-11-23T04:30:00Z');
    local.emulator.clock.set(new Date('2026-11-23T05:10:00Z')); // 13:10 Shanghai
    const afternoon = await fire(handler, '2026-11-23T05:10:00Z');
    expect(denied).toStrictEqual({ status: 'skipped', reason: '2026-11-23T04:30:00.000Z is inside the deny window "* 12 * * *" (Asia/Shanghai)', checked_at: '2026-11-23T04:30:00.000Z', tasks: [] });
    const afternoonRecord = (taskId: string) => recordAt(taskId, '2026-11-23T05:10:00Z');
    expect(afternoon).toStrictEqual({
      status: 'done',
      checked_at: '2026-11-23T05:10:00.000Z',
      window_start: '2026-11-23T05:00:00.000Z',
      tasks: [
        { task_id: idle, outcome: 'started', record_id: afternoonRecord(idle) },
        { task_id: failing, outcome: 'started', record_id: afternoonRecord(failing) },
      ],
    });
    expect(starts()).toHaveLength(4);
  });

  it('leaves a task whose deployment started before the window still runs', async () => {
    // The seeded deployment of this task started at 01:59:30 UTC and never ends; this window opens at 10:00 Shanghai (02:00 UTC).
    const result = await fire(windowFn({ DEPLOY_WINDOW_TASK_IDS: deploying, DEPLOY_WINDOW_ALLOW: '* 10-17 * * 1-5' }));
    const running = [...local.emulator.state.deployments.values()].find((d) => d.taskId === deploying)?.id;
    expect(result).toStrictEqual({
      status: 'done',
      checked_at: '2026-11-23T02:00:30.000Z',
      window_start: '2026-11-23T02:00:00.000Z',
      tasks: [{ task_id: deploying, outcome: 'already-running', record_id: running, reason: `deployment ${running} started before this window is still running` }],
    });
    expect(starts()).toHaveLength(0);
  });

  it('reports a task CodeArts does not know, without failing the firing', async () => {
    const unknown = 'dep1oytask0000000000000000009999';
    const result = await fire(windowFn({ DEPLOY_WINDOW_TASK_IDS: unknown }));
    expect(result).toStrictEqual({
      status: 'done',
      checked_at: '2026-11-23T02:00:30.000Z',
      window_start: '2026-11-23T01:00:00.000Z',
      tasks: [{ task_id: unknown, outcome: 'failed', reason: 'history unreadable: ListDeployTaskHistoryByDate http 404 Deploy.00011020: The application does not exist or has been deleted.' }],
    });
  });
});

describe('deployWindow: time zones', () => {
  it('opens Monday 00:00 in Shanghai while UTC is still Sunday, and reads the history across the date change', async () => {
    // Prepare: allow weekdays in Shanghai; Monday 00:10 Shanghai = Sunday 16:10 UTC.
    const env = { DEPLOY_WINDOW_ALLOW: '* * * * 1-5', DEPLOY_WINDOW_DENY: '' };
    local.emulator.clock.set(new Date('2026-11-22T16:10:00Z'));
    const first = await fire(windowFn(env), '2026-11-22T16:10:00Z');
    local.emulator.clock.set(new Date('2026-11-22T17:30:00Z'));
    // Act
    const second = await fire(windowFn(env), '2026-11-22T17:30:00Z');
    // Assess
    const idleRecord = recordAt(idle, '2026-11-22T16:10:00Z');
    const failingRecord = recordAt(failing, '2026-11-22T16:10:00Z');
    expect([first, second]).toStrictEqual([
      {
        status: 'done',
        checked_at: '2026-11-22T16:10:00.000Z',
        window_start: '2026-11-22T16:00:00.000Z',
        tasks: [
          { task_id: idle, outcome: 'started', record_id: idleRecord },
          { task_id: failing, outcome: 'started', record_id: failingRecord },
        ],
      },
      {
        status: 'done',
        checked_at: '2026-11-22T17:30:00.000Z',
        window_start: '2026-11-22T16:00:00.000Z',
        tasks: [
          { task_id: idle, outcome: 'already-started', record_id: idleRecord, reason: `deployment ${idleRecord} started at 2026-11-22 16:10:00 in this window (succeeded)` },
          { task_id: failing, outcome: 'already-started', record_id: failingRecord, reason: `deployment ${failingRecord} started at 2026-11-22 16:10:00 in this window (failed)` },
        ],
      },
    ]);
    expect(requestsOf(local.emulator, 'ListDeployTaskHistoryByDate').slice(-1).map((r) => r.query)).toStrictEqual(['page=1&size=100&start_date=2026-11-21&end_date=2026-11-23']);
    expect(starts()).toHaveLength(2);
  });

  it('is closed on Saturday 07:30 in Shanghai although UTC is still Friday', async () => {
    local.emulator.clock.set(new Date('2026-11-27T23:30:00Z'));
    const result = await fire(windowFn(), '2026-11-27T23:30:00Z');
    expect([result, local.emulator.requests.length]).toStrictEqual([
      { status: 'skipped', reason: '2026-11-27T23:30:00.000Z is outside every allow window (Asia/Shanghai)', checked_at: '2026-11-27T23:30:00.000Z', tasks: [] },
      0,
    ]);
  });

  it('follows the Europe/Berlin clock through the autumn DST change: both 02:xx passes denied, 03:00 CET a new window', async () => {
    // 01:00–03:59 Berlin allowed, 02:xx denied; on 2026-10-25 02:xx happens twice (CEST, then CET).
    const env = { DEPLOY_WINDOW_TASK_IDS: idle, DEPLOY_WINDOW_ALLOW: '* 1-3 * * *', DEPLOY_WINDOW_DENY: '* 2 * * *', DEPLOY_WINDOW_TIMEZONE: 'Europe/Berlin' };
    local.emulator.clock.set(new Date('2026-10-24T20:00:00Z'));
    local.emulator.reset(); // seeded history relative to that night
    const handler = windowFn(env);
    const at = async (iso: string) => {
      local.emulator.clock.set(new Date(iso));
      return fire(handler, iso);
    };
    const results = [
      await at('2026-10-24T23:30:00Z'), // 01:30 CEST
      await at('2026-10-25T00:30:00Z'), // 02:30 CEST
      await at('2026-10-25T01:30:00Z'), // 02:30 CET
      await at('2026-10-25T02:10:00Z'), // 03:10 CET
    ];
    expect(results).toStrictEqual([
      { status: 'done', checked_at: '2026-10-24T23:30:00.000Z', window_start: '2026-10-24T23:00:00.000Z', tasks: [{ task_id: idle, outcome: 'started', record_id: recordAt(idle, '2026-10-24T23:30:00Z') }] },
      { status: 'skipped', reason: '2026-10-25T00:30:00.000Z is inside the deny window "* 2 * * *" (Europe/Berlin)', checked_at: '2026-10-25T00:30:00.000Z', tasks: [] },
      { status: 'skipped', reason: '2026-10-25T01:30:00.000Z is inside the deny window "* 2 * * *" (Europe/Berlin)', checked_at: '2026-10-25T01:30:00.000Z', tasks: [] },
      { status: 'done', checked_at: '2026-10-25T02:10:00.000Z', window_start: '2026-10-25T02:00:00.000Z', tasks: [{ task_id: idle, outcome: 'started', record_id: recordAt(idle, '2026-10-25T02:10:00Z') }] },
    ]);
    expect(starts()).toHaveLength(2);
  });
});

describe('deployWindow: a local cloud that throttles, fails and loses answers', () => {
  it('starts each task exactly once through throttling and server errors, redelivered until done', async () => {
    local.emulator.setFaults({ throttleRatio: 0.3, serverErrorRatio: 0.25, seed: 11 });
    const handler = windowFn();
    const { result } = await deliverUntilDone(() => fire(handler));
    // Which delivery started a task depends on the faults; each task has its one deployment.
    const once = (taskId: string) => expect.objectContaining({ task_id: taskId, outcome: expect.stringMatching(/^(started|reconciled|already-started)$/), record_id: recordOf(taskId)[0] });
    expect(result).toStrictEqual({ status: 'done', checked_at: '2026-11-23T02:00:30.000Z', window_start: '2026-11-23T01:00:00.000Z', tasks: [once(idle), once(failing)] });
    expect(starts(true).map((r) => r.path)).toStrictEqual([`/v2/tasks/${idle}/start`, `/v2/tasks/${failing}/start`]);
    expect([recordOf(idle).length, recordOf(failing).length]).toStrictEqual([1, 1]);
    expect(local.emulator.requests.filter((r) => r.fault !== undefined).length).toBeGreaterThan(0);
  });

  it('reconciles a start whose answer was lost from the history, and does not start it again', async () => {
    local.emulator.setFaults({ dropRatio: 1, faultTiming: 'after', pathPattern: '/start$' });
    const handler = windowFn({ DEPLOY_WINDOW_TASK_IDS: idle });
    const result = await fire(handler);
    local.emulator.setFaults({});
    const again = await fire(windowFn({ DEPLOY_WINDOW_TASK_IDS: idle }));
    const [record] = recordOf(idle);
    expect([result, again]).toStrictEqual([
      {
        status: 'done',
        checked_at: '2026-11-23T02:00:30.000Z',
        window_start: '2026-11-23T01:00:00.000Z',
        tasks: [{ task_id: idle, outcome: 'reconciled', record_id: record, reason: 'the start answered no result, but the history shows the deployment' }],
      },
      {
        status: 'done',
        checked_at: '2026-11-23T02:00:30.000Z',
        window_start: '2026-11-23T01:00:00.000Z',
        tasks: [{ task_id: idle, outcome: 'already-started', record_id: record, reason: `deployment ${record} started at 2026-11-23 02:00:30 in this window (running)` }],
      },
    ]);
    expect(starts()).toHaveLength(1);
    // One audit line for the one start: reconciled (not "failed", then "reconciled").
    expect(logs((e) => e.audit === true).map((e) => [e.outcome, e.target])).toStrictEqual([['reconciled', { task_id: idle, record_id: record }]]);
  });

  it('fails the firing when a start fails for now, so that the platform delivers it again', async () => {
    local.emulator.setFaults({ serverErrorRatio: 1, pathPattern: '/start$' });
    const handler = windowFn({ DEPLOY_WINDOW_TASK_IDS: idle });
    await expect(fire(handler)).rejects.toThrow(`deploy window incomplete: ${idle} (StartDeployTask http 503 APIG.0202: Backend unavailable (outcome unknown))`);
    local.emulator.setFaults({});
    const retried = await fire(handler);
    expect(retried).toStrictEqual({
      status: 'done',
      checked_at: '2026-11-23T02:00:30.000Z',
      window_start: '2026-11-23T01:00:00.000Z',
      tasks: [{ task_id: idle, outcome: 'started', record_id: recordAt(idle, '2026-11-23T02:00:30Z') }],
    });
    expect(starts(true)).toHaveLength(1);
    // One line per start: the first unknown (the history did not show it), the second succeeded.
    expect(logs((e) => e.audit === true).map((e) => [e.outcome, e.target, e.reason])).toStrictEqual([
      ['unknown', { task_id: idle }, 'http APIG.0202'],
      ['succeeded', { task_id: idle, record_id: recordAt(idle, '2026-11-23T02:00:30Z') }, undefined],
    ]);
  });
});

describe('deployWindow: malformed events', () => {
  it('acknowledges a malformed event without calling the cloud', async () => {
    const result = await windowFn()({ trigger_type: 'TIMER' }, functionGraphContext());
    expect([result, local.emulator.requests.length]).toStrictEqual([{ status: 'ignored', reason: 'not a FunctionGraph timer event (time: Invalid input: expected string, received undefined)' }, 0]);
  });
});
