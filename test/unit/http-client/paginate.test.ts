/**
 * offset/limit pagination (../shared/reliability.md promise 12): totals 0, 100, 101 and 10,000 at 100 a page,
 * in order with 8 pages in flight, a hard page cap against a server that keeps returning full pages, and an
 * early stop on a short page. No network: the pages come from memory.
 */
import { collectAll, walkPages, type Page } from '../../../shared/http/paginate';

interface FakeServer {
  readonly fetchPage: (offset: number, limit: number) => Promise<Page<number>>;
  readonly calls: Array<[number, number]>;
  readonly maxInFlight: () => number;
  readonly inFlight: () => number;
}

/** Items 0..total-1; `pageSize` overrides how many items a page really holds; `delay` makes pages finish out of order. */
function fakeServer(total: number, options: { pageSize?: (offset: number, limit: number) => number; reportedTotal?: number; delay?: (offset: number) => number } = {}): FakeServer {
  const calls: Array<[number, number]> = [];
  let inFlight = 0;
  let maxInFlight = 0;
  return {
    calls,
    maxInFlight: () => maxInFlight,
    inFlight: () => inFlight,
    fetchPage: async (offset, limit) => {
      calls.push([offset, limit]);
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      const ms = options.delay?.(offset) ?? 0;
      await new Promise((resolve) => setTimeout(resolve, ms));
      inFlight--;
      const size = options.pageSize ? options.pageSize(offset, limit) : Math.max(0, Math.min(limit, total - offset));
      return { total: options.reportedTotal ?? total, data: Array.from({ length: size }, (_, i) => offset + i) };
    },
  };
}

const range = (n: number) => Array.from({ length: n }, (_, i) => i);
const offsets = (pages: number, limit = 100): Array<[number, number]> => range(pages).map((p) => [p * limit, limit]);

describe('Pagination: collectAll', () => {
  it.each([
    [0, 1],
    [1, 1],
    [99, 1],
    [100, 1],
    [101, 2],
    [250, 3],
    [10_000, 100],
  ])('a total of %i at 100 a page makes %i request(s) and returns every item in order', async (total, pages) => {
    // Prepare
    const server = fakeServer(total);

    // Act
    const result = await collectAll(server.fetchPage, { limit: 100 });

    // Assess
    expect(result).toStrictEqual({ items: range(total), total, pages, truncated: false, shortOfTotal: false });
    expect(server.calls).toStrictEqual(offsets(pages));
  });

  it.each([
    [0, 1],
    [100, 1],
    [101, 2],
    [10_000, 100],
  ])('with 8 pages in flight, a total of %i makes %i request(s) and keeps the order', async (total, pages) => {
    // Prepare: later pages answer sooner, so they finish out of order
    const server = fakeServer(total, { delay: (offset) => (offset % 700 === 0 ? 3 : offset % 300 === 0 ? 1 : 0) });

    // Act
    const result = await collectAll(server.fetchPage, { limit: 100, concurrency: 8 });

    // Assess
    expect(result).toStrictEqual({ items: range(total), total, pages, truncated: false, shortOfTotal: false });
    expect([...server.calls].sort((a, b) => a[0] - b[0])).toStrictEqual(offsets(pages));
    expect(server.maxInFlight()).toBeLessThanOrEqual(8);
  });

  it('keeps exactly 8 pages in flight at most, and uses them', async () => {
    // Prepare
    const server = fakeServer(5_000, { delay: () => 2 });

    // Act
    await collectAll(server.fetchPage, { limit: 100, concurrency: 8 });

    // Assess
    expect(server.maxInFlight()).toBe(8);
  });

  it.each([1, 8])('a server that always returns full pages stops at maxPages with truncated true (concurrency %i)', async (concurrency) => {
    // Prepare
    const server = fakeServer(1_000_000, { pageSize: (_offset, limit) => limit });

    // Act
    const result = await collectAll(server.fetchPage, { limit: 100, maxPages: 7, concurrency });

    // Assess
    expect(result).toStrictEqual({ items: range(700), total: 1_000_000, pages: 7, truncated: true, shortOfTotal: false });
    expect(server.calls).toHaveLength(7);
  });

  it('the default page cap is 200 pages', async () => {
    // Prepare
    const server = fakeServer(Number.MAX_SAFE_INTEGER, { pageSize: (_offset, limit) => limit });

    // Act
    const result = await collectAll(server.fetchPage);

    // Assess
    expect([result.pages, result.items.length, result.truncated, server.calls.length]).toStrictEqual([200, 20_000, true, 200]);
  });

  it('a short page stops the walk early even when total promises more, and says the walk fell short of the total', async () => {
    // Prepare
    const server = fakeServer(1_000, { pageSize: (offset, limit) => (offset >= 100 ? 30 : limit) });

    // Act
    const result = await collectAll(server.fetchPage, { limit: 100 });

    // Assess
    expect(result).toStrictEqual({ items: [...range(100), ...range(30).map((i) => 100 + i)], total: 1_000, pages: 2, truncated: false, shortOfTotal: true });
    expect(server.calls).toStrictEqual(offsets(2));
  });

  it('reads a service that takes offset as a page number as short of its total, never as complete', async () => {
    // Prepare: offset 0 is page 0; offset 100 asks for page 100, which is empty.
    const server: Pick<FakeServer, 'fetchPage'> = {
      fetchPage: async (offset, limit) => ({ total: 250, data: range(Math.max(0, Math.min(limit, 250 - offset * limit))).map((i) => offset * limit + i) }),
    };

    // Act
    const result = await collectAll(server.fetchPage, { limit: 100, concurrency: 2 });

    // Assess
    expect(result).toStrictEqual({ items: range(100), total: 250, pages: 3, truncated: false, shortOfTotal: true });
  });

  it('with pages in flight, nothing after a short page is kept', async () => {
    // Prepare
    const server = fakeServer(500, { pageSize: (offset, limit) => (offset === 200 ? 50 : limit) });

    // Act
    const result = await collectAll(server.fetchPage, { limit: 100, concurrency: 8 });

    // Assess
    expect(result).toStrictEqual({ items: [...range(200), ...range(50).map((i) => 200 + i)], total: 500, pages: 5, truncated: false, shortOfTotal: true });
  });

  it('clamps the page size to 1..100', async () => {
    // Prepare
    const big = fakeServer(150);
    const small = fakeServer(2);

    // Act
    await collectAll(big.fetchPage, { limit: 1_000 });
    await collectAll(small.fetchPage, { limit: 0 });

    // Assess
    expect([big.calls, small.calls]).toStrictEqual([
      [
        [0, 100],
        [100, 100],
      ],
      [
        [0, 1],
        [1, 1],
      ],
    ]);
  });

  it('a failing page fails the whole walk', async () => {
    // Prepare
    const server = fakeServer(300);
    const failing = (offset: number, limit: number) => (offset === 100 ? Promise.reject(new Error('page 2 failed')) : server.fetchPage(offset, limit));

    // Act
    const outcome = collectAll(failing, { limit: 100 });

    // Assess
    await expect(outcome).rejects.toThrow('page 2 failed');
  });
});

describe('Pagination: walkPages', () => {
  it('hands each page over once and in order, though later pages settle first', async () => {
    // Prepare: the earlier a page, the later it answers
    const server = fakeServer(1_000, { delay: (offset) => Math.max(0, 10 - offset / 100) });
    const taken: number[][] = [];

    // Act
    const walked = await walkPages(server.fetchPage, (page) => taken.push([...page.data]), { limit: 100, concurrency: 4 });

    // Assess
    expect(walked).toStrictEqual({ total: 1_000, pages: 10, truncated: false, shortOfTotal: false });
    expect(taken).toStrictEqual(range(10).map((p) => range(100).map((i) => p * 100 + i)));
  });

  it('hands over nothing after the first short page', async () => {
    // Prepare
    const server = fakeServer(500, { pageSize: (offset, limit) => (offset === 200 ? 50 : limit) });
    const firsts: number[] = [];

    // Act
    const walked = await walkPages(server.fetchPage, (page) => firsts.push(page.data[0] ?? -1), { limit: 100, concurrency: 8 });

    // Assess
    expect([walked, firsts]).toStrictEqual([{ total: 500, pages: 5, truncated: false, shortOfTotal: true }, [0, 100, 200]]);
  });

  it('fails as soon as a page fails, without waiting for a slower page before it, and asks for no page after that', async () => {
    // Prepare: page 2 is slow, page 3 answers at once, page 4 fails at once
    const calls: number[] = [];
    let slowPageSettled = false;
    const fetchPage = async (offset: number, limit: number): Promise<Page<number>> => {
      calls.push(offset);
      if (offset === 100) {
        await new Promise((resolve) => setTimeout(resolve, 200));
        slowPageSettled = true;
      }
      if (offset === 300) throw new Error('page 4 failed');
      return { total: 1_000, data: range(limit).map((i) => offset + i) };
    };
    const taken: number[] = [];

    // Act
    const outcome = await walkPages(fetchPage, (page) => taken.push(page.data[0] ?? -1), { limit: 100, concurrency: 2 }).then(
      () => 'walked',
      (error: Error) => error.message,
    );
    const settledWhenFailed = slowPageSettled;
    await new Promise((resolve) => setTimeout(resolve, 250));

    // Assess
    expect([outcome, settledWhenFailed, taken]).toStrictEqual(['page 4 failed', false, [0]]);
    expect(calls).toStrictEqual([0, 100, 200, 300]);
  });
});

describe('Pagination: walkPages with pages asked for ahead', () => {
  it('has at most concurrency + ahead pages being fetched, and uses them all', async () => {
    // Prepare
    const server = fakeServer(3_000, { delay: () => 2 });
    const firsts: number[] = [];

    // Act
    const walked = await walkPages(server.fetchPage, (page) => firsts.push(page.data[0] ?? -1), { limit: 100, concurrency: 2, ahead: 3 });

    // Assess
    expect([walked, firsts, server.maxInFlight()]).toStrictEqual([{ total: 3_000, pages: 30, truncated: false, shortOfTotal: false }, range(30).map((p) => p * 100), 5]);
  });

  it('asks for no further page once onPage has thrown', async () => {
    // Prepare
    const server = fakeServer(3_000, { delay: () => 2 });
    const onPage = (page: Page<number>) => {
      if (page.data[0] === 500) throw new Error('cannot take page 6');
    };

    // Act
    const outcome = await walkPages(server.fetchPage, onPage, { limit: 100, concurrency: 2, ahead: 2 }).then(
      () => 'walked',
      (error: Error) => error.message,
    );
    const callsWhenFailed = server.calls.length;
    await new Promise((resolve) => setTimeout(resolve, 50));

    // Assess
    expect(outcome).toBe('cannot take page 6');
    expect(server.calls.length).toBe(callsWhenFailed);
    expect(callsWhenFailed).toBeLessThan(30);
  });
});

describe('Pagination: walkPages with a first wave', () => {
  it.each([
    [0, 4, 1],
    [100, 4, 1],
    [101, 4, 2],
    [400, 4, 4],
    [401, 5, 5],
    [10_000, 100, 100],
  ])('a total of %i with a first wave of 4 makes %i request(s) and takes its %i page(s) in order', async (total, requests, taken) => {
    // Prepare: later pages answer sooner, so they finish out of order
    const server = fakeServer(total, { delay: (offset) => (offset === 0 ? 3 : offset % 300 === 0 ? 1 : 0) });
    const firsts: number[] = [];

    // Act
    const walked = await walkPages(server.fetchPage, (page) => firsts.push(page.data[0] ?? -1), { limit: 100, concurrency: 4, firstWave: 4 });

    // Assess
    expect([walked, firsts.length, server.maxInFlight()]).toStrictEqual([{ total, pages: requests, truncated: false, shortOfTotal: false }, taken, Math.min(4, requests)]);
    expect(firsts).toStrictEqual(total === 0 ? [-1] : range(taken).map((p) => p * 100));
    expect([...server.calls].sort((a, b) => a[0] - b[0])).toStrictEqual(offsets(requests));
  });

  it('asks for the whole first wave before the first page answers, then keeps concurrency the limit', async () => {
    // Prepare: the first page answers last of its wave
    const server = fakeServer(2_000, { delay: (offset) => (offset === 0 ? 20 : 2) });
    const callsWhenFirstTaken: number[] = [];
    let first = true;

    // Act
    const walked = await walkPages(
      server.fetchPage,
      () => {
        if (first) callsWhenFirstTaken.push(...server.calls.map(([offset]) => offset));
        first = false;
      },
      { limit: 100, concurrency: 3, firstWave: 3 },
    );

    // Assess
    expect([walked, callsWhenFirstTaken, server.maxInFlight()]).toStrictEqual([{ total: 2_000, pages: 20, truncated: false, shortOfTotal: false }, [0, 100, 200], 3]);
  });

  it.each([50, 150])('does not wait for pages of the first wave that a total of %i does not call for', async (total) => {
    // Prepare: the pages past the total answer long after the others
    const server = fakeServer(total, { delay: (offset) => (offset >= total ? 200 : 0) });

    // Act
    const walked = await walkPages(server.fetchPage, () => undefined, { limit: 100, concurrency: 4, firstWave: 4 });

    // Assess: the walk is over while those requests are still in flight, for the caller to cancel
    const needed = Math.max(1, Math.ceil(total / 100));
    expect([walked, server.inFlight()]).toStrictEqual([{ total, pages: 4, truncated: false, shortOfTotal: false }, 4 - needed]);
  });

  it('keeps concurrency + ahead the limit with a first wave, and uses it', async () => {
    // Prepare
    const server = fakeServer(3_000, { delay: () => 2 });
    const firsts: number[] = [];

    // Act
    const walked = await walkPages(server.fetchPage, (page) => firsts.push(page.data[0] ?? -1), { limit: 100, concurrency: 4, ahead: 4, firstWave: 4 });

    // Assess
    expect([walked, firsts, server.maxInFlight()]).toStrictEqual([{ total: 3_000, pages: 30, truncated: false, shortOfTotal: false }, range(30).map((p) => p * 100), 8]);
  });

  it('fails with the first page, leaving the rest of the wave to the caller', async () => {
    // Prepare
    const calls: number[] = [];
    const fetchPage = async (offset: number, limit: number): Promise<Page<number>> => {
      calls.push(offset);
      await new Promise((resolve) => setTimeout(resolve, offset === 0 ? 1 : 10));
      if (offset === 0) throw new Error('page 1 failed');
      throw new Error(`page at ${offset} failed too`);
    };

    // Act
    const outcome = await walkPages(fetchPage, () => undefined, { limit: 100, concurrency: 4, firstWave: 4 }).then(
      () => 'walked',
      (error: Error) => error.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 30));

    // Assess: the other pages' failures are not reported as unhandled (jest fails the test if they are)
    expect([outcome, calls]).toStrictEqual(['page 1 failed', [0, 100, 200, 300]]);
  });

  it('takes a page of the first wave it had set aside when the total grows', async () => {
    // Prepare: the first page says 150 items; by the time the next one answers there are 400
    const fetchPage = async (offset: number, limit: number): Promise<Page<number>> => {
      await new Promise((resolve) => setTimeout(resolve, offset === 0 ? 0 : 5));
      const total = offset === 0 ? 150 : 400;
      return { total, data: range(Math.max(0, Math.min(limit, total - offset))).map((i) => offset + i) };
    };

    // Act
    const result = await collectAll(fetchPage, { limit: 100, concurrency: 4, firstWave: 4, maxPages: 4 });

    // Assess: every item, from the four requests of the wave, none asked for twice
    expect(result).toStrictEqual({ items: range(400), total: 400, pages: 4, truncated: false, shortOfTotal: false });
  });

  it.each([
    ['rejects', (offset: number) => Promise.reject(new Error(`page at ${offset} failed`))],
    [
      'throws',
      (offset: number): Promise<Page<number>> => {
        throw new Error(`page at ${offset} failed`);
      },
    ],
  ])('fails, not hangs, when the fetcher %s for a later page', async (_how, failing) => {
    // Prepare
    const fetchPage = (offset: number, limit: number): Promise<Page<number>> => (offset === 200 ? failing(offset) : Promise.resolve({ total: 1_000, data: range(limit).map((i) => offset + i) }));

    // Act
    const outcomes = await Promise.all(
      [1, 4].map((firstWave) =>
        walkPages(fetchPage, () => undefined, { limit: 100, concurrency: 4, firstWave }).then(
          () => 'walked',
          (error: Error) => error.message,
        ),
      ),
    );

    // Assess
    expect(outcomes).toStrictEqual(['page at 200 failed', 'page at 200 failed']);
  });

  it('ignores a failing page of the first wave that the total does not call for', async () => {
    // Prepare
    const fetchPage = async (offset: number, limit: number): Promise<Page<number>> => {
      if (offset >= 200) throw new Error(`page at ${offset} failed`);
      return { total: 150, data: range(Math.max(0, Math.min(limit, 150 - offset))).map((i) => offset + i) };
    };

    // Act
    const result = await collectAll(fetchPage, { limit: 100, concurrency: 4, firstWave: 4 });

    // Assess
    expect(result).toStrictEqual({ items: range(150), total: 150, pages: 4, truncated: false, shortOfTotal: false });
  });

  it('fails with a failing page of the first wave that the total calls for, and asks for no page after it', async () => {
    // Prepare: page 2 fails at once, long before the first page answers
    const calls: number[] = [];
    const fetchPage = async (offset: number, limit: number): Promise<Page<number>> => {
      calls.push(offset);
      await new Promise((resolve) => setTimeout(resolve, offset === 0 ? 20 : 1));
      if (offset === 100) throw new Error('page 2 failed');
      return { total: 1_000, data: range(limit).map((i) => offset + i) };
    };

    // Act
    const outcome = await collectAll(fetchPage, { limit: 100, concurrency: 4, firstWave: 4 }).then(
      () => 'walked',
      (error: Error) => error.message,
    );
    await new Promise((resolve) => setTimeout(resolve, 20));

    // Assess
    expect([outcome, calls]).toStrictEqual(['page 2 failed', [0, 100, 200, 300]]);
  });

  it.each([
    [{ concurrency: 2, firstWave: 8 }, [0, 100]],
    [{ concurrency: 8, firstWave: 8, maxPages: 3 }, [0, 100, 200]],
    [{ concurrency: 1, firstWave: 4 }, [0]],
  ])('a first wave larger than concurrency or the page cap is cut to it (%j)', async (options, firstRequests) => {
    // Prepare
    const server = fakeServer(50);

    // Act
    const walked = await walkPages(server.fetchPage, () => undefined, { limit: 100, ...options });

    // Assess
    expect([walked, server.calls.map(([offset]) => offset)]).toStrictEqual([{ total: 50, pages: firstRequests.length, truncated: false, shortOfTotal: false }, firstRequests]);
  });
});
