/** The memory of signed requests taken lately (shared/inbound/replay-memory.ts): once per window, never forgetting a live one. */
import { ReplayMemory } from '../../../shared/inbound/replay-memory';
import { WEBHOOK_TOLERANCE_SECONDS } from '../../../shared/signing/webhook-verifier';

const START = new Date('2026-11-23T08:00:00Z');
const seconds = (s: number) => new Date(START.getTime() + s * 1000);

describe('Replay memory (the window a signature verifies in)', () => {
  it('admits a delivery once within the window, and again once the window has passed', () => {
    const recent = new ReplayMemory(2 * WEBHOOK_TOLERANCE_SECONDS * 1000);
    const window = 2 * WEBHOOK_TOLERANCE_SECONDS;
    expect([recent.admit('a', seconds(0)), recent.admit('a', seconds(window - 1)), recent.admit('b', seconds(1)), recent.admit('a', seconds(window + 1))]).toStrictEqual(['admitted', 'seen', 'admitted', 'admitted']);
  });

  it('keeps at most its capacity: when every entry is live it refuses a new one rather than forget one (whose replay would then pass)', () => {
    const recent = new ReplayMemory(2 * WEBHOOK_TOLERANCE_SECONDS * 1000, 2);
    const window = 2 * WEBHOOK_TOLERANCE_SECONDS;
    expect([
      recent.admit('a', seconds(0)),
      recent.admit('b', seconds(1)),
      recent.admit('c', seconds(2)),
      recent.secondsUntilRoom(seconds(2)),
      recent.admit('a', seconds(3)),
      recent.admit('c', seconds(window + 1)),
      recent.admit('a', seconds(window + 2)),
    ]).toStrictEqual(['admitted', 'admitted', 'full', window - 2, 'seen', 'admitted', 'admitted']);
  });
});
