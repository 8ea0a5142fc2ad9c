/** The memory idempotency store (shared/idempotency/store.ts): what a claim answers in each state of a key. */
import { createMemoryIdempotencyStore, IDEMPOTENCY_TTL_MS } from '../../../shared/idempotency/store';

describe('Memory idempotency store: claims', () => {
  it('tells a claim that takes over an unknown record to reconcile, and whether upstream had accepted it', async () => {
    // Prepare
    let now = new Date('2026-12-07T08:00:00Z');
    const store = createMemoryIdempotencyStore({ now: () => now });

    // Act: a fresh key; the same again while in progress; after an unknown outcome; after an accepted one;
    // completed; and once the completed record has expired.
    const fresh = await store.claim('k1', 'fp1');
    const busy = await store.claim('k1', 'fp1');
    await store.markUnknown('k1', 'fp1', false);
    const afterUnknown = await store.claim('k1', 'fp1');
    await store.markUnknown('k1', 'fp1', true);
    const afterAccepted = await store.claim('k1', 'fp1');
    await store.complete('k1', 'fp1', { done: true });
    const completed = await store.claim('k1', 'fp1');
    now = new Date(now.getTime() + IDEMPOTENCY_TTL_MS + 1);
    const expired = await store.claim('k1', 'fp1');

    // Assess
    expect([fresh, busy.claimed, afterUnknown, afterAccepted, completed.claimed, expired]).toStrictEqual([
      { claimed: true },
      false,
      { claimed: true, reconciling: true },
      { claimed: true, accepted: true, reconciling: true },
      false,
      { claimed: true },
    ]);
  });
});
