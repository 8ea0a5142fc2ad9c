/**
 * offset/limit pagination for the list operations (limit ≤ 100): walks until a short page or `total`,
 * with a hard page cap so a server that keeps returning full pages cannot keep us looping.
 * With concurrency > 1, the first page tells `total`; the rest are fetched in parallel, in order.
 */

export interface Page<T> {
  readonly total: number;
  readonly data: readonly T[];
}

export interface PaginateOptions {
  /** Page size, 1..100 (default 100). */
  readonly limit?: number;
  /** Hard cap on pages fetched (default 200, i.e. 20,000 items at 100 a page). */
  readonly maxPages?: number;
  /** Pages in flight at once after the first (default 1). */
  readonly concurrency?: number;

}

export interface CollectedPages<T> {
  readonly items: T[];
  readonly total: number;
  readonly pages: number;
  /** True when the page cap stopped the walk before everything was read. */
  readonly truncated: boolean;
}

export const MAX_PAGE_SIZE = 100;

export async function collectAll<T>(fetchPage: (offset: number, limit: number) => Promise<Page<T>>, options: PaginateOptions = {}): Promise<CollectedPages<T>> {
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, options.limit ?? MAX_PAGE_SIZE));
  const maxPages = Math.max(1, options.maxPages ?? 200);
  const concurrency = Math.max(1, options.concurrency ?? 1);

  const items: T[] = [];
  let total = 0;
  /** Pages fetched (requests made). */
  let pages = 0;
  let short = false;
  const fetch = (offset: number) => {
    pages++;
    return fetchPage(offset, limit);
  };
  /** Appends pages in order, up to the first short page (the end). */
  const take = (batch: ReadonlyArray<Page<T> | undefined>): void => {
    for (const page of batch) {
      if (!page || short) return;
      items.push(...page.data);
      total = page.total;
      if (page.data.length < limit) short = true;
    }
  };

  // The first page tells the total.
  take([await fetch(0)]);
  if (short || items.length >= total) return { items, total, pages, truncated: false };

  if (concurrency > 1) {
    // Parallel: the pages the total calls for, within the cap, fetched by `concurrency` workers, in order.
    const lastPage = Math.min(Math.ceil(total / limit), maxPages);
    const results: Array<Page<T> | undefined> = new Array(Math.max(0, lastPage - 1)).fill(undefined);
    let next = 0;
    const worker = async () => {
      while (next < results.length) {
        const index = next++;
        results[index] = await fetch((index + 1) * limit);
      }
    };
    await Promise.all(Array.from({ length: Math.min(concurrency, results.length) }, worker));
    take(results);
  }
  // Sequential, and after a parallel walk whose total was stale (items added meanwhile): one page at a
  // time while pages stay full and the total says there is more, up to the cap.
  while (!short && items.length < total) {
    if (pages >= maxPages) return { items, total, pages, truncated: true };
    take([await fetch(items.length)]);
  }
  return { items, total, pages, truncated: false };
}
