/**
 * shared/once.ts: what is read once per container (the runtime, a timer's configuration, the inbound
 * clients) keeps its value, or its error, for every later invocation.
 */
import { once, oncePer } from '../../../shared/once';

describe('once', () => {
  it('loads on the first call, with its arguments, and answers that value ever after', () => {
    // Prepare
    const calls: Array<[string, number]> = [];
    const read = once((name: string, n: number) => {
      calls.push([name, n]);
      return { name, n };
    });

    // Act
    const first = read('first', 1);
    const second = read('second', 2);

    // Assess
    expect(first).toStrictEqual({ name: 'first', n: 1 });
    expect(second).toBe(first);
    expect(calls).toStrictEqual([['first', 1]]);
  });

  it('throws the first error again on every later call, without loading again', () => {
    // Prepare
    const error = new Error('HUAWEICLOUD_SDK_REGION is not set');
    let loads = 0;
    const read = once((): string => {
      loads++;
      throw error;
    });

    // Act
    const thrown = [0, 1, 2].map(() => {
      try {
        return read();
      } catch (caught) {
        return caught;
      }
    });

    // Assess
    expect(thrown).toStrictEqual([error, error, error]);
    expect(thrown.every((e) => e === error)).toBe(true);
    expect(loads).toBe(1);
  });
});

describe('oncePer', () => {
  it('loads once for each key, and keeps each value or error apart', () => {
    // Prepare
    const good = { env: 'good' };
    const bad = { env: 'bad' };
    const loads: string[] = [];
    const read = oncePer((key: { env: string }) => {
      loads.push(key.env);
      if (key.env === 'bad') throw new Error('HRF_CLIENTS is not valid JSON');
      return `clients of ${key.env}`;
    });

    // Act
    const answers = [good, bad, good, bad].map((key) => {
      try {
        return read(key);
      } catch (caught) {
        return (caught as Error).message;
      }
    });

    // Assess
    expect(answers).toStrictEqual(['clients of good', 'HRF_CLIENTS is not valid JSON', 'clients of good', 'HRF_CLIENTS is not valid JSON']);
    expect(loads).toStrictEqual(['good', 'bad']);
  });
});
