/** Timer event adapters: the captured AWS scheduled event and FunctionGraph TIMER event, and malformed ones. */
import awsScheduled from '../../fixtures/events/aws/scheduled.json';
import fgTimer from '../../fixtures/events/functiongraph/timer.json';
import { parseTimerEvent } from '../../../shared/platform/timer-event';

const clone = <T>(value: T): T => structuredClone(value);

describe('Timer events: platform adapters', () => {
  it('reads the AWS scheduled event: scheduled time, rule name, event id', () => {
    // Act
    const parsed = parseTimerEvent(clone(awsScheduled));
    // Assess
    expect(parsed).toStrictEqual({
      ok: true,
      firing: { platform: 'aws', firedAt: new Date('2026-11-23T00:30:00Z'), trigger: 'hwc-release-functions-dev-ReleaseCheck', eventId: '89d1a02d-5ec7-412e-82f5-13505f849b41' },
    });
  });

  it('reads the FunctionGraph timer event with its UTC offset', () => {
    expect(parseTimerEvent(clone(fgTimer))).toStrictEqual({ ok: true, firing: { platform: 'functiongraph', firedAt: new Date('2026-11-23T00:30:00Z'), trigger: 'Timer_001' } });
  });

  it.each([
    [null, 'the event is not a JSON object'],
    ['tick', 'the event is not a JSON object'],
    [[clone(fgTimer)], 'the event is not a JSON object'],
    [{}, 'neither an EventBridge scheduled event nor a FunctionGraph timer event'],
    [{ ...clone(fgTimer), trigger_type: 'APIG' }, 'not a FunctionGraph timer event (trigger_type: Invalid input: expected "TIMER")'],
    [{ ...clone(fgTimer), time: '23/11/2026 08:30' }, 'not a FunctionGraph timer event (time: Invalid ISO datetime)'],
    [{ ...clone(awsScheduled), 'detail-type': 'Object Created' }, 'not an EventBridge scheduled event (detail-type: Invalid input: expected "Scheduled Event")'],
    [{ ...clone(awsScheduled), time: undefined }, 'not an EventBridge scheduled event (time: Invalid input: expected string, received undefined)'],
  ])('says why %j is not a timer event', (event, reason) => {
    expect(parseTimerEvent(event)).toStrictEqual({ ok: false, reason });
  });
});
