/** Edge cases found in review: what makes a 2xx a failure, oversized answers, a stale first total. */
import { collectAll } from '../../../shared/http/paginate';
import { useFakeUpstream } from '../../helpers/fake-upstream';
import { configFor, failureOf, testClient, TASK_ID } from './support';
import { startDeployTask } from '../../../shared/http/codearts-deploy';
import { listPendingItems } from '../../../shared/http/dataarts';

const fake = useFakeUpstream();

describe('HTTP client: edge cases', () => {
  it('treats a 2xx with a bare top-level "code" as success (only error_code / error.code make it a failure)', async () => {
    // Prepare
    fake.server.script({ status: 200, body: { id: 'a'.repeat(32), task_id: TASK_ID, job_name: 'job_1', app_component_list: [], code: 'OK' } });
    const { client } = testClient(configFor(fake.server.url));
    // Act
    const result = await startDeployTask(client, TASK_ID, {});
    // Assess
    expect(result).toStrictEqual({
      data: { id: 'a'.repeat(32), task_id: TASK_ID, job_name: 'job_1', app_component_list: [] },
      requestId: undefined,
      attempts: 1,
    });
  });

  it('reports a response over 10 MB as an invalid response and does not retry it', async () => {
    // Prepare
    fake.server.setFallback({ status: 200, body: `{"total":1,"data":[],"pad":"${'x'.repeat(10 * 1024 * 1024 + 10)}"}` });
    const { client } = testClient(configFor(fake.server.url));
    // Act
    const failure = await failureOf(listPendingItems(client, {}, { deadlineMs: 20_000 }));
    // Assess
    expect([failure.kind, failure.message, fake.server.requests.length]).toStrictEqual([
      'invalid-response',
      'ListFactoryPendingItems answered with a body larger than 10485760 bytes',
      1,
    ]);
  });
});

describe('Pagination: a total that grows during a parallel walk', () => {
  it('keeps walking past the first page total while pages stay full, and stops at the cap', async () => {
    // Prepare: the first answer says 250, later ones 420 (items were added meanwhile).
    let calls = 0;
    const fetchPage = async (offset: number, limit: number) => {
      calls++;
      const total = offset === 0 ? 250 : 420;
      const count = Math.max(0, Math.min(limit, total - offset));
      return { total, data: Array.from({ length: count }, (_, i) => offset + i) };
    };
    // Act
    const grown = await collectAll(fetchPage, { limit: 100, concurrency: 4 });
    const endless = await collectAll(async (offset: number, limit: number) => ({ total: 100 + offset + limit, data: Array.from({ length: limit }, (_, i) => offset + i) }), {
      limit: 100,
      concurrency: 4,
      maxPages: 7,
    });
    // Assess
    expect({ items: grown.items.length, ordered: grown.items.every((v, i) => v === i), total: grown.total, pages: grown.pages, truncated: grown.truncated, calls }).toStrictEqual({
      items: 420,
      ordered: true,
      total: 420,
      pages: 5,
      truncated: false,
      calls: 5,
    });
    expect({ items: endless.items.length, pages: endless.pages, truncated: endless.truncated }).toStrictEqual({ items: 700, pages: 7, truncated: true });
  });
});
