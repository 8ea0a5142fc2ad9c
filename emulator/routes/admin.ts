/**
 * The admin API under /_emulator/: no authentication, loopback callers only, never faulted, not recorded.
 * Documented in emulator/README.md.
 */
import { z } from 'zod';
import { EmulatorError, describeIssue, jsonBody } from '../http';
import type { FaultSettings } from '../faults';
import type { RouteContext, RouteDefinition } from '../router';
import { SEED_USERS } from '../seed';

function bad(message: string): EmulatorError {
  return new EmulatorError(400, { error_code: 'EMULATOR.0400', error_msg: message });
}

function notFound(message: string): EmulatorError {
  return new EmulatorError(404, { error_code: 'EMULATOR.0404', error_msg: message });
}

function body<T>(ctx: RouteContext, schema: z.ZodType<T>): T {
  const parsed = schema.safeParse(jsonBody(ctx.request, () => bad('The request body is not valid JSON.')) ?? {});
  if (!parsed.success) throw bad(describeIssue(parsed.error));
  return parsed.data;
}

const faultSchema = z.strictObject({
  latencyMs: z.number().min(0).optional(),
  throttleRatio: z.number().min(0).max(1).optional(),
  serverErrorRatio: z.number().min(0).max(1).optional(),
  dropRatio: z.number().min(0).max(1).optional(),
  stallRatio: z.number().min(0).max(1).optional(),
  seed: z.number().int().optional(),
  pathPattern: z.string().optional(),
  faultTiming: z.enum(['before', 'after']).optional(),
  retryAfterSeconds: z.number().int().min(0).optional(),
  serverErrorStatus: z.union([z.literal(502), z.literal(503), z.literal(504)]).optional(),
});

function putFaults(ctx: RouteContext) {
  const settings = body(ctx, faultSchema) as FaultSettings;
  try {
    ctx.control.setFaults(settings);
  } catch (error) {
    throw bad(error instanceof Error ? error.message : 'invalid fault settings');
  }
  return { status: 200, body: ctx.control.getFaults() };
}

function clockBody(ctx: RouteContext) {
  return { now: ctx.clock.now().toISOString(), pinned: ctx.clock.pinned };
}

const clockSchema = z.union([
  z.strictObject({ now: z.iso.datetime({ offset: true }) }),
  z.strictObject({ advanceMs: z.number().finite() }),
  z.strictObject({ realTime: z.literal(true) }),
]);

function setClock(ctx: RouteContext) {
  const change = body(ctx, clockSchema);
  if ('now' in change) ctx.clock.set(new Date(change.now));
  else if ('advanceMs' in change) ctx.clock.advance(change.advanceMs);
  else ctx.clock.useRealTime();
  return { status: 200, body: clockBody(ctx) };
}

const packageStatusSchema = z.strictObject({
  deploy_status: z.union([z.literal(1), z.literal(2), z.literal(3), z.literal(5)]).optional(),
  delete_flag: z.union([z.literal(0), z.literal(1)]).optional(),
  deploy_user_id: z.string().optional(),
});

function setPackageStatus(ctx: RouteContext) {
  const change = body(ctx, packageStatusSchema);
  const record = ctx.state.packagesById.get(ctx.request.params.id ?? '');
  if (!record) throw notFound(`no release package ${ctx.request.params.id ?? ''}`);
  if (change.deploy_user_id !== undefined && !ctx.state.users.has(change.deploy_user_id)) throw bad(`unknown user ${change.deploy_user_id}`);
  ctx.state.setPackageStatus(record, {
    ...(change.deploy_status === undefined ? {} : { deployStatus: change.deploy_status }),
    ...(change.delete_flag === undefined ? {} : { deleteFlag: change.delete_flag }),
    ...(change.deploy_user_id === undefined ? {} : { deployUserId: change.deploy_user_id }),
  });
  return { status: 200, body: record.row };
}

const credentialSchema = z.strictObject({
  accessKey: z.string().regex(/^[A-Za-z0-9]{8,64}$/),
  secretKey: z.string().min(8),
  securityToken: z.string().min(8),
  /** ISO time after which the credential is refused. */
  expiresAt: z.iso.datetime({ offset: true }).optional(),
});

function addCredential(ctx: RouteContext) {
  const c = body(ctx, credentialSchema);
  if (c.accessKey === ctx.identity.accessKey) throw bad('the access key of the identity cannot be a temporary credential');
  ctx.state.temporaryCredentials.set(c.accessKey, {
    accessKey: c.accessKey,
    secretKey: c.secretKey,
    securityToken: c.securityToken,
    expiresAtMs: c.expiresAt === undefined ? undefined : Date.parse(c.expiresAt),
  });
  return { status: 201, body: { accessKey: c.accessKey, ...(c.expiresAt ? { expiresAt: c.expiresAt } : {}) } };
}

const pendingItemSchema = z.strictObject({
  item_name: z.string().min(1).max(256),
  task_type: z.union([z.literal(1), z.literal(2)]).default(1),
  update_type: z.union([z.literal(1), z.literal(2), z.literal(3)]).default(2),
  submit_user_id: z.string().default(SEED_USERS.applicant),
  package_flag: z.union([z.literal(0), z.literal(1)]).default(0),
});
const pendingItemsSchema = z.strictObject({ items: z.array(pendingItemSchema).min(1).max(1000) });

function addPendingItems(ctx: RouteContext) {
  const { items } = body(ctx, pendingItemsSchema);
  const now = ctx.clock.nowMs();
  for (const item of items) if (!ctx.state.users.has(item.submit_user_id)) throw bad(`unknown user ${item.submit_user_id}`);
  const created = items.map((item, i) => {
    const user = ctx.state.users.get(item.submit_user_id);
    return ctx.state.addPendingItem({
      item_name: item.item_name,
      task_id: String(7000 + ctx.state.nextPendingItemId),
      task_type: item.task_type,
      update_type: item.update_type,
      package_flag: item.package_flag,
      pending_version: 2,
      deployed_version: item.update_type === 1 ? 0 : 1,
      submit_timestamp: now + i,
      submit_user_id: item.submit_user_id,
      submit_user_name: user?.name ?? item.submit_user_id,
    });
  });
  return { status: 201, body: { items: created } };
}

const runSchema = z.strictObject({ pipeline_id: z.string().optional() });

function addWaitingRun(ctx: RouteContext) {
  const { pipeline_id: pipelineId } = body(ctx, runSchema);
  const id = pipelineId ?? [...ctx.state.pipelines.keys()][0] ?? '';
  if (!ctx.state.pipelines.has(id)) throw notFound(`no pipeline ${id}`);
  return { status: 201, body: ctx.state.addWaitingRun(id) };
}

function requests(ctx: RouteContext) {
  return { status: 200, body: { requests: ctx.control.requests } };
}

const admin = (route: Omit<RouteDefinition, 'auth' | 'faults'>): RouteDefinition => ({ ...route, auth: 'none', faults: 'none' });

export const adminRoutes: readonly RouteDefinition[] = [
  admin({ name: 'AdminHealth', method: 'GET', pattern: '/_emulator/health', handler: (ctx) => ({ status: 200, body: { status: 'ok', now: ctx.clock.now().toISOString() } }) }),
  admin({ name: 'AdminGetFaults', method: 'GET', pattern: '/_emulator/faults', handler: (ctx) => ({ status: 200, body: ctx.control.getFaults() }) }),
  admin({ name: 'AdminPutFaults', method: 'PUT', pattern: '/_emulator/faults', handler: putFaults }),
  admin({ name: 'AdminGetClock', method: 'GET', pattern: '/_emulator/clock', handler: (ctx) => ({ status: 200, body: clockBody(ctx) }) }),
  admin({ name: 'AdminSetClock', method: 'POST', pattern: '/_emulator/clock', handler: setClock }),
  admin({ name: 'AdminListRequests', method: 'GET', pattern: '/_emulator/requests', handler: requests }),
  admin({
    name: 'AdminClearRequests',
    method: 'DELETE',
    pattern: '/_emulator/requests',
    handler: (ctx) => {
      ctx.control.requests.length = 0;
      return { status: 204 };
    },
  }),
  admin({ name: 'AdminSetPackageStatus', method: 'POST', pattern: '/_emulator/packages/{id}/status', handler: setPackageStatus }),
  admin({ name: 'AdminAddCredential', method: 'POST', pattern: '/_emulator/credentials', handler: addCredential }),
  admin({ name: 'AdminAddPendingItems', method: 'POST', pattern: '/_emulator/pending-items', handler: addPendingItems }),
  admin({ name: 'AdminAddWaitingRun', method: 'POST', pattern: '/_emulator/pipeline-runs', handler: addWaitingRun }),
  admin({
    name: 'AdminReset',
    method: 'POST',
    pattern: '/_emulator/reset',
    handler: (ctx) => {
      ctx.control.reset();
      return { status: 200, body: { status: 'reset' } };
    },
  }),
];
