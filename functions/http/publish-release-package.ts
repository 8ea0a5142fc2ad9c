/** POST /v1/release-packages → DataArts CreateFactoryPendingItemsPackage, safe to retry. */
import '../../shared/zod-config';
import * as z from 'zod/mini';
import { ForbiddenError } from '../../shared/errors';
import { defineRoute, httpFunction } from '../../shared/http-function';
import { publishPackageBodySchema, publishPackageResponseSchema } from '../../shared/contracts/dataarts';
import { idempotencyStoreOf } from '../../shared/idempotency/store';
import { publishReleasePackage } from '../../shared/releases/publish';
import { resolveWorkspace, workspaceHeadersSchema } from '../../shared/releases/workspace';

/** IAM user ids are hex: the same user in another letter case is the same user. */
const sameUser = (a: string, b: string) => a.toLowerCase() === b.toLowerCase();

export const publishRequestBodySchema = publishPackageBodySchema.check(
  z.refine((body) => !body.approver_ids.some((approver) => sameUser(approver, body.apply_user_id)), {
    message: 'must not include the applicant (apply_user_id)',
    path: ['approver_ids'],
  }),
);

export const publishResponseSchema = z.extend(publishPackageResponseSchema, {
  /** True when an earlier identical publish already created this package. */
  replayed: z.boolean(),
});

export const publishReleasePackageRoute = defineRoute({
  functionName: 'publishReleasePackage',
  method: 'POST',
  path: '/v1/release-packages',
  summary: 'Publish pending items as a release package awaiting approval',
  description:
    'Retrying is safe: a package of the same name holding the same items is answered as is (replayed: true); ' +
    'one holding other items is 409. An Idempotency-Key header extends the guarantee to calls that differ in name.',
  scope: 'publish',
  request: {
    headers: z.extend(workspaceHeadersSchema, {
      'idempotency-key': z.optional(z.string().check(z.regex(/^[A-Za-z0-9_.:-]{8,128}$/, 'must be 8-128 letters, digits or _.:-'))),
    }),
    body: publishRequestBodySchema,
    bodyRequired: true,
  },
  response: publishResponseSchema,
  successStatus: 201,
  otherSuccesses: { 200: 'Replayed: this request (or its Idempotency-Key) published this package before; "replayed" is true, nothing was sent' },
  handle: async ({ headers, body }, { runtime, principal, call, logger }) => {
    const workspace = resolveWorkspace(runtime, principal, headers['x-workspace-id']);
    if (principal.iamUserId && !sameUser(body.apply_user_id, principal.iamUserId)) {
      throw new ForbiddenError('This credential may publish only with its own IAM user as apply_user_id');
    }
    const result = await publishReleasePackage(
      { client: runtime.client, store: idempotencyStoreOf(runtime), logger, call },
      { workspace, body, actor: principal.clientId, idempotencyKey: headers['idempotency-key'] },
    );
    return { statusCode: result.replayed ? 200 : 201, body: result };
  },
});

export const handler = httpFunction(publishReleasePackageRoute);
