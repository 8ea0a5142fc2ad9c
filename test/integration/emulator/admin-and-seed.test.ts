/**
 * The admin API, the seeded tenant (deterministic, 10,000 packages), the clock, the identity from the
 * environment, and adding routes from another module.
 */
import {
  DEFAULT_IDENTITY,
  EmulatorClock,
  EmulatorError,
  defineRoutes,
  identityFromEnv,
  startEmulator,
  SEED,
  type RunningEmulator,
} from '../../../emulator';
import { admin, send, signedCall } from '../../helpers/emulator';

const NOW = new Date('2025-06-01T08:00:00Z');

describe('Emulator admin API', () => {
  let emulator: RunningEmulator;
  beforeAll(async () => {
    emulator = await startEmulator({ now: NOW });
  });
  afterAll(async () => {
    await emulator.close();
  });
  beforeEach(() => {
    emulator.clock.set(NOW);
    emulator.reset();
  });

  it('answers health with the emulator time', async () => {
    const response = await admin(emulator, 'GET', '/health');
    expect([response.status, response.body]).toStrictEqual([200, { status: 'ok', now: '2025-06-01T08:00:00.000Z' }]);
    expect(response.headers['x-request-id']).toMatch(/^[0-9a-f]{32}$/);
  });

  it('reads, sets, advances and releases the clock', async () => {
    expect((await admin(emulator, 'GET', '/clock')).body).toStrictEqual({ now: '2025-06-01T08:00:00.000Z', pinned: true });
    expect((await admin(emulator, 'POST', '/clock', { now: '2025-07-01T00:00:00+08:00' })).body).toStrictEqual({ now: '2025-06-30T16:00:00.000Z', pinned: true });
    expect((await admin(emulator, 'POST', '/clock', { advanceMs: 90_000 })).body).toStrictEqual({ now: '2025-06-30T16:01:30.000Z', pinned: true });
    const real = await admin(emulator, 'POST', '/clock', { realTime: true });
    expect((real.body as { pinned: boolean }).pinned).toBe(false);
    expect(Math.abs(Date.parse((real.body as { now: string }).now) - Date.now())).toBeLessThan(5_000);
    for (const bad of [{ now: 'yesterday' }, { advanceMs: 'x' }, {}]) expect((await admin(emulator, 'POST', '/clock', bad)).status).toBe(400);
  });

  it('lists recorded service requests without secrets, and clears them', async () => {
    await signedCall(emulator, { method: 'POST', path: `/v2/${emulator.identity.projectId}/factory/release-packages`, body: { limit: 1 } });
    const listed = await admin(emulator, 'GET', '/requests');
    expect(listed.status).toBe(200);
    const requests = (listed.body as { requests: Record<string, unknown>[] }).requests;
    expect(requests).toStrictEqual([
      {
        method: 'POST',
        path: `/v2/${emulator.identity.projectId}/factory/release-packages`,
        query: '',
        headers: expect.objectContaining({ authorization: '[REDACTED]', 'content-type': 'application/json', 'x-sdk-date': '20250601T080000Z' }),
        body: '{"limit":1}',
        status: 200,
        operation: 'ListFactoryReleasePackages',
        time: '2025-06-01T08:00:00.000Z',
        requestId: expect.stringMatching(/^[0-9a-f]{32}$/),
      },
    ]);
    expect((await admin(emulator, 'DELETE', '/requests')).status).toBe(204);
    expect((await admin(emulator, 'GET', '/requests')).body).toStrictEqual({ requests: [] });
  });

  it('adds pending items for scenarios', async () => {
    const added = await admin(emulator, 'POST', '/pending-items', { items: [{ item_name: 'job_new_feature', task_type: 2, update_type: 1 }] });
    expect(added.status).toBe(201);
    expect(added.body).toStrictEqual({
      items: [
        {
          pending_item_id: '1041',
          item_name: 'job_new_feature',
          task_id: '8041',
          task_type: 2,
          update_type: 1,
          package_flag: 0,
          pending_version: 2,
          deployed_version: 0,
          submit_timestamp: NOW.getTime(),
          submit_user_id: SEED.users.applicant,
          submit_user_name: SEED.userNames.applicant,
          project_id: `${emulator.identity.projectId}-workspace-${emulator.identity.workspace}`,
        },
      ],
    });
    const listed = await signedCall(emulator, {
      method: 'GET',
      path: `/v2/${emulator.identity.projectId}/factory/pending-items?item_name=new_feature`,
      headers: { workspace: emulator.identity.workspace },
    });
    expect((listed.body as { total: number }).total).toBe(1);
    expect((await admin(emulator, 'POST', '/pending-items', { items: [{ item_name: 'x', submit_user_id: 'nobody' }] })).status).toBe(400);
  });

  it('resets: reseeds the tenant and clears recorded requests', async () => {
    await admin(emulator, 'POST', '/packages/1/status', { deploy_status: 2 });
    await signedCall(emulator, { method: 'POST', path: `/v2/tasks/${SEED.deployTasks.idle}/start`, body: {} });
    const response = await admin(emulator, 'POST', '/reset');
    expect([response.status, response.body]).toStrictEqual([200, { status: 'reset' }]);
    expect(emulator.state.packagesById.get('1')?.row.deploy_status).toBe(1);
    expect(emulator.state.runningDeployment(SEED.deployTasks.idle)).toBeUndefined();
    expect(emulator.requests).toStrictEqual([]);
  });

  it('answers an unknown admin route with 404 and malformed JSON with 400', async () => {
    expect((await admin(emulator, 'GET', '/nothing')).status).toBe(404);
    const malformed = await send(emulator.url, { method: 'PUT', path: '/_emulator/faults', body: '{' });
    expect([malformed.status, malformed.body]).toStrictEqual([400, { error_code: 'EMULATOR.0400', error_msg: 'The request body is not valid JSON.' }]);
  });
});

describe('Emulator seed', () => {
  it('is deterministic: the same seed gives the same tenant, another seed the same ids with other names', async () => {
    const [a, b, c] = await Promise.all([startEmulator({ now: NOW }), startEmulator({ now: NOW }), startEmulator({ now: NOW, dataSeed: 2 })]);
    try {
      const snapshot = (e: RunningEmulator) => ({ items: [...e.state.pendingItems.values()], packages: e.state.packages.map((p) => p.row) });
      expect(snapshot(b)).toStrictEqual(snapshot(a));
      const other = snapshot(c);
      expect(other.items.map((i) => i.pending_item_id)).toStrictEqual(snapshot(a).items.map((i) => i.pending_item_id));
      expect(other.items.map((i) => i.item_name)).not.toStrictEqual(snapshot(a).items.map((i) => i.item_name));
    } finally {
      await Promise.all([a.close(), b.close(), c.close()]);
    }
  });

  it('holds every task type and update type, at least 20 unpackaged items, and users with and without the approver role', async () => {
    const e = await startEmulator({ now: NOW });
    try {
      const items = [...e.state.pendingItems.values()];
      expect(new Set(items.map((i) => `${i.task_type}/${i.update_type}`))).toStrictEqual(new Set(['1/1', '1/2', '1/3', '2/1', '2/2', '2/3']));
      expect(items.filter((i) => i.package_flag === 0).map((i) => i.pending_item_id)).toStrictEqual(SEED.unpackagedItemIds);
      expect(SEED.unpackagedItemIds.length).toBeGreaterThanOrEqual(20);
      expect([SEED.users.approver, SEED.users.secondApprover, SEED.users.applicant, SEED.users.noRole].map((id) => e.state.isApprover(id))).toStrictEqual([
        true,
        true,
        false,
        false,
      ]);
      for (const id of Object.values(SEED.users)) expect(id).toMatch(/^[0-9a-f]{32}$/);
      for (const step of [SEED.pipelines.waiting, SEED.pipelines.decided]) {
        for (const id of Object.values(step)) expect(id).toMatch(/^[A-Za-z0-9]{32}$/);
      }
      for (const id of Object.values(SEED.deployTasks)) expect(id).toMatch(/^[A-Za-z0-9]{32}$/);
    } finally {
      await e.close();
    }
  });

  it('seeds 10,000 packages well under a second and pages through them quickly', async () => {
    // Act
    const started = performance.now();
    const e = await startEmulator({ now: NOW, seedSize: 10_000 });
    const seedMs = performance.now() - started;
    try {
      const seen = new Set<string>();
      const pageTimes: number[] = [];
      for (let offset = 0; offset < 10_000; offset += 100) {
        const t = performance.now();
        const page = await signedCall(e, { method: 'POST', path: `/v2/${e.identity.projectId}/factory/release-packages`, body: { limit: 100, offset } });
        pageTimes.push(performance.now() - t);
        const body = page.body as { total: number; data: { package_id: string }[] };
        expect([page.status, body.total, body.data.length]).toStrictEqual([200, 10_000, 100]);
        for (const row of body.data) seen.add(row.package_id);
      }
      const beyond = await signedCall(e, { method: 'POST', path: `/v2/${e.identity.projectId}/factory/release-packages`, body: { limit: 100, offset: 10_000 } });
      const filtered = await signedCall(e, {
        method: 'POST',
        path: `/v2/${e.identity.projectId}/factory/release-packages`,
        body: { limit: 100, deploy_status_filter: [3], order_column: 'package_name', sorted_direction: 'asc' },
      });
      // Assess
      expect(seedMs).toBeLessThan(1_000);
      expect(seen.size).toBe(10_000);
      expect(beyond.body).toStrictEqual({ total: 10_000, data: [] });
      expect((filtered.body as { total: number }).total).toBe(2_000);
      expect(Math.max(...pageTimes)).toBeLessThan(200);
    } finally {
      await e.close();
    }
  });
});

describe('Emulator clock and identity', () => {
  it('pins, advances and returns to real time', () => {
    const clock = new EmulatorClock(NOW);
    expect([clock.now().toISOString(), clock.pinned]).toStrictEqual(['2025-06-01T08:00:00.000Z', true]);
    clock.advance(1_500);
    expect(clock.now().toISOString()).toBe('2025-06-01T08:00:01.500Z');
    clock.useRealTime();
    expect(Math.abs(clock.nowMs() - Date.now())).toBeLessThan(1_000);
    clock.advance(60_000);
    expect(Math.abs(clock.nowMs() - Date.now() - 60_000)).toBeLessThan(1_000);
    expect(() => clock.set(new Date('nope'))).toThrow(RangeError);
  });

  it('reads the identity from EMULATOR_* variables, defaulting each', () => {
    expect(identityFromEnv({})).toStrictEqual(DEFAULT_IDENTITY);
    expect(
      identityFromEnv({
        EMULATOR_AK: 'AK2',
        EMULATOR_SK: 'sk2-0000000000',
        EMULATOR_PROJECT_ID: '11111111111111111111111111111111',
        EMULATOR_WORKSPACE: '22222222222222222222222222222222',
        EMULATOR_CODEARTS_PROJECT_ID: '33333333333333333333333333333333',
        EMULATOR_IAM_USER: 'someone',
        EMULATOR_IAM_DOMAIN: ' ',
      }),
    ).toStrictEqual({
      ...DEFAULT_IDENTITY,
      accessKey: 'AK2',
      secretKey: 'sk2-0000000000',
      projectId: '11111111111111111111111111111111',
      workspace: '22222222222222222222222222222222',
      codeartsProjectId: '33333333333333333333333333333333',
      iamUser: 'someone',
    });
  });

  it('serves another identity given in the options', async () => {
    const e = await startEmulator({ now: NOW, identity: { projectId: '11111111111111111111111111111111', accessKey: 'OTHERAK0001' } });
    try {
      const ok = await signedCall(e, { method: 'POST', path: '/v2/11111111111111111111111111111111/factory/release-packages', body: {} });
      const defaultProject = await signedCall(e, { method: 'POST', path: `/v2/${DEFAULT_IDENTITY.projectId}/factory/release-packages`, body: {} });
      expect([ok.status, defaultProject.status]).toStrictEqual([200, 400]);
      expect(e.identity.accessKey).toBe('OTHERAK0001');
    } finally {
      await e.close();
    }
  });
});

describe('Emulator route registry', () => {
  it('serves routes added by another module behind the same gateway, with their own state', async () => {
    // Prepare: a FunctionGraph-like route, as another engineer would add it
    const routes = defineRoutes([
      {
        name: 'InvokeFunction',
        method: 'POST',
        pattern: '/v2/{project_id}/fgs/functions/{function_urn}/invocations',
        handler: (ctx) => {
          if (ctx.request.params.project_id !== ctx.identity.projectId) throw new EmulatorError(404, { error_code: 'FSS.0404', error_msg: 'not found' });
          const calls = ctx.state.extension('functiongraph', () => ({ count: 0 }));
          calls.count += 1;
          return { status: 200, body: { function: ctx.request.params.function_urn, count: calls.count, caller: ctx.caller.kind } };
        },
      },
    ]);
    const e = await startEmulator({ now: NOW, routes });
    try {
      const path = `/v2/${e.identity.projectId}/fgs/functions/urn%3Afss%3Afn/invocations`;
      // Act
      const first = await signedCall(e, { method: 'POST', path, body: {} });
      const second = await signedCall(e, { method: 'POST', path, body: {} });
      const unsigned = await send(e.url, { method: 'POST', path, body: '{}' });
      const otherProject = await signedCall(e, { method: 'POST', path: '/v2/ffffffffffffffffffffffffffffffff/fgs/functions/f/invocations', body: {} });
      // Assess
      expect([first.status, first.body]).toStrictEqual([200, { function: 'urn:fss:fn', count: 1, caller: 'aksk' }]);
      expect((second.body as { count: number }).count).toBe(2);
      expect(unsigned.status).toBe(401);
      expect([otherProject.status, otherProject.body]).toStrictEqual([404, { error_code: 'FSS.0404', error_msg: 'not found' }]);
      expect(e.requests.map((r) => r.operation)).toStrictEqual(['InvokeFunction', 'InvokeFunction', 'InvokeFunction', 'InvokeFunction']);
      e.reset();
      expect((await signedCall(e, { method: 'POST', path, body: {} })).body).toStrictEqual({ function: 'urn:fss:fn', count: 1, caller: 'aksk' });
    } finally {
      await e.close();
    }
  });
});
