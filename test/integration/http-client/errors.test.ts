/**
 * How the client reads Huawei Cloud's answers (../shared/api-reference.md §6): both error body shapes, the
 * request id from the header or the body, a 2xx that carries an error, and bodies that are not what the
 * contract says, reported without echoing the body.
 */
import { useFakeUpstream } from '../../helpers/fake-upstream';
import { configFor, failureOf, NO_FAILURE_DETAILS, PUBLISH_BODY, TASK_ID, testClient } from './support';
import { startDeployTask } from '../../../shared/http/codearts-deploy';
import { showPipelineRunDetail } from '../../../shared/http/codearts-pipeline';
import { listPendingItems, publishPendingItems, showPackageDetail } from '../../../shared/http/dataarts';

const fake = useFakeUpstream();

const LEAKED = 'upstream-echoed-secret-0001';

describe('HTTP client: error bodies', () => {
  it('reads {error_code, error_msg} and the request id from the X-Request-Id header', async () => {
    // Prepare
    fake.server.script({ status: 400, headers: { 'X-Request-Id': 'req-header-0001' }, body: { error_code: 'DLF.3051', error_msg: 'The request parameter is invalid.' } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(publishPendingItems(client, PUBLISH_BODY));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'CreateFactoryPendingItemsPackage failed with HTTP 400 DLF.3051: The request parameter is invalid.',
      operation: 'CreateFactoryPendingItemsPackage',
      kind: 'http',
      status: 400,
      errorCode: 'DLF.3051',
      errorMsg: 'The request parameter is invalid.',
      requestId: 'req-header-0001',
      attempts: 1,
    });
    expect(fake.server.requests).toHaveLength(1);
  });

  it('reads {error: {code, message}, status: "failed"} (CodeArts Deploy)', async () => {
    // Prepare
    fake.server.script({ status: 400, body: { error: { code: 'Deploy.00011027', message: 'The application is being deployed. Try again later.' }, status: 'failed' } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(startDeployTask(client, TASK_ID, {}));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'StartDeployTask failed with HTTP 400 Deploy.00011027: The application is being deployed. Try again later.',
      operation: 'StartDeployTask',
      kind: 'http',
      status: 400,
      errorCode: 'Deploy.00011027',
      errorMsg: 'The application is being deployed. Try again later.',
      attempts: 1,
    });
  });

  it('takes the request id from the body (request_id) when the header is absent, and the header when both are present', async () => {
    // Prepare
    const body = { error_code: 'APIG.0101', error_msg: 'The API does not exist or has not been published in the environment.', request_id: 'req-body-0001' };
    fake.server.script({ status: 404, body }, { status: 404, headers: { 'X-Request-Id': 'req-header-0002' }, body });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const fromBody = await failureOf(showPackageDetail(client, '13'));
    const fromHeader = await failureOf(showPackageDetail(client, '13'));

    // Assess
    expect([fromBody.requestId, fromHeader.requestId]).toStrictEqual(['req-body-0001', 'req-header-0002']);
    expect(fromBody).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'ShowFactoryPackageDetail failed with HTTP 404 APIG.0101: The API does not exist or has not been published in the environment.',
      operation: 'ShowFactoryPackageDetail',
      kind: 'http',
      status: 404,
      errorCode: 'APIG.0101',
      errorMsg: 'The API does not exist or has not been published in the environment.',
      requestId: 'req-body-0001',
      attempts: 1,
    });
  });

  it.each([
    ['error_code', { error_code: 'DEVPIPE.00011401', error_msg: 'The pipeline does not exist.' }],
    ['error.code', { error: { code: 'DEVPIPE.00011401', message: 'The pipeline does not exist.' } }],
  ])('a 200 carrying %s is a failure, not a result', async (_shape, body) => {
    // Prepare
    fake.server.script({ status: 200, headers: { 'X-Request-Id': 'req-2xx-error' }, body });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(showPipelineRunDetail(client, 'aaaa0000bbbb1111cccc2222dddd3333', undefined));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'ShowPipelineRunDetail failed with HTTP 200 DEVPIPE.00011401: The pipeline does not exist.',
      operation: 'ShowPipelineRunDetail',
      kind: 'http',
      status: 200,
      errorCode: 'DEVPIPE.00011401',
      errorMsg: 'The pipeline does not exist.',
      requestId: 'req-2xx-error',
      attempts: 1,
    });
    expect(fake.server.requests).toHaveLength(1);
  });

  it('an error status with a body that is not JSON is an http failure with the status', async () => {
    // Prepare
    fake.server.script({ status: 400, headers: { 'Content-Type': 'text/html' }, body: '<html>Bad Request</html>' });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(listPendingItems(client, {}));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'ListFactoryPendingItems failed with HTTP 400',
      operation: 'ListFactoryPendingItems',
      kind: 'http',
      status: 400,
      attempts: 1,
    });
  });
});

describe('HTTP client: invalid responses', () => {
  it('a 200 whose body is not JSON is an invalid response, not retried, without the body in the message', async () => {
    // Prepare
    fake.server.script({ status: 200, headers: { 'Content-Type': 'text/html', 'X-Request-Id': 'req-html' }, body: `<html>token=${LEAKED}</html>` });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(listPendingItems(client, {}));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'ListFactoryPendingItems answered 200 with a body that is not JSON',
      operation: 'ListFactoryPendingItems',
      kind: 'invalid-response',
      status: 200,
      requestId: 'req-html',
      attempts: 1,
    });
    expect(fake.server.requests).toHaveLength(1);
  });

  it('a 200 that violates the contract is an invalid response naming the fields, never echoing the body', async () => {
    // Prepare
    fake.server.script({ status: 200, body: { total: 'many', data: [{ pending_item_id: '../x', item_name: 'job', task_type: 1, update_type: 1, package_flag: 0 }], token: LEAKED, sk: LEAKED } });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(listPendingItems(client, {}));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'ListFactoryPendingItems answered 200 with an unexpected body (total, data.0.pending_item_id)',
      operation: 'ListFactoryPendingItems',
      kind: 'invalid-response',
      status: 200,
      attempts: 1,
    });
    expect(failure.message).not.toContain(LEAKED);
  });

  it('an empty 200 to a write is an invalid response at the root fields whose outcome is unknown: it was accepted', async () => {
    // Prepare
    fake.server.script({ status: 200, body: '' });
    const { client } = testClient(configFor(fake.server.url));

    // Act
    const failure = await failureOf(publishPendingItems(client, PUBLISH_BODY));

    // Assess
    expect(failure).toStrictEqual({
      ...NO_FAILURE_DETAILS,
      message: 'CreateFactoryPendingItemsPackage answered 200 with an unexpected body (package_name, release_package_id)',
      operation: 'CreateFactoryPendingItemsPackage',
      kind: 'invalid-response',
      status: 200,
      attempts: 1,
      outcomeUnknown: true,
    });
  });
});
