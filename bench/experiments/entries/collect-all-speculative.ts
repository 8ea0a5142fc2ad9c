/**
 * Experiment (swapped in for shared/http/paginate.ts's `collectAll` by bench/experiments/options.ts): with
 * concurrency > 1, the first `concurrency` pages are requested together instead of the first page alone,
 * so the walk does not wait one round trip to learn `total` before it goes parallel. A page past the end
 * comes back empty and is ignored (a read: asking for it has no effect). Same result as collectAll.
 */
import type { CollectedPages, Page, PaginateOptions } from '../../../shared/http/paginate';

const MAX_PAGE_SIZE = 100;

export async function collectAllSpeculative<T>(fetchPage: (offset: number, limit: number) => Promise<Page<T>>, options: PaginateOptions = {}): Promise<CollectedPages<T>> {
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, options.limit ?? MAX_PAGE_SIZE));
  const maxPages = Math.max(1, options.maxPages ?? 200);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const firstBatch = Math.min(concurrency, maxPages);
  const first = await Promise.all(Array.from({ length: firstBatch }, (_, i) => fetchPage(i * limit, limit)));
  const total = Math.max(...first.map((p) => p.total));
  const neededPages = Math.max(1, Math.ceil(total / limit));
  const lastPage = Math.min(neededPages, maxPages);
  const results: Array<Page<T> | undefined> = new Array(Math.max(lastPage, firstBatch)).fill(undefined);
  first.forEach((page, i) => {
    results[i] = page;
  });
  let next = firstBatch;
  const worker = async () => {
    while (next < lastPage) {
      const index = next++;
      results[index] = await fetchPage(index * limit, limit);
    }
  };
  await Promise.all(Array.from({ length: Math.max(0, Math.min(concurrency, lastPage - firstBatch)) }, worker));
  const items: T[] = [];
  let short = false;
  let pages = 0;
  for (const page of results) {
    if (!page || short) break;
    pages++;
    items.push(...page.data);
    if (page.data.length < limit) short = true;
  }
  const truncated = !short && lastPage < neededPages;
  return { items, total, pages, truncated, shortOfTotal: !truncated && items.length < total };
}
