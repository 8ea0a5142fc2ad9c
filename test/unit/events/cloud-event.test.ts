/** Pipeline event adapters: CloudEvents structured and binary mode, EventBridge envelopes, malformed events. */
import { parseHttpEvent, parseReceivedEvent } from '../../../shared/platform/cloud-event';

const data = { pipeline_id: 'p', package_id: '3' };
const cloudEvent = {
  specversion: '1.0',
  id: 'evt-0001',
  source: 'codearts/pipeline',
  type: 'com.example.pipeline.review.waiting',
  subject: 'run-1',
  time: '2026-11-23T08:00:00Z',
  datacontenttype: 'application/json',
  data,
};
const eventBridge = (detail: unknown) => ({
  version: '0',
  id: 'eb-0001',
  'detail-type': 'Pipeline Review Waiting',
  source: 'hrf.pipeline',
  account: '123456789012',
  time: '2026-11-23T08:00:01Z',
  region: 'eu-west-1',
  resources: [],
  detail,
});

describe('Pipeline events: adapters', () => {
  it('reads a structured CloudEvent', () => {
    expect(parseReceivedEvent(structuredClone(cloudEvent))).toStrictEqual({
      ok: true,
      dataAt: 'data',
      event: { id: 'evt-0001', source: 'codearts/pipeline', type: 'com.example.pipeline.review.waiting', subject: 'run-1', time: '2026-11-23T08:00:00Z', delivery: 'cloudevent', data },
    });
  });

  it('decodes data_base64 as JSON', () => {
    const { data: _data, ...rest } = cloudEvent;
    expect(parseReceivedEvent({ ...rest, data_base64: Buffer.from(JSON.stringify(data)).toString('base64') })).toStrictEqual({
      ok: true,
      dataAt: 'data_base64',
      event: { id: 'evt-0001', source: 'codearts/pipeline', type: 'com.example.pipeline.review.waiting', subject: 'run-1', time: '2026-11-23T08:00:00Z', delivery: 'cloudevent', data },
    });
  });

  it('unwraps an EventBridge envelope whose detail is the CloudEvent', () => {
    expect(parseReceivedEvent(eventBridge(structuredClone(cloudEvent)))).toStrictEqual({
      ok: true,
      dataAt: 'detail.data',
      event: { id: 'evt-0001', source: 'codearts/pipeline', type: 'com.example.pipeline.review.waiting', subject: 'run-1', time: '2026-11-23T08:00:00Z', delivery: 'eventbridge-cloudevent', data },
    });
  });

  it('takes id, source, type and time from an EventBridge envelope whose detail is the data', () => {
    expect(parseReceivedEvent(eventBridge(data))).toStrictEqual({
      ok: true,
      dataAt: 'detail',
      event: { id: 'eb-0001', source: 'hrf.pipeline', type: 'Pipeline Review Waiting', time: '2026-11-23T08:00:01Z', delivery: 'eventbridge', data },
    });
  });

  it('reads CloudEvents binary mode over HTTP', () => {
    const headers = { 'ce-specversion': '1.0', 'ce-id': 'evt-0002', 'ce-source': 'codearts/pipeline', 'ce-type': 'review.waiting', 'content-type': 'application/json' };
    expect(parseHttpEvent(headers, data)).toStrictEqual({ ok: true, event: { id: 'evt-0002', source: 'codearts/pipeline', type: 'review.waiting', delivery: 'http-binary', data }, dataAt: 'body' });
  });

  it('reads a structured CloudEvent in an HTTP body, its data at body.data', () => {
    const { event } = parseReceivedEvent(structuredClone(cloudEvent)) as { event: unknown };
    expect(parseHttpEvent({ 'content-type': 'application/json' }, structuredClone(cloudEvent))).toStrictEqual({ ok: true, event, dataAt: 'body.data' });
  });

  const TOO_SHORT = 'Too small: expected string to have >=1 characters';
  it.each([
    [null, 'the event is not a JSON object', '', 'the event is not a JSON object'],
    [[cloudEvent], 'batched events are not accepted: deliver one event per invocation', '', 'batched events are not accepted: deliver one event per invocation'],
    [{ hello: 'world' }, 'neither a CloudEvents 1.0 event nor an EventBridge event', '', 'neither a CloudEvents 1.0 event nor an EventBridge event'],
    [{ ...cloudEvent, specversion: '0.3' }, 'not a CloudEvents 1.0 event (specversion: Invalid input: expected "1.0")', 'specversion', 'Invalid input: expected "1.0"'],
    [{ ...cloudEvent, id: '' }, `not a CloudEvents 1.0 event (id: ${TOO_SHORT})`, 'id', TOO_SHORT],
    [{ ...cloudEvent, time: 'now' }, 'not a CloudEvents 1.0 event (time: Invalid ISO datetime)', 'time', 'Invalid ISO datetime'],
    [{ ...cloudEvent, data_base64: 'e30=' }, 'not a CloudEvents 1.0 event (data_base64: data and data_base64 are mutually exclusive)', 'data_base64', 'data and data_base64 are mutually exclusive'],
    [{ ...cloudEvent, data: undefined, data_base64: 'not base64!' }, 'data_base64: is not base64', 'data_base64', 'is not base64'],
    [{ ...cloudEvent, data: undefined, data_base64: Buffer.from('{oops').toString('base64') }, 'data_base64: is not JSON', 'data_base64', 'is not JSON'],
    [{ ...eventBridge(data), id: '' }, `not an EventBridge event (id: ${TOO_SHORT})`, 'id', TOO_SHORT],
    [eventBridge({ ...cloudEvent, type: '' }), `not a CloudEvents 1.0 event (type: ${TOO_SHORT})`, 'detail.type', TOO_SHORT],
  ])('says why %j is not a pipeline event, and where', (event, reason, field, message) => {
    expect(parseReceivedEvent(event)).toStrictEqual({ ok: false, reason, field, message });
  });

  it('names the HTTP header or body field at fault', () => {
    expect([
      parseHttpEvent({ 'ce-id': 'evt-3', 'ce-source': 's', 'ce-type': 't' }, data),
      parseHttpEvent({ 'ce-specversion': '1.0', 'ce-id': 'evt-3', 'ce-source': 's', 'ce-type': 't', 'ce-time': 'now' }, data),
      parseHttpEvent({}, { ...cloudEvent, source: '' }),
      parseHttpEvent({}, eventBridge({ ...cloudEvent, type: '' })),
      parseHttpEvent({}, 'text'),
    ]).toStrictEqual([
      { ok: false, reason: 'not a CloudEvents 1.0 binary-mode request (specversion: Invalid input: expected "1.0")', field: 'headers.ce-specversion', message: 'Invalid input: expected "1.0"' },
      { ok: false, reason: 'not a CloudEvents 1.0 binary-mode request (time: Invalid ISO datetime)', field: 'headers.ce-time', message: 'Invalid ISO datetime' },
      { ok: false, reason: `not a CloudEvents 1.0 event (source: ${TOO_SHORT})`, field: 'body.source', message: TOO_SHORT },
      { ok: false, reason: `not a CloudEvents 1.0 event (type: ${TOO_SHORT})`, field: 'body.detail.type', message: TOO_SHORT },
      { ok: false, reason: 'the event is not a JSON object', field: 'body', message: 'the event is not a JSON object' },
    ]);
  });
});
