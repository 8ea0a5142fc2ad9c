/**
 * Huawei's 4xx messages are passed on to callers (and into timer and event results). When one quotes a request
 * header back, our credentials in it are masked, as in the logs: the access key, the signature, a FunctionGraph
 * security token, an IAM token. A real upstream on port 0 echoes the headers it received.
 */
import { listPendingItemsRoute } from '../../../functions/http/list-pending-items';
import { pipelineEventWebhookRoute } from '../../../functions/http/pipeline-event-webhook';
import { httpFunction } from '../../../shared/http-function';
import { functionGraphContext, lambdaContext } from '../../helpers/contexts';
import { startFakeUpstream, type FakeUpstream, type UpstreamRequest } from '../../helpers/fake-upstream';
import { gatewayEvent, parseResponse } from '../../helpers/http-events';
import { fixedRuntime, testRuntime, TOKENS } from '../../helpers/runtime';

const TEMPORARY = { accessKey: 'ECHOTEMPAK0000000001', secretKey: 'echo-temporary-sk-000000000001', securityToken: 'ECHO-SECURITY-TOKEN-0000-0001' };
const IAM_TOKEN = 'MIIECHOiamTOKEN+abc/def==0001';

/** What the upstream quoted back: the headers a careless error message might hold. */
const quoted = (request: UpstreamRequest) =>
  `invalid header: X-Security-Token=${String(request.headers['x-security-token'])} X-Auth-Token=${String(request.headers['x-auth-token'])} Authorization=${String(request.headers.authorization)}`;

let upstream: FakeUpstream;
beforeAll(async () => {
  upstream = await startFakeUpstream((request) =>
    request.rawPath === '/v3/auth/tokens'
      ? { status: 201, headers: { 'X-Subject-Token': IAM_TOKEN }, body: { token: { expires_at: '2999-01-01T00:00:00Z', issued_at: '2026-01-01T00:00:00Z' } } }
      : { status: 400, body: { error_code: 'DLF.0100', error_msg: quoted(request) } },
  );
});
afterAll(() => upstream.close());
beforeEach(() => upstream.requests.splice(0));

/** The message as we must pass it on: what was quoted, with every credential masked. */
function masked(request: UpstreamRequest | undefined, accessKey: string | undefined): string {
  let text = quoted(request as UpstreamRequest).replace(/Signature=[0-9a-f]{64}/, 'Signature=[REDACTED]');
  for (const secret of [accessKey, TEMPORARY.securityToken, IAM_TOKEN]) if (secret) text = text.split(secret).join('[REDACTED]');
  return text;
}

describe('Upstream messages that quote our credentials', () => {
  it('reach the caller of an HTTP route masked: temporary credentials and their signature', async () => {
    const fn = httpFunction(listPendingItemsRoute, fixedRuntime(testRuntime(upstream.url)));
    const response = parseResponse(
      await fn(gatewayEvent({ platform: 'functiongraph', method: 'GET', path: '/v1/pending-items', bearer: TOKENS.read }), functionGraphContext({ requestId: 'fg-echo-0001', credentials: TEMPORARY }) as never),
    );
    const sent = upstream.requests[0];
    expect([sent?.headers['x-security-token'], response.statusCode, response.body]).toStrictEqual([
      TEMPORARY.securityToken,
      400,
      { error_code: 'DLF.0100', error_msg: masked(sent, TEMPORARY.accessKey), request_id: 'fg-echo-0001' },
    ]);
    expect(JSON.stringify(response)).not.toMatch(new RegExp(`${TEMPORARY.securityToken}|${TEMPORARY.accessKey}|Signature=[0-9a-f]`));
  });

  it('reach the caller masked: an IAM token', async () => {
    const env = { HUAWEICLOUD_SDK_AK: '', HUAWEICLOUD_SDK_SK: '', HUAWEICLOUD_IAM_USER: 'release-bot', HUAWEICLOUD_IAM_DOMAIN: 'example-domain', HUAWEICLOUD_IAM_PASSWORD: 'echo-iam-password-01' };
    const fn = httpFunction(listPendingItemsRoute, fixedRuntime(testRuntime(upstream.url, {}, env)));
    const response = parseResponse(await fn(gatewayEvent({ platform: 'aws', method: 'GET', path: '/v1/pending-items', bearer: TOKENS.read }), lambdaContext()));
    const sent = upstream.requests.find((request) => request.rawPath !== '/v3/auth/tokens');
    expect([sent?.headers['x-auth-token'], response.statusCode, response.body]).toStrictEqual([
      IAM_TOKEN,
      400,
      { error_code: 'DLF.0100', error_msg: masked(sent, undefined), request_id: 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef' },
    ]);
  });

  it('reach a pipeline event result masked (its reason)', async () => {
    const fn = httpFunction(pipelineEventWebhookRoute, fixedRuntime(testRuntime(upstream.url)));
    const data = {
      pipeline_id: 'aaaa0000bbbb1111cccc2222dddd3333',
      pipeline_run_id: 'bbbb0000cccc1111dddd2222eeee3333',
      job_run_id: 'cccc0000dddd1111eeee2222ffff3333',
      step_run_id: 'dddd0000eeee1111ffff222200003333',
      package_id: '3',
    };
    const body = { specversion: '1.0', id: 'evt-echo', source: 'codearts/pipeline/echo', type: 'com.huaweicloud.codearts.pipeline.review.waiting', datacontenttype: 'application/json', data };
    const response = parseResponse(
      await fn(gatewayEvent({ platform: 'functiongraph', method: 'POST', path: '/v1/events/pipeline', body, bearer: TOKENS.all }), functionGraphContext({ requestId: 'fg-echo-0002', credentials: TEMPORARY }) as never),
    );
    expect(response).toStrictEqual({
      statusCode: 200,
      headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': 'fg-echo-0002' },
      body: {
        status: 'failed',
        reason: `the pipeline run could not be read: ShowPipelineRunDetail http 400 DLF.0100: ${masked(upstream.requests[0], TEMPORARY.accessKey)}`,
        event_id: 'evt-echo',
        step: { pipeline_id: data.pipeline_id, pipeline_run_id: data.pipeline_run_id, job_run_id: data.job_run_id, step_run_id: data.step_run_id },
        package_id: '3',
      },
      isBase64Encoded: false,
    });
    expect(JSON.stringify(response)).not.toMatch(new RegExp(`${TEMPORARY.securityToken}|${TEMPORARY.accessKey}|Signature=[0-9a-f]`));
  });
});
