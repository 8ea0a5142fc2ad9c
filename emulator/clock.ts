/**
 * The emulator's clock. Everything time-dependent in the emulator reads it: the signature window,
 * timestamps of packages and deployments, token expiry, lazily evaluated transitions.
 *
 * Real time by default. `set` pins the clock to an instant (it then stands still until `advance` or
 * another `set`); `advance` moves it forward (a pinned clock by that much, a real-time clock gets an offset);
 * `useRealTime` returns to the wall clock.
 */
export class EmulatorClock {
  private pinnedMs: number | undefined;
  private offsetMs = 0;

  constructor(initial?: Date) {
    if (initial) this.set(initial);
  }

  now(): Date {
    return new Date(this.nowMs());
  }

  nowMs(): number {
    return this.pinnedMs ?? Date.now() + this.offsetMs;
  }

  /** Pins the clock at `date`. */
  set(date: Date): void {
    const ms = date.getTime();
    if (!Number.isFinite(ms)) throw new RangeError('EmulatorClock.set: invalid date');
    this.pinnedMs = ms;
  }

  advance(ms: number): void {
    if (!Number.isFinite(ms)) throw new RangeError('EmulatorClock.advance: ms must be finite');
    if (this.pinnedMs === undefined) this.offsetMs += ms;
    else this.pinnedMs += ms;
  }

  useRealTime(): void {
    this.pinnedMs = undefined;
    this.offsetMs = 0;
  }

  /** True when the clock is pinned (tests), false when it follows real time. */
  get pinned(): boolean {
    return this.pinnedMs !== undefined;
  }
}
