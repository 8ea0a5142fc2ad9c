/** The machine a run was taken on, and bench/RESULTS.md. */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import type { BuildOptions } from 'esbuild';
import { ROOT } from './build';
import { cpus, totalmem } from 'node:os';
import type { BenchContext } from './context';
import { renderTable } from './results';

export interface Machine {
  readonly node: string;
  readonly cpu: string;
  readonly cores: number;
  readonly memoryGb: number;
}

export function machine(): Machine {
  let cpu = cpus()[0]?.model ?? 'unknown';
  try {
    const m = /^model name\s*:\s*(.+)$/m.exec(readFileSync('/proc/cpuinfo', 'utf8'));
    if (m?.[1]) cpu = m[1].trim();
  } catch {
    // not Linux: os.cpus() it is
  }
  return { node: process.version, cpu, cores: cpus().length, memoryGb: Math.round((totalmem() / 2 ** 30) * 10) / 10 };
}

/** The esbuild settings as text, plugins by name. */
export function describeEsbuild(options: BuildOptions): string {
  return JSON.stringify({ ...options, ...(options.plugins ? { plugins: options.plugins.map((p) => p.name) } : {}) });
}

/** The commit measured, and whether the measured sources differed from it. */
export function sourceState(): string {
  try {
    const git = (...args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim();
    const head = git('rev-parse', '--short', 'HEAD');
    const dirty = git('status', '--porcelain', '--', 'shared', 'functions', 'build', 'serverless.yml', 'package.json', 'package-lock.json')
      .split('\n')
      .filter((l) => l.trim() !== '').length;
    return dirty ? `commit ${head} plus ${dirty} uncommitted change(s) in the measured sources` : `commit ${head}`;
  } catch {
    return 'an unknown commit (git unavailable)';
  }
}

export function resultsMarkdown(ctx: BenchContext, m: Machine, startedAt: Date, durationMs: number): string {
  const missed = ctx.figures.filter((f) => !f.met);
  return [
    '# Benchmark results',
    '',
    `Taken ${startedAt.toISOString()} by \`npm run bench\`${ctx.quick ? ' (BENCH_QUICK=1: fewer repetitions)' : ''} in ${(durationMs / 1000).toFixed(0)} s on ${sourceState()}, with Node ${m.node}, ${m.cpu}, ${m.cores} cores, ${m.memoryGb} GB (a shared machine: read the ratios, taken side by side in one run, not the absolute times).`,
    '',
    'References, built in bench/references/ and bundled with the functions\' esbuild options but not with the project\'s own esbuild plugins, which are part of ours (serverless.yml `custom.esbuild`: ' +
      `\`${describeEsbuild(ctx.settings.esbuild)}\`), run with the deployed NODE_OPTIONS (${ctx.settings.nodeOptions ? `\`${ctx.settings.nodeOptions}\`` : 'none'}):`,
    '- **floor**: a minimal handler of `node:http`/`node:https` and `node:crypto` alone making signed upstream calls;',
    '- **official SDK**: the same calls through `@huaweicloud/huaweicloud-sdk-core` 3.1.211 (`ClientBuilder` → `HcClient.sendRequest`, `BasicCredentials`), as a generated service client makes them.',
    '',
    'In the cold-start figures each function is compared with references making **its own** upstream calls: the requests its first invocation sent, recorded at the local cloud, in the same waves (calls in flight together are sent together; bench/lib/upstream-calls.ts), and every reference run is checked to have made the same requests. Elsewhere (warm overhead, the sizes, the load costs) the references make listPendingItems\' call, one GET of DataArts ListFactoryPendingItems.',
    '',
    renderTable(ctx.figures),
    '',
    missed.length
      ? `**${missed.length} figure(s) miss their target:** ${missed.map((f) => f.name).join('; ')}.`
      : 'Every figure with a target meets it.',
    '',
    ...(ctx.figures.some((f) => f.note)
      ? ['Notes:', '', ...ctx.figures.filter((f) => f.note).map((f) => `- ${f.name}: ${f.note}`), '']
      : []),
    'Where a cold start\'s CPU goes, counted in instructions (the same on a busy machine): bench/experiments/INSTRUCTIONS.md (`node --import tsx bench/experiments/instructions.ts`); options measured on experimental builds: bench/experiments/RESULTS.md (`node --import tsx bench/experiments/options.ts`).',
    '',
    ...(ctx.problems.length ? ['## Not measured', '', ...ctx.problems.map((p) => `- ${p}`), ''] : []),
    '## Diagnostics',
    '',
    ctx.diagnostics.join('\n\n'),
    '',
  ].join('\n');
}
