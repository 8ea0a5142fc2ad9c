/**
 * serverless.yml events → FunctionGraph triggers:
 *  - `http` (API Gateway REST, the v1 proxy event APIG also delivers) → APIG trigger (method, path);
 *  - `schedule` (and `eventBridge` with a `schedule`) → TIMER trigger:
 *      rate(N minutes|hours|days) → Rate `Nm` / `Nh` / `Nd` (FunctionGraph allows 1–60 m, 1–24 h, 1–30 d;
 *      other periods become the Cron form `@every N…`);
 *      cron(min hour day-of-month month day-of-week year) → Cron `CRON_TZ=UTC 0 min hour dom month dow`
 *      (FunctionGraph's cron has seconds first and no year, numbers its weekdays 0–6 from Sunday where
 *      EventBridge uses 1–7, and runs in the region's time zone unless CRON_TZ says otherwise: EventBridge
 *      runs in UTC);
 *  - anything else (an EventBridge event pattern, SQS, S3, …) is listed as a manual event with the reason.
 */
import { timerNameSchema, type ManualEvent, type Trigger, type TimerTrigger, HTTP_METHODS } from './manifest';

export class EventConversionError extends Error {
  constructor(
    readonly functionKey: string,
    message: string,
  ) {
    super(`function ${functionKey}: ${message}`);
    this.name = 'EventConversionError';
  }
}

type Method = (typeof HTTP_METHODS)[number];

function normalisePath(raw: string): string {
  const trimmed = raw.trim().replace(/^\/+/, '').replace(/\/+$/, '');
  return `/${trimmed}`;
}

function httpTrigger(functionKey: string, value: unknown): Trigger {
  let method: string | undefined;
  let path: string | undefined;
  if (typeof value === 'string') {
    const m = /^\s*([A-Za-z]+)\s+(\S+)\s*$/.exec(value);
    if (!m) throw new EventConversionError(functionKey, `http event "${value}" is not "METHOD path"`);
    method = m[1];
    path = m[2];
  } else if (value !== null && typeof value === 'object') {
    const v = value as Record<string, unknown>;
    method = typeof v.method === 'string' ? v.method : undefined;
    path = typeof v.path === 'string' ? v.path : undefined;
  }
  if (!method || path === undefined) throw new EventConversionError(functionKey, 'an http event needs a method and a path');
  const upper = method.toUpperCase();
  if (!(HTTP_METHODS as readonly string[]).includes(upper)) throw new EventConversionError(functionKey, `http method "${method}" is not one of ${HTTP_METHODS.join(', ')}`);
  return { type: 'APIG', method: upper as Method, path: normalisePath(path) };
}

// ---- schedules ----------------------------------------------------------------------------------

const RATE_LIMITS = { m: 60, h: 24, d: 30 } as const;

/** rate(N unit) → FunctionGraph's Rate (or Cron `@every` when the period is outside the Rate ranges). */
export function convertRate(expression: string): { scheduleType: 'Rate' | 'Cron'; schedule: string } {
  const m = /^rate\(\s*(\d+)\s+(minute|minutes|hour|hours|day|days)\s*\)$/i.exec(expression.trim());
  if (!m) throw new Error(`"${expression}" is not rate(N minutes|hours|days)`);
  const amount = Number(m[1]);
  if (!Number.isSafeInteger(amount) || amount < 1) throw new Error(`"${expression}": the rate must be at least 1`);
  const unit = (m[2] as string).toLowerCase()[0] as 'm' | 'h' | 'd';
  // The unit as written when FunctionGraph allows the amount in it, else the largest unit that fits.
  if (amount <= RATE_LIMITS[unit]) return { scheduleType: 'Rate', schedule: `${amount}${unit}` };
  let minutes = amount * (unit === 'm' ? 1 : unit === 'h' ? 60 : 1440);
  if (minutes % 1440 === 0 && minutes / 1440 <= RATE_LIMITS.d) return { scheduleType: 'Rate', schedule: `${minutes / 1440}d` };
  if (minutes % 60 === 0 && minutes / 60 <= RATE_LIMITS.h) return { scheduleType: 'Rate', schedule: `${minutes / 60}h` };
  if (minutes % 60 === 0) return { scheduleType: 'Cron', schedule: `@every ${minutes / 60}h` };
  minutes = Math.trunc(minutes);
  return { scheduleType: 'Cron', schedule: `@every ${minutes}m` };
}

/** EventBridge's day-of-week numbers (1 = SUN … 7 = SAT) → FunctionGraph's (0 = Sun … 6 = Sat). */
function convertDayOfWeek(field: string, expression: string): string {
  return field
    .split(',')
    .map((item) => {
      const [range, step] = item.split('/');
      const mapped = (range as string)
        .split('-')
        .map((part) => {
          if (!/^\d+$/.test(part)) return part;
          const n = Number(part);
          if (n < 1 || n > 7) throw new Error(`"${expression}": day-of-week ${part} is not 1-7`);
          return String(n - 1);
        })
        .join('-');
      return step === undefined ? mapped : `${mapped}/${step}`;
    })
    .join(',');
}

/** cron(min hour dom month dow year) (EventBridge, UTC) → FunctionGraph Cron (seconds first, CRON_TZ=UTC). */
export function convertCron(expression: string): string {
  const m = /^cron\((.*)\)$/i.exec(expression.trim());
  if (!m) throw new Error(`"${expression}" is not cron(...)`);
  const fields = (m[1] as string).trim().split(/\s+/);
  if (fields.length !== 6) throw new Error(`"${expression}": cron(...) needs 6 fields, got ${fields.length}`);
  const [minute, hour, dom, month, dow, year] = fields as [string, string, string, string, string, string];
  if (year !== '*') throw new Error(`"${expression}": FunctionGraph cron has no year field (use *)`);
  for (const field of fields) {
    if (/[LW#]/i.test(field.replace(/[A-Za-z]{3}/g, (name) => (/^(SUN|MON|TUE|WED|THU|FRI|SAT|JAN|FEB|MAR|APR|MAY|JUN|JUL|AUG|SEP|OCT|NOV|DEC)$/i.test(name) ? '' : name)))) {
      throw new Error(`"${expression}": L, W and # are not supported by FunctionGraph cron`);
    }
  }
  return `CRON_TZ=UTC 0 ${minute} ${hour} ${dom} ${month} ${convertDayOfWeek(dow, expression)}`;
}

export function convertSchedule(expression: string): { scheduleType: 'Rate' | 'Cron'; schedule: string } {
  const text = expression.trim();
  if (/^rate\(/i.test(text)) return convertRate(text);
  if (/^cron\(/i.test(text)) return { scheduleType: 'Cron', schedule: convertCron(text) };
  throw new Error(`"${expression}" is neither rate(...) nor cron(...)`);
}

function timerName(raw: string): string {
  let name = raw.replace(/[^A-Za-z0-9_-]/g, '-');
  if (!/^[A-Za-z]/.test(name)) name = `t-${name}`;
  return name.slice(0, 64);
}

interface ScheduleSpec {
  readonly expressions: string[];
  readonly enabled: boolean;
  readonly name?: string;
  readonly input?: unknown;
}

function scheduleSpec(functionKey: string, value: unknown): ScheduleSpec {
  if (typeof value === 'string') return { expressions: [value], enabled: true };
  if (value === null || typeof value !== 'object') throw new EventConversionError(functionKey, 'a schedule event needs a rate');
  const v = value as Record<string, unknown>;
  const rate = v.rate ?? v.schedule;
  const expressions = Array.isArray(rate) ? rate.map(String) : typeof rate === 'string' ? [rate] : [];
  if (expressions.length === 0) throw new EventConversionError(functionKey, 'a schedule event needs a rate');
  if (v.inputPath !== undefined || v.inputTransformer !== undefined) {
    throw new EventConversionError(functionKey, 'schedule inputPath/inputTransformer have no FunctionGraph equivalent (use input)');
  }
  return {
    expressions,
    enabled: v.enabled === undefined ? true : v.enabled !== false && v.enabled !== 'false',
    ...(typeof v.name === 'string' ? { name: v.name } : {}),
    ...(v.input !== undefined ? { input: v.input } : {}),
  };
}

function timerTriggers(functionKey: string, spec: ScheduleSpec, firstIndex: number): TimerTrigger[] {
  return spec.expressions.map((expression, i) => {
    let converted: { scheduleType: 'Rate' | 'Cron'; schedule: string };
    try {
      converted = convertSchedule(expression);
    } catch (error) {
      throw new EventConversionError(functionKey, error instanceof Error ? error.message : String(error));
    }
    const base = spec.name ? timerName(spec.name) : timerName(`${functionKey}-schedule-${firstIndex + i}`);
    const name = spec.name && spec.expressions.length > 1 ? timerName(`${base.slice(0, 60)}-${i + 1}`) : base;
    const parsedName = timerNameSchema.safeParse(name);
    if (!parsedName.success) throw new EventConversionError(functionKey, `timer name "${name}" is not valid`);
    const userEvent = spec.input === undefined ? undefined : typeof spec.input === 'string' ? spec.input : JSON.stringify(spec.input);
    if (userEvent !== undefined && userEvent.length > 4096) throw new EventConversionError(functionKey, 'schedule input is longer than 4096 characters');
    return {
      type: 'TIMER',
      name,
      scheduleType: converted.scheduleType,
      schedule: converted.schedule,
      source: expression.trim(),
      enabled: spec.enabled,
      ...(userEvent === undefined ? {} : { userEvent }),
    };
  });
}

/** Converts one function's events. */
export function convertEvents(functionKey: string, events: readonly unknown[]): { triggers: Trigger[]; manualEvents: ManualEvent[] } {
  const triggers: Trigger[] = [];
  const manualEvents: ManualEvent[] = [];
  let timerIndex = 1;
  for (const event of events) {
    if (event === null || typeof event !== 'object') throw new EventConversionError(functionKey, 'an event must be a map such as { http: ... }');
    const [type, value] = Object.entries(event as Record<string, unknown>)[0] ?? [];
    if (type === 'http') triggers.push(httpTrigger(functionKey, value));
    else if (type === 'schedule' || (type === 'eventBridge' && value !== null && typeof value === 'object' && 'schedule' in (value as object))) {
      const spec = scheduleSpec(functionKey, value);
      const timers = timerTriggers(functionKey, spec, timerIndex);
      timerIndex += timers.length;
      triggers.push(...timers);
    } else if (type === 'eventBridge') {
      manualEvents.push({
        event: 'eventBridge',
        reason: 'an EventBridge event pattern: on FunctionGraph, subscribe the function to the same events in EventGrid (docs/deploy.md)',
      });
    } else if (type === 'httpApi') {
      manualEvents.push({ event: 'httpApi', reason: 'HTTP API (v2 payload) events: FunctionGraph APIG delivers the REST (v1) shape; declare the route as an http event' });
    } else {
      manualEvents.push({ event: String(type), reason: 'no FunctionGraph trigger is created for this event type' });
    }
  }
  const seen = new Set<string>();
  for (const t of triggers) {
    const id = t.type === 'APIG' ? `APIG ${t.method} ${t.path}` : `TIMER ${t.name}`;
    if (seen.has(id)) throw new EventConversionError(functionKey, `${id} is declared twice`);
    seen.add(id);
  }
  return { triggers, manualEvents };
}
