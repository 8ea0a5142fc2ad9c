/**
 * The floor: GET /v2/{project_id}/factory/pending-items (DataArts ListFactoryPendingItems) from a minimal
 * handler made of node:http/node:https and node:crypto alone, with a hand-rolled SDK-HMAC-SHA256 signature.
 * Nothing here can be cheaper and still make the same signed call.
 */
import { createHash, createHmac } from 'node:crypto';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isAuthorized, limitOf, readConfig, respond, type GatewayEvent, type GatewayResponse, type ReferenceConfig } from './common';

let config: ReferenceConfig | undefined;

const hex = (data: string) => createHash('sha256').update(data, 'utf8').digest('hex');

function sdkDate(now: Date): string {
  return now.toISOString().replace(/[-:]/g, '').replace(/\.\d{3}Z$/, 'Z');
}

/** Signs a bodiless request whose path and query need no encoding (ids and digits only). */
function sign(method: string, url: URL, headers: Record<string, string>, cfg: ReferenceConfig, now: Date): Record<string, string> {
  const all: Record<string, string> = { ...headers, host: url.host, 'x-sdk-date': sdkDate(now) };
  const names = Object.keys(all).sort();
  const query = [...url.searchParams.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0)).map(([k, v]) => `${k}=${v}`).join('&');
  const canonical = [
    method,
    url.pathname.endsWith('/') ? url.pathname : `${url.pathname}/`,
    query,
    names.map((n) => `${n}:${(all[n] as string).trim()}\n`).join(''),
    names.join(';'),
    'e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855',
  ].join('\n');
  const toSign = `SDK-HMAC-SHA256\n${all['x-sdk-date']}\n${hex(canonical)}`;
  const signature = createHmac('sha256', cfg.secretKey).update(toSign).digest('hex');
  return { ...all, authorization: `SDK-HMAC-SHA256 Access=${cfg.accessKey}, SignedHeaders=${names.join(';')}, Signature=${signature}` };
}

function get(url: URL, headers: Record<string, string>): Promise<{ status: number; body: string }> {
  const send = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = send(url, { method: 'GET', headers, timeout: 3000 }, (res: IncomingMessage) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('error', reject);
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
    });
    req.on('timeout', () => req.destroy(new Error('upstream timed out')));
    req.on('error', reject);
    req.end();
  });
}

export const handler = async (event: GatewayEvent): Promise<GatewayResponse> => {
  config ??= readConfig();
  if (!isAuthorized(event, config)) return respond(401, { error_code: 'HRF.0401', error_msg: 'unauthorized' });
  const limit = limitOf(event);
  if (limit === undefined) return respond(400, { error_code: 'HRF.0400', error_msg: 'bad limit' });
  const url = new URL(`/v2/${config.projectId}/factory/pending-items?limit=${limit}&offset=0`, config.endpoint);
  const headers = sign('GET', url, { 'content-type': 'application/json', workspace: config.workspace }, config, new Date());
  try {
    const upstream = await get(url, headers);
    if (upstream.status !== 200) return respond(502, { error_code: 'HRF.0502', error_msg: `upstream ${upstream.status}` });
    const parsed = JSON.parse(upstream.body) as { data?: unknown; total?: unknown };
    return respond(200, { data: parsed.data, total: parsed.total });
  } catch {
    return respond(502, { error_code: 'HRF.0502', error_msg: 'upstream failed' });
  }
};
