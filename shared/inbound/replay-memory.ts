/**
 * The signed requests accepted lately, by what their signature covers, so that a captured one sent again while
 * its signature still verifies is refused, however its signature header is dressed. Used for Standard Webhooks
 * deliveries (sender, webhook-id, webhook-timestamp; the body is bound by the HMAC) and for app-signed requests
 * that change something (access key and signature). A sender's own retry is signed again and passes. Per
 * container, like every cache here: a replay reaching another instance is not caught by this.
 */
import { TooManyRequestsError, UnauthorizedError } from '../errors';

export class ReplayMemory {
  private readonly seen = new Map<string, number>();

  constructor(
    /** How long a signature is remembered: while it could still verify. */
    private readonly rememberMs: number,
    private readonly capacity = 10_000,
  ) {}

  /**
   * Records a signed request: `seen` when the same one was recorded within the window, `full` when `capacity`
   * are remembered and none has expired. A live entry is never dropped to make room: that would let its replay
   * through early, so whoever fills the memory is refused instead.
   */
  admit(key: string, now: Date): 'admitted' | 'seen' | 'full' {
    const nowMs = now.getTime();
    const expiresAt = this.seen.get(key);
    if (expiresAt !== undefined && expiresAt >= nowMs) return 'seen';
    this.seen.delete(key);
    // Oldest first (all are remembered equally long): drop what has expired.
    for (const [seenKey, seenExpiresAt] of this.seen) {
      if (seenExpiresAt >= nowMs) break;
      this.seen.delete(seenKey);
    }
    if (this.seen.size >= this.capacity) return 'full';
    this.seen.set(key, nowMs + this.rememberMs);
    return 'admitted';
  }

  /** Seconds until the oldest remembered request expires (when full, how long until there is room). */
  secondsUntilRoom(now: Date): number {
    const oldest = this.seen.values().next();
    return oldest.done ? 0 : Math.max(1, Math.ceil((oldest.value - now.getTime()) / 1000));
  }

  /**
   * Takes a signed request once, or refuses it: 401 for a replay (`received` and `advice` word the message),
   * 429 with Retry-After when the memory is full.
   */
  take(key: string, now: Date, words: { readonly received: string; readonly advice: string; readonly plural: string }): void {
    const admitted = this.admit(key, now);
    if (admitted === 'seen') throw new UnauthorizedError(`Authentication failed: ${words.received} was received already (${words.advice})`);
    if (admitted === 'full') throw new TooManyRequestsError(`Too many ${words.plural} to remember against replays; retry later`, this.secondsUntilRoom(now));
  }
}
