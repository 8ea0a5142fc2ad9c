/** The runtime every function builds on first use: configuration sources and their failures. */
import { createMemoryIdempotencyStore, idempotencyStoreOf } from '../../../shared/idempotency/store';
import { createRuntime, lazyRuntime, platformEnv } from '../../../shared/runtime';
import { setLogLevel } from '../../../shared/logger';
import { fromPlatformContext } from '../../../shared/platform/invocation';
import { ConfigError } from '../../../shared/errors';
import { testEnv } from '../../helpers/runtime';
import { functionGraphContext } from '../../helpers/contexts';

afterEach(() => setLogLevel('debug'));

describe('Runtime', () => {
  it('refuses an unknown LOG_LEVEL, naming the variable', () => {
    // Act
    const attempt = () => createRuntime(testEnv('http://127.0.0.1:9', { LOG_LEVEL: 'loud' }));
    // Assess
    expect(attempt).toThrow(ConfigError);
    expect(attempt).toThrow('LOG_LEVEL: must be one of debug, info, warn, error');
  });

  it('reads FunctionGraph user data for a variable the environment leaves empty or unset', () => {
    // Prepare
    const previous = process.env.HRF_TEST_ONLY_VARIABLE;
    process.env.HRF_TEST_ONLY_VARIABLE = '';
    const invocation = fromPlatformContext(functionGraphContext({ userData: { HRF_TEST_ONLY_VARIABLE: 'from-user-data', OTHER_TEST_ONLY: 'other' } }));
    // Act
    const env = platformEnv(invocation);
    // Assess
    expect([env.HRF_TEST_ONLY_VARIABLE, env.OTHER_TEST_ONLY, env.NOT_SET_ANYWHERE_TEST_ONLY]).toStrictEqual(['from-user-data', 'other', undefined]);
    if (previous === undefined) delete process.env.HRF_TEST_ONLY_VARIABLE;
    else process.env.HRF_TEST_ONLY_VARIABLE = previous;
  });
});

describe('Runtime: the idempotency store', () => {
  it('is one memory store per runtime (per function instance), unless a shared store is plugged in', async () => {
    // Prepare
    const env = testEnv('http://127.0.0.1:9');
    const instance = createRuntime(env);
    const otherInstance = createRuntime(env);
    const shared = createMemoryIdempotencyStore({ now: () => new Date() });
    const plugged = createRuntime(env, { idempotency: shared });

    // Act
    const first = await idempotencyStoreOf(instance).claim('k', 'f');
    const again = await idempotencyStoreOf(instance).claim('k', 'f');
    const elsewhere = await idempotencyStoreOf(otherInstance).claim('k', 'f');

    // Assess
    expect([first.claimed, again.claimed, elsewhere.claimed, idempotencyStoreOf(plugged) === shared, 'idempotency' in instance]).toStrictEqual([true, false, true, true, false]);
  });

  it('lives as long as the function instance: the runtime is built once and kept, and so is its store', async () => {
    // Prepare
    let builds = 0;
    const source = lazyRuntime(() => {
      builds++;
      return createRuntime(testEnv('http://127.0.0.1:9'));
    });
    const invocation = () => fromPlatformContext(functionGraphContext({}));

    // Act
    const first = await idempotencyStoreOf(source(invocation())).claim('k', 'f');
    const second = await idempotencyStoreOf(source(invocation())).claim('k', 'f');

    // Assess
    expect([builds, first.claimed, second.claimed, source(invocation()) === source(invocation())]).toStrictEqual([1, true, false, true]);
  });
});
