/** The emulator's DataArts Factory v2: pending items, publishing, release packages, detail, release and withdrawal. */
import { startEmulator, SEED, type RunningEmulator } from '../../../emulator';
import { admin, signedCall, type WireResponse } from '../../helpers/emulator';

const NOW = new Date('2025-06-01T08:00:00Z');
let emulator: RunningEmulator;
let base: string;

beforeAll(async () => {
  emulator = await startEmulator({ now: NOW });
  base = `/v2/${emulator.identity.projectId}/factory`;
});

afterAll(async () => {
  await emulator.close();
});

beforeEach(() => {
  emulator.clock.set(NOW);
  emulator.reset();
});

const ws = () => ({ workspace: emulator.identity.workspace });
const listItems = (query = '', headers: Record<string, string> = ws()) => signedCall(emulator, { method: 'GET', path: `${base}/pending-items${query}`, headers });
const publish = (body: unknown, headers: Record<string, string> = ws()) =>
  signedCall(emulator, { method: 'POST', path: `${base}/pending-items/package`, headers, ...(body === undefined ? {} : { body }) });
const queryPackages = (body: unknown = {}, headers: Record<string, string> = {}) => signedCall(emulator, { method: 'POST', path: `${base}/release-packages`, headers, body });
const detail = (id: string) => signedCall(emulator, { method: 'GET', path: `${base}/release-packages/${id}` });

const invalid = (detailText: string) => ({ error_code: 'DLF.3051', error_msg: `The request parameter is invalid. ${detailText}` });
const ids = (response: WireResponse, key: string) => (response.body as { data: Record<string, unknown>[] }).data.map((row) => row[key]);
const validPublish = () => ({
  apply_user_id: SEED.users.applicant,
  package_name: 'release_2025_06_01',
  pending_item_list: SEED.unpackagedItemIds.slice(0, 2),
  approver_ids: [SEED.users.approver],
});

describe('Emulator DataArts: ListFactoryPendingItems', () => {
  it('answers the first page (limit 10 by default) with every item, packaged or not', async () => {
    // Act
    const response = await listItems();
    // Assess
    expect(response.status).toBe(200);
    const body = response.body as { total: number; data: Record<string, unknown>[] };
    expect(body.total).toBe(40);
    expect(ids(response, 'pending_item_id')).toStrictEqual(SEED.pendingItemIds.slice(0, 10));
    expect(body.data[0]).toStrictEqual({
      pending_item_id: '1001',
      item_name: expect.stringMatching(/^job_[a-z]+_[a-z]+_01$/),
      task_id: '5000',
      task_type: 1,
      update_type: 1,
      package_flag: 0,
      pending_version: expect.any(Number),
      deployed_version: 0,
      project_id: `${emulator.identity.projectId}-workspace-${emulator.identity.workspace}`,
      submit_timestamp: expect.any(Number),
      submit_user_id: SEED.users.secondApprover,
      submit_user_name: SEED.userNames.secondApprover,
    });
    expect(ids(response, 'package_flag')).toStrictEqual([0, 0, 0, 1, 0, 0, 0, 1, 0, 0]);
  });

  it('treats offset as a record offset', async () => {
    const response = await listItems('?limit=10&offset=35');
    expect((response.body as { total: number }).total).toBe(40);
    expect(ids(response, 'pending_item_id')).toStrictEqual(['1036', '1037', '1038', '1039', '1040']);
  });

  it.each([
    ['task_type=2', 20, (row: Record<string, unknown>) => row.task_type === 2],
    ['update_type=3', 13, (row: Record<string, unknown>) => row.update_type === 3],
    [`submit_user_name=${SEED.userNames.secondApprover}`, 8, (row: Record<string, unknown>) => row.submit_user_id === SEED.users.secondApprover],
    ['item_name=script_', 20, (row: Record<string, unknown>) => String(row.item_name).startsWith('script_')],
  ])('filters by %s, total counting after the filter', async (filter, total, predicate) => {
    const response = await listItems(`?${filter}&limit=100`);
    const body = response.body as { total: number; data: Record<string, unknown>[] };
    expect([response.status, body.total, body.data.length]).toStrictEqual([200, total, total]);
    expect(body.data.every(predicate)).toBe(true);
  });

  it('filters by submit time window (epoch ms)', async () => {
    const start = NOW.getTime() - 10 * 60 * 60_000;
    const response = await listItems(`?start_time=${start}&end_time=${NOW.getTime()}&limit=100`);
    const body = response.body as { total: number; data: { submit_timestamp: number }[] };
    expect(body.total).toBeGreaterThanOrEqual(9);
    expect(body.total).toBeLessThanOrEqual(10);
    expect(body.data.every((row) => row.submit_timestamp >= start && row.submit_timestamp <= NOW.getTime())).toBe(true);
  });

  it('requires the workspace header (DLF.3051) and a known workspace (DLF.0819)', async () => {
    const missing = await listItems('', {});
    const unknown = await listItems('', { workspace: 'ffffffffffffffffffffffffffffffff' });
    expect([missing.status, missing.body]).toStrictEqual([400, invalid('The header workspace is required.')]);
    expect([unknown.status, unknown.body]).toStrictEqual([400, { error_code: 'DLF.0819', error_msg: 'The workspace ID does not exist: ffffffffffffffffffffffffffffffff.' }]);
  });

  it.each([['limit=0'], ['limit=101'], ['offset=-1'], ['task_type=3'], ['start_time=yesterday']])('answers %s with 400 DLF.3051', async (query) => {
    const response = await listItems(`?${query}`);
    expect(response.status).toBe(400);
    expect((response.body as { error_code: string }).error_code).toBe('DLF.3051');
  });

  it('refuses a path project other than the caller project', async () => {
    const response = await signedCall(emulator, { method: 'GET', path: '/v2/ffffffffffffffffffffffffffffffff/factory/pending-items', headers: ws() });
    expect([response.status, response.body]).toStrictEqual([400, invalid("project_id ffffffffffffffffffffffffffffffff is not the caller's project.")]);
  });
});

describe('Emulator DataArts: CreateFactoryPendingItemsPackage', () => {
  it('creates a package pending approval and marks its items packaged', async () => {
    // Act
    const response = await publish(validPublish());
    // Assess
    expect([response.status, response.body]).toStrictEqual([200, { package_name: 'release_2025_06_01', release_package_id: '41' }]);
    const items = await listItems('?limit=3');
    expect(ids(items, 'package_flag')).toStrictEqual([1, 1, 0]);
    const shown = await detail('41');
    expect(shown.status).toBe(200);
    expect(shown.body).toStrictEqual({
      release_package: {
        package_id: '41',
        package_name: 'release_2025_06_01',
        deploy_status: 1,
        delete_flag: 0,
        apply_timestamp: NOW.getTime(),
        apply_user_id: SEED.users.applicant,
        apply_user_name: SEED.userNames.applicant,
        package_approvers: [{ user_id: SEED.users.approver, user_name: SEED.userNames.approver }],
        project_id: `${emulator.identity.projectId}-workspace-${emulator.identity.workspace}`,
        workspace_id: emulator.identity.workspace,
      },
      task_details: [
        expect.objectContaining({ pending_item_id: '1001', deploy_status: 1, task_type: 1, update_type: 1 }),
        expect.objectContaining({ pending_item_id: '1002', deploy_status: 1, task_type: 2, update_type: 2 }),
      ],
    });
  });

  it.each([
    ['an unknown pending item', { pending_item_list: ['999999'] }, 'The pending item 999999 does not exist.'],
    ['an already packaged item', { pending_item_list: [SEED.packagedItemIds[0]] }, `The pending item ${SEED.packagedItemIds[0]} has already been packaged.`],
    ['an approver without the admin or deployer role', { approver_ids: [SEED.users.noRole] }, `The approver ${SEED.users.noRole} has neither the admin nor the deployer role in the workspace.`],
    ['the applicant (a developer) as approver', { approver_ids: [SEED.users.applicant] }, `The approver ${SEED.users.applicant} has neither the admin nor the deployer role in the workspace.`],
    ['an unknown approver', { approver_ids: ['ffffffffffffffffffffffffffffffff'] }, 'The approver ffffffffffffffffffffffffffffffff does not exist.'],
    ['an unknown applicant', { apply_user_id: 'ffffffffffffffffffffffffffffffff' }, 'The apply user ffffffffffffffffffffffffffffffff does not exist.'],
    ['no items', { pending_item_list: [] }, expect.stringMatching(/^The request parameter is invalid\. pending_item_list: /)],
    [
      'more than 100 items',
      { pending_item_list: Array.from({ length: 101 }, (_, i) => String(i + 1)) },
      expect.stringMatching(/^The request parameter is invalid\. pending_item_list: /),
    ],
  ])('refuses %s with 400 DLF.3051 and changes nothing', async (_label, change, message) => {
    // Act
    const response = await publish({ ...validPublish(), ...change });
    // Assess
    expect(response.status).toBe(400);
    expect(response.body).toStrictEqual({
      error_code: 'DLF.3051',
      error_msg: typeof message === 'string' ? `The request parameter is invalid. ${message}` : message,
    });
    expect((await queryPackages()).body).toStrictEqual(expect.objectContaining({ total: 40 }));
    expect(ids(await listItems('?limit=2'), 'package_flag')).toStrictEqual([0, 0]);
  });

  it('refuses a body that is missing or not JSON, and a missing or unknown workspace', async () => {
    const noBody = await publish(undefined);
    const notJson = await publish('{"apply_user_id":');
    const noWorkspace = await publish(validPublish(), {});
    const otherWorkspace = await publish(validPublish(), { workspace: 'ffffffffffffffffffffffffffffffff' });
    expect([noBody.status, noBody.body]).toStrictEqual([400, invalid('The request body is required.')]);
    expect([notJson.status, notJson.body]).toStrictEqual([400, invalid('The request body is not valid JSON.')]);
    expect([noWorkspace.status, noWorkspace.body]).toStrictEqual([400, invalid('The header workspace is required.')]);
    expect(otherWorkspace.status).toBe(400);
    expect((otherWorkspace.body as { error_code: string }).error_code).toBe('DLF.0819');
    expect((await queryPackages()).body).toStrictEqual(expect.objectContaining({ total: 40 }));
  });

  it('refuses the same items a second time', async () => {
    expect((await publish(validPublish())).status).toBe(200);
    const again = await publish({ ...validPublish(), package_name: 'another' });
    expect([again.status, again.body]).toStrictEqual([400, invalid(`The pending item ${SEED.unpackagedItemIds[0]} has already been packaged.`)]);
  });
});

describe('Emulator DataArts: ListFactoryReleasePackages', () => {
  it('answers the newest 10 by apply time by default, with the default workspace', async () => {
    const response = await queryPackages();
    expect(response.status).toBe(200);
    expect((response.body as { total: number }).total).toBe(40);
    expect(ids(response, 'package_id')).toStrictEqual(['40', '39', '38', '37', '36', '35', '34', '33', '32', '31']);
  });

  it('answers a seeded package of every status, with full rows', async () => {
    const response = await queryPackages({ sorted_direction: 'asc', limit: 5 });
    const rows = (response.body as { data: Record<string, unknown>[] }).data;
    expect(rows.map((r) => [r.package_id, r.deploy_status, r.delete_flag])).toStrictEqual([
      [SEED.packages.pendingApproval, 1, 0],
      [SEED.packages.success, 2, 0],
      [SEED.packages.failed, 3, 0],
      [SEED.packages.releasing, 5, 0],
      [SEED.packages.withdrawn, 1, 1],
    ]);
    expect(rows[1]).toStrictEqual({
      package_id: '2',
      package_name: 'seed_release_00002',
      deploy_status: 2,
      delete_flag: 0,
      apply_timestamp: expect.any(Number),
      apply_user_id: SEED.users.applicant,
      apply_user_name: SEED.userNames.applicant,
      deploy_timestamp: expect.any(Number),
      deploy_user_id: SEED.users.approver,
      deploy_user_name: SEED.userNames.approver,
      package_approvers: [
        { user_id: SEED.users.approver, user_name: SEED.userNames.approver },
        { user_id: SEED.users.secondApprover, user_name: SEED.userNames.secondApprover },
      ],
      project_id: `${emulator.identity.projectId}-workspace-${emulator.identity.workspace}`,
      workspace_id: emulator.identity.workspace,
    });
  });

  it('pages with limit and offset', async () => {
    const response = await queryPackages({ limit: 3, offset: 38 });
    expect(ids(response, 'package_id')).toStrictEqual(['2', '1']);
  });

  it.each([
    [{ deploy_status_filter: [5] }, ['39', '34', '29', '24', '19', '14', '9', '4']],
    [{ key_word: 'RELEASE_0001' }, ['19', '18', '17', '16', '15', '14', '13', '12', '11', '10']],
    [{ key_word: 'seed_release_0003', order_column: 'package_name', sorted_direction: 'asc', limit: 3 }, ['30', '31', '32']],
    [{ apply_user_name: 'nobody' }, []],
    [{ apply_user_name_filter: [SEED.userNames.applicant], deploy_status_filter: [3], limit: 2 }, ['38', '33']],
    [{ deploy_user_name: SEED.userNames.approver, deploy_status_filter: [2], limit: 2 }, ['37', '32']],
  ])('filters with %j', async (filter, expected) => {
    const response = await queryPackages(filter);
    expect(response.status).toBe(200);
    expect(ids(response, 'package_id')).toStrictEqual(expected);
  });

  it('filters by apply and deploy time windows', async () => {
    const all = (await queryPackages({ limit: 100 })).body as { data: { package_id: string; apply_timestamp: number; deploy_timestamp?: number }[] };
    const p10 = all.data.find((p) => p.package_id === '10');
    const p20 = all.data.find((p) => p.package_id === '20');
    const byApply = await queryPackages({ apply_begin_time: p10?.apply_timestamp, apply_end_time: p20?.apply_timestamp, limit: 100 });
    expect((byApply.body as { total: number }).total).toBe(11);
    const byDeploy = await queryPackages({ deploy_begin_time: 0, deploy_end_time: NOW.getTime(), limit: 100 });
    expect((byDeploy.body as { total: number }).total).toBe(24);
  });

  it.each([[{ limit: 0 }], [{ limit: 101 }], [{ offset: -1 }], [{ deploy_status_filter: [4] }], [{ apply_begin_time: '' }], [{ sorted_direction: 'up' }]])(
    'refuses %j with 400 DLF.3051',
    async (body) => {
      const response = await queryPackages(body);
      expect(response.status).toBe(400);
      expect((response.body as { error_code: string }).error_code).toBe('DLF.3051');
    },
  );

  it('refuses an unknown workspace with DLF.0819', async () => {
    const response = await queryPackages({}, { workspace: 'ffffffffffffffffffffffffffffffff' });
    expect([response.status, (response.body as { error_code: string }).error_code]).toStrictEqual([400, 'DLF.0819']);
  });
});

describe('Emulator DataArts: ShowFactoryPackageDetail', () => {
  it('answers a seeded package with its task details', async () => {
    const response = await detail('3');
    expect(response.status).toBe(200);
    expect(response.body).toStrictEqual({
      release_package: expect.objectContaining({ package_id: '3', deploy_status: 3, delete_flag: 0 }),
      task_details: [
        {
          pending_item_id: '100002',
          item_name: expect.stringMatching(/^job_[a-z]+_[a-z]+_r3$/),
          task_id: '9002',
          task_type: 1,
          update_type: 3,
          deploy_status: 3,
          start_job_status: 3,
          pending_version: 2,
          deployed_version: 2,
          submit_timestamp: expect.any(Number),
          submit_user_id: SEED.users.applicant,
          submit_user_name: SEED.userNames.applicant,
        },
      ],
    });
  });

  it.each([['999'], ['abc']])('answers an unknown package %s with 400 DLF.3051', async (id) => {
    const response = await detail(id);
    expect([response.status, response.body]).toStrictEqual([400, invalid(`The release package ${id} does not exist.`)]);
  });
});

describe('Emulator DataArts: releasing and withdrawing', () => {
  const deploy = (body: unknown) => signedCall(emulator, { method: 'POST', path: `${base}/release-packages/deploy`, body });
  const unpack = (body: unknown) => signedCall(emulator, { method: 'POST', path: `${base}/release-packages/unpack`, body });
  const statusOf = async (id: string) => {
    const row = ((await detail(id)).body as { release_package: { deploy_status: number; delete_flag: number; deploy_user_id?: string } }).release_package;
    return [row.deploy_status, row.delete_flag, row.deploy_user_id];
  };

  it('DeployFactoryPackages releases a pending package: releasing, then success after 30 s of emulator clock', async () => {
    const response = await deploy({ package_ids: ['1'] });
    expect(response.status).toBe(200);
    expect(response.body).toStrictEqual({ deploy_package_details: [{ asy_subtask_num: 1, asy_task_id: expect.stringMatching(/^[0-9a-f]{32}$/), package_id: 1 }] });
    expect(await statusOf('1')).toStrictEqual([5, 0, SEED.users.caller]);
    emulator.clock.advance(29_999);
    expect(await statusOf('1')).toStrictEqual([5, 0, SEED.users.caller]);
    emulator.clock.advance(1);
    expect(await statusOf('1')).toStrictEqual([2, 0, SEED.users.caller]);
  });

  it('DeployFactoryPackages refuses a package that is not pending approval, and a withdrawn one', async () => {
    const released = await deploy({ package_ids: ['2'] });
    const withdrawn = await deploy({ package_ids: ['5'] });
    expect([released.status, released.body]).toStrictEqual([400, invalid('The release package 2 is not pending approval.')]);
    expect([withdrawn.status, withdrawn.body]).toStrictEqual([400, invalid('The release package 5 has been withdrawn.')]);
  });

  it('CancelFactoryPackages withdraws a pending package and returns its items to pending', async () => {
    await publish(validPublish());
    const response = await unpack({ package_ids: ['41'] });
    expect([response.status, response.text]).toStrictEqual([200, '']);
    expect(await statusOf('41')).toStrictEqual([1, 1, undefined]);
    expect(ids(await listItems('?limit=2'), 'package_flag')).toStrictEqual([0, 0]);
  });

  it('the admin API drives a package through approve → releasing → success, failure and withdrawal', async () => {
    const set = (id: string, body: unknown) => admin(emulator, 'POST', `/packages/${id}/status`, body);
    expect((await set('1', { deploy_status: 5, deploy_user_id: SEED.users.secondApprover })).status).toBe(200);
    expect(await statusOf('1')).toStrictEqual([5, 0, SEED.users.secondApprover]);
    expect((await set('1', { deploy_status: 2 })).status).toBe(200);
    expect(((await detail('1')).body as { task_details: { start_job_status?: number }[] }).task_details[0]?.start_job_status).toBe(2);
    expect((await set('6', { deploy_status: 3 })).status).toBe(200);
    expect(await statusOf('6')).toStrictEqual([3, 0, SEED.users.approver]);
    expect((await set('11', { delete_flag: 1 })).status).toBe(200);
    expect(await statusOf('11')).toStrictEqual([1, 1, undefined]);
    expect((await set('999', { deploy_status: 2 })).status).toBe(404);
    expect((await set('1', { deploy_status: 4 })).status).toBe(400);
  });
});
