/**
 * The usual choice: the same GET /v2/{project_id}/factory/pending-items made with Huawei's official Node SDK
 * core (@huaweicloud/huaweicloud-sdk-core 3.1.211), exactly as a generated service client makes it:
 * `new ClientBuilder(newClient).withCredential(BasicCredentials).withEndpoint(...).build()` gives an
 * HcClient, and the operation is `hcClient.sendRequest(options)` with the options a generated
 * `ParamCreater` builds. (No DataArts service package is installed; it would add its model classes on top,
 * so this reference is, if anything, cheaper than the real SDK path.)
 */
import { ClientBuilder } from '@huaweicloud/huaweicloud-sdk-core/ClientBuilder';
import { BasicCredentials } from '@huaweicloud/huaweicloud-sdk-core/auth/BasicCredentials';
import type { HcClient } from '@huaweicloud/huaweicloud-sdk-core/HcClient';
import { isAuthorized, limitOf, readConfig, respond, type GatewayEvent, type GatewayResponse, type ReferenceConfig } from './common';

let config: ReferenceConfig | undefined;
let client: HcClient | undefined;

export const handler = async (event: GatewayEvent): Promise<GatewayResponse> => {
  config ??= readConfig();
  if (!isAuthorized(event, config)) return respond(401, { error_code: 'HRF.0401', error_msg: 'unauthorized' });
  const limit = limitOf(event);
  if (limit === undefined) return respond(400, { error_code: 'HRF.0400', error_msg: 'bad limit' });
  const cfg = config;
  client ??= new ClientBuilder<HcClient>((hc: HcClient) => hc)
    .withCredential(new BasicCredentials().withAk(cfg.accessKey).withSk(cfg.secretKey).withProjectId(cfg.projectId))
    .withEndpoint(cfg.endpoint)
    .build();
  try {
    const result = (await client.sendRequest({
      method: 'GET',
      url: '/v2/{project_id}/factory/pending-items',
      contentType: 'application/json',
      queryParams: { limit, offset: 0 },
      pathParams: {},
      headers: { workspace: cfg.workspace },
    })) as { data?: unknown; total?: unknown; httpStatusCode?: number };
    return respond(200, { data: result.data, total: result.total });
  } catch {
    return respond(502, { error_code: 'HRF.0502', error_msg: 'upstream failed' });
  }
};
