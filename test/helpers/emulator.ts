/**
 * Calling the local Huawei Cloud from tests: `send` puts exactly the given method, path, headers and body
 * on the wire (node:http, nothing normalised); `signedCall` signs with shared/signing/signer.ts first.
 */
import { request as httpRequest, type IncomingHttpHeaders } from 'node:http';
import { signRequest, type SigningCredentials } from '../../shared/signing/signer';
import type { RunningEmulator } from '../../emulator';
import type { HuaweiCloudClient } from '../../shared/http/client';

export interface WireResponse {
  readonly status: number;
  readonly headers: IncomingHttpHeaders;
  readonly text: string;
  /** The body parsed as JSON, or undefined when it is empty or not JSON. */
  readonly body: unknown;
}

export interface WireRequest {
  readonly method: string;
  /** Path and query exactly as sent, e.g. '/v2/x/factory/pending-items?limit=1'. */
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  readonly body?: string;
  /** Abort after this many ms (rejects with an error whose code is 'ETIMEDOUT'). */
  readonly timeoutMs?: number;
}

export function send(baseUrl: string, req: WireRequest): Promise<WireResponse> {
  const base = new URL(baseUrl);
  return new Promise((resolve, reject) => {
    const headers: Record<string, string | number> = { ...req.headers };
    if (req.body !== undefined) headers['content-length'] = Buffer.byteLength(req.body);
    const outgoing = httpRequest(
      { host: base.hostname, port: base.port, method: req.method, path: req.path, headers, agent: false },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('error', reject);
        res.on('end', () => {
          const text = Buffer.concat(chunks).toString('utf8');
          let body: unknown;
          try {
            body = text === '' ? undefined : (JSON.parse(text) as unknown);
          } catch {
            body = undefined;
          }
          resolve({ status: res.statusCode ?? 0, headers: res.headers, text, body });
        });
      },
    );
    if (req.timeoutMs !== undefined) {
      outgoing.setTimeout(req.timeoutMs, () => outgoing.destroy(Object.assign(new Error('timed out'), { code: 'ETIMEDOUT' })));
    }
    outgoing.on('error', reject);
    outgoing.end(req.body);
  });
}

export interface SignedCall {
  readonly method: string;
  readonly path: string;
  readonly headers?: Readonly<Record<string, string>>;
  /** An object is JSON.stringify-ed; a string is sent as is. */
  readonly body?: unknown;
  readonly credentials?: SigningCredentials;
  /** Signing time; default the emulator's clock. */
  readonly now?: Date;
  readonly timeoutMs?: number;
}

/** The headers and body of a signed request, to send as is or to tamper with. */
export function signFor(emulator: RunningEmulator, call: SignedCall): { headers: Record<string, string>; body: string | undefined } {
  const body = call.body === undefined ? undefined : typeof call.body === 'string' ? call.body : JSON.stringify(call.body);
  const headers = { 'content-type': 'application/json', ...call.headers };
  const signed = signRequest(
    { method: call.method, url: `${emulator.url}${call.path}`, headers, body },
    call.credentials ?? emulator.identity,
    { now: call.now ?? emulator.clock.now() },
  );
  return { headers: { ...signed.headers }, body };
}

export function signedCall(emulator: RunningEmulator, call: SignedCall): Promise<WireResponse> {
  const { headers, body } = signFor(emulator, call);
  return send(emulator.url, { method: call.method, path: call.path, headers, ...(body === undefined ? {} : { body }), ...(call.timeoutMs === undefined ? {} : { timeoutMs: call.timeoutMs }) });
}

/** Calls the admin API (no signature). */
export function admin(emulator: RunningEmulator, method: string, path: string, body?: unknown): Promise<WireResponse> {
  return send(emulator.url, {
    method,
    path: `/_emulator${path}`,
    headers: { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
  });
}

/**
 * Makes a client's view of DataArts' package list lag behind a publish while `lag.on`: ListFactoryReleasePackages
 * lists only the packages the local cloud held when this was called (eventual consistency).
 */
export function lagPackageList(client: HuaweiCloudClient, emulator: RunningEmulator): { on: boolean } {
  const listed = new Set(emulator.state.packages.map((p) => p.row.package_id));
  const lag = { on: true };
  const call = client.call.bind(client);
  client.call = (async (contract, input, options) => {
    const answer = await call(contract, input, options);
    if (contract.name !== 'ListFactoryReleasePackages' || !lag.on) return answer;
    const page = answer.data as { total: number; data: { package_id: string }[] };
    const data = page.data.filter((p) => listed.has(p.package_id));
    return { ...answer, data: { ...page, total: data.length, data } };
  }) as typeof client.call;
  return lag;
}
