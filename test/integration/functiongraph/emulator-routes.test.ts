/**
 * The local FunctionGraph (emulator/routes/functiongraph.ts) on the wire: behind the gateway's
 * authentication, FunctionGraph's limits refused with its error shape, triggers checked, and the
 * official SDK client's paging over a package of more than one page of functions.
 */
import { startEmulator, type RunningEmulator } from '../../../emulator';
import { functionGraphState } from '../../../emulator/routes/functiongraph';
import { sdkFunctionGraphApi } from '../../../scripts/functiongraph/api';
import { zipIndexJs } from '../../../scripts/functiongraph/package';
import { send, signedCall } from '../../helpers/emulator';

let emulator: RunningEmulator;
let zip: string;
const base = () => `/v2/${emulator.identity.projectId}/fgs`;

function createBody(overrides: Record<string, unknown> = {}) {
  return {
    func_name: 'fn-a',
    package: 'default',
    runtime: 'Node.js20.15',
    handler: 'index.handler',
    memory_size: 256,
    timeout: 30,
    code_type: 'zip',
    code_filename: 'index.zip',
    func_code: { file: zip },
    user_data: '{"LOG_LEVEL":"info"}',
    ...overrides,
  };
}

async function createFunction(overrides: Record<string, unknown> = {}) {
  return signedCall(emulator, { method: 'POST', path: `${base()}/functions`, body: createBody(overrides) });
}

const urnOf = (name: string) => `urn:fss:${emulator.identity.region}:${emulator.identity.projectId}:function:default:${name}:latest`;
const apigData = (overrides: Record<string, unknown> = {}) => ({
  group_id: 'group0001',
  env_id: 'env0001',
  env_name: 'RELEASE',
  name: 'api_fn_a_GET',
  path: '/v1/things',
  req_method: 'GET',
  auth: 'NONE',
  protocol: 'HTTPS',
  match_mode: 'NORMAL',
  type: 1,
  backend_type: 'FUNCTION',
  ...overrides,
});
const fssError = (code: string, message: string) => ({ error_code: code, error_msg: message });

beforeAll(async () => {
  emulator = await startEmulator();
  zip = (await zipIndexJs(Buffer.from('exports.handler = async (event, context) => ({});\n'))).toString('base64');
});
afterAll(async () => {
  await emulator.close();
});
beforeEach(() => {
  emulator.reset();
});

describe('Local FunctionGraph: functions', () => {
  it('creates a function and shows its configuration, never the encrypted user data', async () => {
    // Act
    const created = await createFunction({ encrypted_user_data: '{"HRF_CLIENTS":"secret-clients"}', xrole: 'agency-a', description: 'A' });
    const shown = await signedCall(emulator, { method: 'GET', path: `${base()}/functions/${urnOf('fn-a')}/config` });

    // Assess
    expect(created.status).toBe(200);
    expect(shown.body).toStrictEqual({
      ...(created.body as object),
      func_urn: urnOf('fn-a'),
      func_name: 'fn-a',
      package: 'default',
      runtime: 'Node.js20.15',
      handler: 'index.handler',
      memory_size: 256,
      timeout: 30,
      user_data: '{"LOG_LEVEL":"info"}',
      xrole: 'agency-a',
      description: 'A',
      version: 'latest',
    });
    expect(shown.text).not.toContain('secret-clients');
  });

  it.each([
    [{ memory_size: 300 }, 'memory_size: memory_size must be one of 128, 256, 512, 768, 1024, 1280, 1536, 1792, 2048, 2560, 3072, 3584, 4096'],
    [{ timeout: 1 }, 'timeout: Too small: expected number to be >=3'],
    [{ func_name: '1-bad' }, 'func_name: func_name must be 1 to 60 letters, digits, "_" or "-", start with a letter and end with a letter or digit'],
    [{ func_code: { file: Buffer.from('not a zip at all, really not').toString('base64') } }, 'func_code.file is not a zip archive.'],
    [{ user_data: JSON.stringify({ BIG: 'x'.repeat(3000) }), encrypted_user_data: JSON.stringify({ SECRET: 'y'.repeat(1100) }) }, 'The environment variables hold 4109 characters; at most 4096 are allowed.'],
    [{ user_data: '{"1BAD":"x"}' }, 'user_data: the key "1BAD" must be a letter followed by letters, digits or "_".'],
  ])('refuses %j with 400 FSS.0400', async (overrides, message) => {
    // Act
    const response = await createFunction(overrides);

    // Assess
    expect([response.status, response.body]).toStrictEqual([400, fssError('FSS.0400', message)]);
    expect(functionGraphState({ state: emulator.state }).functions.size).toBe(0);
  });

  it('refuses a second function of the same name (409), an unknown one (404) and another project (403)', async () => {
    // Act
    await createFunction();
    const again = await createFunction();
    const unknown = await signedCall(emulator, { method: 'GET', path: `${base()}/functions/${urnOf('fn-z')}/config` });
    const other = await signedCall(emulator, { method: 'GET', path: `/v2/ffffffffffffffffffffffffffffffff/fgs/functions` });

    // Assess
    expect([again.status, unknown.status, other.status]).toStrictEqual([409, 404, 403]);
    expect([(again.body as { error_code: string }).error_code, (unknown.body as { error_code: string }).error_code]).toStrictEqual(['FSS.0409', 'FSS.0404']);
  });

  it('answers only signed requests', async () => {
    // Act
    const response = await send(emulator.url, { method: 'GET', path: `${base()}/functions` });

    // Assess
    expect([response.status, (response.body as { error_code: string }).error_code]).toStrictEqual([401, 'APIG.0301']);
  });

  it('pages the function list, and the SDK client reads every page', async () => {
    // Prepare: 405 functions in the package, 2 in another
    const state = functionGraphState({ state: emulator.state });
    for (let i = 0; i < 407; i++) {
      const pkg = i < 405 ? 'default' : 'other';
      const name = `fn-${String(i).padStart(3, '0')}`;
      state.functions.set(state.urnOf(pkg, name), {
        funcId: state.newId(), funcName: name, package: pkg, urn: state.urnOf(pkg, name), runtime: 'Node.js20.15', handler: 'index.handler', memorySize: 128, timeout: 3,
        description: '', xrole: undefined, userData: '', encryptedUserData: '', codeType: 'zip', codeFilename: 'index.zip', code: Buffer.from(zip, 'base64'), lastModifiedMs: i, createdMs: i,
      });
    }
    const api = sdkFunctionGraphApi({ credentials: emulator.identity, projectId: emulator.identity.projectId, endpoint: emulator.url });

    // Act
    const page = await signedCall(emulator, { method: 'GET', path: `${base()}/functions?marker=0&maxitems=2&package_name=default` });
    const all = await api.listFunctions('default');

    // Assess
    expect([(page.body as { functions: unknown[] }).functions.length, (page.body as { next_marker: number }).next_marker, (page.body as { count: number }).count]).toStrictEqual([2, 2, 405]);
    expect(all.map((f) => f.name)).toStrictEqual(Array.from({ length: 405 }, (_v, i) => `fn-${String(i).padStart(3, '0')}`));
    expect(emulator.requests.filter((r) => r.operation === 'ListFunctions').map((r) => r.query)).toStrictEqual([
      'marker=0&maxitems=2&package_name=default',
      'marker=0&maxitems=400&package_name=default',
      'marker=400&maxitems=400&package_name=default',
    ]);
  });
});

describe('Local FunctionGraph: triggers', () => {
  const triggersPath = (name = 'fn-a') => `${base()}/triggers/${urnOf(name)}`;
  const createTrigger = (body: unknown, name = 'fn-a') => signedCall(emulator, { method: 'POST', path: triggersPath(name), body });

  it('creates, lists and deletes a timer and an APIG route', async () => {
    // Prepare
    await createFunction();

    // Act
    const timer = await createTrigger({ trigger_type_code: 'TIMER', trigger_status: 'ACTIVE', event_data: { name: 'every-15', schedule_type: 'Rate', schedule: '15m' } });
    const route = await createTrigger({ trigger_type_code: 'APIG', event_type_code: 'APICreated', event_data: apigData() });
    const listed = await signedCall(emulator, { method: 'GET', path: triggersPath() });
    const timerId = (timer.body as { trigger_id: string }).trigger_id;
    const deleted = await signedCall(emulator, { method: 'DELETE', path: `${triggersPath()}/TIMER/${timerId}` });
    const deletedAgain = await signedCall(emulator, { method: 'DELETE', path: `${triggersPath()}/TIMER/${timerId}` });
    const after = await signedCall(emulator, { method: 'GET', path: triggersPath() });

    // Assess
    expect([timer.status, route.status, deleted.status, deletedAgain.status]).toStrictEqual([201, 201, 204, 404]);
    expect((listed.body as { trigger_type_code: string }[]).map((t) => t.trigger_type_code)).toStrictEqual(['TIMER', 'APIG']);
    expect((route.body as { event_data: Record<string, unknown> }).event_data).toMatchObject({ ...apigData(), invoke_url: `https://group0001.apic.${emulator.identity.region}.huaweicloudapis.com/v1/things` });
    expect((after.body as { trigger_type_code: string }[]).map((t) => t.trigger_type_code)).toStrictEqual(['APIG']);
  });

  it.each([
    [{ schedule_type: 'Rate', schedule: '61m' }, 'event_data.schedule: a Rate is 1-60m, 1-24h or 1-30d.'],
    [{ schedule_type: 'Rate', schedule: '31d' }, 'event_data.schedule: a Rate is 1-60m, 1-24h or 1-30d.'],
    [{ schedule_type: 'Cron', schedule: '0 0 8 * * ? *' }, 'event_data.schedule: a Cron has 5 or 6 fields (seconds first).'],
  ])('refuses the timer %j', async (data, message) => {
    // Prepare
    await createFunction();

    // Act
    const response = await createTrigger({ trigger_type_code: 'TIMER', event_data: { name: 'timer-a', ...data } });

    // Assess
    expect([response.status, response.body]).toStrictEqual([400, fssError('FSS.0400', message)]);
  });

  it('accepts FunctionGraph cron and @every timers', async () => {
    // Prepare
    await createFunction();

    // Act
    const cron = await createTrigger({ trigger_type_code: 'TIMER', event_data: { name: 'cron-a', schedule_type: 'Cron', schedule: 'CRON_TZ=UTC 0 30 9 ? * 1-5' } });
    const every = await createTrigger({ trigger_type_code: 'TIMER', event_data: { name: 'every-a', schedule_type: 'Cron', schedule: '@every 90m' } });

    // Assess
    expect([cron.status, every.status]).toStrictEqual([201, 201]);
  });

  it('refuses a route its API group already serves, even for another function, and an eleventh trigger', async () => {
    // Prepare
    await createFunction();
    await createFunction({ func_name: 'fn-b' });
    await createTrigger({ trigger_type_code: 'APIG', event_data: apigData() });

    // Act
    const taken = await createTrigger({ trigger_type_code: 'APIG', event_data: apigData({ name: 'api_fn_b_GET' }) }, 'fn-b');
    for (let i = 0; i < 9; i++) await createTrigger({ trigger_type_code: 'TIMER', event_data: { name: `timer-${i}`, schedule_type: 'Rate', schedule: '5m' } });
    const eleventh = await createTrigger({ trigger_type_code: 'TIMER', event_data: { name: 'timer-10', schedule_type: 'Rate', schedule: '5m' } });

    // Assess
    expect([taken.status, taken.body]).toStrictEqual([409, fssError('FSS.0409', 'The API group already has a route GET /v1/things.')]);
    expect([eleventh.status, eleventh.body]).toStrictEqual([409, fssError('FSS.0409', 'A function has at most 10 triggers.')]);
  });
});
