/**
 * How the bench groups a function's upstream calls into waves (the references send a wave's calls together)
 * and how it checks that a reference made the function's requests. Pure: no network.
 */
import type { RecordedRequest } from '../../../emulator';
import type { UpstreamCall } from '../../../bench/references/common';
import { callsDiffer, wavesOf } from '../../../bench/lib/upstream-calls';

const call = (path: string, extra: Partial<UpstreamCall> = {}): UpstreamCall => ({ method: 'GET', path, query: '', headers: {}, body: undefined, status: 200, ...extra });

const received = (c: UpstreamCall, overrides: Partial<RecordedRequest> = {}): RecordedRequest => ({
  method: c.method,
  path: c.path,
  query: c.query,
  headers: {},
  body: c.body ?? '',
  status: c.status,
  operation: undefined,
  fault: undefined,
  time: '2026-12-02T00:00:00.000Z',
  requestId: 'r',
  ...overrides,
});

describe('Bench: upstream calls in waves', () => {
  it('puts calls sent before any answer of the wave came back in one wave, in the order sent', () => {
    // Prepare
    const [a, b, c, d] = [call('/a'), call('/b'), call('/c'), call('/d')];
    // Act
    const waves = wavesOf([
      { call: c, sentAt: 13, answeredAt: 20 },
      { call: a, sentAt: 0, answeredAt: 10 },
      { call: d, sentAt: 15, answeredAt: 19 },
      { call: b, sentAt: 1, answeredAt: 12 },
    ]);
    // Assess
    expect(waves).toStrictEqual([[a, b], [c, d]]);
  });

  it('starts a new wave for a call sent after one answer of the wave arrived, even while another is in flight', () => {
    const [a, b, e] = [call('/a'), call('/b'), call('/e')];
    const waves = wavesOf([
      { call: a, sentAt: 0, answeredAt: 10 },
      { call: b, sentAt: 1, answeredAt: 30 },
      { call: e, sentAt: 11, answeredAt: 25 },
    ]);
    expect(waves).toStrictEqual([[a, b], [e]]);
  });

  it('gives no wave for no call', () => {
    expect(wavesOf([])).toStrictEqual([]);
  });
});

describe('Bench: a reference made the function\'s calls', () => {
  const list = call('/v2/p/factory/pending-items', { query: 'limit=5&offset=0' });
  const publish = call('/v2/p/factory/pending-items/package', { method: 'POST', body: '{"package_name":"x","approver_ids":["u"]}' });

  it('accepts the same requests in any order, with the query in any order and the body serialised otherwise', () => {
    const got = [received(publish, { body: '{ "package_name": "x", "approver_ids": ["u"] }' }), received(list, { query: 'offset=0&limit=5' })];
    expect(callsDiffer([[list], [publish]], got)).toBeUndefined();
  });

  it('names what differs: a missing call, another body, or a call made twice', () => {
    expect(callsDiffer([[list], [publish]], [received(list)])).toBe(
      'expected ["GET","/v2/p/factory/pending-items",[["limit","5"],["offset","0"]],null] ; ["POST","/v2/p/factory/pending-items/package",[],{"package_name":"x","approver_ids":["u"]}] but the local cloud received ["GET","/v2/p/factory/pending-items",[["limit","5"],["offset","0"]],null]',
    );
    expect(callsDiffer([[publish]], [received(publish, { body: '{"package_name":"y","approver_ids":["u"]}' })])).toBe(
      'expected ["POST","/v2/p/factory/pending-items/package",[],{"package_name":"x","approver_ids":["u"]}] but the local cloud received ["POST","/v2/p/factory/pending-items/package",[],{"package_name":"y","approver_ids":["u"]}]',
    );
    expect(callsDiffer([[list]], [received(list), received(list)])).toBe(
      'expected ["GET","/v2/p/factory/pending-items",[["limit","5"],["offset","0"]],null] but the local cloud received ["GET","/v2/p/factory/pending-items",[["limit","5"],["offset","0"]],null] ; ["GET","/v2/p/factory/pending-items",[["limit","5"],["offset","0"]],null]',
    );
  });
});
