/**
 * Pipeline events → one internal shape. Accepted deliveries:
 *  - a CloudEvents 1.0 event in structured JSON mode (how Huawei EventGrid invokes FunctionGraph, and how
 *    EventBridge's input transformer or a pipeline webhook sends one);
 *  - an EventBridge envelope (`detail-type`, `detail`, …) whose `detail` is such a CloudEvent, or is the
 *    event's data itself (then the envelope's id, source, detail-type and time stand for the CloudEvent's);
 *  - over HTTP, CloudEvents binary mode: `ce-id`, `ce-source`, `ce-type`, `ce-specversion` headers and the
 *    data as the body.
 * The data is validated later, by the function that knows its shape.
 */
import '../zod-config';
import * as z from 'zod/mini';
import { issuesOf, type FieldIssue } from '../errors';
import { rfc3339DateTime as rfc3339 } from './rfc3339';

/** CloudEvents 1.0 structured mode (spec §3.1 required attributes, §3.2 optional ones). */
export const cloudEventSchema = z
  .object({
    specversion: z.literal('1.0'),
    id: z.string().check(z.minLength(1), z.maxLength(256)),
    source: z.string().check(z.minLength(1), z.maxLength(1024)),
    type: z.string().check(z.minLength(1), z.maxLength(256)),
    subject: z.optional(z.string().check(z.maxLength(1024))),
    time: z.optional(rfc3339),
    datacontenttype: z.optional(z.string().check(z.maxLength(256))),
    dataschema: z.optional(z.string().check(z.maxLength(1024))),
    data: z.optional(z.unknown()),
    data_base64: z.optional(z.string()),
  })
  .check(
    z.refine((event) => !(event.data !== undefined && event.data_base64 !== undefined), { message: 'data and data_base64 are mutually exclusive', path: ['data_base64'] }),
  );
export type CloudEvent = z.infer<typeof cloudEventSchema>;

export const eventBridgeEnvelopeSchema = z.object({
  version: z.optional(z.string()),
  id: z.string().check(z.minLength(1), z.maxLength(256)),
  'detail-type': z.string().check(z.minLength(1), z.maxLength(256)),
  source: z.string().check(z.minLength(1), z.maxLength(256)),
  account: z.optional(z.string()),
  time: z.optional(rfc3339),
  region: z.optional(z.string()),
  resources: z.optional(z.array(z.string())),
  detail: z.unknown(),
});

export const receivedEventSchema = z.object({
  id: z.string(),
  source: z.string(),
  type: z.string(),
  subject: z.optional(z.string()),
  time: z.optional(z.string()),
  /** How it arrived. */
  delivery: z.enum(['cloudevent', 'eventbridge-cloudevent', 'eventbridge', 'http-binary']),
  data: z.unknown(),
});
export type ReceivedEvent = z.infer<typeof receivedEventSchema>;

/**
 * A parsed event, or why it is not one. `field` is where the fault is, dotted: for parseReceivedEvent, a
 * path in the delivered event ('' for the whole of it); for parseHttpEvent, in the HTTP request
 * (`body.source`, `headers.ce-source`). `dataAt` is where the event's data was found, in the same terms.
 */
export type EventParse =
  | { readonly ok: true; readonly event: ReceivedEvent; readonly dataAt: string }
  | { readonly ok: false; readonly reason: string; readonly field: string; readonly message: string };

type Failure = Extract<EventParse, { ok: false }>;

const join = (...parts: ReadonlyArray<string | number>): string => parts.filter((p) => p !== '').join('.');

/** The first issue of a failed parse, under `what` (e.g. 'not a CloudEvents 1.0 event'), at `prefix`. */
function failure(what: string, error: z.core.$ZodError, prefix = ''): Failure {
  const issue = error.issues[0];
  const at = issue ? issue.path.map(String).join('.') : '';
  const message = issue?.message ?? 'invalid';
  return { ok: false, reason: `${what} (${at || 'event'}: ${message})`, field: join(prefix, at), message };
}

function refused(reason: string, field: string, message = reason): Failure {
  return { ok: false, reason, field, message };
}

/**
 * The issues of an event's data, each named where the sender put it (`dataAt` of a parse); data sent as
 * base64 is named as a whole, the path inside it going into the message.
 */
export function dataIssues(dataAt: string, error: z.core.$ZodError): FieldIssue[] {
  const issues = issuesOf(dataAt, error);
  if (!dataAt.endsWith('data_base64')) return issues;
  return issues.map(({ field, message }) => ({ field: dataAt, message: `${field.slice(dataAt.length + 1) || 'data'}: ${message}` }));
}

function isObject(value: unknown): value is Record<string, unknown> {
  return value !== null && typeof value === 'object' && !Array.isArray(value);
}

/** The data of a CloudEvent: `data`, or `data_base64` decoded (as JSON when its content type is JSON). */
function dataOf(event: CloudEvent): { ok: true; data: unknown } | { ok: false; reason: string } {
  if (event.data_base64 === undefined) return { ok: true, data: event.data };
  if (!/^[A-Za-z0-9+/]*={0,2}$/.test(event.data_base64)) return { ok: false, reason: 'data_base64: is not base64' };
  const text = Buffer.from(event.data_base64, 'base64').toString('utf8');
  const contentType = (event.datacontenttype ?? 'application/json').toLowerCase();
  if (!/json/.test(contentType)) return { ok: true, data: text };
  try {
    return { ok: true, data: JSON.parse(text) as unknown };
  } catch {
    return { ok: false, reason: 'data_base64: is not JSON' };
  }
}

function fromCloudEvent(raw: unknown, delivery: 'cloudevent' | 'eventbridge-cloudevent', at = ''): EventParse {
  const parsed = cloudEventSchema.safeParse(raw);
  if (!parsed.success) return failure('not a CloudEvents 1.0 event', parsed.error, at);
  const event = parsed.data;
  const data = dataOf(event);
  if (!data.ok) return refused(data.reason, join(at, 'data_base64'), data.reason.replace('data_base64: ', ''));
  return {
    ok: true,
    dataAt: join(at, event.data_base64 === undefined ? 'data' : 'data_base64'),
    event: {
      id: event.id,
      source: event.source,
      type: event.type,
      ...(event.subject === undefined ? {} : { subject: event.subject }),
      ...(event.time === undefined ? {} : { time: event.time }),
      delivery,
      data: data.data,
    },
  };
}

/** Recognises a structured CloudEvent or an EventBridge envelope; says why when it is neither. */
export function parseReceivedEvent(raw: unknown): EventParse {
  if (Array.isArray(raw)) return refused('batched events are not accepted: deliver one event per invocation', '');
  if (!isObject(raw)) return refused('the event is not a JSON object', '');
  if ('specversion' in raw) return fromCloudEvent(raw, 'cloudevent');
  if ('detail-type' in raw && 'detail' in raw) {
    const envelope = eventBridgeEnvelopeSchema.safeParse(raw);
    if (!envelope.success) return failure('not an EventBridge event', envelope.error);
    const { detail } = envelope.data;
    if (isObject(detail) && 'specversion' in detail) return fromCloudEvent(detail, 'eventbridge-cloudevent', 'detail');
    return {
      ok: true,
      dataAt: 'detail',
      event: {
        id: envelope.data.id,
        source: envelope.data.source,
        type: envelope.data['detail-type'],
        ...(envelope.data.time === undefined ? {} : { time: envelope.data.time }),
        delivery: 'eventbridge',
        data: detail,
      },
    };
  }
  return refused('neither a CloudEvents 1.0 event nor an EventBridge event', '');
}

/**
 * An HTTP delivery: binary mode when the `ce-*` headers are present (the body is the data), structured
 * mode otherwise (the body is the whole event). Headers are lower-case.
 */
export function parseHttpEvent(headers: Readonly<Record<string, string>>, body: unknown): EventParse {
  if (headers['ce-specversion'] !== undefined || headers['ce-id'] !== undefined) {
    const event = {
      specversion: headers['ce-specversion'],
      id: headers['ce-id'],
      source: headers['ce-source'],
      type: headers['ce-type'],
      ...(headers['ce-subject'] === undefined ? {} : { subject: headers['ce-subject'] }),
      ...(headers['ce-time'] === undefined ? {} : { time: headers['ce-time'] }),
      data: body,
    };
    const parsed = fromCloudEvent(event, 'cloudevent');
    if (parsed.ok) return { ok: true, event: { ...parsed.event, delivery: 'http-binary' }, dataAt: 'body' };
    // Every attribute came from its ce-* header; only the data is the body.
    const attribute = parsed.field.split('.')[0] ?? '';
    return {
      ...parsed,
      reason: parsed.reason.replace('CloudEvents 1.0 event', 'CloudEvents 1.0 binary-mode request'),
      field: attribute === '' || attribute === 'data' ? 'body' : `headers.ce-${attribute}`,
    };
  }
  const parsed = parseReceivedEvent(body);
  return parsed.ok ? { ...parsed, dataAt: join('body', parsed.dataAt) } : { ...parsed, field: join('body', parsed.field) };
}
