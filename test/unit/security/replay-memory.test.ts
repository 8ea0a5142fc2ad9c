/** The memory of signed requests taken lately (shared/inbound/replay-memory.ts): once per window, never forgetting a live one. */
import { ReplayMemory } from '../../../shared/inbound/replay-memory';
import { ConflictError, TooManyRequestsError, UnauthorizedError } from '../../../shared/errors';
import { WEBHOOK_TOLERANCE_SECONDS } from '../../../shared/signing/webhook-verifier';

const START = new Date('2026-11-23T08:00:00Z');
const seconds = (s: number) => new Date(START.getTime() + s * 1000);
const WINDOW = 2 * WEBHOOK_TOLERANCE_SECONDS;

describe('Replay memory (the window a signature verifies in)', () => {
  it('admits a delivery once within the window, and again once the window has passed', () => {
    const recent = new ReplayMemory(WINDOW * 1000);
    expect([recent.admit('a', 'x', seconds(0)), recent.admit('a', 'x', seconds(WINDOW - 1)), recent.admit('b', 'x', seconds(1)), recent.admit('a', 'x', seconds(WINDOW + 1))]).toStrictEqual([
      'admitted',
      'seen',
      'admitted',
      'admitted',
    ]);
  });

  it('refuses the same request from another owner too (a capture checked against another key)', () => {
    const recent = new ReplayMemory(WINDOW * 1000, 10, 2);
    expect([recent.admit('a', 'old-key', seconds(0)), recent.admit('a', 'new-key', seconds(1))]).toStrictEqual(['admitted', 'seen']);
  });

  it('keeps at most its capacity: when every entry is live it refuses a new one rather than forget one (whose replay would then pass)', () => {
    const recent = new ReplayMemory(WINDOW * 1000, 2);
    expect([
      recent.admit('a', 'x', seconds(0)),
      recent.admit('b', 'x', seconds(1)),
      recent.admit('c', 'x', seconds(2)),
      recent.secondsUntilRoom('x', seconds(2)),
      recent.admit('a', 'x', seconds(3)),
      recent.admit('c', 'x', seconds(WINDOW + 1)),
      recent.admit('a', 'x', seconds(WINDOW + 2)),
    ]).toStrictEqual(['admitted', 'admitted', 'full', WINDOW - 2, 'seen', 'admitted', 'admitted']);
  });

  it('gives each owner its share: one that fills its own is refused, told when its own oldest expires, while the others are still admitted', () => {
    const recent = new ReplayMemory(WINDOW * 1000, 4, 2);
    expect([
      recent.admit('b1', 'quiet', seconds(0)),
      recent.admit('a1', 'noisy', seconds(10)),
      recent.admit('a2', 'noisy', seconds(11)),
      recent.admit('a3', 'noisy', seconds(12)),
      recent.secondsUntilRoom('noisy', seconds(12)),
      recent.admit('b2', 'quiet', seconds(13)),
      recent.admit('b3', 'quiet', seconds(14)),
      recent.secondsUntilRoom('quiet', seconds(14)),
      // The noisy owner's first entry has expired: room for it again.
      recent.admit('a3', 'noisy', seconds(WINDOW + 11)),
    ]).toStrictEqual(['admitted', 'admitted', 'admitted', 'full', WINDOW - 2, 'admitted', 'full', WINDOW - 14, 'admitted']);
  });

  it('finds expired entries behind a live one when the clock stepped back, before refusing', () => {
    const recent = new ReplayMemory(WINDOW * 1000, 2);
    expect([recent.admit('x', 'o', seconds(100)), recent.admit('y', 'o', seconds(0)), recent.admit('z', 'o', seconds(WINDOW + 50)), recent.admit('z', 'o', seconds(WINDOW + 51))]).toStrictEqual([
      'admitted',
      'admitted',
      'admitted',
      'seen',
    ]);
  });

  it('refuses a request received already with 409 and Retry-After: 1, or 401, as asked; a full memory with 429 and the wait', () => {
    const recent = new ReplayMemory(WINDOW * 1000, 2);
    const words = (refusal: 'conflict' | 'unauthorized') => ({ received: 'This signed request', advice: 'sign it again', plural: 'signed requests', refusal });
    recent.take('a', 'x', seconds(0), words('conflict'));
    recent.take('b', 'x', seconds(0), words('unauthorized'));
    const refusal = (key: string, at: Date, kind: 'conflict' | 'unauthorized') => {
      try {
        recent.take(key, 'x', at, words(kind));
        return 'taken';
      } catch (error) {
        const { statusCode, errorCode, headers, message } = error as ConflictError | TooManyRequestsError | UnauthorizedError;
        return { type: (error as Error).constructor.name, statusCode, errorCode, headers, message };
      }
    };
    expect([refusal('a', seconds(1), 'conflict'), refusal('b', seconds(1), 'unauthorized'), refusal('c', seconds(10), 'conflict')]).toStrictEqual([
      { type: 'ConflictError', statusCode: 409, errorCode: 'HRF.0409.ALREADY_RECEIVED', headers: { 'Retry-After': '1' }, message: 'This signed request was received already: sign it again' },
      {
        type: 'UnauthorizedError',
        statusCode: 401,
        errorCode: 'HRF.0401',
        headers: { 'WWW-Authenticate': 'Bearer, SDK-HMAC-SHA256' },
        message: 'Authentication failed: This signed request was received already (sign it again)',
      },
      { type: 'TooManyRequestsError', statusCode: 429, errorCode: 'HRF.0429', headers: { 'Retry-After': String(WINDOW - 10) }, message: 'Too many signed requests to remember against replays; retry later' },
    ]);
  });
});
