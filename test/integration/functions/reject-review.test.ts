/**
 * Rejecting a manual review against a scripted CodeArts Pipeline on a real node:http server (port 0): the step
 * is read first, so a decided review is never refused again, whatever CodeArts would do with a second refusal;
 * a review decided between the read and the refusal is told apart from a refusal CodeArts did not make.
 */
import { rejectManualReviewRoute } from '../../../functions/http/reject-manual-review';
import { httpFunction, type AnyRouteSpec } from '../../../shared/http-function';
import { useFakeUpstream, type ScriptedResponse } from '../../helpers/fake-upstream';
import { fixedRuntime, testRuntime, TOKENS, TEST_CODEARTS_PROJECT } from '../../helpers/runtime';
import { gatewayEvent, parseResponse } from '../../helpers/http-events';
import { lambdaContext } from '../../helpers/contexts';
import { logsMatching } from '../../helpers/logs';

const PIPELINE = 'aaaa0000bbbb1111cccc2222dddd3333';
const RUN = 'bbbb0000cccc1111dddd2222eeee3333';
const JOB = 'cccc0000dddd1111eeee2222ffff3333';
const STEP = 'dddd0000eeee1111ffff222200003333';
const RID = 'c6af9ac6-7b61-11e6-9a41-93e8deadbeef';
const HEADERS = { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', 'X-Request-Id': RID };
const DETAIL_PATH = `/v5/${TEST_CODEARTS_PROJECT}/api/pipelines/${PIPELINE}/pipeline-runs/detail?pipeline_run_id=${RUN}`;
const REFUSE_PATH = `/v5/${TEST_CODEARTS_PROJECT}/api/pipelines/${PIPELINE}/pipeline-runs/${RUN}/jobs/${JOB}/steps/${STEP}/refuse`;

const fake = useFakeUpstream();

const runDetail = (stepStatus: string): ScriptedResponse => ({
  status: 200,
  body: { id: RUN, pipeline_id: PIPELINE, status: 'RUNNING', stages: [{ id: 's1', status: 'RUNNING', jobs: [{ id: JOB, status: 'RUNNING', steps: [{ id: STEP, status: stepStatus }] }] }] },
});
const refused = (success: boolean): ScriptedResponse => ({ status: 200, headers: { 'X-Request-Id': 'up-refuse-1' }, body: { success } });

async function reject() {
  const fn = httpFunction(rejectManualReviewRoute as unknown as AnyRouteSpec, fixedRuntime(testRuntime(fake.server.url)));
  const event = gatewayEvent({
    platform: 'aws',
    method: 'POST',
    path: `/v1/pipelines/${PIPELINE}/runs/${RUN}/jobs/${JOB}/steps/${STEP}/refuse`,
    pathParameters: { pipeline_id: PIPELINE, pipeline_run_id: RUN, job_run_id: JOB, step_run_id: STEP },
    bearer: TOKENS.all,
  });
  return parseResponse(await fn(event, lambdaContext() as never));
}

const sent = () => fake.server.requests.map((r) => `${r.method} ${r.url}`);
const auditOf = () => logsMatching((e) => e.audit === true && (e.target as { step_run_id?: string } | undefined)?.step_run_id === STEP).map((e) => [e.outcome, e.reason, e.upstream_request_id]);
const alreadyDecided = (status: string) => ({
  statusCode: 409,
  headers: HEADERS,
  body: { error_code: 'HRF.0409.ALREADY_DECIDED', error_msg: `The manual review was already decided (step status ${status})`, request_id: RID },
  isBase64Encoded: false,
});

describe('Rejecting a manual review', () => {
  // PAUSED is what the local cloud reports; the API reference leaves SUSPEND possible for a waiting review.
  it.each(['PAUSED', 'SUSPEND'])('refuses a waiting review (%s) once: the step is read, then refused', async (status) => {
    const before = auditOf().length;
    fake.server.script(runDetail(status), refused(true));
    expect([await reject(), sent(), auditOf().slice(before)]).toStrictEqual([
      { statusCode: 200, headers: HEADERS, body: { success: true }, isBase64Encoded: false },
      [`GET ${DETAIL_PATH}`, `POST ${REFUSE_PATH}`],
      [['succeeded', undefined, 'up-refuse-1']],
    ]);
  });

  it.each(['FAILED', 'COMPLETED', 'CANCELED'])('answers a review already decided (%s) with 409 and sends no refusal', async (status) => {
    const before = auditOf().length;
    fake.server.script(runDetail(status));
    expect([await reject(), sent(), auditOf().slice(before)]).toStrictEqual([alreadyDecided(status), [`GET ${DETAIL_PATH}`], [['skipped', `already decided (${status})`, undefined]]]);
  });

  it('a review decided between the read and the refusal: CodeArts refuses the refusal, the step tells why', async () => {
    const before = auditOf().length;
    fake.server.script(runDetail('PAUSED'), { status: 400, body: { error_code: 'DEVPIPE.00011415', error_msg: 'step is not waiting' } }, runDetail('COMPLETED'));
    expect([await reject(), sent(), auditOf().slice(before)]).toStrictEqual([
      alreadyDecided('COMPLETED'),
      [`GET ${DETAIL_PATH}`, `POST ${REFUSE_PATH}`, `GET ${DETAIL_PATH}`],
      [['skipped', 'already decided (COMPLETED)', undefined]],
    ]);
  });

  it('"success": false is never reported as done: 409 when the step was decided meanwhile, else 502', async () => {
    const before = auditOf().length;
    fake.server.script(runDetail('PAUSED'), refused(false), runDetail('FAILED'));
    const decided = await reject();
    fake.server.script(runDetail('PAUSED'), refused(false), runDetail('PAUSED'));
    const notRefused = await reject();
    expect([decided, notRefused, auditOf().slice(before)]).toStrictEqual([
      alreadyDecided('FAILED'),
      {
        statusCode: 502,
        headers: HEADERS,
        body: { error_code: 'HRF.0502.NOT_REFUSED', error_msg: 'CodeArts Pipeline did not refuse the review (it answered success: false)', request_id: RID },
        isBase64Encoded: false,
      },
      [
        ['skipped', 'already decided (FAILED)', 'up-refuse-1'],
        ['failed', 'success: false', 'up-refuse-1'],
      ],
    ]);
  });

  it('a refusal whose answer is lost is reported and audited as unknown, never as failed', async () => {
    const before = auditOf().length;
    fake.server.script(runDetail('PAUSED'), 'drop');
    const response = await reject();
    expect([response.statusCode, response.body, sent()]).toStrictEqual([
      502,
      {
        error_code: 'HRF.0502.OUTCOME_UNKNOWN',
        error_msg: 'Huawei Cloud received RejectManualReview, but its answer was lost: whether it was applied is unknown, so check before sending it again',
        request_id: RID,
      },
      [`GET ${DETAIL_PATH}`, `POST ${REFUSE_PATH}`],
    ]);
    expect(auditOf().slice(before)).toStrictEqual([['unknown', 'network', undefined]]);
  });

  it('sends no refusal when the run cannot be read, and passes on why (a refusal could be a second action on a decided review)', async () => {
    // Prepare: the run is not found; then CodeArts answers 503 to every read (3 attempts).
    const unavailable = { status: 503, body: { error_code: 'DEVPIPE.00011500', error_msg: 'service unavailable' } };
    fake.server.script({ status: 404, body: { error_code: 'DEVPIPE.00011401', error_msg: 'pipeline not found' } }, unavailable, unavailable, unavailable);
    const before = auditOf().length;
    // Act
    const notFound = await reject();
    const notFoundSent = sent();
    const down = await reject();
    // Assess
    expect([notFound.statusCode, notFound.body, notFoundSent]).toStrictEqual([404, { error_code: 'DEVPIPE.00011401', error_msg: 'pipeline not found', request_id: RID }, [`GET ${DETAIL_PATH}`]]);
    expect([down.statusCode, down.body, sent().slice(1)]).toStrictEqual([502, { error_code: 'HRF.0502.UPSTREAM', error_msg: 'Huawei Cloud failed on ShowPipelineRunDetail (DEVPIPE.00011500) with status 503', request_id: RID }, [`GET ${DETAIL_PATH}`, `GET ${DETAIL_PATH}`, `GET ${DETAIL_PATH}`]]);
    expect(auditOf().slice(before)).toStrictEqual([]);
  });
});
