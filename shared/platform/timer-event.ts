/**
 * Timer events → one internal shape. Two platforms, each parsed by its own schema:
 *  - AWS EventBridge scheduled rule ("Scheduled Event" from aws.events): `time` is the scheduled minute,
 *    the same on every delivery of one firing;
 *  - FunctionGraph TIMER trigger `{version, time, trigger_type: "TIMER", trigger_name, user_event}`.
 * Anything else is malformed: the function logs the reason and acknowledges it.
 */
import '../zod-config';
import * as z from 'zod/mini';
import { rfc3339DateTime } from './rfc3339';

const instant = z.pipe(
  rfc3339DateTime,
  z.transform((value: string) => new Date(value)),
);

export const awsScheduledEventSchema = z.object({
  version: z.optional(z.string()),
  id: z.string().check(z.minLength(1), z.maxLength(256)),
  'detail-type': z.literal('Scheduled Event'),
  source: z.literal('aws.events'),
  account: z.optional(z.string()),
  time: instant,
  region: z.optional(z.string()),
  resources: z._default(z.array(z.string()), []),
  detail: z.optional(z.unknown()),
});
export type AwsScheduledEvent = z.output<typeof awsScheduledEventSchema>;

export const functionGraphTimerEventSchema = z.object({
  version: z.optional(z.string()),
  time: instant,
  trigger_type: z.literal('TIMER'),
  trigger_name: z.string().check(z.minLength(1), z.maxLength(256)),
  user_event: z.optional(z.string().check(z.maxLength(4096))),
});
export type FunctionGraphTimerEvent = z.output<typeof functionGraphTimerEventSchema>;

export const timerFiringSchema = z.object({
  platform: z.enum(['aws', 'functiongraph']),
  /** The scheduled time the event stands for. */
  firedAt: z.date(),
  /** The rule (AWS, last segment of the rule ARN) or the timer trigger's name (FunctionGraph). */
  trigger: z.string(),
  /** EventBridge's event id; FunctionGraph timer events carry none. */
  eventId: z.optional(z.string()),
});
export type TimerFiring = z.infer<typeof timerFiringSchema>;

export type TimerEventParse = { readonly ok: true; readonly firing: TimerFiring } | { readonly ok: false; readonly reason: string };

function describe(error: z.core.$ZodError): string {
  const issue = error.issues[0];
  if (!issue) return 'invalid';
  return `${issue.path.length ? issue.path.join('.') : 'event'}: ${issue.message}`;
}

function ruleName(resources: readonly string[]): string {
  const arn = resources[0];
  if (!arn) return 'unknown-rule';
  return arn.slice(arn.lastIndexOf('/') + 1) || arn;
}

/** Recognises an AWS scheduled event or a FunctionGraph timer event; says why when it is neither. */
export function parseTimerEvent(raw: unknown): TimerEventParse {
  if (raw === null || typeof raw !== 'object' || Array.isArray(raw)) return { ok: false, reason: 'the event is not a JSON object' };
  const record = raw as Record<string, unknown>;
  if ('trigger_type' in record) {
    const parsed = functionGraphTimerEventSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, reason: `not a FunctionGraph timer event (${describe(parsed.error)})` };
    return { ok: true, firing: { platform: 'functiongraph', firedAt: parsed.data.time, trigger: parsed.data.trigger_name } };
  }
  if ('detail-type' in record || 'source' in record) {
    const parsed = awsScheduledEventSchema.safeParse(raw);
    if (!parsed.success) return { ok: false, reason: `not an EventBridge scheduled event (${describe(parsed.error)})` };
    return { ok: true, firing: { platform: 'aws', firedAt: parsed.data.time, trigger: ruleName(parsed.data.resources), eventId: parsed.data.id } };
  }
  return { ok: false, reason: 'neither an EventBridge scheduled event nor a FunctionGraph timer event' };
}
