/**
 * The benchmark's output: figures (each a value with its spread, its ratios to the references, its target
 * and whether it was met), written as bench/results.json and rendered as a Markdown table.
 * Pure apart from {@link writeResults}.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';

/** Ratio keys: vsFloor (node:https + node:crypto), vsOfficialSdk (@huaweicloud/huaweicloud-sdk-core), vsIdeal, … */
export type Ratios = Readonly<Record<string, number>>;

export interface Figure {
  readonly name: string;
  /** cold-start | bundle-size | warm-overhead | release-check | signer | … */
  readonly group: string;
  /** The headline value (a median unless `stat` says otherwise). */
  readonly value: number;
  readonly unit: string;
  /** What `value` is, e.g. "median of 15 runs", "p99 of 3000 calls", "bytes". */
  readonly stat: string;
  readonly min?: number;
  readonly max?: number;
  readonly samples?: number;
  readonly ratios: Ratios;
  /** The target in words; {@link NO_TARGET} for figures reported for context only. */
  readonly target: string;
  readonly met: boolean;
  readonly note?: string;
}

export const NO_TARGET = 'none (context)';

export interface FigureInput extends Omit<Figure, 'ratios' | 'met' | 'target'> {
  /** Undefined ratios (a reference that could not be measured) are left out. */
  readonly ratios?: Readonly<Record<string, number | undefined>>;
  readonly target?: string;
  /** Whether the target was met; required when a target is given. */
  readonly met?: boolean;
}

/** Rounds to 4 significant digits, keeping the whole integer part, at most 6 decimals (shared machines carry no more). */
export function round(value: number): number {
  if (!Number.isFinite(value) || value === 0) return value;
  const digits = Math.max(0, 3 - Math.floor(Math.log10(Math.abs(value))));
  return Number(value.toFixed(Math.min(digits, 6)));
}

function finite(name: string, field: string, value: number | undefined): void {
  if (value !== undefined && !Number.isFinite(value)) throw new TypeError(`figure "${name}": ${field} is not a finite number (${value})`);
}

/** Checks and normalises one figure: finite numbers, rounded; undefined ratios dropped; met required with a target. */
export function figure(input: FigureInput): Figure {
  const name = input.name.trim();
  if (name === '') throw new TypeError('a figure needs a name');
  if (input.unit.trim() === '') throw new TypeError(`figure "${name}": unit is empty`);
  finite(name, 'value', input.value);
  finite(name, 'min', input.min);
  finite(name, 'max', input.max);
  const target = input.target ?? NO_TARGET;
  if (target !== NO_TARGET && typeof input.met !== 'boolean') throw new TypeError(`figure "${name}": a target needs met`);
  const ratios: Record<string, number> = {};
  for (const [key, value] of Object.entries(input.ratios ?? {})) {
    if (value === undefined) continue;
    finite(name, `ratios.${key}`, value);
    ratios[key] = round(value);
  }
  const out: { -readonly [K in keyof Figure]: Figure[K] } = {
    name,
    group: input.group,
    value: round(input.value),
    unit: input.unit,
    stat: input.stat,
    ratios,
    target,
    met: target === NO_TARGET ? true : (input.met as boolean),
  };
  if (input.min !== undefined) out.min = round(input.min);
  if (input.max !== undefined) out.max = round(input.max);
  if (input.samples !== undefined) out.samples = input.samples;
  if (input.note !== undefined) out.note = input.note;
  return out;
}

/** results.json: an array of figures, names unique. */
export function resultsJson(figures: readonly Figure[]): string {
  const seen = new Set<string>();
  for (const f of figures) {
    if (seen.has(f.name)) throw new TypeError(`figure "${f.name}" is given twice`);
    seen.add(f.name);
  }
  return `${JSON.stringify(figures, null, 2)}\n`;
}

export function writeResults(path: string, figures: readonly Figure[]): void {
  mkdirSync(dirname(path), { recursive: true });
  writeFileSync(path, resultsJson(figures));
}

function show(value: number): string {
  return String(round(value));
}

function showRatio(value: number | undefined): string {
  return value === undefined ? '' : `${Number(value.toPrecision(3))}×`;
}

/** The figure's value with its spread, e.g. "182 ms (171–240)". */
export function formatValue(f: Figure): string {
  const spreadText = f.min !== undefined && f.max !== undefined ? ` (${show(f.min)}–${show(f.max)})` : '';
  return `${show(f.value)} ${f.unit}${spreadText}`;
}

/** A Markdown table; a missed target is marked "**MISSED**" and stays in the table. */
const RATIO_LABELS: Readonly<Record<string, string>> = { vsFloor: 'vs floor', vsOfficialSdk: 'vs official SDK', vsIdeal: 'vs ideal' };

export function renderTable(figures: readonly Figure[]): string {
  const extraKeys = [...new Set(figures.flatMap((f) => Object.keys(f.ratios)))].filter((k) => k !== 'vsFloor' && k !== 'vsOfficialSdk');
  const header = ['figure', 'value (min–max)', 'stat', 'vs floor', 'vs official SDK', ...extraKeys.map((k) => RATIO_LABELS[k] ?? k), 'target', 'met'];
  const rows = figures.map((f) => [
    f.name,
    formatValue(f),
    f.stat,
    showRatio(f.ratios.vsFloor),
    showRatio(f.ratios.vsOfficialSdk),
    ...extraKeys.map((k) => showRatio(f.ratios[k])),
    f.target === NO_TARGET ? '—' : f.target,
    f.target === NO_TARGET ? '—' : f.met ? 'yes' : '**MISSED**',
  ]);
  const escape = (cell: string) => cell.replace(/\|/g, '\\|');
  return [header, header.map(() => '---'), ...rows].map((cells) => `| ${cells.map(escape).join(' | ')} |`).join('\n');
}
