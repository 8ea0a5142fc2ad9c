/**
 * The floor: a function's own upstream calls (the same requests, in the same waves: bench/lib/upstream-calls.ts)
 * from a minimal handler made of node:http/node:https and node:crypto alone, with a hand-rolled
 * SDK-HMAC-SHA256 signature. Nothing here can be cheaper and still make the same signed calls.
 * Without BENCH_UPSTREAM_CALLS it makes listPendingItems' call: GET /v2/{project_id}/factory/pending-items.
 */
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { callsFor, isAuthorized, isGatewayEvent, readConfig, respond, type GatewayResponse, type ReferenceConfig, type UpstreamCall } from './common';

let config: ReferenceConfig | undefined;

const hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

function sdkDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Signs a call whose path and query arrive encoded as the gateway canonicalises them (ours encode RFC 3986). */
function sign(call: UpstreamCall, url: URL, cfg: ReferenceConfig, now: Date): Record<string, string> {
  const all: Record<string, string> = { ...call.headers, host: url.host, 'x-sdk-date': sdkDate(now) };
  const names = Object.keys(all).sort();
  const pairs = call.query === '' ? [] : call.query.split('&').map((pair) => (pair.includes('=') ? pair : `${pair}=`).split('=') as [string, string]);
  const query = pairs.sort(([a, x], [b, y]) => (a < b ? -1 : a > b ? 1 : x < y ? -1 : x > y ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
  const canonical = [
    call.method,
    call.path.endsWith('/') ? call.path : `${call.path}/`,
    query,
    names.map((n) => `${n}:${(all[n] as string).trim()}\n`).join(''),
    names.join(';'),
    hex(call.body ?? ''),
  ].join('\n');
  const toSign = `SDK-HMAC-SHA256\n${all['x-sdk-date']}\n${hex(canonical)}`;
  const signature = createHmac('sha256', cfg.secretKey).update(toSign).digest('hex');
  return { ...all, authorization: `SDK-HMAC-SHA256 Access=${cfg.accessKey}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

function send(call: UpstreamCall, cfg: ReferenceConfig): Promise<{ status: number; body: string }> {
  const url = new URL(`${call.path}${call.query === '' ? '' : `?${call.query}`}`, cfg.endpoint);
  const headers = sign(call, url, cfg, new Date());
  const transport = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = transport(url, { method: call.method, headers, timeout: 3000 }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('upstream timed out')));
    req.on('error', reject);
    req.end(call.body);
  });
}

export const handler = async (event: unknown): Promise<GatewayResponse> => {
  config ??= readConfig();
  const cfg = config;
  if (isGatewayEvent(event) && !isAuthorized(event, cfg)) return respond(401, { error_code: 'HRF.0401', error_msg: 'unauthorized' });
  const calls = callsFor(isGatewayEvent(event) ? event : {}, cfg);
  if (calls === undefined) return respond(400, { error_code: 'HRF.0400', error_msg: 'bad limit' });
  let last: unknown;
  try {
    for (const wave of calls) {
      const answers = await Promise.all(wave.map((call) => send(call, cfg)));
      for (const [i, answer] of answers.entries()) {
        if (answer.status !== wave[i]?.status) return respond(502, { error_code: 'HRF.0502', error_msg: `upstream ${answer.status}` });
        last = JSON.parse(answer.body) as unknown;
      }
    }
  } catch {
    return respond(502, { error_code: 'HRF.0502', error_msg: 'upstream failed' });
  }
  return respond(200, last);
};
