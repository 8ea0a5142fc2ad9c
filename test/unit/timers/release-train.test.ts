/** releaseTrain: naming, rule matching and selection (pure), and the chain with a stubbed client. */
import { createReleaseTrain } from '../../../functions/timers/release-train';
import type { PendingItem } from '../../../shared/contracts/dataarts';
import { ruleMismatch, selectTrainItems, trainPackageName } from '../../../shared/schedules/release-train';
import fgTimer from '../../fixtures/events/functiongraph/timer.json';
import { functionGraphContext } from '../../helpers/contexts';
import { fixedRuntime } from '../../helpers/runtime';
import { stubbedRuntime } from '../../helpers/stub-client';

const window = { start: new Date('2026-11-22T08:00:00Z'), end: new Date('2026-11-23T08:00:00Z') };
const rules = { taskTypes: [], updateTypes: [], submitters: [], itemPattern: undefined };
const item = (id: string, overrides: Partial<PendingItem> = {}): PendingItem => ({
  pending_item_id: id,
  item_name: `job_${id}`,
  task_type: 1,
  update_type: 2,
  package_flag: 0,
  submit_timestamp: window.end.getTime() - Number(id) * 60_000,
  submit_user_id: '5eed0000000000000000000000000101',
  submit_user_name: 'dev_zhang',
  ...overrides,
});

describe('releaseTrain: naming and selection', () => {
  it('names the package from the prefix and the departure minute in UTC', () => {
    expect(trainPackageName('train', window)).toBe('train_20261123T0800Z');
  });

  it.each([
    [item('1', { package_flag: 1 }), rules, 'already packaged'],
    [item('1', { submit_timestamp: window.end.getTime() }), rules, 'submitted after the departure'],
    [item('1', { task_type: 2 }), { ...rules, taskTypes: [1] }, 'task type'],
    [item('1', { update_type: 3 }), { ...rules, updateTypes: [1, 2] }, 'update type'],
    [item('1'), { ...rules, submitters: ['ops_li'] }, 'submitter'],
    [item('1'), { ...rules, itemPattern: /^script_/u }, 'item name'],
    [item('1'), { ...rules, taskTypes: [1], updateTypes: [2], submitters: ['5eed0000000000000000000000000101'], itemPattern: /^job_/u }, undefined],
  ])('judges %j against the rules', (candidate, ruleSet, expected) => {
    expect(ruleMismatch(candidate, ruleSet, window.end)).toBe(expected);
  });

  it('takes the oldest submissions first, at most the limit, and defers the rest', () => {
    const items = [item('3'), item('1'), item('2'), item('4', { package_flag: 1 }), item('2')];
    expect(selectTrainItems(items, rules, window, 2)).toStrictEqual({ selected: ['3', '2'], deferred: ['1'], unmatched: 1 });
  });
});

describe('releaseTrain: the timer chain', () => {
  it('passes FunctionGraph\'s per-invocation credentials to every call and publishes one package', async () => {
    // Prepare
    const credentials = { accessKey: 'TEMPACCESSKEY0001', secretKey: 'TEMPSECRETKEY0123456789abcdef', securityToken: 'temporary-security-token-value-0001' };
    const queryReleasePackages = jest.fn().mockResolvedValue({ data: { total: 0, data: [] }, requestId: 'up-1', attempts: 1 });
    const before = (minutes: number) => new Date('2026-11-23T00:00:00Z').getTime() - minutes * 60_000;
    const listPendingItems = jest.fn().mockResolvedValue({ data: { total: 2, data: [item('7', { submit_timestamp: before(7) }), item('8', { submit_timestamp: before(8) })] }, requestId: 'up-2', attempts: 1 });
    const publishPendingItems = jest.fn().mockResolvedValue({ data: { package_name: 'train_20261123T0000Z', release_package_id: '41' }, requestId: 'up-3', attempts: 1 });
    const env = { RELEASE_TRAIN_SCHEDULE: 'CRON_TZ=Asia/Shanghai 0 8 * * *', RELEASE_TRAIN_APPLICANT_ID: '5eed0000000000000000000000000101', RELEASE_TRAIN_APPROVER_IDS: '5eed0000000000000000000000000102' };
    const handler = createReleaseTrain({ runtime: fixedRuntime(stubbedRuntime({ queryReleasePackages, listPendingItems, publishPendingItems }, { now: () => new Date('2026-11-23T00:30:05Z') }, env)) });
    // Act: the fixture fires 08:30 Shanghai; the train of 08:00 Shanghai (00:00 UTC) departs.
    const result = await handler(structuredClone(fgTimer), functionGraphContext({ credentials }));
    // Assess
    expect(result).toStrictEqual({
      status: 'published',
      window: { start: '2026-11-22T00:00:00.000Z', end: '2026-11-23T00:00:00.000Z' },
      package_name: 'train_20261123T0000Z',
      release_package_id: '41',
      items: ['8', '7'],
      deferred: [],
    });
    expect(publishPendingItems.mock.calls.map(([body]) => body)).toStrictEqual([
      { apply_user_id: '5eed0000000000000000000000000101', package_name: 'train_20261123T0000Z', pending_item_list: ['8', '7'], approver_ids: ['5eed0000000000000000000000000102'] },
    ]);
    const allOptions = [...queryReleasePackages.mock.calls, ...listPendingItems.mock.calls, ...publishPendingItems.mock.calls].map((call) => (call[1] as { credentials?: unknown }).credentials);
    expect(allOptions).toStrictEqual(allOptions.map(() => credentials));
    expect(allOptions.length).toBeGreaterThanOrEqual(4);
  });

  it('fails, publishing nothing, when too many packages contain its name to tell whether it is free', async () => {
    // Prepare: every page of the name lookup is full of other names, past the lookup's 20 pages.
    const other = { package_id: '9', package_name: 'a_train_20261123T0000Z_other', deploy_status: 2, package_approvers: [] };
    const queryReleasePackages = jest.fn().mockResolvedValue({ data: { total: 2500, data: Array.from({ length: 100 }, () => other) }, requestId: 'up-1', attempts: 1 });
    const listPendingItems = jest.fn();
    const publishPendingItems = jest.fn();
    const env = { RELEASE_TRAIN_SCHEDULE: 'CRON_TZ=Asia/Shanghai 0 8 * * *', RELEASE_TRAIN_APPLICANT_ID: '5eed0000000000000000000000000101', RELEASE_TRAIN_APPROVER_IDS: '5eed0000000000000000000000000102' };
    const handler = createReleaseTrain({ runtime: fixedRuntime(stubbedRuntime({ queryReleasePackages, listPendingItems, publishPendingItems }, { now: () => new Date('2026-11-23T00:30:05Z') }, env)) });
    // Act
    const result = await handler(structuredClone(fgTimer), functionGraphContext());
    // Assess
    expect([result, queryReleasePackages.mock.calls.length, listPendingItems.mock.calls.length, publishPendingItems.mock.calls.length]).toStrictEqual([
      {
        status: 'failed',
        reason: 'More than 2000 release packages have names containing "train_20261123T0000Z", so whether the name is free cannot be checked: choose a more specific package_name',
        window: { start: '2026-11-22T00:00:00.000Z', end: '2026-11-23T00:00:00.000Z' },
        package_name: 'train_20261123T0000Z',
        items: [],
        deferred: [],
      },
      20,
      0,
      0,
    ]);
  });
});
