/**
 * The usual choice: a function's own upstream calls (the same requests, in the same waves:
 * bench/lib/upstream-calls.ts) made with Huawei's official Node SDK core (@huaweicloud/huaweicloud-sdk-core
 * 3.1.211), exactly as a generated service client makes them: `new ClientBuilder(newClient)
 * .withCredential(BasicCredentials).withEndpoint(...).build()` gives an HcClient, and each operation is
 * `hcClient.sendRequest(options)` with the options a generated `ParamCreater` builds. (No service package
 * is installed; one would add its model classes on top, so this reference is, if anything, cheaper than the
 * real SDK path.) Without BENCH_UPSTREAM_CALLS it makes listPendingItems' call.
 */
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient';
import { callsFor, isAuthorized, isGatewayEvent, readConfig, respond, type GatewayResponse, type ReferenceConfig, type UpstreamCall } from './common';

let config: ReferenceConfig | undefined;
let client: HcClient | undefined;

/** The HTTP status of an answer or of the SDK's exception for one (it throws on every non-2xx). */
async function statusOf(call: UpstreamCall, hc: HcClient): Promise<{ status: number; body: unknown }> {
  // The SDK adds X-Project-Id (BasicCredentials) and the content type itself: only the call's own headers go in.
  const headers: Record<string, string> = {};
  if (call.headers.workspace !== undefined) headers.workspace = call.headers.workspace;
  try {
    const result = (await hc.sendRequest({
      method: call.method,
      url: call.path,
      contentType: 'application/json',
      queryParams: Object.fromEntries(new URLSearchParams(call.query)),
      pathParams: {},
      headers,
      ...(call.body === undefined ? {} : { data: JSON.parse(call.body) as Record<string, unknown> }),
    })) as { httpStatusCode?: number };
    return { status: result.httpStatusCode ?? 0, body: result };
  } catch (error) {
    const status = (error as { httpStatusCode?: unknown }).httpStatusCode;
    if (typeof status === 'number') return { status, body: undefined };
    throw error;
  }
}

export const handler = async (event: unknown): Promise<GatewayResponse> => {
  config ??= readConfig();
  const cfg = config;
  if (isGatewayEvent(event) && !isAuthorized(event, cfg)) return respond(401, { error_code: 'HRF.0401', error_msg: 'unauthorized' });
  const calls = callsFor(isGatewayEvent(event) ? event : {}, cfg);
  if (calls === undefined) return respond(400, { error_code: 'HRF.0400', error_msg: 'bad limit' });
  const hc = (client ??= new ClientBuilder<HcClient>((built: HcClient) => built)
    .withCredential(new BasicCredentials().withAk(cfg.accessKey).withSk(cfg.secretKey).withProjectId(cfg.projectId))
    .withEndpoint(cfg.endpoint)
    .build());
  let last: unknown;
  try {
    for (const wave of calls) {
      const answers = await Promise.all(wave.map((call) => statusOf(call, hc)));
      for (const [i, answer] of answers.entries()) {
        if (answer.status !== wave[i]?.status) return respond(502, { error_code: 'HRF.0502', error_msg: `upstream ${answer.status}` });
        last = answer.body;
      }
    }
  } catch {
    return respond(502, { error_code: 'HRF.0502', error_msg: 'upstream failed' });
  }
  return respond(200, last);
};
