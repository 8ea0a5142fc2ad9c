/**
 * The benchmark's results.json writer and table, on a small synthetic input. No timings are asserted here:
 * speed lives in `npm run bench` only.
 */
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { figure, NO_TARGET, renderTable, resultsJson, round, writeResults, type Figure } from '../../../bench/lib/results';
import { quantile, ratio, spread } from '../../../bench/lib/stats';

function synthetic(): Figure[] {
  return [
    figure({
      name: 'cold start: listPendingItems',
      group: 'cold-start',
      value: 158.54321,
      min: 131.0049,
      max: 191.7,
      samples: 15,
      unit: 'ms',
      stat: 'median of 15 fresh processes',
      ratios: { vsFloor: 158.54321 / 46.4, vsOfficialSdk: 158.54321 / 138.4 },
      target: 'at most 1.5× the floor and at most 0.5× the official SDK',
      met: false,
    }),
    figure({
      name: 'bundle size: floor',
      group: 'bundle-size',
      value: 3.2851,
      unit: 'KB',
      stat: 'minified bundle (.js)',
      ratios: { vsFloor: 1, vsOfficialSdk: undefined },
    }),
    figure({
      name: 'signer throughput: GET with query',
      group: 'signer',
      value: 95164.4,
      unit: 'signatures/s',
      stat: 'median of 4 batches',
      ratios: { vsOfficialSdk: 1.0251 },
      target: 'at least the official SDK signer (≥ 1×)',
      met: true,
      note: 'official SDK: 92834/s',
    }),
  ];
}

describe('Bench: results.json', () => {
  it('writes an array of figures, each with name, value, unit, ratios, target and met', () => {
    // Prepare
    const dir = mkdtempSync(join(tmpdir(), 'bench-results-'));
    const path = join(dir, 'nested', 'results.json');
    // Act
    writeResults(path, synthetic());
    const written: unknown = JSON.parse(readFileSync(path, 'utf8'));
    rmSync(dir, { recursive: true, force: true });
    // Assess
    expect(written).toStrictEqual([
      {
        name: 'cold start: listPendingItems',
        group: 'cold-start',
        value: 158.5,
        unit: 'ms',
        stat: 'median of 15 fresh processes',
        ratios: { vsFloor: 3.417, vsOfficialSdk: 1.146 },
        target: 'at most 1.5× the floor and at most 0.5× the official SDK',
        met: false,
        min: 131,
        max: 191.7,
        samples: 15,
      },
      {
        name: 'bundle size: floor',
        group: 'bundle-size',
        value: 3.285,
        unit: 'KB',
        stat: 'minified bundle (.js)',
        ratios: { vsFloor: 1 },
        target: NO_TARGET,
        met: true,
      },
      {
        name: 'signer throughput: GET with query',
        group: 'signer',
        value: 95164,
        unit: 'signatures/s',
        stat: 'median of 4 batches',
        ratios: { vsOfficialSdk: 1.025 },
        target: 'at least the official SDK signer (≥ 1×)',
        met: true,
        note: 'official SDK: 92834/s',
      },
    ]);
  });

  it('refuses a figure whose value is not a finite number', () => {
    expect(() => figure({ name: 'x', group: 'g', value: Number.NaN, unit: 'ms', stat: 'p50' })).toThrow('figure "x": value is not a finite number (NaN)');
    expect(() => figure({ name: 'x', group: 'g', value: 1, unit: 'ms', stat: 'p50', ratios: { vsFloor: Infinity } })).toThrow(
      'figure "x": ratios.vsFloor is not a finite number (Infinity)',
    );
  });

  it('refuses a target without met, a figure without a name, and a name given twice', () => {
    expect(() => figure({ name: 'x', group: 'g', value: 1, unit: 'ms', stat: 'p50', target: 'under 1 ms' })).toThrow('figure "x": a target needs met');
    expect(() => figure({ name: ' ', group: 'g', value: 1, unit: 'ms', stat: 'p50' })).toThrow('a figure needs a name');
    const one = figure({ name: 'x', group: 'g', value: 1, unit: 'ms', stat: 'p50' });
    expect(() => resultsJson([one, one])).toThrow('figure "x" is given twice');
  });

  it('keeps a missed figure in the table, marked', () => {
    // Act
    const table = renderTable(synthetic()).split('\n');
    // Assess
    expect(table).toStrictEqual([
      '| figure | value (min–max) | stat | vs floor | vs official SDK | target | met |',
      '| --- | --- | --- | --- | --- | --- | --- |',
      '| cold start: listPendingItems | 158.5 ms (131–191.7) | median of 15 fresh processes | 3.42× | 1.15× | at most 1.5× the floor and at most 0.5× the official SDK | **MISSED** |',
      '| bundle size: floor | 3.285 KB | minified bundle (.js) | 1× |  | — | — |',
      '| signer throughput: GET with query | 95164 signatures/s | median of 4 batches |  | 1.02× | at least the official SDK signer (≥ 1×) | yes |',
    ]);
  });
});

describe('Bench: statistics', () => {
  it('rounds to 4 significant digits, keeping the integer part, at most 6 decimals', () => {
    expect([round(158.54321), round(0.00012345), round(95164.4), round(0)]).toStrictEqual([158.5, 0.000123, 95164, 0]);
  });

  it('takes quantiles by interpolation and spreads with median, min and max', () => {
    expect(quantile([4, 1, 3, 2], 0.5)).toBe(2.5);
    expect(quantile([1, 2, 3, 4, 5], 0.99)).toBeCloseTo(4.96, 10);
    expect(spread([3, 1, 2])).toStrictEqual({ median: 2, min: 1, max: 3, n: 3 });
    expect(ratio(1, 0)).toBeUndefined();
  });
});
