/**
 * Signer throughput: shared/signing/signer.ts `signRequest` against the official SDK's `AKSKSigner.sign`
 * (@huaweicloud/huaweicloud-sdk-core 3.1.211) on the same requests, alternating in batches so that noise
 * hits both. Each signs with the current time, as each is used (ours gets `now`, the SDK reads its clock
 * through moment); ours is also handed the JSON text it hashes, the SDK stringifies the body itself.
 *
 *   node signer-runner.js <job.json> <out.json>     job: { rounds, batch }
 */
import { readFileSync, writeFileSync } from 'node:fs';
import { AKSKSigner } from '@huaweicloud/huaweicloud-sdk-core/auth/AKSKSigner';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import { signRequest } from '../../shared/signing/signer';

const AK = 'HWCLOCALEMULATORAK01';
const SK = 'hwc-local-emulator-secret-key-0000000001';
const PROJECT = '0123456789abcdef0123456789abcdef';
const ENDPOINT = 'https://dayu.cn-north-4.myhuaweicloud.com';
const WORKSPACE = 'e265f808151d458bb7967e0aaf42d146';

interface Case {
  readonly name: string;
  readonly method: string;
  readonly path: string;
  readonly query: Record<string, string | number>;
  readonly data: Record<string, unknown> | undefined;
}

const CASES: readonly Case[] = [
  { name: 'GET with query', method: 'GET', path: `/v2/${PROJECT}/factory/pending-items`, query: { limit: 10, offset: 20 }, data: undefined },
  {
    name: 'POST with JSON body',
    method: 'POST',
    path: `/v2/${PROJECT}/factory/release-packages`,
    query: {},
    data: { limit: 100, offset: 0, key_word: 'seed_release', deploy_status: '1', sort_by: 'apply_timestamp', sort_order: 'desc', begin_time: 1735689600000 },
  },
];

const credentials = { accessKey: AK, secretKey: SK };
const sdkCredentials = new BasicCredentials().withAk(AK).withSk(SK);

function headersOf(): Record<string, string> {
  return { 'content-type': 'application/json', workspace: WORKSPACE, 'X-Project-Id': PROJECT };
}

function queryText(query: Record<string, string | number>): string {
  const parts = Object.entries(query).map(([k, v]) => `${encodeURIComponent(k)}=${encodeURIComponent(String(v))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}

function ours(c: Case): string {
  const signed = signRequest(
    { method: c.method, url: `${ENDPOINT}${c.path}${queryText(c.query)}`, headers: headersOf(), body: c.data === undefined ? undefined : JSON.stringify(c.data) },
    credentials,
    { now: new Date() },
  );
  return signed.headers.Authorization as string;
}

function sdk(c: Case, date?: string): string {
  const headers = headersOf();
  if (date) headers['X-Sdk-Date'] = date;
  const signed = AKSKSigner.sign(
    { method: c.method, endpoint: `${ENDPOINT}${c.path}`, queryParams: c.query, headers, data: c.data } as never,
    sdkCredentials,
  ) as Record<string, string>;
  return signed.Authorization as string;
}

/** Both signers agree on a pinned date (the comparison is of the same work). */
function agree(c: Case): boolean {
  const date = '20250101T000000Z';
  const mine = signRequest(
    { method: c.method, url: `${ENDPOINT}${c.path}${queryText(c.query)}`, headers: headersOf(), body: c.data === undefined ? undefined : JSON.stringify(c.data) },
    credentials,
    { now: new Date('2025-01-01T00:00:00Z') },
  ).headers.Authorization;
  return mine === sdk(c, date);
}

function batch(fn: (c: Case) => string, c: Case, n: number): number {
  let sink = 0;
  const t0 = performance.now();
  for (let i = 0; i < n; i++) sink += fn(c).length;
  const ms = performance.now() - t0;
  if (sink === 0) throw new Error('nothing signed');
  return (n / ms) * 1000;
}

function main(): void {
  const [jobPath, outPath] = process.argv.slice(2);
  if (!jobPath || !outPath) throw new Error('usage: signer-runner <job.json> <out.json>');
  const job = JSON.parse(readFileSync(jobPath, 'utf8')) as { rounds: number; batch: number };
  const out: Record<string, { ours: number[]; sdk: number[]; agree: boolean }> = {};
  for (const c of CASES) {
    const entry = { ours: [] as number[], sdk: [] as number[], agree: agree(c) };
    // Warm both up (JIT) before measuring.
    batch(ours, c, job.batch);
    batch(sdk, c, job.batch);
    for (let r = 0; r < job.rounds; r++) {
      if (r % 2 === 0) {
        entry.ours.push(batch(ours, c, job.batch));
        entry.sdk.push(batch(sdk, c, job.batch));
      } else {
        entry.sdk.push(batch(sdk, c, job.batch));
        entry.ours.push(batch(ours, c, job.batch));
      }
    }
    out[c.name] = entry;
  }
  writeFileSync(outPath, JSON.stringify(out));
}

main();
