/**
 * Identifier formats, from the API pages and SDK models (../shared/api-reference.md). Every id is checked
 * against its format before a URL is built, so `../x`, `a/b`, `%2F`, `?q` or a URL never reaches the wire.
 */
import '../zod-config';
import * as z from 'zod/mini';

const alnum32 = /^[A-Za-z0-9]{32}$/;
const numericId = /^[0-9]{1,19}$/;

/** IAM project id (the `{project_id}` of DataArts paths), 32 hex characters, e.g. 62099355b894428e8916573ae635f1f9. */
export const iamProjectIdSchema = z.string().check(z.regex(alnum32, 'must be 32 letters or digits (an IAM project id)'));
/** DataArts workspace id, 32 hex characters. */
export const workspaceIdSchema = z.string().check(z.regex(alnum32, 'must be 32 letters or digits (a DataArts workspace id)'));
/** IAM user id (applicant, approvers), 32 hex characters. */
export const userIdSchema = z.string().check(z.regex(alnum32, 'must be 32 letters or digits (an IAM user id)'));
/** DataArts pending item id, a numeric string such as "26". */
export const pendingItemIdSchema = z.string().check(z.regex(numericId, 'must be a numeric id such as "26"'));
/** DataArts release package id, a numeric string such as "13". */
export const releasePackageIdSchema = z.string().check(z.regex(numericId, 'must be a numeric id such as "13"'));
/** CodeArts ids (project, deploy task, deployment record, pipeline, run, job run, step run): 32 letters or digits. */
export const codeartsIdSchema = z.string().check(z.regex(alnum32, 'must be 32 letters or digits (a CodeArts id)'));
