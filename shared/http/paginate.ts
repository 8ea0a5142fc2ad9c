/**
 * offset/limit pagination for the list operations (limit ≤ 100): walks until a short page or `total`,
 * with a hard page cap so a server that keeps returning full pages cannot keep us looping.
 * With concurrency > 1, the first page tells `total`; the rest are fetched in parallel and taken in order.
 * A first wave of several pages saves the round trip in which the first page is alone on the network.
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
  /** Pages being fetched at once after the first (default 1). */
  readonly concurrency?: number;
  /**
   * Pages asked for beyond `concurrency` (default 0), for a fetcher that keeps no more than `concurrency`
   * requests on the network and holds the others ready (a ConnectionPool of that size): each goes out
   * the moment an answer frees a connection. They are asked for once the first `concurrency` are on
   * their way.
   */
  readonly ahead?: number;
  /**
   * Pages asked for together at the start, before the first page has told the total (default 1; at most
   * `concurrency`). The first page alone costs a whole round trip in which nothing else is on the network;
   * asking for the next pages with it saves that round when there are more, and costs up to `firstWave - 1`
   * requests the total does not call for when everything fits on the first. The walk does not wait for
   * those: they are the caller's to cancel, like the requests a failed walk leaves in flight.
   */
  readonly firstWave?: number;
}

export interface WalkedPages {
  /** The total of the last page taken. */
  readonly total: number;
  /** Pages fetched (requests made). */
  readonly pages: number;
  /** True when the page cap stopped the walk before everything was read. */
  readonly truncated: boolean;
  /**
   * True when a page came back short before the total was reached: the service served fewer items than it
   * counted, so some may not have been read. Items removed while the pages were read can do that; so would a
   * service that reads `offset` as a page number (DataArts' pages call it "start page" in places, and the
   * walk sends item offsets): a reader that must see everything treats it as incomplete, never as the end.
   */
  readonly shortOfTotal: boolean;
}

export interface CollectedPages<T> extends WalkedPages {
  readonly items: T[];
}

export const MAX_PAGE_SIZE = 100;

/**
 * Walks every page and hands each page taken to `onPage`, in order, once: the first page, then the pages
 * the total calls for, up to the first short page (pages after it are fetched but not taken). The walk
 * keeps no page once it is taken, so a caller that consumes pages as they come holds only those in
 * flight. The first page that fails fails the walk at once, and no further page is asked for.
 */
export async function walkPages<T>(
  fetchPage: (offset: number, limit: number) => Promise<Page<T>>,
  onPage: (page: Page<T>) => void,
  options: PaginateOptions = {},
): Promise<WalkedPages> {
  const limit = Math.min(MAX_PAGE_SIZE, Math.max(1, options.limit ?? MAX_PAGE_SIZE));
  const maxPages = Math.max(1, options.maxPages ?? 200);
  const concurrency = Math.max(1, options.concurrency ?? 1);
  const ahead = Math.max(0, options.ahead ?? 0);
  const firstWave = Math.min(Math.max(1, options.firstWave ?? 1), concurrency, maxPages);

  let taken = 0;
  let total = 0;
  let pages = 0;
  let short = false;
  const ended = (truncated: boolean): WalkedPages => ({ total, pages, truncated, shortOfTotal: !truncated && taken < total });
  const fetch = (offset: number): Promise<Page<T>> => {
    pages++;
    // A fetcher that throws rather than rejecting fails the walk the same way.
    try {
      return fetchPage(offset, limit);
    } catch (error) {
      return Promise.reject(error);
    }
  };
  /** Takes a page in order, unless a short page (the end) came before it. */
  const take = (page: Page<T>): void => {
    if (short) return;
    taken += page.data.length;
    total = page.total;
    if (page.data.length < limit) short = true;
    onPage(page);
  };

  // The first page tells the total; the rest of the first wave goes out with it. Their outcomes are kept
  // as values (a page that fails unneeded, or after the walk has failed, is not reported as unhandled) and
  // noted as they come, so a needed page that has already failed stops the walk before it asks for more.
  // Pages the total does not call for are not waited for: like the pages still in flight when a walk
  // fails, they are the caller's to cancel (the release check aborts whatever its walk leaves behind).
  const first = fetch(0);
  const outcomes: Array<Settled<Page<T>> | undefined> = [];
  const early = Array.from({ length: firstWave - 1 }, (_, index) =>
    settled(fetch((index + 1) * limit)).then((outcome) => {
      outcomes[index] = outcome;
      return outcome;
    }),
  );
  /** Early pages past the total, kept in case the total grows and the walk goes on one page at a time. */
  const spare = new Map<number, Promise<Settled<Page<T>>>>();
  take(await first);
  if (short || taken >= total) return ended(false);

  if (concurrency + ahead > 1) {
    // Parallel: the pages the total calls for, within the cap, fetched by `concurrency` (+ `ahead`)
    // workers and taken here in order as they settle.
    const count = Math.max(0, Math.min(Math.ceil(total / limit), maxPages) - 1);
    const slots: Array<Settable<Page<T>> | undefined> = Array.from({ length: count }, () => settable<Page<T>>());
    /** Set when the walk fails (or ends): workers ask for no further page. */
    let stopped = false;
    const settle = (index: number, outcome: Settled<Page<T>>): void => {
      if (outcome.ok) {
        slots[index]?.resolve(outcome.value);
        return;
      }
      // Every page not yet taken fails with it, so the walk fails now rather than in its turn.
      stopped = true;
      for (const slot of slots) slot?.reject(outcome.error);
    };
    // Pages of the first wave the total calls for are the first ones taken; those it does not are spare.
    let next = Math.min(early.length, count);
    early.slice(next).forEach((page, index) => spare.set((next + index + 1) * limit, page));
    for (const outcome of outcomes.slice(0, next)) if (outcome?.ok === false) throw outcome.error;
    /** A worker goes on from its page of the first wave, if it has one, so `concurrency` stays the limit. */
    const worker = async (start?: Promise<Settled<Page<T>>>, index?: number) => {
      if (start !== undefined && index !== undefined) settle(index, await start);
      while (next < count && !stopped) {
        const index = next++;
        settle(index, await settled(fetch((index + 1) * limit)));
      }
    };
    const workers = [
      ...early.slice(0, next).map((start, index) => worker(start, index)),
      ...Array.from({ length: Math.min(concurrency, count) - next }, () => worker()),
    ];
    // The pages asked for ahead once the first requests have left (each request is sent after the
    // event loop's current turn, and preparing the others must not hold them back).
    if (ahead > 0 && count > concurrency) {
      const later = Math.min(ahead, count - concurrency);
      workers.push(new Promise<void>((resolve) => setImmediate(resolve)).then(() => Promise.all(Array.from({ length: later }, () => worker())).then(() => undefined)));
    }
    try {
      for (let index = 0; index < count; index++) {
        const page = await (slots[index] as Settable<Page<T>>).promise;
        slots[index] = undefined;
        take(page);
      }
    } finally {
      // However the walk ends (onPage may throw too), no further page is asked for.
      stopped = true;
    }
    await Promise.all(workers);
  }
  // Sequential, and after a parallel walk whose total was stale (items added meanwhile): one page at a
  // time while pages stay full and the total says there is more, up to the cap.
  while (!short && taken < total) {
    const kept = spare.get(taken);
    spare.delete(taken);
    const outcome = kept && (await kept);
    if (outcome?.ok) {
      take(outcome.value);
      continue;
    }
    if (pages >= maxPages) return ended(true);
    take(await fetch(taken));
  }
  return ended(false);
}

/** Walks every page (see {@link walkPages}) and returns the items in order. */
export async function collectAll<T>(fetchPage: (offset: number, limit: number) => Promise<Page<T>>, options: PaginateOptions = {}): Promise<CollectedPages<T>> {
  const items: T[] = [];
  const walked = await walkPages(fetchPage, (page) => void items.push(...page.data), options);
  return { items, ...walked };
}

type Settled<T> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly error: unknown };

/** The outcome of a promise, as a value: a rejection is never left unhandled. */
function settled<T>(promise: Promise<T>): Promise<Settled<T>> {
  return promise.then(
    (value) => ({ ok: true, value }),
    (error: unknown) => ({ ok: false, error }),
  );
}

/** A promise settled from outside; a rejection nobody awaits is not reported as unhandled. */
interface Settable<T> {
  readonly promise: Promise<T>;
  resolve(value: T): void;
  reject(reason: unknown): void;
}

function settable<T>(): Settable<T> {
  let resolve!: (value: T) => void;
  let reject!: (reason: unknown) => void;
  const promise = new Promise<T>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  promise.catch(() => undefined);
  return { promise, resolve, reject };
}
