/** Signer throughput: ours against the official SDK's AKSKSigner on the same requests (bench/harness/signer-runner.ts). */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { WORK } from './build';
import { cleanEnv, readOutput, runNode } from './child';
import type { BenchContext } from './context';
import { figure } from './results';
import { ratio, spread } from './stats';

export async function measureSigner(ctx: BenchContext): Promise<void> {
  const dir = join(WORK, 'signer');
  mkdirSync(dir, { recursive: true });
  const job = join(dir, 'signer.job.json');
  const out = join(dir, 'signer.out.json');
  writeFileSync(job, JSON.stringify({ rounds: ctx.reps.signerRounds, batch: ctx.reps.signerBatch }));
  ctx.log(`signer throughput: ${ctx.reps.signerRounds} rounds of ${ctx.reps.signerBatch} signatures each`);
  const run = await runNode(ctx.harness.signer, [job, out], { env: cleanEnv({}), timeoutMs: 240_000 });
  const result = readOutput<Record<string, { ours: number[]; sdk: number[]; agree: boolean }>>(out, run, 'signer throughput');
  for (const [name, r] of Object.entries(result)) {
    if (!r.agree) ctx.problems.push(`signer throughput (${name}): the two signers disagree on a pinned date, so the comparison is not of the same work`);
    const ours = spread(r.ours);
    const sdk = spread(r.sdk);
    const vsOfficialSdk = ratio(ours.median, sdk.median);
    ctx.figures.push(
      figure({
        name: `signer throughput: ${name}`,
        group: 'signer',
        value: ours.median,
        min: ours.min,
        max: ours.max,
        samples: ours.n,
        unit: 'signatures/s',
        stat: `median of ${ours.n} batches of ${ctx.reps.signerBatch}`,
        ratios: { vsOfficialSdk },
        target: 'at least the official SDK signer (≥ 1×)',
        met: vsOfficialSdk !== undefined && vsOfficialSdk >= 1,
        note: `official SDK AKSKSigner.sign: median ${Math.round(sdk.median)}/s (${Math.round(sdk.min)}–${Math.round(sdk.max)})`,
      }),
    );
  }
}
