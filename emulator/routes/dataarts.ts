/**
 * DataArts Studio Factory v2 (../shared/api-reference.md §2.1–2.3, §3.1): pending items, publishing them as
 * a release package, querying packages, package detail, releasing (deploy) and withdrawing (unpack).
 */
import { z } from 'zod';
import {
  listPendingItemsQuerySchema,
  publishPackageBodySchema,
  queryReleasePackagesBodySchema,
  type ListPendingItemsResponse,
  type PublishPackageResponse,
  type QueryReleasePackagesResponse,
  type ReleasePackage,
  type ShowPackageDetailResponse,
} from '../../shared/contracts/dataarts';
import { describeIssue, dlfError, header, jsonBody, queryObject, type EmulatorError } from '../http';
import type { RouteContext, RouteDefinition } from '../router';
import { SEED_USERS } from '../seed';
import type { EmulatorState, PackageRecord } from '../state';

const INVALID = 'DLF.3051';
const invalid = (detail: string): EmulatorError => dlfError(INVALID, `The request parameter is invalid. ${detail}`);

/** The first row a DataArts list answers from: `offset` read as an item offset, or as a page number (EmulatorState.offsetMeans). */
function firstRow(ctx: { state: EmulatorState }, offset: number, limit: number): number {
  return ctx.state.offsetMeans === 'pages' ? offset * limit : offset;
}

/** The path project must be the tenant's IAM project. */
function checkProject(ctx: RouteContext): void {
  const projectId = ctx.request.params.project_id;
  if (projectId !== ctx.identity.projectId) throw invalid(`project_id ${projectId ?? ''} is not the caller's project.`);
}

/** The `workspace` header: required for the pending-item operations, default workspace when absent otherwise. */
function checkWorkspace(ctx: RouteContext, required: boolean): void {
  const workspace = header(ctx.request, 'workspace');
  if (workspace === undefined || workspace === '') {
    if (required) throw invalid('The header workspace is required.');
    return;
  }
  if (workspace !== ctx.identity.workspace) throw dlfError('DLF.0819', `The workspace ID does not exist: ${workspace}.`);
}

function parseJson(ctx: RouteContext): unknown {
  return jsonBody(ctx.request, () => invalid('The request body is not valid JSON.'));
}

// The contracts are strict (our client never sends unknown fields); the real API ignores unknown fields.
const pendingItemsQuery = z.object(listPendingItemsQuerySchema.shape);
const publishBody = z.object(publishPackageBodySchema.shape);
const packagesQueryBody = z.object(queryReleasePackagesBodySchema.shape);

function listPendingItems(ctx: RouteContext) {
  checkProject(ctx);
  checkWorkspace(ctx, true);
  const parsed = pendingItemsQuery.safeParse(queryObject(ctx.request.query, Object.keys(listPendingItemsQuerySchema.shape)));
  if (!parsed.success) throw invalid(describeIssue(parsed.error));
  const q = parsed.data;
  const limit = q.limit ?? 10;
  const offset = firstRow(ctx, q.offset ?? 0, limit);
  const start = q.start_time === undefined ? undefined : Number(q.start_time);
  const end = q.end_time === undefined ? undefined : Number(q.end_time);
  const itemName = q.item_name?.toLowerCase();
  const data: ListPendingItemsResponse['data'] = [];
  let total = 0;
  for (const item of ctx.state.pendingItems.values()) {
    if (q.submit_user_name !== undefined && item.submit_user_name !== q.submit_user_name) continue;
    if (itemName !== undefined && !item.item_name.toLowerCase().includes(itemName)) continue;
    if (q.update_type !== undefined && item.update_type !== Number(q.update_type)) continue;
    if (q.task_type !== undefined && item.task_type !== Number(q.task_type)) continue;
    if (start !== undefined && (item.submit_timestamp ?? 0) < start) continue;
    if (end !== undefined && (item.submit_timestamp ?? 0) > end) continue;
    if (total >= offset && data.length < limit) data.push({ ...item });
    total++;
  }
  const body: ListPendingItemsResponse = { total, data };
  return { status: 200, body };
}

function publishPendingItems(ctx: RouteContext) {
  checkProject(ctx);
  checkWorkspace(ctx, true);
  const raw = parseJson(ctx);
  if (raw === undefined) throw invalid('The request body is required.');
  const parsed = publishBody.safeParse(raw);
  if (!parsed.success) throw invalid(describeIssue(parsed.error));
  const body = parsed.data;
  const state = ctx.state;
  if (!state.users.has(body.apply_user_id)) throw invalid(`The apply user ${body.apply_user_id} does not exist.`);
  for (const approverId of body.approver_ids) {
    if (!state.users.has(approverId)) throw invalid(`The approver ${approverId} does not exist.`);
    if (!state.isApprover(approverId)) throw invalid(`The approver ${approverId} has neither the admin nor the deployer role in the workspace.`);
  }
  for (const itemId of body.pending_item_list) {
    const item = state.pendingItems.get(itemId);
    if (!item) throw invalid(`The pending item ${itemId} does not exist.`);
    if (item.package_flag !== 0) throw invalid(`The pending item ${itemId} has already been packaged.`);
  }
  const record = state.createPackage({
    packageName: body.package_name,
    applyUserId: body.apply_user_id,
    approverIds: body.approver_ids,
    itemIds: body.pending_item_list,
  });
  const response: PublishPackageResponse = { package_name: record.row.package_name, release_package_id: record.row.package_id };
  return { status: 200, body: response };
}

type OrderColumn = 'apply_timestamp' | 'deploy_timestamp' | 'package_name';

function compareBy(column: OrderColumn): (a: PackageRecord, b: PackageRecord) => number {
  if (column === 'package_name') return (a, b) => (a.row.package_name < b.row.package_name ? -1 : a.row.package_name > b.row.package_name ? 1 : 0);
  return (a, b) => (a.row[column] ?? 0) - (b.row[column] ?? 0) || Number(a.row.package_id) - Number(b.row.package_id);
}

function queryReleasePackages(ctx: RouteContext) {
  checkProject(ctx);
  checkWorkspace(ctx, false);
  const raw = parseJson(ctx) ?? {};
  const parsed = packagesQueryBody.safeParse(raw);
  if (!parsed.success) throw invalid(describeIssue(parsed.error));
  const q = parsed.data;
  ctx.state.settleReleases();
  const limit = q.limit ?? 10;
  const offset = firstRow(ctx, q.offset ?? 0, limit);
  const keyWord = q.key_word?.toLowerCase();
  const applyName = q.apply_user_name?.toLowerCase();
  const deployName = q.deploy_user_name?.toLowerCase();
  const applyFilter = q.apply_user_name_filter && new Set(q.apply_user_name_filter);
  const deployFilter = q.deploy_user_name_filter && new Set(q.deploy_user_name_filter);
  const statusFilter = q.deploy_status_filter && new Set<number>(q.deploy_status_filter);
  const matches = (p: ReleasePackage): boolean => {
    if (keyWord !== undefined && !p.package_name.toLowerCase().includes(keyWord)) return false;
    if (applyName !== undefined && !(p.apply_user_name ?? '').toLowerCase().includes(applyName)) return false;
    if (deployName !== undefined && !(p.deploy_user_name ?? '').toLowerCase().includes(deployName)) return false;
    if (applyFilter && applyFilter.size > 0 && !applyFilter.has(p.apply_user_name ?? '')) return false;
    if (deployFilter && deployFilter.size > 0 && !deployFilter.has(p.deploy_user_name ?? '')) return false;
    if (statusFilter && statusFilter.size > 0 && !statusFilter.has(p.deploy_status)) return false;
    const applied = p.apply_timestamp ?? 0;
    if (q.apply_begin_time !== undefined && applied < q.apply_begin_time) return false;
    if (q.apply_end_time !== undefined && applied > q.apply_end_time) return false;
    if (q.deploy_begin_time !== undefined || q.deploy_end_time !== undefined) {
      if (p.deploy_timestamp == null) return false;
      if (q.deploy_begin_time !== undefined && p.deploy_timestamp < q.deploy_begin_time) return false;
      if (q.deploy_end_time !== undefined && p.deploy_timestamp > q.deploy_end_time) return false;
    }
    return true;
  };
  const column: OrderColumn = q.order_column ?? 'apply_timestamp';
  const descending = (q.sorted_direction ?? 'desc') === 'desc';
  let total = 0;
  const data: ReleasePackage[] = [];
  if (column === 'apply_timestamp') {
    // The list is kept in apply order: one pass, no sort.
    const list = ctx.state.packages;
    for (let k = 0; k < list.length; k++) {
      const record = list[descending ? list.length - 1 - k : k] as PackageRecord;
      if (!matches(record.row)) continue;
      if (total >= offset && data.length < limit) data.push(copyPackage(record.row));
      total++;
    }
  } else {
    const found = ctx.state.packages.filter((r) => matches(r.row));
    const compare = compareBy(column);
    found.sort(descending ? (a, b) => compare(b, a) : compare);
    total = found.length;
    for (const record of found.slice(offset, offset + limit)) data.push(copyPackage(record.row));
  }
  const body: QueryReleasePackagesResponse = { total, data };
  return { status: 200, body };
}

function copyPackage(row: ReleasePackage): ReleasePackage {
  return { ...row, package_approvers: row.package_approvers.map((a) => ({ ...a })) };
}

function findPackage(ctx: RouteContext, id: string): PackageRecord {
  ctx.state.settleReleases();
  const record = /^[0-9]{1,19}$/.test(id) ? ctx.state.packagesById.get(id) : undefined;
  if (!record) throw invalid(`The release package ${id} does not exist.`);
  return record;
}

function showPackageDetail(ctx: RouteContext) {
  checkProject(ctx);
  checkWorkspace(ctx, false);
  const record = findPackage(ctx, ctx.request.params.package_id ?? '');
  const body: ShowPackageDetailResponse = { release_package: copyPackage(record.row), task_details: record.taskDetails.map((d) => ({ ...d })) };
  return { status: 200, body };
}

const deployBody = z.object({
  package_ids: z.array(z.string()).min(1).max(100),
  startup_mode: z.union([z.literal(0), z.literal(1)]).optional(),
});

/** The user the gateway authenticated, as a DataArts user id (AK/SK belongs to the "caller" seed user). */
function callerUserId(ctx: RouteContext): string {
  return ctx.caller.kind === 'token' ? ctx.caller.userId : SEED_USERS.caller;
}

/** DeployFactoryPackages: packages pending approval go to releasing, and to success after a while. */
function deployPackages(ctx: RouteContext) {
  checkProject(ctx);
  checkWorkspace(ctx, false);
  const parsed = deployBody.safeParse(parseJson(ctx));
  if (!parsed.success) throw invalid(describeIssue(parsed.error));
  const records = parsed.data.package_ids.map((id) => findPackage(ctx, id));
  for (const record of records) {
    if (record.row.delete_flag === 1) throw invalid(`The release package ${record.row.package_id} has been withdrawn.`);
    if (record.row.deploy_status !== 1) throw invalid(`The release package ${record.row.package_id} is not pending approval.`);
  }
  const deployer = callerUserId(ctx);
  const details = records.map((record) => {
    ctx.state.startRelease(record, deployer);
    return { asy_subtask_num: record.taskDetails.length, asy_task_id: ctx.state.newId(), package_id: Number(record.row.package_id) };
  });
  return { status: 200, body: { deploy_package_details: details } };
}

const unpackBody = z.object({ package_ids: z.array(z.string()).min(1).max(100) });

/** CancelFactoryPackages: withdraws packages (delete_flag 1); their items are pending again. */
function unpackPackages(ctx: RouteContext) {
  checkProject(ctx);
  checkWorkspace(ctx, false);
  const parsed = unpackBody.safeParse(parseJson(ctx));
  if (!parsed.success) throw invalid(describeIssue(parsed.error));
  const records = parsed.data.package_ids.map((id) => findPackage(ctx, id));
  for (const record of records) {
    if (record.row.deploy_status !== 1) throw invalid(`The release package ${record.row.package_id} is not pending approval.`);
  }
  for (const record of records) ctx.state.setPackageStatus(record, { deleteFlag: 1 });
  return { status: 200 };
}

export const dataartsRoutes: readonly RouteDefinition[] = [
  { name: 'ListFactoryPendingItems', method: 'GET', pattern: '/v2/{project_id}/factory/pending-items', handler: listPendingItems },
  { name: 'CreateFactoryPendingItemsPackage', method: 'POST', pattern: '/v2/{project_id}/factory/pending-items/package', handler: publishPendingItems },
  { name: 'DeployFactoryPackages', method: 'POST', pattern: '/v2/{project_id}/factory/release-packages/deploy', handler: deployPackages },
  { name: 'CancelFactoryPackages', method: 'POST', pattern: '/v2/{project_id}/factory/release-packages/unpack', handler: unpackPackages },
  { name: 'ListFactoryReleasePackages', method: 'POST', pattern: '/v2/{project_id}/factory/release-packages', handler: queryReleasePackages },
  { name: 'ShowFactoryPackageDetail', method: 'GET', pattern: '/v2/{project_id}/factory/release-packages/{package_id}', handler: showPackageDetail },
];
