/**
 * The signed requests accepted lately, by what their signature covers, so that a captured one sent again while
 * its signature still verifies is refused, however its signature header is dressed and whichever of several
 * keys it is checked against. Used for Standard Webhooks deliveries (webhook-id, webhook-timestamp and the
 * body: what the HMAC covers) and for app-signed requests that change something (access key and signature). A
 * sender's own retry is signed again and passes. Per container, like every cache here: a replay reaching another
 * instance is not caught by this.
 *
 * Each client (the owner of an entry) may fill only its share of the memory, so one client sending many signed
 * requests, valid or not, cannot make the others' requests wait.
 */
import { ConflictError, TooManyRequestsError, UnauthorizedError } from '../errors';

interface Entry {
  readonly expiresAt: number;
  readonly owner: string;
}

export class ReplayMemory {
  /** In the order taken: the order of expiry while the clock runs forward. */
  private readonly seen = new Map<string, Entry>();
  private readonly heldBy = new Map<string, number>();
  /** How many entries one owner may hold: its share. */
  readonly ownerCapacity: number;

  constructor(
    /** How long a signature is remembered: while it could still verify. */
    private readonly rememberMs: number,
    private readonly capacity = 10_000,
    /** How many clients share the memory: each may hold capacity ÷ owners entries. */
    owners = 1,
  ) {
    this.ownerCapacity = Math.max(1, Math.floor(capacity / Math.max(1, owners)));
  }

  /**
   * Records a signed request of `owner`: `seen` when the same one was recorded within the window, `full` when
   * the memory, or the owner's share of it, holds only live entries. A live entry is never dropped to make
   * room: that would let its replay through early, so whoever fills the memory is refused instead.
   */
  admit(key: string, owner: string, now: Date): 'admitted' | 'seen' | 'full' {
    const nowMs = now.getTime();
    const known = this.seen.get(key);
    if (known !== undefined && known.expiresAt >= nowMs) return 'seen';
    if (known !== undefined) this.forget(key, known);
    // Oldest first: drop what has expired, up to the first live entry.
    for (const [seenKey, entry] of this.seen) {
      if (entry.expiresAt >= nowMs) break;
      this.forget(seenKey, entry);
    }
    // The clock may have stepped back since older entries were taken: look at every entry before refusing.
    if (this.isFull(owner)) for (const [seenKey, entry] of this.seen) if (entry.expiresAt < nowMs) this.forget(seenKey, entry);
    if (this.isFull(owner)) return 'full';
    this.seen.set(key, { expiresAt: nowMs + this.rememberMs, owner });
    this.heldBy.set(owner, (this.heldBy.get(owner) ?? 0) + 1);
    return 'admitted';
  }

  /** Seconds until `owner` may be admitted again (when full, how long until there is room for it). */
  secondsUntilRoom(owner: string, now: Date): number {
    const ownerFull = (this.heldBy.get(owner) ?? 0) >= this.ownerCapacity;
    let soonest = Infinity;
    for (const entry of this.seen.values()) if (!ownerFull || entry.owner === owner) soonest = Math.min(soonest, entry.expiresAt);
    return soonest === Infinity ? 0 : Math.max(1, Math.ceil((soonest - now.getTime()) / 1000));
  }

  /**
   * Takes a signed request once, or refuses one received already (`received` and `advice` word the message):
   * `conflict`, 409 with `Retry-After: 1` (an app signing its retry again within the same second sends the same
   * signature), or `unauthorized`, 401 (a webhook delivery: a sender's redelivery carries a new timestamp, and
   * webhook verification refuses with 401). 429 with Retry-After when the memory, or the owner's share, is full.
   */
  take(
    key: string,
    owner: string,
    now: Date,
    words: { readonly received: string; readonly advice: string; readonly plural: string; readonly refusal: 'conflict' | 'unauthorized' },
  ): void {
    const admitted = this.admit(key, owner, now);
    if (admitted === 'seen' && words.refusal === 'unauthorized') throw new UnauthorizedError(`Authentication failed: ${words.received} was received already (${words.advice})`);
    if (admitted === 'seen') throw new ConflictError(`${words.received} was received already: ${words.advice}`, { errorCode: 'HRF.0409.ALREADY_RECEIVED', retryAfterSeconds: 1 });
    if (admitted === 'full') throw new TooManyRequestsError(`Too many ${words.plural} to remember against replays; retry later`, this.secondsUntilRoom(owner, now));
  }

  private isFull(owner: string): boolean {
    return this.seen.size >= this.capacity || (this.heldBy.get(owner) ?? 0) >= this.ownerCapacity;
  }

  private forget(key: string, entry: Entry): void {
    this.seen.delete(key);
    const held = (this.heldBy.get(entry.owner) ?? 1) - 1;
    if (held > 0) this.heldBy.set(entry.owner, held);
    else this.heldBy.delete(entry.owner);
  }
}
