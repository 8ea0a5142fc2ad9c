/** deployWindow: the history verdict (pure) and the chain with a stubbed client. */
import { createDeployWindow } from '../../../functions/timers/deploy-window';
import { historyVerdict, type HistoryEntry } from '../../../shared/schedules/deploy-window';
import awsScheduled from '../../fixtures/events/aws/scheduled.json';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';
import { fixedRuntime } from '../../helpers/runtime';
import { stubbedRuntime } from '../../helpers/stub-client';

const windowStart = new Date('2026-11-23T01:00:00Z');
const entry = (id: string, state: string, start: string | undefined): HistoryEntry => ({
  record: { execution_id: id, state, ...(start ? { start_time: start } : {}) },
  startedAt: start && start !== 'garbage' ? new Date(`${start.replace(' ', 'T')}Z`) : undefined,
});

describe('deployWindow: what the history says', () => {
  it.each([
    ['no deployment', [], undefined],
    ['only older, finished deployments', [entry('a', 'succeeded', '2026-11-22 10:00:00')], undefined],
    [
      'a deployment in this window',
      [entry('a', 'succeeded', '2026-11-22 10:00:00'), entry('b', 'failed', '2026-11-23 01:00:00')],
      { outcome: 'already-started', record_id: 'b', reason: 'deployment b started at 2026-11-23 01:00:00 in this window (failed)' },
    ],
    ['a deployment from before the window still running', [entry('c', 'running', '2026-11-23 00:59:59')], { outcome: 'already-running', record_id: 'c', reason: 'deployment c started before this window is still running' }],
    [
      'a deployment whose start cannot be read',
      [entry('d', 'succeeded', 'garbage')],
      { outcome: 'already-started', record_id: 'd', reason: 'deployment d has an unreadable start time; not starting again to be safe' },
    ],
  ])('with %s', (_case, history, verdict) => {
    expect(historyVerdict(history, windowStart)).toStrictEqual(verdict);
  });
});

describe('deployWindow: the timer chain', () => {
  const TASK = 'd2dc947ec2424d8789bb3984bb3adf45';
  const env = { DEPLOY_WINDOW_TASK_IDS: TASK, DEPLOY_WINDOW_ALLOW: '* 9-17 * * 1-5', DEPLOY_WINDOW_TIMEZONE: 'Asia/Shanghai' };

  function build(now: string) {
    const listDeployTaskHistory = jest.fn().mockResolvedValue({ data: { total_num: 0, result: [] }, requestId: 'up-1', attempts: 1 });
    const startDeployTask = jest.fn().mockResolvedValue({ data: { id: 'a0000000000000000000000000000001', task_id: TASK, app_component_list: [] }, requestId: 'up-2', attempts: 1 });
    const handler = createDeployWindow({ runtime: fixedRuntime(stubbedRuntime({ listDeployTaskHistory, startDeployTask }, { now: () => new Date(now) }, env)) });
    return { handler, listDeployTaskHistory, startDeployTask };
  }

  it('checks the time it runs at, not the event\'s: a late delivery outside the window does nothing', async () => {
    // The event says 08:30 Shanghai (inside); the function runs at 20:00 Shanghai.
    const { handler, listDeployTaskHistory, startDeployTask } = build('2026-11-23T12:00:00Z');
    const result = await handler({ ...structuredClone(awsScheduled), time: '2026-11-23T00:30:00Z' }, lambdaContext());
    expect([result, listDeployTaskHistory.mock.calls.length + startDeployTask.mock.calls.length]).toStrictEqual([
      { status: 'skipped', reason: '2026-11-23T12:00:00.000Z is outside every allow window (Asia/Shanghai)', checked_at: '2026-11-23T12:00:00.000Z', tasks: [] },
      0,
    ]);
  });

  it('does not start a task whose history holds more than the 10 pages it reads: the unread part may hold this window\'s start', async () => {
    // Prepare: 1,051 deployments in the days read, oldest first, every page full.
    const { handler, listDeployTaskHistory, startDeployTask } = build('2026-11-23T02:00:00Z');
    const page = Array.from({ length: 100 }, (_, i) => ({ execution_id: `old${i}`, start_time: '2026-11-22 09:00:00', state: 'success' }));
    listDeployTaskHistory.mockResolvedValue({ data: { total_num: 1051, result: page }, requestId: 'up-1', attempts: 1 });
    // Act
    const result = await handler(structuredClone(awsScheduled), lambdaContext());
    // Assess
    expect([result, listDeployTaskHistory.mock.calls.length, startDeployTask.mock.calls.length]).toStrictEqual([
      {
        status: 'done',
        checked_at: '2026-11-23T02:00:00.000Z',
        window_start: '2026-11-23T01:00:00.000Z',
        tasks: [{ task_id: TASK, outcome: 'failed', reason: 'history unreadable: Error: the history holds 1051 deployments in these days, more than the 1000 read' }],
      },
      10,
      0,
    ]);
  });

  it('passes FunctionGraph\'s per-invocation credentials to the history read and the start', async () => {
    const credentials = { accessKey: 'TEMPACCESSKEY0001', secretKey: 'TEMPSECRETKEY0123456789abcdef', securityToken: 'temporary-security-token-value-0001' };
    const { handler, listDeployTaskHistory, startDeployTask } = build('2026-11-23T02:00:00Z');
    const result = await handler(structuredClone(awsScheduled), functionGraphContext({ credentials }));
    expect(result).toStrictEqual({
      status: 'done',
      checked_at: '2026-11-23T02:00:00.000Z',
      window_start: '2026-11-23T01:00:00.000Z',
      tasks: [{ task_id: TASK, outcome: 'started', record_id: 'a0000000000000000000000000000001' }],
    });
    expect(listDeployTaskHistory.mock.calls.map(([task, query, options]) => [task, query, options.credentials])).toStrictEqual([
      [TASK, { start_date: '2026-11-22', end_date: '2026-11-24', size: 100, page: 1 }, credentials],
    ]);
    expect(startDeployTask.mock.calls.map(([task, body, options]) => [task, body, options.credentials])).toStrictEqual([[TASK, {}, credentials]]);
  });
});
